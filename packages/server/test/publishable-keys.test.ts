import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createOrg,
  createTestApp,
  createWebhookWithDelivery,
  expectError,
  listAllKeys,
  type OrgFixture,
  orgAWithAllRoles,
  send,
  type TestApp,
  verify,
} from "./helpers.js";
import { BACKENDS } from "./leaks-harness.js";

// Publishable keys (SPEC §2, §5): one per environment of an org, made with the org, carrying only the
// catalogue's publishable permissions; listed with their (public) values; regenerated through their
// own route; refused by the generic key routes.

interface Listed {
  id: string;
  attributes: Record<string, unknown> & { key: string; environment: string; permissions: string[] };
}

describe.each(BACKENDS)("publishable keys on %s", (backend) => {
  let t: TestApp;
  let org: OrgFixture;
  let base: string;
  beforeAll(async () => {
    t =
      backend === "postgres"
        ? await createTestApp({
            databaseUrl: process.env.LATCHKEY_TEST_POSTGRES_URL ?? "",
            postgresSchema: `latchkey_publishable_${randomBytes(6).toString("hex")}`,
          })
        : await createTestApp();
    org = await orgAWithAllRoles(t);
    base = `/rest/orgs/${org.orgId}`;
  });
  afterAll(() => t.close());

  async function listPublishable(orgId = org.orgId, token = t.owner.token): Promise<Listed[]> {
    const res = await send(t.app, { url: `/rest/orgs/${orgId}/publishable_keys`, token });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  }

  function valueFor(keys: Listed[], environment: string): string {
    const found = keys.find((key) => key.attributes.environment === environment);
    if (found === undefined) throw new Error(`no publishable key for ${environment}`);
    return found.attributes.key;
  }

  function addPermission(name: string, publishable: boolean) {
    return send(t.app, {
      method: "POST",
      url: `${base}/permissions`,
      token: t.owner.token,
      body: { data: { type: "permission", attributes: { name, description: `The ${name} permission`, publishable } } },
    });
  }

  function regenerate(environment: string, attributes?: Record<string, unknown>, token = t.owner.token) {
    return send(t.app, {
      method: "POST",
      url: `${base}/publishable_keys/${environment}/regenerate`,
      token,
      ...(attributes === undefined ? {} : { body: { data: { type: "api_key", attributes } } }),
    });
  }

  function patchEnvironments(environments: string[]) {
    return send(t.app, {
      method: "PATCH",
      url: base,
      token: t.owner.token,
      body: { data: { type: "org", attributes: { policy: { environments } } } },
    });
  }

  test("the first start makes the first org's live and test keys; the generic list shows them without values", async () => {
    const res = await send(t.app, { url: `${base}/api_keys?filter[kind]=publishable`, token: t.owner.token });
    expect(res.statusCode, res.body).toBe(200);
    const keys = res.json().data as Listed[];
    expect(keys.map((key) => key.attributes.environment).sort()).toEqual(["live", "test"]);
    for (const key of keys) {
      expect(key.attributes).not.toHaveProperty("key");
      expect(key.attributes.kind).toBe("publishable");
      expect(key.attributes.owner).toEqual({ type: "org", id: org.orgId });
      expect(key.attributes.expires_at).toBeNull();
      expect(key.attributes.status).toBe("active");
    }
    const hintOf = (environment: string) =>
      String(keys.find((key) => key.attributes.environment === environment)?.attributes.hint);
    expect(hintOf("live")).toMatch(/^lkpk_[A-Za-z0-9]{4}…/);
    expect(hintOf("test")).toMatch(/^lkpk_test_[A-Za-z0-9]{4}…/);
    const get = await send(t.app, { url: `${base}/api_keys/${keys[0]?.id}`, token: t.owner.token });
    expect(get.statusCode, get.body).toBe(200);
    expect(get.json().data.attributes).not.toHaveProperty("key");
  });

  test("the list shows each environment's value, which verifies with publishable permissions only", async () => {
    expect((await addPermission("widgets:read", true)).statusCode).toBe(201);
    expect((await addPermission("jobs:write", false)).statusCode).toBe(201);
    const keys = await listPublishable(org.orgId, org.members.viewer.token);
    expect(keys.map((key) => key.attributes.environment)).toEqual(["live", "test"]);
    const live = valueFor(keys, "live");
    expect(live).toMatch(/^lkpk_[A-Za-z0-9]{49}$/);
    expect(valueFor(keys, "test")).toMatch(/^lkpk_test_[A-Za-z0-9]{49}$/);
    for (const key of keys) expect(key.attributes.permissions).toEqual(["widgets:read"]);
    // Shown again: the same value on every list.
    expect(valueFor(await listPublishable(), "live")).toBe(live);
    const valid = await verify(t, live, { permissions: ["widgets:read"] });
    expect(valid).toMatchObject({ valid: true, code: "VALID", environment: "live", owner: { type: "org" } });
    expect(valid.permissions).toEqual(["widgets:read"]);
    expect((await verify(t, live, { permissions: ["jobs:write"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    expect((await verify(t, live, { permissions: ["api_keys:read"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  test("a catalogue change gives the keys the new publishable permission on the very next request", async () => {
    const live = valueFor(await listPublishable(), "live");
    // Cached by this verification.
    expect((await verify(t, live, { permissions: ["gadgets:read"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    expect((await addPermission("gadgets:read", true)).statusCode).toBe(201);
    const after = await verify(t, live, { permissions: ["gadgets:read", "widgets:read"] });
    expect(after.code).toBe("VALID");
    expect(after.permissions).toEqual(["gadgets:read", "widgets:read"]);
    const events = await send(t.app, {
      url: `${base}/audit_logs?filter[action]=api_key.updated`,
      token: t.owner.token,
    });
    expect(events.statusCode, events.body).toBe(200);
    const details = (events.json().data as { attributes: { detail: Record<string, unknown> } }[]).map(
      (event) => event.attributes.detail,
    );
    expect(details.filter((detail) => detail.permission === "gadgets:read")).toHaveLength(2);
  });

  test("regenerate: the old value fails at once, the new one works and is what the list shows", async () => {
    const before = await listPublishable();
    const old = valueFor(before, "test");
    expect((await verify(t, old)).code).toBe("VALID");
    const { webhookId } = await createWebhookWithDelivery(t, { orgId: org.orgId });
    const res = await regenerate("test");
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data;
    expect(data.id).toBe(before.find((key) => key.attributes.environment === "test")?.id);
    const fresh: string = data.attributes.key;
    expect(fresh).toMatch(/^lkpk_test_/);
    expect(fresh).not.toBe(old);
    expect((await verify(t, old)).valid).toBe(false);
    expect((await verify(t, fresh, { permissions: ["widgets:read"] })).code).toBe("VALID");
    expect(valueFor(await listPublishable(), "test")).toBe(fresh);
    const audit = await send(t.app, {
      url: `${base}/audit_logs?filter[action]=api_key.regenerated&filter[target]=${data.id}`,
      token: t.owner.token,
    });
    expect(audit.json().data).toHaveLength(1);
    const deliveries = await send(t.app, { url: `${base}/webhooks/${webhookId}/deliveries`, token: t.owner.token });
    const events = deliveries
      .json()
      .data.map((delivery: { attributes: { event_type: string } }) => delivery.attributes);
    expect(events.filter((event: { event_type: string }) => event.event_type === "api_key.regenerated")).toHaveLength(
      1,
    );
  });

  test("regenerate with a grace period keeps the old value working until it ends", async () => {
    const old = valueFor(await listPublishable(), "live");
    const res = await regenerate("live", { grace_period_seconds: 60 });
    expect(res.statusCode, res.body).toBe(200);
    expect((await verify(t, old)).code).toBe("VALID");
    t.clock.advance(61);
    expect((await verify(t, old)).valid).toBe(false);
    expect((await verify(t, res.json().data.attributes.key)).code).toBe("VALID");
  });

  test("regenerate refuses an unknown or malformed environment, bad bodies and roles without api_keys:write", async () => {
    expectError(await regenerate("staging"), 404, "NOT_FOUND");
    expectError(await regenerate("Not-An-Env"), 400);
    expectError(await regenerate("live", { grace_period_seconds: -1 }), 400);
    expectError(await regenerate("live", {}, org.members.viewer.token), 403);
    expectError(await regenerate("live", {}, org.members.member.token), 403);
  });

  test("an environment added to the policy gets its key; a removed one's key is revoked at once", async () => {
    const before = await listPublishable();
    const testValue = valueFor(before, "test");
    expect((await verify(t, testValue)).code).toBe("VALID");
    // With a new publishable prefix in the same change: the new key takes it.
    const added = await send(t.app, {
      method: "PATCH",
      url: base,
      token: t.owner.token,
      body: {
        data: {
          type: "org",
          attributes: {
            policy: {
              environments: ["live", "test", "staging"],
              key_prefixes: { personal: "lkp", service: "lks", publishable: "acmepk" },
            },
          },
        },
      },
    });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().data.attributes.policy.key_prefixes.publishable).toBe("acmepk");
    const three = await listPublishable();
    expect(three.map((key) => key.attributes.environment)).toEqual(["live", "staging", "test"]);
    const staging = valueFor(three, "staging");
    expect(staging).toMatch(/^acmepk_staging_/);
    expect((await verify(t, staging, { permissions: ["widgets:read"] })).code).toBe("VALID");
    const removed = await patchEnvironments(["live", "staging"]);
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await verify(t, testValue)).code).toBe("REVOKED");
    expect((await listPublishable()).map((key) => key.attributes.environment)).toEqual(["live", "staging"]);
    // Back again: a new key, not the revoked one.
    expect((await patchEnvironments(["live", "test"])).statusCode).toBe(200);
    const again = await listPublishable();
    expect(again.map((key) => key.attributes.environment)).toEqual(["live", "test"]);
    expect(valueFor(again, "test")).not.toBe(testValue);
    expect((await verify(t, staging)).code).toBe("REVOKED");
    const revoked = await send(t.app, {
      url: `${base}/api_keys?filter[kind]=publishable&filter[status]=revoked`,
      token: t.owner.token,
    });
    expect(
      revoked
        .json()
        .data.map((key: Listed) => key.attributes.environment)
        .sort(),
    ).toEqual(["staging", "test"]);
  });

  test("the generic key routes refuse to create or manage a publishable key", async () => {
    const create = await send(t.app, {
      method: "POST",
      url: `${base}/api_keys`,
      token: t.owner.token,
      body: { data: { type: "api_key", attributes: { name: "x", kind: "publishable", expires_in: "30d" } } },
    });
    expectError(create, 400, "PUBLISHABLE_KEY_NOT_CREATABLE");
    const [live, testKey] = await listPublishable();
    const id = live?.id;
    for (const action of ["revoke", "disable", "enable", "regenerate"]) {
      expectError(
        await send(t.app, { method: "POST", url: `${base}/api_keys/${id}/${action}`, token: t.owner.token }),
        409,
        "PUBLISHABLE_KEY_MANAGED",
      );
    }
    expectError(
      await send(t.app, { method: "DELETE", url: `${base}/api_keys/${id}`, token: t.owner.token }),
      409,
      "PUBLISHABLE_KEY_MANAGED",
    );
    expectError(
      await send(t.app, {
        method: "PATCH",
        url: `${base}/api_keys/${id}`,
        token: t.owner.token,
        body: { data: { type: "api_key", attributes: { permissions: ["jobs:write"] } } },
      }),
      409,
      "PUBLISHABLE_KEY_MANAGED",
    );
    const bulk = (filter: Record<string, string>) =>
      send(t.app, {
        method: "POST",
        url: `${base}/api_keys/revoke`,
        token: t.owner.token,
        body: { data: { type: "api_key_revocation", attributes: { filter } } },
      });
    expectError(await bulk({ kind: "publishable" }), 409, "PUBLISHABLE_KEY_MANAGED");
    // A bulk revocation by environment leaves the environment's publishable key alone.
    const byEnvironment = await bulk({ environment: "test" });
    expect(byEnvironment.statusCode, byEnvironment.body).toBe(200);
    expect(byEnvironment.json().data.attributes.key_ids).not.toContain(testKey?.id);
    expect((await verify(t, String(testKey?.attributes.key))).code).toBe("VALID");
    expect((await verify(t, String(live?.attributes.key))).code).toBe("VALID");
  });

  test("POST /revoke does not revoke a publishable key: its value is public, holding it proves nothing", async () => {
    const live = valueFor(await listPublishable(), "live");
    const res = await t.app.inject({
      method: "POST",
      url: "/revoke",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ key: live }),
    });
    expect(res.statusCode, res.body).toBe(202);
    expect((await verify(t, live)).code).toBe("VALID");
  });

  test("an org made before publishable keys gets them on its first list, once however many race", async () => {
    const other = await createOrg(t, "Older Org", { publishableKeys: false });
    const none = await send(t.app, {
      url: `/rest/orgs/${other.orgId}/api_keys?filter[kind]=publishable`,
      token: other.members.owner.token,
    });
    expect(none.json().data).toEqual([]);
    const lists = await Promise.all(
      Array.from({ length: 4 }, () => listPublishable(other.orgId, other.members.owner.token)),
    );
    const ids = lists.map((keys) => keys.map((key) => key.id).join(","));
    expect(new Set(ids).size).toBe(1);
    expect(lists[0]?.map((key) => key.attributes.environment)).toEqual(["live", "test"]);
    const all = (await listAllKeys(t, other.orgId, other.members.owner.token)) as Listed[];
    expect(all.filter((key) => key.attributes.kind === "publishable")).toHaveLength(2);
    // Another org's credentials see nothing of this org's keys.
    expectError(await send(t.app, { url: `${base}/publishable_keys`, token: other.members.owner.token }), 404);
    expectError(
      await send(t.app, {
        method: "POST",
        url: `${base}/publishable_keys/live/regenerate`,
        token: other.members.owner.token,
      }),
      404,
    );
  });

  test("the idle policy never picks a publishable key", async () => {
    const keys = await listPublishable();
    const later = new Date(t.clock.now().getTime() + 20 * 24 * 3600 * 1000);
    const idle = await t.store.alerts.idleKeys(org.orgId, new Date(later.getTime() - 1000), later);
    expect(idle).toContain(org.members.viewer.tokenId);
    for (const key of keys) expect(idle).not.toContain(key.id);
  });
});
