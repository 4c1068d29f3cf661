import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { addMember, createKey, createTestApp, send, type TestApp, verify } from "./helpers.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

describe("usage", () => {
  test("counts per key and per org by outcome, by minute, hour and day", async () => {
    const a = await createKey(t, { name: "a", permissions: ["jobs:read"] });
    const b = await createKey(t, { name: "b" });
    for (let i = 0; i < 3; i++) await verify(t, a.key);
    await verify(t, a.key, { permissions: ["jobs:write"] });
    t.clock.advance(3600);
    await verify(t, b.key);
    await verify(t, "lks_notakey");
    const keyUsage = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${a.id}/usage?granularity=minute&from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z`,
      token: t.owner.token,
    });
    expect(keyUsage.statusCode, keyUsage.body).toBe(200);
    const attrs = keyUsage.json().data.attributes;
    expect(attrs.totals).toEqual({ VALID: 3, INSUFFICIENT_PERMISSIONS: 1 });
    expect(attrs.buckets).toEqual([
      { start: "2025-06-01T12:00:00.000Z", total: 4, counts: { VALID: 3, INSUFFICIENT_PERMISSIONS: 1 } },
    ]);
    const orgUsage = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/usage?granularity=hour&from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z`,
      token: t.owner.token,
    });
    const org = orgUsage.json().data.attributes;
    expect(org.buckets.map((bucket: { start: string; total: number }) => [bucket.start, bucket.total])).toEqual([
      ["2025-06-01T12:00:00.000Z", 4],
      ["2025-06-01T13:00:00.000Z", 2],
    ]);
    expect(org.totals).toEqual({ VALID: 4, INSUFFICIENT_PERMISSIONS: 1, NOT_FOUND: 1 });
    const day = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/usage?granularity=day&from=2025-05-01T00:00:00Z&to=2025-07-01T00:00:00Z`,
      token: t.owner.token,
    });
    expect(day.json().data.attributes.buckets).toEqual([
      { start: "2025-06-01T00:00:00.000Z", total: 6, counts: { VALID: 4, INSUFFICIENT_PERMISSIONS: 1, NOT_FOUND: 1 } },
    ]);
  });

  test("last_used_at and last_used_ip follow a successful verification once counts are flushed", async () => {
    const { id, key } = await createKey(t);
    await send(t.app, {
      method: "POST",
      url: "/rest/api_keys/verify",
      token: t.owner.token,
      body: { data: { type: "key_verification", attributes: { key, ip: "203.0.113.9" } } },
    });
    await t.app.services.usage.flush();
    const res = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/api_keys/${id}`, token: t.owner.token });
    expect(res.json().data.attributes.last_used_at).toBe(t.clock.now().toISOString());
    expect(res.json().data.attributes.last_used_ip).toBe("203.0.113.9");
  });

  test("needs usage:read; ranges are checked", async () => {
    const viewer = await addMember(t, t.owner.orgId, "viewer");
    expect((await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/usage`, token: viewer.token })).statusCode).toBe(200);
    const wide = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/usage?granularity=minute&from=2025-01-01T00:00:00Z&to=2025-06-01T00:00:00Z`,
      token: t.owner.token,
    });
    expect(wide.statusCode).toBe(400);
    const backwards = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/usage?from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z`,
      token: t.owner.token,
    });
    expect(backwards.statusCode).toBe(400);
    const key = await createKey(t, { permissions: [] });
    expect((await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/usage`, token: key.key })).statusCode).toBe(403);
  });
});

describe("/metrics", () => {
  test("exposes verification counts by code and a latency histogram", async () => {
    const { key } = await createKey(t);
    await verify(t, key);
    await verify(t, "lks_nope");
    const res = await t.app.inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/latchkey_verifications_total\{code="VALID"\} \d+/);
    expect(res.body).toMatch(/latchkey_verifications_total\{code="NOT_FOUND"\} 1/);
    const count = /latchkey_verification_duration_seconds_count (\d+)/.exec(res.body)?.[1];
    expect(Number(count)).toBeGreaterThanOrEqual(2);
    expect(res.body).toContain(`latchkey_verification_duration_seconds_bucket{le="+Inf"} ${count}`);
    expect(res.body).not.toContain(key);
  });
});
