import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createKey, createTestApp, send, type TestApp } from "./helpers.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

function verifyRaw(key: string, attributes: Record<string, unknown> = {}) {
  return send(t.app, {
    method: "POST",
    url: "/rest/api_keys/verify",
    token: t.owner.token,
    body: { data: { type: "key_verification", attributes: { key, ...attributes } } },
  });
}

async function verifyCode(key: string, attributes: Record<string, unknown> = {}) {
  const res = await verifyRaw(key, attributes);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.attributes as { valid: boolean; code: string; ratelimit: unknown; quota: unknown };
}

describe("IP allowlists", () => {
  test("IPv4 and IPv6 CIDRs allow their addresses and refuse others, and a missing address", async () => {
    const { key } = await createKey(t, { ip_allowlist: ["10.1.0.0/16", "2001:db8::/32"] });
    expect((await verifyCode(key, { ip: "10.1.200.3" })).code).toBe("VALID");
    expect((await verifyCode(key, { ip: "2001:db8:1::7" })).code).toBe("VALID");
    expect((await verifyCode(key, { ip: "::ffff:10.1.2.3" })).code).toBe("VALID");
    expect((await verifyCode(key, { ip: "10.2.0.1" })).code).toBe("IP_NOT_ALLOWED");
    expect((await verifyCode(key, { ip: "2001:db9::1" })).code).toBe("IP_NOT_ALLOWED");
    expect((await verifyCode(key)).code).toBe("IP_NOT_ALLOWED");
  });

  test("a key with an allowlist cannot call the API from elsewhere (inject comes from 127.0.0.1)", async () => {
    const elsewhere = await createKey(t, { kind: "personal", ip_allowlist: ["10.0.0.0/8"] });
    const here = await createKey(t, { kind: "personal", ip_allowlist: ["127.0.0.0/8"] });
    expect((await send(t.app, { url: "/rest/self", token: elsewhere.key })).statusCode).toBe(401);
    expect((await send(t.app, { url: "/rest/self", token: here.key })).statusCode).toBe(200);
  });

  test("malformed CIDRs are refused with a pointer, and nothing is written", async () => {
    for (const bad of ["10.0.0.0/33", "nope", "10.0.0.0/8/1", "2001:db8::/129"]) {
      const res = await send(t.app, {
        method: "POST",
        url: `/rest/orgs/${t.owner.orgId}/api_keys`,
        token: t.owner.token,
        body: { data: { type: "api_key", attributes: { name: "x", expires_in: "1d", ip_allowlist: [bad] } } },
      });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().errors[0].source.pointer).toBe("/data/attributes/ip_allowlist");
    }
  });

  test("PATCH sets and clears the allowlist, and the next verification sees it", async () => {
    const { id, key } = await createKey(t);
    const patch = (ip_allowlist: string[]) =>
      send(t.app, {
        method: "PATCH",
        url: `/rest/orgs/${t.owner.orgId}/api_keys/${id}`,
        token: t.owner.token,
        body: { data: { type: "api_key", attributes: { ip_allowlist } } },
      });
    expect((await verifyCode(key, { ip: "192.0.2.1" })).code).toBe("VALID");
    expect((await patch(["198.51.100.0/24"])).statusCode).toBe(200);
    expect((await verifyCode(key, { ip: "192.0.2.1" })).code).toBe("IP_NOT_ALLOWED");
    expect((await patch([])).statusCode).toBe(200);
    expect((await verifyCode(key, { ip: "192.0.2.1" })).code).toBe("VALID");
  });
});

describe("rate limits and quotas", () => {
  test("1,000 concurrent verifications of a key limited to 50 a minute: exactly 50 pass", async () => {
    const { key } = await createKey(t, { rate_limit: { limit: 50, window_seconds: 60 } });
    const results = await Promise.all(Array.from({ length: 1000 }, () => verifyCode(key)));
    expect(results.filter((r) => r.code === "VALID")).toHaveLength(50);
    expect(results.filter((r) => r.code === "RATE_LIMITED")).toHaveLength(950);
    t.clock.advance(60);
    expect((await verifyCode(key)).code).toBe("VALID");
  });

  test("1,000 concurrent verifications of a key with a quota of 100: exactly 100 pass", async () => {
    const { key, id } = await createKey(t, { quota: { remaining: 100 } });
    const results = await Promise.all(Array.from({ length: 1000 }, () => verifyCode(key)));
    expect(results.filter((r) => r.code === "VALID")).toHaveLength(100);
    expect(results.filter((r) => r.code === "USAGE_EXCEEDED")).toHaveLength(900);
    const stored = await t.store.db
      .selectFrom("api_keys")
      .select("quota_remaining")
      .where("id", "=", id)
      .executeTakeFirst();
    expect(Number(stored?.quota_remaining)).toBe(0);
  });

  test("cost spends several units; the answer carries what is left and the rate-limit window", async () => {
    const { key } = await createKey(t, { quota: { remaining: 10 }, rate_limit: { limit: 100, window_seconds: 60 } });
    const first = await verifyCode(key, { cost: 4 });
    expect(first.code).toBe("VALID");
    expect(first.quota).toEqual({ remaining: 6 });
    expect(first.ratelimit).toMatchObject({ limit: 100, remaining: 96 });
    expect((await verifyCode(key, { cost: 7 })).code).toBe("USAGE_EXCEEDED");
    expect((await verifyCode(key, { cost: 6 })).quota).toEqual({ remaining: 0 });
    expect((await verifyCode(key, { cost: 0 })).code).toBe("VALID");
  });

  test("a daily refill resets the quota at the start of each UTC day, once", async () => {
    const { key } = await createKey(t, { quota: { remaining: 2, refill: { amount: 3, interval: "day" } } });
    expect((await verifyCode(key)).code).toBe("VALID");
    expect((await verifyCode(key)).code).toBe("VALID");
    expect((await verifyCode(key)).code).toBe("USAGE_EXCEEDED");
    t.clock.advance(24 * 3600);
    const after = await Promise.all(Array.from({ length: 10 }, () => verifyCode(key)));
    expect(after.filter((r) => r.code === "VALID")).toHaveLength(3);
  });

  test("a key that fails for another reason spends nothing", async () => {
    const { key } = await createKey(t, { quota: { remaining: 1 }, permissions: ["jobs:read"] });
    expect((await verifyCode(key, { permissions: ["jobs:write"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    expect((await verifyCode(key)).code).toBe("VALID");
  });

  test("invalid limits are refused", async () => {
    for (const attributes of [
      { rate_limit: { limit: 0, window_seconds: 60 } },
      { rate_limit: { limit: 5, window_seconds: 0 } },
      { quota: { remaining: -1 } },
      { quota: { remaining: 5, refill: { amount: 5, interval: "week" } } },
    ]) {
      const res = await send(t.app, {
        method: "POST",
        url: `/rest/orgs/${t.owner.orgId}/api_keys`,
        token: t.owner.token,
        body: { data: { type: "api_key", attributes: { name: "x", expires_in: "1d", ...attributes } } },
      });
      expect(res.statusCode, JSON.stringify(attributes)).toBe(400);
    }
  });
});

describe("failed credentials from one address", () => {
  test("are slowed down and then refused with 429 and Retry-After, even with a good credential", async () => {
    const strict = await createTestApp({ env: { LATCHKEY_AUTH_FAILURE_LIMIT: "5" } });
    try {
      const bad = () => send(strict.app, { url: "/rest/self", token: "lkp_nope" });
      for (let i = 0; i < 5; i++) expect((await bad()).statusCode).toBe(401);
      const refused = await send(strict.app, { url: "/rest/self", token: strict.owner.token });
      expect(refused.statusCode).toBe(429);
      expect(refused.json().errors[0].code).toBe("RATE_LIMITED");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      strict.clock.advance(61);
      expect((await send(strict.app, { url: "/rest/self", token: strict.owner.token })).statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe("the client address behind a proxy", () => {
  test("with a hop count, a client cannot forge its address by sending X-Forwarded-For itself", async () => {
    const proxied = await createTestApp({ env: { LATCHKEY_TRUST_PROXY: "1" } });
    try {
      const { key } = await createKey(proxied, { kind: "personal", ip_allowlist: ["10.1.2.0/24"] });
      const as = (forwardedFor: string) =>
        send(proxied.app, { url: "/rest/self", token: key, headers: { "x-forwarded-for": forwardedFor } });
      expect((await as("10.1.2.3")).statusCode).toBe(200);
      // The proxy appended the real client (6.6.6.6) after what the client sent: that is what counts.
      expect((await as("10.1.2.3, 6.6.6.6")).statusCode).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
