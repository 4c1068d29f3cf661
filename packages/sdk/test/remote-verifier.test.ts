import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatchkeyApiError, MAX_REMOTE_CACHE_TTL_MS, RemoteVerifier, type RemoteVerifierOptions } from "../src/index.js";
import { latchkeyFastify } from "../src/middleware/fastify.js";
import { issueKey, type Latchkey, sleep, startLatchkey, UNAUTHORIZED_BODY } from "./helpers.js";

let latchkey: Latchkey;

beforeAll(async () => {
  latchkey = await startLatchkey();
});

afterAll(async () => {
  await latchkey?.close();
});

/** A RemoteVerifier whose calls to the server are counted. */
function countingVerifier(options: Partial<RemoteVerifierOptions> = {}) {
  const calls = { count: 0 };
  const verifier = new RemoteVerifier({
    url: latchkey.url,
    token: latchkey.verifyToken,
    fetch: (input, init) => {
      calls.count++;
      return fetch(input, init);
    },
    ...options,
  });
  return { verifier, calls };
}

describe("RemoteVerifier", () => {
  it("refuses a cache TTL above 1000 ms, and nonsense", () => {
    const base = { url: "http://127.0.0.1:1", token: "t" };
    expect(MAX_REMOTE_CACHE_TTL_MS).toBe(1000);
    expect(() => new RemoteVerifier({ ...base, cacheTtlMs: 1001 })).toThrow(RangeError);
    expect(() => new RemoteVerifier({ ...base, cacheTtlMs: 60_000 })).toThrow(/at most|between 0 and 1000/);
    expect(() => new RemoteVerifier({ ...base, cacheTtlMs: -1 })).toThrow(RangeError);
    expect(() => new RemoteVerifier({ ...base, cacheTtlMs: Number.NaN })).toThrow(RangeError);
    expect(() => new RemoteVerifier({ ...base, token: "" })).toThrow(/token/);
    expect(() => new RemoteVerifier({ ...base, url: "not a url" })).toThrow();
    expect(() => new RemoteVerifier({ ...base, cacheTtlMs: 1000 })).not.toThrow();
    expect(() => new RemoteVerifier({ ...base, cacheTtlMs: 0 })).not.toThrow();
  });

  it("answers like POST /rest/api_keys/verify", async () => {
    const key = await issueKey(latchkey, { permissions: ["widgets:read"], labels: ["svc"], metadata: { a: 1 } });
    const { verifier } = countingVerifier();
    const result = await verifier.verify(key.secret, { permissions: ["widgets:read"] });
    expect(result).toMatchObject({
      valid: true,
      code: "VALID",
      key_id: key.id,
      org_id: latchkey.orgId,
      owner: { type: "org", id: latchkey.orgId },
      environment: "live",
      permissions: ["widgets:read"],
      labels: ["svc"],
      metadata: { a: 1 },
      ratelimit: null,
      quota: null,
    });
    expect(typeof result.expires_at).toBe("string");
    expect((await verifier.verify(key.secret, { permissions: ["widgets:write"] })).code).toBe(
      "INSUFFICIENT_PERMISSIONS",
    );
    expect((await verifier.verify("lks_nothing")).code).toBe("NOT_FOUND");
  });

  it("reuses a VALID answer within the TTL, per set of permissions", async () => {
    const key = await issueKey(latchkey, { permissions: ["widgets:read"] });
    const { verifier, calls } = countingVerifier();
    await verifier.verify(key.secret);
    await verifier.verify(key.secret);
    expect(calls.count).toBe(1);
    await verifier.verify(key.secret, { permissions: ["widgets:read"] });
    expect(calls.count).toBe(2);
    await verifier.verify(key.secret, { permissions: ["widgets:read"] });
    expect(calls.count).toBe(2);
  });

  it("never caches a failing answer", async () => {
    const key = await issueKey(latchkey);
    const { verifier, calls } = countingVerifier();
    await verifier.verify(key.secret, { permissions: ["widgets:write"] });
    await verifier.verify(key.secret, { permissions: ["widgets:write"] });
    await verifier.verify("lks_nothing");
    await verifier.verify("lks_nothing");
    expect(calls.count).toBe(4);
  });

  it("never caches an answer for a request with an address", async () => {
    const key = await issueKey(latchkey);
    const { verifier, calls } = countingVerifier();
    expect((await verifier.verify(key.secret, { ip: "192.0.2.1" })).valid).toBe(true);
    expect((await verifier.verify(key.secret, { ip: "192.0.2.1" })).valid).toBe(true);
    expect(calls.count).toBe(2);
  });

  it("never caches a key with a rate limit or quota: its units are spent on the server", async () => {
    const limited = await issueKey(latchkey, { rate_limit: { limit: 1000, window_seconds: 86_400 } });
    const metered = await issueKey(latchkey, { quota: { remaining: 10 } });
    const { verifier, calls } = countingVerifier();
    await verifier.verify(limited.secret);
    await verifier.verify(limited.secret);
    expect((await verifier.verify(metered.secret, { cost: 3 })).quota).toEqual({ remaining: 7 });
    expect((await verifier.verify(metered.secret, { cost: 3 })).quota).toEqual({ remaining: 4 });
    expect(calls.count).toBe(4);
  });

  it("fails a revoked key at the very next request with a TTL of 0", async () => {
    const key = await issueKey(latchkey);
    const { verifier, calls } = countingVerifier({ cacheTtlMs: 0 });
    expect((await verifier.verify(key.secret)).valid).toBe(true);
    await latchkey.client.changeKey(latchkey.orgId, key.id, "revoke");
    expect(await verifier.verify(key.secret)).toMatchObject({ valid: false, code: "REVOKED" });
    expect(calls.count).toBe(2);
  });

  it("fails a revoked key once the TTL has passed, and never later than 1 s with the default", async () => {
    const short = await issueKey(latchkey);
    const fast = countingVerifier({ cacheTtlMs: 200 }).verifier;
    expect((await fast.verify(short.secret)).valid).toBe(true);
    const bounded = await issueKey(latchkey);
    const slow = countingVerifier().verifier;
    expect((await slow.verify(bounded.secret)).valid).toBe(true);
    await latchkey.client.changeKey(latchkey.orgId, short.id, "revoke");
    await latchkey.client.changeKey(latchkey.orgId, bounded.id, "revoke");
    await sleep(250);
    expect((await fast.verify(short.secret)).code).toBe("REVOKED");
    await sleep(MAX_REMOTE_CACHE_TTL_MS - 250 + 50);
    expect((await slow.verify(bounded.secret)).code).toBe("REVOKED");
  });

  it("rejects when the server refuses its token", async () => {
    const verifier = new RemoteVerifier({ url: latchkey.url, token: "lks_wrong" });
    await expect(verifier.verify("lks_anything")).rejects.toBeInstanceOf(LatchkeyApiError);
  });
});

describe("a revoked key through the Fastify middleware and RemoteVerifier", () => {
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    app = Fastify();
    const cached = latchkeyFastify({
      verifier: new RemoteVerifier({ url: latchkey.url, token: latchkey.verifyToken, cacheTtlMs: 200 }),
    });
    const uncached = latchkeyFastify({
      verifier: new RemoteVerifier({ url: latchkey.url, token: latchkey.verifyToken, cacheTtlMs: 0 }),
    });
    app.get("/cached", { onRequest: cached }, async () => ({ ok: true }));
    app.get("/uncached", { onRequest: uncached }, async () => ({ ok: true }));
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  const get = async (path: string, secret: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${secret}` } });
    return { status: response.status, body: await response.text() };
  };

  it("fails on the very next request with a TTL of 0", async () => {
    const key = await issueKey(latchkey);
    expect((await get("/uncached", key.secret)).status).toBe(200);
    await latchkey.client.changeKey(latchkey.orgId, key.id, "revoke");
    expect(await get("/uncached", key.secret)).toEqual({ status: 401, body: UNAUTHORIZED_BODY });
  });

  it("fails on the first request after the 200 ms TTL", async () => {
    const key = await issueKey(latchkey);
    expect((await get("/cached", key.secret)).status).toBe(200);
    await latchkey.client.changeKey(latchkey.orgId, key.id, "revoke");
    await sleep(250);
    expect(await get("/cached", key.secret)).toEqual({ status: 401, body: UNAUTHORIZED_BODY });
  });
});
