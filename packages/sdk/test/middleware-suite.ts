import { openLocalVerifier } from "@latchkey/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeyVerifier, RemoteVerifier } from "../src/index.js";
import { issueKey, type Latchkey, sleep, startLatchkey, UNAUTHORIZED_BODY } from "./helpers.js";

/** An answer of the app under test. */
export interface TargetResponse {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * An app of one framework with the Latchkey middleware on these routes:
 * - `GET /hello`: the app-wide middleware, no permissions; answers `{key_id, permissions}` from the result;
 * - `GET /reports`: the same middleware with this route's permissions `["reports:read"]`;
 * - `GET /strict`: a middleware made with `permissions: ["reports:write"]`;
 * - `GET /ip`: a middleware that passes the caller's address (127.0.0.1);
 * - `GET /public`: no middleware.
 */
export interface Target {
  request(path: string, headers?: Record<string, string>): Promise<TargetResponse>;
  close(): Promise<void>;
}

/** How the suite verifies: remotely through a Latchkey server, or in-process against its database. */
export type VerifierKind = "remote" | "local";

/** The cache TTL both verifiers get here: a revoked key must fail once it has passed. */
const TTL_MS = 200;

/** Runs the SPEC §4 behaviours against one framework's app. */
export function middlewareSuite(
  framework: string,
  kind: VerifierKind,
  makeTarget: (verifier: KeyVerifier) => Promise<Target>,
): void {
  describe(`${framework} middleware, ${kind} verifier`, () => {
    let latchkey: Latchkey;
    let target: Target;
    let closeVerifier: () => Promise<void> = async () => {};
    let plain: { id: string; secret: string };
    let reader: { id: string; secret: string };

    beforeAll(async () => {
      latchkey = await startLatchkey({ file: kind === "local" });
      let verifier: KeyVerifier;
      if (kind === "remote") {
        verifier = new RemoteVerifier({ url: latchkey.url, token: latchkey.verifyToken, cacheTtlMs: TTL_MS });
      } else {
        const local = await openLocalVerifier(latchkey.databaseUrl, { cacheTtlMs: TTL_MS });
        verifier = local;
        closeVerifier = () => local.close();
      }
      target = await makeTarget(verifier);
      plain = await issueKey(latchkey, { permissions: ["widgets:read"] });
      reader = await issueKey(latchkey, { permissions: ["reports:read", "widgets:read"] });
    });

    afterAll(async () => {
      await target?.close();
      await closeVerifier();
      await latchkey?.close();
    });

    const expectUnauthorized = (response: TargetResponse) => {
      expect(response.status).toBe(401);
      expect(response.body).toBe(UNAUTHORIZED_BODY);
    };

    const errorOf = (response: TargetResponse) => {
      expect(response.headers.get("content-type")).toMatch(/^application\/vnd\.api\+json/);
      const document = JSON.parse(response.body);
      expect(document.jsonapi).toEqual({ version: "1.0" });
      expect(document.errors).toHaveLength(1);
      expect(document.errors[0]).toMatchObject({ status: String(response.status) });
      expect(typeof document.errors[0].id).toBe("string");
      return document.errors[0];
    };

    it("lets a valid key through and exposes the verification", async () => {
      const response = await target.request("/hello", { authorization: `token ${plain.secret}` });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ key_id: plain.id, permissions: ["widgets:read"] });
    });

    it.each([
      ["Authorization: token", { authorization: "token %s" }],
      ["Authorization: Bearer", { authorization: "Bearer %s" }],
      ["Authorization: BEARER (scheme in any case)", { authorization: "BEARER %s" }],
      ["Authorization: Token", { authorization: "Token %s" }],
      ["X-API-Key", { "x-api-key": "%s" }],
    ])("accepts %s", async (_name, template) => {
      const headers = Object.fromEntries(
        Object.entries(template).map(([name, value]) => [name, value.replace("%s", plain.secret)]),
      );
      const response = await target.request("/hello", headers);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).key_id).toBe(plain.id);
    });

    it("answers a missing, malformed or unknown credential with exactly the 401 body", async () => {
      expectUnauthorized(await target.request("/hello"));
      expectUnauthorized(await target.request("/hello", { authorization: `Basic ${plain.secret}` }));
      expectUnauthorized(await target.request("/hello", { "x-api-key": "not-a-key" }));
      const unknown = `${plain.secret.slice(0, -10)}AAAAAAAAAA`;
      expectUnauthorized(await target.request("/hello", { authorization: `token ${unknown}` }));
    });

    it("answers a revoked key with exactly the 401 body", async () => {
      const key = await issueKey(latchkey);
      await latchkey.client.changeKey(latchkey.orgId, key.id, "revoke");
      expectUnauthorized(await target.request("/hello", { "x-api-key": key.secret }));
    });

    it(`refuses a key revoked after use once the cache TTL (${TTL_MS} ms) has passed`, async () => {
      const key = await issueKey(latchkey);
      expect((await target.request("/hello", { "x-api-key": key.secret })).status).toBe(200);
      await latchkey.client.changeKey(latchkey.orgId, key.id, "revoke");
      await sleep(TTL_MS + 50);
      expectUnauthorized(await target.request("/hello", { "x-api-key": key.secret }));
    });

    it("refuses a credential in the query string with 400", async () => {
      for (const query of [`api_key=${plain.secret}`, `q=${plain.secret}`, "token=abc"]) {
        const response = await target.request(`/hello?${query}`, { authorization: `token ${plain.secret}` });
        expect(response.status).toBe(400);
        expect(errorOf(response)).toMatchObject({ code: "CREDENTIAL_IN_QUERY", source: { parameter: "query" } });
      }
    });

    it("answers a permission the middleware requires and the key lacks with 403", async () => {
      const response = await target.request("/strict", { authorization: `token ${reader.secret}` });
      expect(response.status).toBe(403);
      expect(errorOf(response)).toMatchObject({ code: "FORBIDDEN", detail: expect.stringMatching(/permission/) });
    });

    it("applies a route's own permissions", async () => {
      const refused = await target.request("/reports", { authorization: `token ${plain.secret}` });
      expect(refused.status).toBe(403);
      expect(errorOf(refused)).toMatchObject({ code: "FORBIDDEN", detail: expect.stringMatching(/permission/) });
      const allowed = await target.request("/reports", { authorization: `token ${reader.secret}` });
      expect(allowed.status).toBe(200);
      expect(JSON.parse(allowed.body).key_id).toBe(reader.id);
    });

    it("answers a key used from outside its IP allowlist with 403", async () => {
      const outside = await issueKey(latchkey, { ip_allowlist: ["10.0.0.0/8"] });
      const response = await target.request("/ip", { authorization: `token ${outside.secret}` });
      expect(response.status).toBe(403);
      expect(errorOf(response)).toMatchObject({ code: "FORBIDDEN", detail: expect.stringMatching(/address/) });
      const inside = await issueKey(latchkey, { ip_allowlist: ["127.0.0.0/8", "::1/128"] });
      expect((await target.request("/ip", { authorization: `token ${inside.secret}` })).status).toBe(200);
    });

    it("answers a rate-limited key with 429, Retry-After and RateLimit-*", async () => {
      const key = await issueKey(latchkey, { rate_limit: { limit: 2, window_seconds: 86_400 } });
      const first = await target.request("/hello", { authorization: `token ${key.secret}` });
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit-limit")).toBe("2");
      expect(first.headers.get("ratelimit-remaining")).toBe("1");
      expect((await target.request("/hello", { authorization: `token ${key.secret}` })).status).toBe(200);
      const limited = await target.request("/hello", { authorization: `token ${key.secret}` });
      expect(limited.status).toBe(429);
      expect(errorOf(limited).code).toBe("RATE_LIMITED");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(limited.headers.get("ratelimit-limit")).toBe("2");
      expect(limited.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(limited.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);
    });

    it("answers a key whose quota is spent with 429", async () => {
      const key = await issueKey(latchkey, { quota: { remaining: 1 } });
      expect((await target.request("/hello", { "x-api-key": key.secret })).status).toBe(200);
      const spent = await target.request("/hello", { "x-api-key": key.secret });
      expect(spent.status).toBe(429);
      expect(errorOf(spent)).toMatchObject({ code: "RATE_LIMITED", detail: expect.stringMatching(/quota/) });
      expect(Number(spent.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(spent.headers.get("ratelimit-remaining")).toBe("0");
    });

    it("leaves routes without the middleware alone", async () => {
      expect((await target.request("/public")).status).toBe(200);
    });
  });
}
