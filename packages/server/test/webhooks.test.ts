import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  addMember,
  createKey,
  createOrg,
  createServiceAccount,
  createTestApp,
  expectError,
  send,
  type TestApp,
  unknownUuid,
} from "./helpers.js";

// Webhook endpoints: created with a secret shown once, listed and changed without it, audited;
// outbox rows are written by the very transaction of the change they announce.

let t: TestApp;
let logged = "";

beforeEach(async () => {
  logged = "";
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  t = await createTestApp({ env: { LATCHKEY_LOG_LEVEL: "debug" }, logStream });
});

afterEach(async () => {
  await t.close();
});

const base = () => `/rest/orgs/${t.owner.orgId}/webhooks`;

function createBody(attributes: Record<string, unknown>) {
  return { data: { type: "webhook", attributes: { url: "https://hooks.example.com/in", ...attributes } } };
}

async function create(attributes: Record<string, unknown> = {}, token = t.owner.token, url = base()) {
  return send(t.app, { method: "POST", url, token, body: createBody({ event_types: ["*"], ...attributes }) });
}

async function deliveryCount(): Promise<number> {
  const row = await t.store.db
    .selectFrom("webhook_deliveries")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("endpoints", () => {
  test("create shows the secret once; get, list and the log never do", async () => {
    const res = await create({ description: "ops", event_types: ["api_key.revoked", "api_key.created"] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers["cache-control"]).toBe("no-store");
    const data = res.json().data;
    expect(res.headers.location).toBe(`${base()}/${data.id}`);
    const secret = data.attributes.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(data).toMatchObject({
      type: "webhook",
      attributes: {
        url: "https://hooks.example.com/in",
        description: "ops",
        event_types: ["api_key.created", "api_key.revoked"],
        enabled: true,
        org_id: t.owner.orgId,
      },
    });
    const got = await send(t.app, { url: `${base()}/${data.id}`, token: t.owner.token });
    expect(got.statusCode).toBe(200);
    expect(got.json().data.attributes.secret).toBeUndefined();
    const listed = await send(t.app, { url: base(), token: t.owner.token });
    expect(listed.json().data.map((w: { id: string }) => w.id)).toEqual([data.id]);
    for (const body of [got.body, listed.body, logged]) expect(body).not.toContain(secret);
    const audit = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100`, token: t.owner.token });
    expect(audit.body).not.toContain(secret);
    // At rest the secret is sealed under the org's vault data key: the row holds no trace of it.
    const row = await t.store.db
      .selectFrom("webhook_endpoints")
      .select("secret")
      .where("id", "=", data.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(secret.slice("whsec_".length, "whsec_".length + 12));
    expect(row.secret).toMatch(/^1\.v1\./);
  });

  test("change, rotate and delete are audited; a deleted endpoint is gone with its deliveries", async () => {
    const id = (await create()).json().data.id;
    const path = `${base()}/${id}`;
    const patched = await send(t.app, {
      method: "PATCH",
      url: path,
      token: t.owner.token,
      body: { data: { type: "webhook", attributes: { url: "https://hooks.example.com/v2", enabled: false } } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().data.attributes).toMatchObject({ url: "https://hooks.example.com/v2", enabled: false });
    const rotated = await send(t.app, { method: "POST", url: `${path}/rotate_secret`, token: t.owner.token });
    expect(rotated.json().data.attributes.secret).toMatch(/^whsec_/);
    expect((await send(t.app, { method: "DELETE", url: path, token: t.owner.token })).statusCode).toBe(204);
    expectError(await send(t.app, { url: path, token: t.owner.token }), 404, "NOT_FOUND");
    expectError(await send(t.app, { url: `${path}/deliveries`, token: t.owner.token }), 404, "NOT_FOUND");
    expect(await deliveryCount()).toBe(0);
    const audit = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100&filter[target]=${id}`,
      token: t.owner.token,
    });
    expect(audit.json().data.map((e: { attributes: { action: string } }) => e.attributes.action)).toEqual([
      "webhook.deleted",
      "webhook.updated",
      "webhook.updated",
      "webhook.created",
    ]);
  });

  test("viewers and members read; only those with webhooks:write change", async () => {
    const id = (await create()).json().data.id;
    for (const role of ["viewer", "member"] as const) {
      const member = await addMember(t, t.owner.orgId, role);
      expect((await send(t.app, { url: base(), token: member.token })).statusCode).toBe(200);
      expect((await send(t.app, { url: `${base()}/${id}/deliveries`, token: member.token })).statusCode).toBe(200);
      expectError(await create({}, member.token), 403, "FORBIDDEN");
      expectError(await send(t.app, { method: "DELETE", url: `${base()}/${id}`, token: member.token }), 403);
    }
  });

  test("another org's endpoints are invisible (404), and its events never reach this org's endpoint", async () => {
    const orgB = await createOrg(t, "Org B");
    const bOwner = orgB.members.owner;
    const bUrl = `/rest/orgs/${orgB.orgId}/webhooks`;
    const bId = (await create({}, bOwner.token, bUrl)).json().data.id;
    const aId = (await create()).json().data.id;
    expectError(await send(t.app, { url: `${base()}/${bId}`, token: t.owner.token }), 404, "NOT_FOUND");
    expectError(await send(t.app, { url: `${bUrl}/${bId}`, token: t.owner.token }), 404, "NOT_FOUND");
    expectError(await create({}, t.owner.token, bUrl), 404, "NOT_FOUND");
    await createKey(t, { name: "b key" }, { token: bOwner.token, orgId: orgB.orgId });
    const rows = await t.store.db
      .selectFrom("webhook_deliveries")
      .select(["endpoint_id", "org_id", "event_type"])
      .execute();
    // A's endpoint heard only of its own creation.
    expect(rows.filter((r) => r.endpoint_id === aId).map((r) => r.event_type)).toEqual(["webhook.created"]);
    expect(rows.filter((r) => r.endpoint_id === bId).length).toBeGreaterThan(0);
    expect(rows.every((r) => r.org_id === (r.endpoint_id === bId ? orgB.orgId : t.owner.orgId))).toBe(true);
  });

  test("bad URLs and event types are refused with a 400 and write nothing", async () => {
    const attempts: Record<string, unknown>[] = [
      { url: "not a url" },
      { url: "ftp://hooks.example.com/in" },
      { url: "javascript:alert(1)" },
      { url: "https://user:pw@hooks.example.com/in" },
      { url: "http://127.0.0.1:8080/in" },
      { url: "http://localhost/in" },
      { url: "http://[::1]/in" },
      { url: "http://[::ffff:127.0.0.1]/in" },
      { url: "http://10.1.2.3/in" },
      { url: "http://169.254.169.254/latest/meta-data" },
      { url: "http://2130706433/in" },
      { url: `https://hooks.example.com/${"x".repeat(2100)}` },
      { event_types: [] },
      { event_types: ["api_key.nope"] },
      { event_types: "*" },
      { enabled: "yes" },
      { description: "x".repeat(1001) },
    ];
    for (const attributes of attempts) {
      const res = await create(attributes);
      expectError(res, 400);
      expect(["VALIDATION_FAILED"]).toContain(res.json().errors[0].code);
    }
    expect((await send(t.app, { url: base(), token: t.owner.token })).json().data).toEqual([]);
    const res = await send(t.app, {
      method: "PATCH",
      url: `${base()}/${(await create()).json().data.id}`,
      token: t.owner.token,
      body: { data: { type: "webhook", attributes: { url: "http://192.168.0.1/" } } },
    });
    expectError(res, 400, "VALIDATION_FAILED");
    expect(res.json().errors[0].source).toEqual({ pointer: "/data/attributes/url" });
  });

  test("an unknown delivery cannot be redelivered (404)", async () => {
    const id = (await create()).json().data.id;
    const res = await send(t.app, {
      method: "POST",
      url: `${base()}/${id}/deliveries/${unknownUuid()}/redeliver`,
      token: t.owner.token,
    });
    expectError(res, 404, "NOT_FOUND");
    expect(res.json().errors[0].source).toEqual({ parameter: "delivery_id" });
  });
});

describe("the outbox", () => {
  test("one row per subscribed endpoint and event, written with the change", async () => {
    expect(await deliveryCount()).toBe(0);
    await createKey(t);
    expect(await deliveryCount()).toBe(0);
    const all = (await create({ event_types: ["*"] })).json().data.id;
    const revoked = (await create({ event_types: ["api_key.revoked"] })).json().data.id;
    (await create({ event_types: ["api_key.revoked"], enabled: false })).json();
    const rowsOf = async (endpointId: string) =>
      (await t.store.db.selectFrom("webhook_deliveries").selectAll().where("endpoint_id", "=", endpointId).execute())
        .map((r) => r.event_type)
        .sort();
    const baseline = await rowsOf(all);
    const key = await createKey(t);
    await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${key.id}/revoke`,
      token: t.owner.token,
    });
    expect(await rowsOf(all)).toEqual(
      [...baseline, "api_key.created", "api_key.revoked"].sort((a, b) => a.localeCompare(b)),
    );
    expect(await rowsOf(revoked)).toEqual(["api_key.revoked"]);
  });

  test("a change that fails writes no delivery", async () => {
    await create({ event_types: ["*"] });
    await createServiceAccount(t, "viewer", "robot");
    const key = await createKey(t);
    const change = (action: string) =>
      send(t.app, {
        method: "POST",
        url: `/rest/orgs/${t.owner.orgId}/api_keys/${key.id}/${action}`,
        token: t.owner.token,
      });
    expect((await change("revoke")).statusCode).toBe(200);
    const before = await deliveryCount();
    const duplicate = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/service_accounts`,
      token: t.owner.token,
      body: { data: { type: "service_account", attributes: { name: "robot", role: "viewer" } } },
    });
    expectError(duplicate, 409, "CONFLICT");
    expect((await change("disable")).statusCode).toBeGreaterThanOrEqual(400);
    expect(await deliveryCount()).toBe(before);
  });
});
