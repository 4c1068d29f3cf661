import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  createKey,
  createOrg,
  createSecret,
  createTestApp,
  expectError,
  listAllKeys,
  orgAWithAllRoles,
  send,
  type TestApp,
  unknownUuid,
  verify,
} from "./helpers.js";

// The vault (SPEC §5): named secrets per org, encrypted at rest; values only with secrets:read, each
// read audited; a new key can be saved into it in the key's own transaction.

let t: TestApp;
let secretsUrl: string;

beforeEach(async () => {
  t = await createTestApp();
  secretsUrl = `/rest/orgs/${t.owner.orgId}/secrets`;
});

afterEach(async () => {
  await t.close();
});

function secretBody(attributes: Record<string, unknown>) {
  return { data: { type: "secret", attributes } };
}

async function reveal(id: string, token = t.owner.token, orgId = t.owner.orgId) {
  return send(t.app, { url: `/rest/orgs/${orgId}/secrets/${id}?reveal=true`, token });
}

async function auditActions(prefix: string): Promise<{ action: string; target: { id: string }; detail: object }[]> {
  const res = await send(t.app, {
    url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100&filter[action]=${prefix}`,
    token: t.owner.token,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res
    .json()
    .data.map((item: { attributes: { action: string; target: { id: string }; detail: object } }) => item.attributes)
    .reverse();
}

describe("secrets", () => {
  test("create answers 201 without the value; list and get show metadata; reveal shows the value; delete", async () => {
    const created = await send(t.app, {
      method: "POST",
      url: secretsUrl,
      token: t.owner.token,
      body: secretBody({ name: "stripe/live", value: "sk_live_vault_test_1" }),
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers["content-type"]).toContain("application/vnd.api+json");
    const data = created.json().data;
    expect(data).toMatchObject({
      type: "secret",
      attributes: { name: "stripe/live", org_id: t.owner.orgId, created_by: { type: "user", id: t.owner.userId } },
      links: { self: `${secretsUrl}/${data.id}` },
    });
    expect(created.headers.location).toBe(`${secretsUrl}/${data.id}`);
    expect(created.body).not.toContain("sk_live_vault_test_1");

    const listed = await send(t.app, { url: secretsUrl, token: t.owner.token });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((item: { id: string }) => item.id)).toEqual([data.id]);
    expect(listed.body).not.toContain("sk_live_vault_test_1");
    const got = await send(t.app, { url: `${secretsUrl}/${data.id}`, token: t.owner.token });
    expect(got.statusCode).toBe(200);
    expect(got.json().data.attributes).not.toHaveProperty("value");

    const revealed = await reveal(data.id);
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json().data.attributes.value).toBe("sk_live_vault_test_1");
    expect(revealed.headers["cache-control"]).toBe("no-store");

    const deleted = await send(t.app, { method: "DELETE", url: `${secretsUrl}/${data.id}`, token: t.owner.token });
    expect(deleted.statusCode).toBe(204);
    expectError(await reveal(data.id), 404, "NOT_FOUND");
    expectError(await send(t.app, { url: `${secretsUrl}/${data.id}`, token: t.owner.token }), 404, "NOT_FOUND");
  });

  test("lists page with cursors, newest first", async () => {
    const ids = [];
    for (const name of ["a", "b", "c"]) {
      ids.push(await createSecret(t, name, `value ${name}`));
      // Ids sort by creation time: a millisecond apart.
      t.clock.advance(0.001);
    }
    const first = await send(t.app, { url: `${secretsUrl}?limit=2`, token: t.owner.token });
    const body = first.json();
    expect(body.data.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    const next = await send(t.app, { url: body.links.next, token: t.owner.token });
    expect(next.json().data.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
    expect(next.json().links.prev).toBeDefined();
  });

  test("every reveal is audited, metadata reads are not, and no event holds the value", async () => {
    const id = await createSecret(t, "db-password", "correct horse battery staple");
    for (let i = 0; i < 3; i++) expect((await reveal(id)).statusCode).toBe(200);
    await send(t.app, { url: `${secretsUrl}/${id}`, token: t.owner.token });
    await send(t.app, { method: "DELETE", url: `${secretsUrl}/${id}`, token: t.owner.token });
    const events = await auditActions("secret.*");
    expect(events.map((event) => event.action)).toEqual([
      "secret.created",
      "secret.read",
      "secret.read",
      "secret.read",
      "secret.deleted",
    ]);
    for (const event of events) {
      expect(event.target.id).toBe(id);
      expect(event.detail).toEqual({ name: "db-password" });
    }
    const exported = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs/export`, token: t.owner.token });
    expect(exported.body).not.toContain("correct horse");
  });

  test("a name is unique in its org (409), free in another org", async () => {
    await createSecret(t, "shared-name", "one");
    const again = await send(t.app, {
      method: "POST",
      url: secretsUrl,
      token: t.owner.token,
      body: secretBody({ name: "shared-name", value: "two" }),
    });
    expectError(again, 409, "CONFLICT");
    const other = await createOrg(t, "Other Org");
    await createSecret(t, "shared-name", "three", { token: other.members.owner.token, orgId: other.orgId });
  });
});

describe("who may see what", () => {
  test("values need secrets:read; viewers and members list names only; writes need secrets:write", async () => {
    const org = await orgAWithAllRoles(t);
    const id = await createSecret(t, "api-token", "only for admins");
    for (const role of ["member", "viewer"] as const) {
      const token = org.members[role].token;
      expect((await send(t.app, { url: secretsUrl, token })).statusCode).toBe(200);
      expect((await send(t.app, { url: `${secretsUrl}/${id}`, token })).statusCode).toBe(200);
      const refused = await reveal(id, token);
      expectError(refused, 403, "FORBIDDEN");
      expect(refused.body).not.toContain("only for admins");
      expectError(
        await send(t.app, { method: "POST", url: secretsUrl, token, body: secretBody({ name: "x", value: "y" }) }),
        403,
        "FORBIDDEN",
      );
      expectError(await send(t.app, { method: "DELETE", url: `${secretsUrl}/${id}`, token }), 403, "FORBIDDEN");
    }
    for (const role of ["admin", "super_admin"] as const) {
      expect((await reveal(id, org.members[role].token)).json().data.attributes.value).toBe("only for admins");
    }
    // A key that holds secrets:list only sees names; one with secrets:read sees values.
    const lister = await createKey(t, { permissions: ["secrets:list"] });
    expect((await send(t.app, { url: secretsUrl, token: lister.key })).statusCode).toBe(200);
    expectError(await reveal(id, lister.key), 403, "FORBIDDEN");
    const reader = await createKey(t, { permissions: ["secrets:read"] });
    expect((await reveal(id, reader.key)).json().data.attributes.value).toBe("only for admins");
    const nothing = await createKey(t, { permissions: ["api_keys:read"] });
    expectError(await send(t.app, { url: secretsUrl, token: nothing.key }), 403, "FORBIDDEN");
    // Refused reveals write no event.
    expect((await auditActions("secret.read")).length).toBe(3);
  });

  test("another org's secrets are 404, whatever the caller holds", async () => {
    const other = await createOrg(t, "Other Org");
    const theirs = await createSecret(t, "theirs", "their value", {
      token: other.members.owner.token,
      orgId: other.orgId,
    });
    const otherUrl = `/rest/orgs/${other.orgId}/secrets`;
    for (const res of [
      await send(t.app, { url: otherUrl, token: t.owner.token }),
      await send(t.app, { url: `${otherUrl}/${theirs}`, token: t.owner.token }),
      await reveal(theirs, t.owner.token, other.orgId),
      await send(t.app, { method: "DELETE", url: `${otherUrl}/${theirs}`, token: t.owner.token }),
      // Their id under my org is no better.
      await reveal(theirs),
      await send(t.app, { method: "DELETE", url: `${secretsUrl}/${theirs}`, token: t.owner.token }),
    ]) {
      expectError(res, 404, "NOT_FOUND");
      expect(res.body).not.toContain("their value");
    }
    expect((await reveal(theirs, other.members.owner.token, other.orgId)).json().data.attributes.value).toBe(
      "their value",
    );
  });
});

describe("bad input", () => {
  test("is a 400 in the error shape, and stores nothing", async () => {
    const cases: [string, unknown][] = [
      ["no value", secretBody({ name: "n" })],
      ["empty value", secretBody({ name: "n", value: "" })],
      ["value too long", secretBody({ name: "n", value: "x".repeat(32 * 1024 + 1) })],
      ["multi-byte value over the byte limit", secretBody({ name: "n", value: "é".repeat(20_000) })],
      ["value not a string", secretBody({ name: "n", value: 42 })],
      ["empty name", secretBody({ name: "", value: "v" })],
      ["name with a space", secretBody({ name: "my secret", value: "v" })],
      ["name starting with a dot", secretBody({ name: ".env", value: "v" })],
      ["name too long", secretBody({ name: "a".repeat(129), value: "v" })],
      ["unknown attribute", secretBody({ name: "n", value: "v", extra: true })],
      ["wrong type", { data: { type: "api_key", attributes: { name: "n", value: "v" } } }],
    ];
    for (const [label, body] of cases) {
      const res = await send(t.app, { method: "POST", url: secretsUrl, token: t.owner.token, body });
      expect(res.statusCode, label).toBe(400);
      expectError(res, 400);
    }
    for (const url of [
      `${secretsUrl}/not-a-uuid`,
      `${secretsUrl}/${unknownUuid()}?reveal=maybe`,
      `${secretsUrl}?limit=0`,
    ]) {
      const res = await send(t.app, { url, token: t.owner.token });
      expect(res.statusCode, url).toBe(400);
    }
    expectError(await reveal(unknownUuid()), 404, "NOT_FOUND");
    expect((await send(t.app, { url: secretsUrl, token: t.owner.token })).json().data).toEqual([]);
    expect(await auditActions("secret.*")).toEqual([]);
  });
});

describe("save_to_vault on key creation", () => {
  function createWithVault(name: unknown, token = t.owner.token) {
    return send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys`,
      token,
      body: { data: { type: "api_key", attributes: { name: "ci key", expires_in: "30d", save_to_vault: { name } } } },
    });
  }

  test("stores the new key in the vault, in the key's transaction, with both events", async () => {
    const res = await createWithVault("ci/deploy-key");
    expect(res.statusCode, res.body).toBe(201);
    const key = res.json().data;
    const listed = (await send(t.app, { url: secretsUrl, token: t.owner.token })).json().data;
    expect(listed.map((item: { attributes: { name: string } }) => item.attributes.name)).toEqual(["ci/deploy-key"]);
    expect((await reveal(listed[0].id)).json().data.attributes.value).toBe(key.attributes.key);
    const events = await auditActions("secret.created");
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toEqual({ name: "ci/deploy-key", api_key_id: key.id });
  });

  test("a taken name fails the whole creation with 409: no key, no event", async () => {
    await createSecret(t, "taken", "already here");
    const keysBefore = (await listAllKeys(t)).length;
    const eventsBefore = (await auditActions("api_key.*")).length;
    const res = await createWithVault("taken");
    expectError(res, 409, "CONFLICT");
    expect(res.json().errors[0].detail).toMatch(/name/);
    expect(await listAllKeys(t)).toHaveLength(keysBefore);
    expect(await auditActions("api_key.*")).toHaveLength(eventsBefore);
    expect(await auditActions("secret.created")).toHaveLength(1);
  });

  test("needs secrets:write; a bad name is a 400; neither creates a key", async () => {
    const org = await orgAWithAllRoles(t);
    const keysBefore = (await listAllKeys(t)).length;
    const member = await send(t.app, {
      method: "POST",
      url: "/rest/self/tokens",
      token: org.members.member.token,
      body: { data: { type: "api_key", attributes: { name: "x", expires_in: "30d", save_to_vault: { name: "x" } } } },
    });
    expectError(member, 400, "VALIDATION_FAILED");
    const writer = await createKey(t, { permissions: ["api_keys:write"] });
    expectError(await createWithVault("no-secrets-write", writer.key), 403, "FORBIDDEN");
    for (const name of ["", "has space", 7, null]) expectError(await createWithVault(name), 400, "VALIDATION_FAILED");
    expect(await listAllKeys(t)).toHaveLength(keysBefore + 1);
    expect((await send(t.app, { url: secretsUrl, token: t.owner.token })).json().data).toEqual([]);
  });

  test("regenerate can save the new secret too; a taken name leaves the key as it was", async () => {
    const key = await createKey(t, { name: "rotated" });
    const regenerate = (name: string) =>
      send(t.app, {
        method: "POST",
        url: `/rest/orgs/${t.owner.orgId}/api_keys/${key.id}/regenerate`,
        token: t.owner.token,
        body: { data: { type: "api_key", attributes: { grace_period_seconds: 0, save_to_vault: { name } } } },
      });
    const first = await regenerate("rotated/v2");
    expect(first.statusCode, first.body).toBe(200);
    const secret: string = first.json().data.attributes.key;
    const saved = (await send(t.app, { url: secretsUrl, token: t.owner.token })).json().data[0];
    expect(saved.attributes.name).toBe("rotated/v2");
    expect((await reveal(saved.id)).json().data.attributes.value).toBe(secret);

    const clash = await regenerate("rotated/v2");
    expectError(clash, 409, "CONFLICT");
    expect((await verify(t, secret)).code).toBe("VALID");
    const events = await auditActions("api_key.regenerated");
    expect(events).toHaveLength(1);
  });
});
