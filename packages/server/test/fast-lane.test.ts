import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { FastLane } from "../src/http/fast-lane.js";
import { verificationAttributes, verificationJson } from "../src/http/resources.js";
import { createKey, createTestApp, createToken, JSON_API, type TestApp, tampered, VERSION } from "./helpers.js";
import { basic, createOAuthAccount } from "./oauth-helpers.js";

// The fast lane answers /auth/check and plain POST /rest/api_keys/verify straight from Node's HTTP
// server. Over a socket it must answer exactly as Fastify does (app.inject never reaches the lane),
// and hand Fastify everything it is not sure of, body included.

interface Exchange {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What is compared: status, headers but the per-connection and per-request ones, body without request ids. */
interface Seen {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const VARYING = new Set(["date", "connection", "keep-alive", "x-request-id", "transfer-encoding"]);

function normalize(status: number, headers: Record<string, string>, body: string, requestId: string): Seen {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!VARYING.has(name)) kept[name] = value;
  return { status, headers: kept, body: requestId === "" ? body : body.split(requestId).join("<id>") };
}

async function overSocket(base: string, exchange: Exchange): Promise<Seen & { requestId: string }> {
  const res = await fetch(`${base}${exchange.url}`, {
    method: exchange.method ?? "GET",
    headers: exchange.headers ?? {},
    ...(exchange.body !== undefined ? { body: exchange.body } : {}),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const requestId = headers["x-request-id"] ?? "";
  return { ...normalize(res.status, headers, await res.text(), requestId), requestId };
}

async function throughFastify(t: TestApp, exchange: Exchange): Promise<Seen & { requestId: string }> {
  const res = await t.app.inject({
    method: (exchange.method ?? "GET") as "GET",
    url: exchange.url,
    headers: exchange.headers ?? {},
    ...(exchange.body !== undefined ? { payload: exchange.body } : {}),
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) headers[name] = String(value);
  const requestId = headers["x-request-id"] ?? "";
  return { ...normalize(res.statusCode, headers, res.body, requestId), requestId };
}

const dir = mkdtempSync(join(tmpdir(), "latchkey-fast-lane-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let t: TestApp;
let base: string;

beforeAll(async () => {
  const routes = join(dir, "routes.json");
  writeFileSync(routes, JSON.stringify([{ method: "GET", path: "/jobs/:id", permissions: ["jobs:read"] }]));
  t = await createTestApp({ env: { LATCHKEY_AUTH_ROUTES: routes, LATCHKEY_TRUST_PROXY: "1" } });
  base = await t.app.listen({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await t?.close();
});

/** Sends an exchange both ways (socket first) and expects the same answer. */
async function expectSame(exchange: Exchange): Promise<Seen> {
  const socket = await overSocket(base, exchange);
  const fastify = await throughFastify(t, exchange);
  const { requestId: _a, ...seenSocket } = socket;
  const { requestId: _b, ...seenFastify } = fastify;
  expect(seenSocket, `${exchange.method ?? "GET"} ${exchange.url}`).toEqual(seenFastify);
  return seenSocket;
}

function verifyBody(attributes: Record<string, unknown>): string {
  return JSON.stringify({ data: { type: "key_verification", attributes } });
}

function verifyExchange(attributes: Record<string, unknown>, extra: Partial<Exchange> = {}): Exchange {
  return {
    method: "POST",
    url: `/rest/api_keys/verify?version=${VERSION}`,
    headers: { authorization: `token ${t.owner.token}`, "content-type": JSON_API },
    body: verifyBody(attributes),
    ...extra,
  };
}

describe("forward auth over a socket answers as through Fastify", () => {
  test("allowed, with and without permissions, by header and by route map, and prefixed", async () => {
    const { key } = await createKey(t, { permissions: ["jobs:read"] });
    const allowed = await expectSame({ url: "/auth/check", headers: { authorization: `Bearer ${key}` } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["x-latchkey-permissions"]).toBe("jobs:read");
    expect((await expectSame({ url: "/auth/check?x=1", headers: { "x-api-key": key } })).status).toBe(200);
    const required = { authorization: `token ${key}`, "x-latchkey-require": "jobs:read" };
    expect((await expectSame({ url: "/auth/check", headers: required })).status).toBe(200);
    expect((await expectSame({ url: "/auth/check/jobs/7", headers: { "x-api-key": key } })).status).toBe(200);
    expect(
      (await expectSame({ method: "POST", url: "/auth/check/jobs/7", headers: { "x-api-key": key } })).status,
    ).toBe(200);
    const original = { "x-api-key": key, "x-original-method": "GET", "x-original-uri": "/jobs/9" };
    expect((await expectSame({ url: "/auth/check", headers: original })).status).toBe(200);
  });

  test("refused: missing, malformed and unknown credentials, bad X-Latchkey-Require, lacking permissions", async () => {
    const { key } = await createKey(t);
    expect((await expectSame({ url: "/auth/check" })).status).toBe(401);
    expect((await expectSame({ url: "/auth/check", headers: { authorization: "Basic abc" } })).status).toBe(401);
    expect((await expectSame({ url: "/auth/check", headers: { "x-api-key": tampered(key) } })).status).toBe(401);
    const bad = { "x-api-key": key, "x-latchkey-require": "not a permission" };
    expect((await expectSame({ url: "/auth/check", headers: bad })).status).toBe(400);
    const lacking = { "x-api-key": key, "x-latchkey-require": "billing:write" };
    expect((await expectSame({ url: "/auth/check", headers: lacking })).status).toBe(403);
  });

  test("a spent rate limit answers 429 with the same headers both ways", async () => {
    const { key } = await createKey(t, { rate_limit: { limit: 1, window_seconds: 60 } });
    expect((await overSocket(base, { url: "/auth/check", headers: { "x-api-key": key } })).status).toBe(200);
    const limited = await expectSame({ url: "/auth/check", headers: { "x-api-key": key } });
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toMatch(/^\d+$/);
    expect(limited.headers["ratelimit-remaining"]).toBe("0");
  });

  test("echoes a safe X-Request-Id and replaces an unsafe one", async () => {
    const given = await overSocket(base, { url: "/auth/check", headers: { "x-request-id": "trace-42" } });
    expect(given.requestId).toBe("trace-42");
    const unsafe = await overSocket(base, { url: "/auth/check", headers: { "x-request-id": "bad id\u00e9" } });
    expect(unsafe.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("the client address follows LATCHKEY_TRUST_PROXY, as Fastify's request.ip does", async () => {
    const { key } = await createKey(t, { ip_allowlist: ["203.0.113.0/24"] });
    const through = await overSocket(base, {
      url: "/auth/check",
      headers: { "x-api-key": key, "x-forwarded-for": "203.0.113.9" },
    });
    expect(through.status).toBe(200);
    // One trusted hop: the address the client put first is not believed.
    const forged = await overSocket(base, {
      url: "/auth/check",
      headers: { "x-api-key": key, "x-forwarded-for": "203.0.113.9, 198.51.100.1" },
    });
    expect(forged.status).toBe(403);
    expect((await overSocket(base, { url: "/auth/check", headers: { "x-api-key": key } })).status).toBe(403);
  });
});

describe("POST /rest/api_keys/verify over a socket answers as through Fastify", () => {
  test("valid and invalid keys, with permissions, address and cost", async () => {
    const { key } = await createKey(t, {
      permissions: ["jobs:read"],
      labels: ["team:a"],
      metadata: { plan: "pro", note: 'quote " and \u00e9' },
    });
    const valid = await expectSame(verifyExchange({ key }));
    expect(JSON.parse(valid.body).data.attributes).toMatchObject({ valid: true, code: "VALID" });
    await expectSame(verifyExchange({ key, permissions: ["jobs:read"], ip: "192.0.2.1", cost: 3 }));
    const lacking = await expectSame(verifyExchange({ key, permissions: ["jobs:write"] }));
    expect(JSON.parse(lacking.body).data.attributes.code).toBe("INSUFFICIENT_PERMISSIONS");
    const unknown = await expectSame(verifyExchange({ key: tampered(key) }));
    expect(JSON.parse(unknown.body).data.attributes.code).toBe("NOT_FOUND");
  });

  test("both ways spend the same rate limit and quota", async () => {
    const { key } = await createKey(t, { rate_limit: { limit: 100, window_seconds: 60 }, quota: { remaining: 1000 } });
    const socket = await overSocket(base, verifyExchange({ key, cost: 2 }));
    const fastify = await throughFastify(t, verifyExchange({ key, cost: 2 }));
    const limits = (seen: Seen) => {
      const { ratelimit, quota } = JSON.parse(seen.body).data.attributes;
      return { ratelimit: ratelimit.remaining, quota: quota.remaining };
    };
    expect(limits(socket)).toEqual({ ratelimit: 98, quota: 998 });
    expect(limits(fastify)).toEqual({ ratelimit: 96, quota: 996 });
    expect(socket.headers).toEqual(fastify.headers);
  });

  test("what the lane leaves to Fastify gets Fastify's answer, body included", async () => {
    const { key } = await createKey(t);
    const cases: Exchange[] = [
      verifyExchange({ key }, { body: "{not json" }),
      verifyExchange({ key, extra: 1 }),
      verifyExchange({ key: "" }),
      verifyExchange({ key }, { body: JSON.stringify({ data: { type: "api_key", attributes: { key } } }) }),
      verifyExchange({ key }, { body: '{"__proto__":{"x":1},"data":{}}' }),
      verifyExchange({ key }, { body: verifyBody({ key }).replace('{"key"', '{"__proto__":{"x":1},"key"') }),
      verifyExchange(
        { key },
        { body: verifyBody({ key }).replace('{"key"', '{"constructor":{"prototype":{"x":1}},"key"') },
      ),
      verifyExchange({ key }, { url: "/rest/api_keys/verify" }),
      verifyExchange({ key }, { url: "/rest/api_keys/verify?version=2999-01-01" }),
      verifyExchange({ key }, { url: `/rest/api_keys/verify?version=${VERSION}&token=${key}` }),
      verifyExchange({ key }, { headers: { "content-type": JSON_API } }),
      verifyExchange({ key }, { headers: { authorization: `token ${tampered(key)}`, "content-type": JSON_API } }),
      verifyExchange({ key }, { headers: { authorization: `token ${t.owner.token}`, "content-type": "text/plain" } }),
    ];
    for (const exchange of cases) {
      const seen = await expectSame(exchange);
      expect(seen.status, exchange.body).toBeGreaterThanOrEqual(400);
    }
  });

  test("a caller without api_keys:verify gets Fastify's 403", async () => {
    const { key: viewer } = await createKey(t, { permissions: ["api_keys:read"] });
    const { key } = await createKey(t);
    const seen = await expectSame(
      verifyExchange({ key }, { headers: { authorization: `token ${viewer}`, "content-type": JSON_API } }),
    );
    expect(seen.status).toBe(403);
  });

  test("a body that arrives in parts, after the headers, is read whole; the connection stays usable", async () => {
    const { key } = await createKey(t);
    const body = verifyBody({ key });
    const { port } = new URL(base);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    const head = (length: number) =>
      `POST /rest/api_keys/verify?version=${VERSION} HTTP/1.1\r\nHost: x\r\nAuthorization: token ${t.owner.token}\r\n` +
      `Content-Type: ${JSON_API}\r\nContent-Length: ${length}\r\n\r\n`;
    const answered = async (count: number) => {
      await vi.waitFor(() => expect(received.split('"code":"VALID"').length - 1).toBe(count), { timeout: 5000 });
    };
    socket.write(head(Buffer.byteLength(body)));
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.write(body.slice(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.write(body.slice(20));
    await answered(1);
    socket.write(head(Buffer.byteLength(body)) + body);
    await answered(2);
    expect(received.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    socket.destroy();
  });

  test("a storage failure while verifying is answered in the error shape, as Fastify does, and the node serves on", async () => {
    const { key } = await createKey(t);
    const store = (t.app.services.verifier as unknown as { keys: { findBySecretHash(hash: string): unknown } }).keys;
    const failing = vi.spyOn(store, "findBySecretHash").mockImplementation(() => {
      throw new Error("disk I/O error");
    });
    try {
      const seen = await expectSame(verifyExchange({ key }));
      expect(seen.status).toBeGreaterThanOrEqual(500);
      expect(JSON.parse(seen.body).errors).toHaveLength(1);
    } finally {
      failing.mockRestore();
    }
    const seen = await expectSame(verifyExchange({ key }));
    expect(JSON.parse(seen.body).data.attributes.code).toBe("VALID");
  });

  test("a storage failure while authenticating the caller is answered as Fastify does, version headers included", async () => {
    const { key } = await createKey(t);
    const { key: token } = await createToken(t, t.owner.token, { name: "caller not yet cached" });
    const store = (t.app.services.verifier as unknown as { keys: { findBySecretHash(hash: string): unknown } }).keys;
    const failing = vi.spyOn(store, "findBySecretHash").mockImplementation(() => {
      throw new Error("disk I/O error");
    });
    try {
      const exchange = verifyExchange(
        { key },
        { headers: { authorization: `token ${token}`, "content-type": JSON_API } },
      );
      const seen = await expectSame(exchange);
      expect(seen.status).toBeGreaterThanOrEqual(500);
      expect(seen.headers["latchkey-version-served"]).toBe(VERSION);
    } finally {
      failing.mockRestore();
    }
  });

  test("a body over 1 MiB is refused with 413", async () => {
    const seen = await expectSame(verifyExchange({ key: "x".repeat(1024 * 1024) }));
    expect(seen.status).toBe(413);
  });
});

describe("OAuth access tokens over a socket answer as through Fastify", () => {
  test("as the credential and as the verified key; refused alike once their secret is revoked", async () => {
    const account = await createOAuthAccount(t, { name: "fast lane robot" });
    const res = await fetch(`${base}/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: basic(account.clientId, account.clientSecret),
      },
      body: "grant_type=client_credentials",
    });
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    const bearer = { authorization: `Bearer ${token}` };
    const allowed = await expectSame({ url: "/auth/check", headers: bearer });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["x-latchkey-owner"]).toContain(account.id);
    const { key } = await createKey(t);
    const asCredential = await expectSame(
      verifyExchange({ key }, { headers: { ...bearer, "content-type": JSON_API } }),
    );
    expect(JSON.parse(asCredential.body).data.attributes.code).toBe("VALID");
    const asKey = await expectSame(verifyExchange({ key: token }));
    expect(JSON.parse(asKey.body).data.attributes).toMatchObject({
      code: "VALID",
      owner: { type: "service_account", id: account.id },
    });
    const secrets = await t.app.inject({
      url: `/rest/orgs/${t.owner.orgId}/service_accounts/${account.id}/secrets?version=${VERSION}`,
      headers: { authorization: `token ${t.owner.token}` },
    });
    const revoked = await t.app.inject({
      method: "DELETE",
      url: `/rest/orgs/${t.owner.orgId}/service_accounts/${account.id}/secrets/${secrets.json().data[0].id}?version=${VERSION}`,
      headers: { authorization: `token ${t.owner.token}` },
    });
    expect(revoked.statusCode).toBe(204);
    expect((await expectSame({ url: "/auth/check", headers: bearer })).status).toBe(401);
    expect(
      (await expectSame(verifyExchange({ key }, { headers: { ...bearer, "content-type": JSON_API } }))).status,
    ).toBe(401);
    expect(JSON.parse((await expectSame(verifyExchange({ key: token }))).body).data.attributes.code).toBe("REVOKED");
  });
});

describe("the lane is taken", () => {
  test("for forward auth and plain verifications; other requests and unusual ones go to Fastify", async () => {
    const { key } = await createKey(t);
    const take = vi.spyOn(FastLane.prototype, "take");
    const answered = vi.spyOn(FastLane.prototype as unknown as { answerVerify: () => Promise<void> }, "answerVerify");
    try {
      await overSocket(base, { url: "/auth/check", headers: { "x-api-key": key } });
      await overSocket(base, verifyExchange({ key }));
      expect(take.mock.results.map((r) => r.value)).toEqual([true, true]);
      expect(answered).toHaveBeenCalledTimes(1);
      await overSocket(base, verifyExchange({ key }, { body: "{not json" }));
      // Taken, read, then handed to Fastify with its body.
      expect(take.mock.results.at(-1)?.value).toBe(true);
      expect(answered).toHaveBeenCalledTimes(1);
      await overSocket(base, verifyExchange({ key }, { url: "/rest/api_keys/verify" }));
      await overSocket(base, { url: `/rest/self?version=${VERSION}`, headers: { "x-api-key": key } });
      expect(take.mock.results.slice(-2).map((r) => r.value)).toEqual([false, false]);
    } finally {
      take.mockRestore();
      answered.mockRestore();
    }
  });
});

describe("the verification document", () => {
  test("verificationJson is byte for byte the serialized attributes in their document", async () => {
    const { key } = await createKey(t, { labels: ["a", "b"], metadata: { n: 1, s: '\u2028\u00e9"' } });
    const outcomes = [
      await t.app.services.verifier.verify(key, {}),
      await t.app.services.verifier.verify(key, { permissions: ["nope:read"] }),
      await t.app.services.verifier.verify(tampered(key), {}),
      {
        ...(await t.app.services.verifier.verify(key, {})),
        ratelimit: { allowed: true, limit: 5, remaining: 4, resetAt: 1_700_000_000_000 },
        quota: { remaining: 9 },
      },
    ];
    for (const outcome of outcomes) {
      const expected = JSON.stringify({
        jsonapi: { version: "1.0" },
        data: { type: "key_verification", attributes: verificationAttributes(outcome) },
      });
      expect(verificationJson(outcome)).toBe(expected);
      // Twice: the second answer comes from the cached fragments.
      expect(verificationJson(outcome)).toBe(expected);
    }
  });
});
