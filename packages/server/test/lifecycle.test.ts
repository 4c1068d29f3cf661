import { afterAll, describe, expect, test } from "vitest";
import {
  addMember,
  createKey,
  createServiceAccount,
  createTestApp,
  createToken,
  expectError,
  expectUnauthorized,
  JSON_API,
  send,
  verify,
} from "./helpers.js";

const t = await createTestApp();
afterAll(() => t.close());
const orgId = t.owner.orgId;
const keysUrl = `/rest/orgs/${orgId}/api_keys`;
const token = t.owner.token;

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

async function listIds(query: string, url = keysUrl): Promise<string[]> {
  const res = await send(t.app, { url: `${url}?limit=100&${query}`, token });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((item: { id: string }) => item.id);
}

async function post(url: string, body?: unknown) {
  return send(t.app, { method: "POST", url, token, ...(body !== undefined ? { body } : {}) });
}

async function eventTypes(id: string): Promise<string[]> {
  const res = await send(t.app, { url: `${keysUrl}/${id}/events`, token });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((event: { attributes: { event: string } }) => event.attributes.event);
}

describe("org keys", () => {
  test("create: 201, the secret once, its hint, status active", async () => {
    const res = await post(keysUrl, {
      data: {
        type: "api_key",
        attributes: {
          name: "CI deploy",
          description: "deploys",
          permissions: ["api_keys:read"],
          labels: ["ci", "team:infra"],
          metadata: { team: "infra" },
          expires_in: "30d",
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers["content-type"]).toContain(JSON_API);
    const { data } = res.json();
    expect(res.headers.location).toBe(`${keysUrl}/${data.id}`);
    const secret: string = data.attributes.key;
    expect(secret).toMatch(/^lks_[0-9A-Za-z]{49}$/);
    expect(occurrences(res.body, secret)).toBe(1);
    expect(data.attributes).toMatchObject({
      name: "CI deploy",
      description: "deploys",
      kind: "service",
      org_id: orgId,
      owner: { type: "org", id: orgId },
      environment: "live",
      hint: `lks_${secret.slice(4, 8)}…${secret.slice(-4)}`,
      status: "active",
      enabled: true,
      permissions: ["api_keys:read"],
      labels: ["ci", "team:infra"],
      metadata: { team: "infra" },
      expires_at: new Date(t.clock.now().getTime() + 30 * 86400_000).toISOString(),
      created_by: { type: "user", id: t.owner.userId },
      revoked_at: null,
    });
    const got = await send(t.app, { url: `${keysUrl}/${data.id}`, token });
    expect(got.statusCode).toBe(200);
    expect(got.json().data.attributes.key).toBeUndefined();
    expect(got.body).not.toContain(secret);
    expect(await eventTypes(data.id)).toEqual(["created"]);
  });

  test("a key of a non-live environment carries it after the prefix", async () => {
    const key = await createKey(t, { environment: "test" });
    expect(key.key).toMatch(/^lks_test_[0-9A-Za-z]{49}$/);
    expect(key.attributes.hint).toBe(`lks_test_${key.key.slice(9, 13)}…${key.key.slice(-4)}`);
  });

  test("list with each filter", async () => {
    const accountId = await createServiceAccount(t, "viewer", "filter robot");
    const alpha = await createKey(t, { name: "Alpha Billing", labels: ["billing"] });
    const beta = await createKey(t, { name: "beta", labels: ["ci"], environment: "test" });
    const robot = await createKey(t, { name: "robot key", service_account_id: accountId });
    const disabled = await createKey(t, { name: "disabled one" });
    const revoked = await createKey(t, { name: "revoked one", labels: ["billing"] });
    const expired = await createKey(t, { name: "expired one", expires_in: "1h" });
    const personal = await createToken(t, token, { name: "my alpha token" });
    expect((await post(`${keysUrl}/${disabled.id}/disable`)).statusCode).toBe(200);
    expect((await post(`${keysUrl}/${revoked.id}/revoke`)).statusCode).toBe(200);
    t.clock.advance(2 * 3600);
    const mine = [alpha, beta, robot, disabled, revoked, expired, personal].map((k) => k.id);
    const only = async (query: string) => (await listIds(query)).filter((id) => mine.includes(id)).sort();
    const ids = (...keys: { id: string }[]) => keys.map((k) => k.id).sort();

    expect(await only("")).toEqual([...mine].sort());
    expect(await only("filter[status]=active")).toEqual(ids(alpha, beta, robot, personal));
    expect(await only("filter[status]=disabled")).toEqual(ids(disabled));
    expect(await only("filter[status]=revoked")).toEqual(ids(revoked));
    expect(await only("filter[status]=expired")).toEqual(ids(expired));
    expect(await only("filter[label]=billing")).toEqual(ids(alpha, revoked));
    expect(await only("filter[kind]=personal")).toEqual(ids(personal));
    expect(await only("filter[kind]=service")).toEqual(ids(alpha, beta, robot, disabled, revoked, expired));
    expect(await only("filter[environment]=test")).toEqual(ids(beta));
    expect(await only(`filter[owner]=${accountId}`)).toEqual(ids(robot));
    expect(await only(`filter[owner]=${t.owner.userId}`)).toEqual(ids(personal));
    expect(await only("filter[name]=ALPHA")).toEqual(ids(alpha, personal));
    expect(await only("filter[label]=billing&filter[status]=active")).toEqual(ids(alpha));

    const res = await send(t.app, { url: `${keysUrl}?filter[status]=active&limit=100`, token });
    for (const item of res.json().data) expect(item.attributes.status).toBe("active");
    expect(res.body).not.toMatch(/"key":/);
  });

  test("pagination: links.next and links.prev walk the list both ways", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1);
      created.push((await createKey(t, { name: `page ${i}`, labels: ["page"] })).id);
    }
    const newestFirst = [...created].reverse();
    const first = (await send(t.app, { url: `${keysUrl}?filter[label]=page&limit=2`, token })).json();
    expect(first.data.map((k: { id: string }) => k.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.links.prev).toBeUndefined();
    expect(first.links.next).toContain("starting_after=");
    expect(first.links.next).toContain("filter%5Blabel%5D=page");
    const second = (await send(t.app, { url: first.links.next, token })).json();
    expect(second.data.map((k: { id: string }) => k.id)).toEqual(newestFirst.slice(2, 4));
    expect(second.links.prev).toBeDefined();
    const third = (await send(t.app, { url: second.links.next, token })).json();
    expect(third.data.map((k: { id: string }) => k.id)).toEqual(newestFirst.slice(4));
    expect(third.links.next).toBeUndefined();
    const back = (await send(t.app, { url: third.links.prev, token })).json();
    expect(back.data.map((k: { id: string }) => k.id)).toEqual(newestFirst.slice(2, 4));
    const start = (await send(t.app, { url: back.links.prev, token })).json();
    expect(start.data.map((k: { id: string }) => k.id)).toEqual(newestFirst.slice(0, 2));
    expect(start.links.prev).toBeUndefined();
    const byDefault = (await send(t.app, { url: keysUrl, token })).json();
    expect(byDefault.data).toHaveLength(10);
    expect(byDefault.links.next).toBeDefined();
  });

  test("get and PATCH", async () => {
    const key = await createKey(t, { name: "before", permissions: ["api_keys:read"] });
    const res = await send(t.app, {
      method: "PATCH",
      url: `${keysUrl}/${key.id}`,
      token,
      body: {
        data: {
          type: "api_key",
          attributes: {
            name: "after",
            description: "now described",
            labels: ["patched"],
            metadata: { v: 2 },
            permissions: ["api_keys:read", "api_keys:verify"],
          },
        },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const expected = {
      name: "after",
      description: "now described",
      labels: ["patched"],
      metadata: { v: 2 },
      permissions: ["api_keys:read", "api_keys:verify"],
    };
    expect(res.json().data.attributes).toMatchObject(expected);
    expect(res.json().data.attributes.key).toBeUndefined();
    const got = await send(t.app, { url: `${keysUrl}/${key.id}`, token });
    expect(got.json().data).toMatchObject({ id: key.id, type: "api_key", attributes: expected });
    expect(await eventTypes(key.id)).toEqual(["created", "updated"]);
    expect((await verify(t, key.key, { permissions: ["api_keys:verify"] })).code).toBe("VALID");
  });

  test("disable, then enable", async () => {
    const key = await createKey(t);
    const disabled = await post(`${keysUrl}/${key.id}/disable`);
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json().data.attributes).toMatchObject({ status: "disabled", enabled: false });
    expect(await verify(t, key.key)).toMatchObject({ valid: false, code: "DISABLED", key_id: key.id });
    expectUnauthorized(await send(t.app, { url: "/rest/self", token: key.key }));
    const enabled = await post(`${keysUrl}/${key.id}/enable`);
    expect(enabled.json().data.attributes).toMatchObject({ status: "active", enabled: true });
    expect(await verify(t, key.key)).toMatchObject({ valid: true, code: "VALID" });
    expect((await send(t.app, { url: "/rest/self", token: key.key })).statusCode).toBe(200);
    expect(await eventTypes(key.id)).toEqual(["created", "disabled", "enabled"]);
  });

  test("regenerate with a 60 s grace period: both work, then only the new one", async () => {
    const key = await createKey(t, { labels: ["rotating"] });
    const res = await post(`${keysUrl}/${key.id}/regenerate`, {
      data: { type: "api_key", attributes: { grace_period_seconds: 60 } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data;
    const fresh: string = data.attributes.key;
    expect(data.id).toBe(key.id);
    expect(fresh).toMatch(/^lks_[0-9A-Za-z]{49}$/);
    expect(fresh).not.toBe(key.key);
    expect(occurrences(res.body, fresh)).toBe(1);
    expect(res.body).not.toContain(key.key);
    expect(data.attributes).toMatchObject({
      hint: `lks_${fresh.slice(4, 8)}…${fresh.slice(-4)}`,
      labels: ["rotating"],
      status: "active",
      rotated_at: t.clock.now().toISOString(),
    });
    expect(await verify(t, key.key)).toMatchObject({ code: "VALID", key_id: key.id });
    expect(await verify(t, fresh)).toMatchObject({ code: "VALID", key_id: key.id });
    t.clock.advance(59);
    expect((await verify(t, key.key)).code).toBe("VALID");
    expect((await send(t.app, { url: "/rest/self", token: key.key })).statusCode).toBe(200);
    t.clock.advance(2);
    expect(await verify(t, key.key)).toMatchObject({ valid: false, code: "REVOKED", key_id: key.id });
    expect(await verify(t, fresh)).toMatchObject({ valid: true, code: "VALID", key_id: key.id });
    expectUnauthorized(await send(t.app, { url: "/rest/self", token: key.key }));
    expect((await send(t.app, { url: "/rest/self", token: fresh })).statusCode).toBe(200);
    const events = (await send(t.app, { url: `${keysUrl}/${key.id}/events`, token })).json().data;
    expect(events.map((e: { attributes: { event: string } }) => e.attributes.event)).toEqual([
      "created",
      "regenerated",
    ]);
    expect(events[1].attributes).toMatchObject({
      key_id: key.id,
      actor: { type: "user", id: t.owner.userId },
      detail: { grace_period_seconds: 60 },
    });
  });

  test("regenerate without a body: the old secret stops at once", async () => {
    const key = await createKey(t);
    const res = await post(`${keysUrl}/${key.id}/regenerate`);
    expect(res.statusCode, res.body).toBe(200);
    expect((await verify(t, key.key)).code).toBe("REVOKED");
    expect((await verify(t, res.json().data.attributes.key)).code).toBe("VALID");
  });

  test("revoke: final and immediate", async () => {
    const key = await createKey(t, { permissions: [] });
    expect((await send(t.app, { url: "/rest/self", token: key.key })).statusCode).toBe(200);
    const res = await post(`${keysUrl}/${key.id}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.attributes).toMatchObject({ status: "revoked", revoked_at: t.clock.now().toISOString() });
    expect(await verify(t, key.key)).toMatchObject({ valid: false, code: "REVOKED" });
    expectUnauthorized(await send(t.app, { url: "/rest/self", token: key.key }));
    expect((await post(`${keysUrl}/${key.id}/revoke`)).statusCode).toBe(200);
    expectError(await post(`${keysUrl}/${key.id}/enable`), 409, "CONFLICT");
    expectError(await post(`${keysUrl}/${key.id}/disable`), 409, "CONFLICT");
    expectError(await post(`${keysUrl}/${key.id}/regenerate`), 409, "CONFLICT");
    expect(await eventTypes(key.id)).toEqual(["created", "revoked"]);
  });

  test("delete: 404 on get, NOT_FOUND on verify, gone from the list, events kept", async () => {
    const key = await createKey(t);
    const res = await send(t.app, { method: "DELETE", url: `${keysUrl}/${key.id}`, token });
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe("");
    expectError(await send(t.app, { url: `${keysUrl}/${key.id}`, token }), 404, "NOT_FOUND");
    expect(await verify(t, key.key)).toMatchObject({ valid: false, code: "NOT_FOUND", key_id: null });
    expectUnauthorized(await send(t.app, { url: "/rest/self", token: key.key }));
    expect(await listIds("")).not.toContain(key.id);
    expectError(await send(t.app, { method: "DELETE", url: `${keysUrl}/${key.id}`, token }), 404, "NOT_FOUND");
    const rows = await t.store.db.selectFrom("api_key_events").select("type").where("key_id", "=", key.id).execute();
    expect(rows.map((row) => row.type)).toEqual(["created", "deleted"]);
  });

  test("bulk revoke by label", async () => {
    const batch = [await createKey(t, { labels: ["batch"] }), await createKey(t, { labels: ["batch", "x"] })];
    const bystander = await createKey(t, { labels: ["other"] });
    const res = await post(`${keysUrl}/revoke`, {
      data: { type: "api_key_revocation", attributes: { filter: { label: "batch" } } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { attributes } = res.json().data;
    expect(res.json().data.type).toBe("api_key_revocation");
    expect(attributes.revoked).toBe(2);
    expect([...attributes.key_ids].sort()).toEqual(batch.map((k) => k.id).sort());
    for (const key of batch) expect((await verify(t, key.key)).code).toBe("REVOKED");
    expect((await verify(t, bystander.key)).code).toBe("VALID");
    const empty = await post(`${keysUrl}/revoke`, { data: { type: "api_key_revocation", attributes: { filter: {} } } });
    expectError(empty, 400, "VALIDATION_FAILED");
  });
});

describe("personal tokens at /rest/self/tokens", () => {
  test("create, list only one's own, get, regenerate, delete", async () => {
    const member = await addMember(t, orgId, "member");
    const mine = await createToken(t, token, { name: "laptop", permissions: ["api_keys:read"] });
    const theirs = await createToken(t, member.token, { name: "their laptop", permissions: ["api_keys:read"] });
    expect(mine.key).toMatch(/^lkp_[0-9A-Za-z]{49}$/);
    expect(mine.attributes).toMatchObject({
      kind: "personal",
      owner: { type: "user", id: t.owner.userId },
      status: "active",
      hint: `lkp_${mine.key.slice(4, 8)}…${mine.key.slice(-4)}`,
    });

    const list = await send(t.app, { url: "/rest/self/tokens?limit=100", token });
    expect(list.statusCode).toBe(200);
    const listed = list.json().data as { id: string; attributes: Record<string, unknown> }[];
    expect(listed.map((k) => k.id)).toContain(mine.id);
    expect(listed.map((k) => k.id)).not.toContain(theirs.id);
    for (const item of listed) expect(item.attributes.owner).toEqual({ type: "user", id: t.owner.userId });
    expect(list.body).not.toContain(mine.key);
    const theirList = await send(t.app, { url: "/rest/self/tokens?limit=100", token: member.token });
    expect(theirList.json().data.map((k: { id: string }) => k.id)).toEqual(
      expect.arrayContaining([theirs.id, member.tokenId]),
    );
    expect(theirList.json().data.map((k: { id: string }) => k.id)).not.toContain(mine.id);

    const got = await send(t.app, { url: `/rest/self/tokens/${mine.id}`, token });
    expect(got.statusCode).toBe(200);
    expect(got.json().data.attributes.key).toBeUndefined();
    expectError(await send(t.app, { url: `/rest/self/tokens/${theirs.id}`, token }), 404, "NOT_FOUND");

    const regenerated = await post(`/rest/self/tokens/${mine.id}/regenerate`);
    expect(regenerated.statusCode, regenerated.body).toBe(200);
    const fresh: string = regenerated.json().data.attributes.key;
    expect(regenerated.json().data.id).toBe(mine.id);
    expect(fresh).toMatch(/^lkp_/);
    expectUnauthorized(await send(t.app, { url: "/rest/self", token: mine.key }));
    const self = await send(t.app, { url: "/rest/self", token: fresh });
    expect(self.json().meta.api_key.id).toBe(mine.id);
    expect(self.json().meta.permissions).toEqual(["api_keys:read"]);

    expectError(await send(t.app, { method: "DELETE", url: `/rest/self/tokens/${theirs.id}`, token }), 404);
    const deleted = await send(t.app, { method: "DELETE", url: `/rest/self/tokens/${mine.id}`, token });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expectError(await send(t.app, { url: `/rest/self/tokens/${mine.id}`, token }), 404, "NOT_FOUND");
    expectUnauthorized(await send(t.app, { url: "/rest/self", token: fresh }));
    expect((await send(t.app, { url: "/rest/self", token: theirs.key })).statusCode).toBe(200);
  });
});

describe("service accounts", () => {
  const accountsUrl = `/rest/orgs/${orgId}/service_accounts`;

  test("create, list, get, a key of its own, delete (which revokes its keys)", async () => {
    const res = await post(accountsUrl, {
      data: { type: "service_account", attributes: { name: "deployer", role: "admin" } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const account = res.json().data;
    expect(account).toMatchObject({
      type: "service_account",
      attributes: { name: "deployer", role: "admin", auth_type: "api_key", org_id: orgId },
    });
    expect(res.headers.location).toBe(`${accountsUrl}/${account.id}`);
    expect(await listIds("", accountsUrl)).toContain(account.id);
    const got = await send(t.app, { url: `${accountsUrl}/${account.id}`, token });
    expect(got.json().data).toMatchObject({ id: account.id, attributes: { name: "deployer" } });

    const key = await createKey(t, { name: "deployer key", service_account_id: account.id });
    expect(key.attributes.owner).toEqual({ type: "service_account", id: account.id });
    expect(await listIds(`filter[owner]=${account.id}`)).toEqual([key.id]);
    const self = await send(t.app, { url: "/rest/self", token: key.key });
    expect(self.statusCode, self.body).toBe(200);
    expect(self.json().data).toMatchObject({ type: "service_account", id: account.id });
    expect(await verify(t, key.key)).toMatchObject({
      code: "VALID",
      owner: { type: "service_account", id: account.id },
    });

    const deleted = await send(t.app, { method: "DELETE", url: `${accountsUrl}/${account.id}`, token });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expectError(await send(t.app, { url: `${accountsUrl}/${account.id}`, token }), 404, "NOT_FOUND");
    expect(await listIds("", accountsUrl)).not.toContain(account.id);
    expect((await verify(t, key.key)).code).toBe("REVOKED");
    expectUnauthorized(await send(t.app, { url: "/rest/self", token: key.key }));
    const keyNow = await send(t.app, { url: `${keysUrl}/${key.id}`, token });
    expect(keyNow.json().data.attributes.status).toBe("revoked");
    expect(await eventTypes(key.id)).toEqual(["created", "revoked"]);
  });
});
