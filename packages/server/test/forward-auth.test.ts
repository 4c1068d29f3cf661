import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { InjectOptions } from "fastify";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadRouteMap, normalizePath, parseRouteMap, RouteMapError } from "../src/http/route-map.js";
import { ConfigError, loadConfig } from "../src/index.js";
import {
  createKey,
  createTestApp,
  expectError,
  expectUnauthorized,
  type Response,
  START,
  send,
  type TestApp,
  tampered,
} from "./helpers.js";

// SPEC §5 `/auth/check`: forward auth for nginx auth_request, Traefik ForwardAuth and Envoy ext_authz.

const dir = mkdtempSync(join(tmpdir(), "latchkey-forward-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes a route map (an array as JSON, or raw text) to a fresh file; returns its path. */
function routeMapFile(content: unknown): string {
  files += 1;
  const path = join(dir, `routes-${files}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const ROUTES = [
  { method: "GET", path: "/jobs/:id", permissions: ["jobs:read"] },
  { method: "POST", path: "/jobs", permissions: ["jobs:write"] },
  { method: "*", path: "/admin/*", permissions: ["admin:write"] },
  { method: "*", path: "/jobs/*", permissions: ["jobs:write"] },
];

/** One request to `/auth/check` (or `url`), with the proxy's headers. */
interface CheckOptions {
  method?: InjectOptions["method"];
  url?: string;
  /** Sent as `Authorization: token <key>`. */
  key?: string;
  headers?: Record<string, string>;
  payload?: string;
  remoteAddress?: string;
}

function check(t: TestApp, options: CheckOptions = {}): Promise<Response> {
  return t.app.inject({
    method: options.method ?? "GET",
    url: options.url ?? "/auth/check",
    headers: { ...(options.key !== undefined ? { authorization: `token ${options.key}` } : {}), ...options.headers },
    ...(options.payload !== undefined ? { payload: options.payload } : {}),
    ...(options.remoteAddress !== undefined ? { remoteAddress: options.remoteAddress } : {}),
  });
}

/** The original request, as nginx passes it (`X-Original-Method`, `X-Original-URI`). */
function original(method: string, uri: string): Record<string, string> {
  return { "x-original-method": method, "x-original-uri": uri };
}

function expectAllowed(res: Response, keyId: string): void {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers["x-latchkey-key-id"]).toBe(keyId);
  expect(res.body).toBe("");
}

async function revoke(t: TestApp, id: string): Promise<void> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${t.owner.orgId}/api_keys/${id}/revoke`,
    token: t.owner.token,
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe("without a route map", () => {
  let t: TestApp;
  let log: string;
  beforeEach(async () => {
    log = "";
    const logStream = new PassThrough();
    logStream.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
    });
    t = await createTestApp({ env: { LATCHKEY_LOG_LEVEL: "info" }, logStream });
  });
  afterEach(async () => {
    await t.close();
  });

  test("a valid key passes with who it is, in every credential header", async () => {
    const { id, key } = await createKey(t, { permissions: ["jobs:read", "jobs:write"] });
    for (const headers of [
      { authorization: `token ${key}` },
      { authorization: `Bearer ${key}` },
      { authorization: `BEARER ${key}` },
      { "x-api-key": key },
    ] as Record<string, string>[]) {
      const res = await check(t, { headers });
      expectAllowed(res, id);
      expect(res.headers["x-latchkey-org-id"]).toBe(t.owner.orgId);
      expect(res.headers["x-latchkey-owner"]).toBe(`org:${t.owner.orgId}`);
      expect(String(res.headers["x-latchkey-permissions"]).split(",").sort()).toEqual(["jobs:read", "jobs:write"]);
      expect(res.headers["ratelimit-limit"]).toBeUndefined();
      expect(res.headers["x-request-id"]).toBeTruthy();
    }
  });

  test("a personal key names its user as the owner", async () => {
    const { id, key } = await createKey(t, { kind: "personal", permissions: ["api_keys:read"] });
    const res = await check(t, { key });
    expectAllowed(res, id);
    expect(res.headers["x-latchkey-owner"]).toBe(`user:${t.owner.userId}`);
    expect(res.headers["x-latchkey-permissions"]).toBe("api_keys:read");
  });

  test("every method is answered, with or without a body, and HEAD has no body", async () => {
    const { id, key } = await createKey(t);
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      expectAllowed(await check(t, { method, key }), id);
    }
    const withBody = await check(t, {
      method: "POST",
      key,
      headers: { "content-type": "application/json" },
      payload: '{"not":"read"}',
    });
    expectAllowed(withBody, id);
    const emptyJson = await check(t, {
      method: "POST",
      key,
      headers: { "content-type": "application/json", "content-length": "0" },
    });
    expectAllowed(emptyJson, id);
    const head = await check(t, { method: "HEAD", key });
    expect(head.statusCode).toBe(200);
    expect(head.headers["x-latchkey-key-id"]).toBe(id);
    expect(head.body).toBe("");
  });

  test("a missing, malformed, unknown or revoked credential gets exactly the 401 body", async () => {
    const { id, key } = await createKey(t);
    const unknown = `${key.slice(0, -10)}AAAAAAAAAA`;
    expectUnauthorized(await check(t));
    expectUnauthorized(await check(t, { headers: { authorization: "Basic dXNlcjpwYXNz" } }));
    expectUnauthorized(await check(t, { key: "lks_not-a-key" }));
    expectUnauthorized(await check(t, { key: unknown }));
    expectUnauthorized(await check(t, { headers: { "x-api-key": unknown } }));
    expectAllowed(await check(t, { key }), id);
    await revoke(t, id);
    const revoked = await check(t, { key });
    expectUnauthorized(revoked);
    expect(revoked.headers["x-latchkey-key-id"]).toBeUndefined();
  });

  test("a disabled or expired key gets the 401", async () => {
    const disabled = await createKey(t);
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${disabled.id}/disable`,
      token: t.owner.token,
    });
    expect(res.statusCode, res.body).toBe(200);
    expectUnauthorized(await check(t, { key: disabled.key }));
    const expiring = await createKey(t, { expires_in: "1h" });
    expectAllowed(await check(t, { key: expiring.key }), expiring.id);
    t.clock.advance(3601);
    expectUnauthorized(await check(t, { key: expiring.key }));
  });

  test("X-Latchkey-Require: all listed permissions are needed, else 403 FORBIDDEN", async () => {
    const { id, key } = await createKey(t, { permissions: ["jobs:read", "reports:*"] });
    const require = (value: string) => check(t, { key, headers: { "x-latchkey-require": value } });
    expectAllowed(await require("jobs:read"), id);
    expectAllowed(await require("jobs:read, reports:export"), id);
    expectAllowed(await require(" , jobs:read ,"), id);
    const refused = await require("jobs:read,jobs:write");
    expectError(refused, 403, "FORBIDDEN");
    expect(refused.headers["x-latchkey-key-id"]).toBeUndefined();
    expectError(await require("billing:read"), 403, "FORBIDDEN");
  });

  test("X-Latchkey-Resource: a role/scope pair holds at its project only; a malformed one is a 400", async () => {
    const project = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/projects`,
      token: t.owner.token,
      body: { data: { type: "project", attributes: { name: "edge" } } },
    });
    const scope = project.json().data.attributes.scope as string;
    const { id, key } = await createKey(t, { permissions: [], roles: [{ role: "admin", scope }] });
    const at = (resource?: string) =>
      check(t, {
        key,
        headers: { "x-latchkey-require": "jobs:write", ...(resource ? { "x-latchkey-resource": resource } : {}) },
      });
    expectAllowed(await at(scope), id);
    expectAllowed(await at(scope.toUpperCase().replace("PROJECT", "project")), id);
    expectError(await at(), 403, "FORBIDDEN");
    expectError(await at("org"), 400, "BAD_REQUEST");
  });

  test("a malformed X-Latchkey-Require is a 400, not a pass", async () => {
    const { key } = await createKey(t);
    const res = await check(t, { key, headers: { "x-latchkey-require": "jobs:read,Not A Permission" } });
    expectError(res, 400, "BAD_REQUEST");
  });

  test("an IP allowlist is checked against the caller's address", async () => {
    const { id, key } = await createKey(t, { ip_allowlist: ["10.0.0.0/8", "2001:db8::/32"] });
    const res = await check(t, { key, remoteAddress: "192.168.1.20" });
    expectError(res, 403, "FORBIDDEN");
    expect(res.json().errors[0].detail).toMatch(/address/);
    expectAllowed(await check(t, { key, remoteAddress: "10.1.2.3" }), id);
    expectAllowed(await check(t, { key, remoteAddress: "2001:db8::5" }), id);
    // Without LATCHKEY_TRUST_PROXY, X-Forwarded-For is not believed.
    expectError(
      await check(t, { key, remoteAddress: "192.168.1.20", headers: { "x-forwarded-for": "10.1.2.3" } }),
      403,
      "FORBIDDEN",
    );
  });

  test("a rate-limited key gets 429 with Retry-After and RateLimit-* headers, until the window ends", async () => {
    const { id, key } = await createKey(t, { rate_limit: { limit: 2, window_seconds: 60 } });
    // The fake clock starts on a whole minute, so the window ends 60 s from now.
    expect(START % 60_000).toBe(0);
    const first = await check(t, { key });
    expectAllowed(first, id);
    expect(first.headers["ratelimit-limit"]).toBe("2");
    expect(first.headers["ratelimit-remaining"]).toBe("1");
    expect(first.headers["ratelimit-reset"]).toBe("60");
    t.clock.advance(15);
    const second = await check(t, { key });
    expectAllowed(second, id);
    expect(second.headers["ratelimit-remaining"]).toBe("0");
    expect(second.headers["ratelimit-reset"]).toBe("45");
    const third = await check(t, { key });
    expectError(third, 429, "RATE_LIMITED");
    expect(third.headers["retry-after"]).toBe("45");
    expect(third.headers["ratelimit-limit"]).toBe("2");
    expect(third.headers["ratelimit-remaining"]).toBe("0");
    expect(third.headers["ratelimit-reset"]).toBe("45");
    expect(third.headers["x-latchkey-key-id"]).toBeUndefined();
    t.clock.advance(45);
    expectAllowed(await check(t, { key }), id);
  });

  test("a key whose quota is spent gets 429 until the quota refills", async () => {
    const daily = await createKey(t, { quota: { remaining: 1, refill: { amount: 5, interval: "day" } } });
    expectAllowed(await check(t, { key: daily.key }), daily.id);
    const spent = await check(t, { key: daily.key });
    expectError(spent, 429, "RATE_LIMITED");
    // START is 12:00 UTC: the quota refills at midnight, 12 hours on.
    expect(spent.headers["retry-after"]).toBe(String(12 * 3600));
    expect(spent.headers["ratelimit-limit"]).toBe("5");
    expect(spent.headers["ratelimit-remaining"]).toBe("0");
    expect(spent.headers["ratelimit-reset"]).toBe(String(12 * 3600));
    t.clock.advance(12 * 3600);
    expectAllowed(await check(t, { key: daily.key }), daily.id);

    const monthly = await createKey(t, { quota: { remaining: 0, refill: { amount: 100, interval: "month" } } });
    const month = await check(t, { key: monthly.key });
    expectError(month, 429, "RATE_LIMITED");
    // Now 2025-06-02T00:00Z; the next month starts 2025-07-01T00:00Z.
    const untilJuly = (Date.UTC(2025, 6, 1) - t.clock.now().getTime()) / 1000;
    expect(month.headers["retry-after"]).toBe(String(untilJuly));
    expect(month.headers["ratelimit-limit"]).toBe("100");

    const once = await createKey(t, { quota: { remaining: 0 } });
    const never = await check(t, { key: once.key });
    expectError(never, 429, "RATE_LIMITED");
    expect(Number(never.headers["retry-after"])).toBeGreaterThan(0);
    expect(never.headers["ratelimit-remaining"]).toBe("0");
    expect(never.headers["ratelimit-reset"]).toBe(never.headers["retry-after"]);
  });

  test("Envoy's path_prefix mode: /auth/check/<path> answers like /auth/check", async () => {
    const { id, key } = await createKey(t, { permissions: ["jobs:read"] });
    expectAllowed(await check(t, { url: "/auth/check/jobs/1?page=2", key }), id);
    expectAllowed(await check(t, { method: "DELETE", url: "/auth/check/", key }), id);
    expectUnauthorized(await check(t, { url: "/auth/check/jobs/1" }));
    expectError(
      await check(t, { url: "/auth/check/jobs/1", key, headers: { "x-latchkey-require": "jobs:write" } }),
      403,
      "FORBIDDEN",
    );
  });

  test("no log line holds a credential or the original query string", async () => {
    const { key } = await createKey(t);
    await check(t, { key, headers: original("GET", "/private?token=secret-in-query") });
    await check(t, { key: tampered(key) });
    await check(t, { url: `/auth/check/private?token=${key}`, headers: { "x-api-key": key } });
    await check(t, { headers: { authorization: `Bearer ${key}` }, remoteAddress: "1.2.3.4" });
    expect(log.length).toBeGreaterThan(0);
    expect(log).toContain("credential refused");
    expect(log).not.toContain(key);
    expect(log).not.toContain(key.slice(0, -1));
    expect(log).not.toContain("secret-in-query");
  });

  test("forward auth is not part of the versioned API (no ?version=, not in the OpenAPI document)", async () => {
    const { id, key } = await createKey(t);
    const res = await check(t, { key });
    expectAllowed(res, id);
    expect(res.headers["latchkey-version-served"]).toBeUndefined();
    const openapi = await send(t.app, { url: "/rest/openapi" });
    expect(Object.keys(openapi.json().paths).some((path) => path.startsWith("/auth/check"))).toBe(false);
  });
});

describe("behind a proxy (LATCHKEY_TRUST_PROXY=true) with a route map (LATCHKEY_AUTH_ROUTES)", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      env: { LATCHKEY_TRUST_PROXY: "true", LATCHKEY_AUTH_ROUTES: routeMapFile(ROUTES) },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  test("the route map says what the original request needs; the first matching rule wins", async () => {
    const reader = await createKey(t, { permissions: ["jobs:read"] });
    const writer = await createKey(t, { permissions: ["jobs:read", "jobs:write"] });
    const as = (key: string, method: string, uri: string) => check(t, { key, headers: original(method, uri) });

    expectAllowed(await as(reader.key, "GET", "/jobs/42"), reader.id);
    expectAllowed(await as(reader.key, "GET", "/jobs/42?expand=logs"), reader.id);
    expectAllowed(await as(reader.key, "HEAD", "/jobs/42"), reader.id);
    // No rule: a valid key is enough.
    expectAllowed(await as(reader.key, "GET", "/status"), reader.id);
    // GET /jobs/:id matches first; DELETE /jobs/42 falls through to * /jobs/*.
    expectError(await as(reader.key, "DELETE", "/jobs/42"), 403, "FORBIDDEN");
    expectAllowed(await as(writer.key, "DELETE", "/jobs/42"), writer.id);
    expectError(await as(reader.key, "POST", "/jobs"), 403, "FORBIDDEN");
    expectAllowed(await as(writer.key, "POST", "/jobs"), writer.id);
    expectError(await as(reader.key, "GET", "/jobs/42/logs"), 403, "FORBIDDEN");
    // Method names are case-insensitive.
    expectError(await as(reader.key, "post", "/jobs"), 403, "FORBIDDEN");
    // Any method under /admin needs admin:write, which neither key holds.
    for (const method of ["GET", "POST", "OPTIONS"]) {
      expectError(await as(writer.key, method, "/admin"), 403, "FORBIDDEN");
      expectError(await as(writer.key, method, "/admin/users/1"), 403, "FORBIDDEN");
    }
  });

  test("paths are compared as the service sees them: dot segments, escapes and double slashes do not get around a rule", async () => {
    const reader = await createKey(t, { permissions: ["jobs:read"] });
    for (const uri of [
      "/jobs/1/../../admin/users",
      "/jobs/%2e%2e/admin",
      "//admin//users",
      "/%61dmin/users",
      "/./admin",
      "http://service.internal/admin/x",
    ]) {
      expectError(await check(t, { key: reader.key, headers: original("GET", uri) }), 403, "FORBIDDEN");
    }
  });

  test("X-Latchkey-Require adds to the route map's permissions, it never removes any", async () => {
    const reader = await createKey(t, { permissions: ["jobs:read"] });
    const res = await check(t, {
      key: reader.key,
      headers: { ...original("GET", "/jobs/1"), "x-latchkey-require": "reports:read" },
    });
    expectError(res, 403, "FORBIDDEN");
  });

  test("Traefik's X-Forwarded-Method and X-Forwarded-Uri are read when X-Original-* are absent", async () => {
    const reader = await createKey(t, { permissions: ["jobs:read"] });
    const traefik = (method: string, uri: string) =>
      check(t, { key: reader.key, headers: { "x-forwarded-method": method, "x-forwarded-uri": uri } });
    expectAllowed(await traefik("GET", "/jobs/7"), reader.id);
    expectError(await traefik("POST", "/jobs"), 403, "FORBIDDEN");
    // X-Original-* win over X-Forwarded-*.
    const both = await check(t, {
      key: reader.key,
      headers: { ...original("GET", "/jobs/7"), "x-forwarded-method": "POST", "x-forwarded-uri": "/jobs" },
    });
    expectAllowed(both, reader.id);
  });

  test("Envoy's path_prefix mode checks the rest of the path with the request's own method", async () => {
    const reader = await createKey(t, { permissions: ["jobs:read"] });
    expectAllowed(await check(t, { url: "/auth/check/jobs/9?x=1", key: reader.key }), reader.id);
    const head = await check(t, { method: "HEAD", url: "/auth/check/jobs/9", key: reader.key });
    expect(head.statusCode).toBe(200);
    expect(head.headers["x-latchkey-key-id"]).toBe(reader.id);
    expectError(await check(t, { method: "POST", url: "/auth/check/jobs", key: reader.key }), 403, "FORBIDDEN");
    expectError(
      await check(t, {
        method: "POST",
        url: "/auth/check/jobs",
        key: reader.key,
        headers: { "content-type": "application/json", "content-length": "0" },
      }),
      403,
      "FORBIDDEN",
    );
    expectError(await check(t, { url: "/auth/check/admin/settings", key: reader.key }), 403, "FORBIDDEN");
    expectError(await check(t, { url: "/auth/check/jobs/..%2F..%2Fadmin", key: reader.key }), 403, "FORBIDDEN");
    expectUnauthorized(await check(t, { url: "/auth/check/jobs/9" }));
  });

  test("the client address comes from X-Forwarded-For, for IP allowlists", async () => {
    const { id, key } = await createKey(t, { ip_allowlist: ["203.0.113.0/24"] });
    expectAllowed(await check(t, { key, headers: { "x-forwarded-for": "203.0.113.9" } }), id);
    expectError(await check(t, { key, headers: { "x-forwarded-for": "198.51.100.1" } }), 403, "FORBIDDEN");
    expectError(await check(t, { key }), 403, "FORBIDDEN");
  });
});

describe("repeated bad credentials from one address", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ env: { LATCHKEY_TRUST_PROXY: "true", LATCHKEY_AUTH_FAILURE_LIMIT: "3" } });
  });
  afterEach(async () => {
    await t.close();
  });

  test("are refused with 429 and Retry-After; other addresses are not", async () => {
    const { id, key } = await createKey(t);
    const bad = `${key.slice(0, -10)}AAAAAAAAAA`;
    const from = (ip: string, credential: string) => check(t, { key: credential, headers: { "x-forwarded-for": ip } });
    for (let i = 0; i < 3; i += 1) expectUnauthorized(await from("198.51.100.7", bad));
    const refused = await from("198.51.100.7", key);
    expectError(refused, 429, "RATE_LIMITED");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expectAllowed(await from("198.51.100.8", key), id);
    // A missing credential is no guess: it does not count.
    for (let i = 0; i < 5; i += 1)
      expectUnauthorized(await check(t, { headers: { "x-forwarded-for": "198.51.100.9" } }));
    expectAllowed(await from("198.51.100.9", key), id);
  });
});

describe("the route map file", () => {
  test("is checked at start: a bad file stops loadConfig naming LATCHKEY_AUTH_ROUTES", () => {
    for (const [content, fault] of [
      ["{not json", /not valid JSON/],
      [{ method: "GET" }, /must be a JSON array/],
      [[{ method: "GET", path: "/x" }], /rule 1: "permissions"/],
      [[{ method: "GET", path: "x", permissions: [] }], /rule 1: "path" must start with \//],
      [[{ method: "GET", path: "/a/*/b", permissions: [] }], /only as its last segment/],
      [[{ method: "GET", path: "/a/b*", permissions: [] }], /only as a whole last segment/],
      [[{ method: "GET", path: "/a/:", permissions: [] }], /bad parameter/],
      [[ROUTES[0], { method: "GET /x", path: "/x", permissions: [] }], /rule 2: "method"/],
      [[{ method: "GET", path: "/x", permissions: ["Jobs Read"] }], /not resource:action/],
      [[{ method: "GET", path: "/x", permissions: [], extra: 1 }], /unknown field "extra"/],
      [[null], /rule 1 is not an object/],
    ] as const) {
      const path = routeMapFile(content);
      let error: unknown;
      try {
        loadConfig({ LATCHKEY_AUTH_ROUTES: path });
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(content)).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain("LATCHKEY_AUTH_ROUTES");
      expect(message).toContain(path);
      expect(message).toMatch(fault);
      expect((error as ConfigError).problems).toHaveLength(1);
    }
  });

  test("a missing file is named", () => {
    const missing = join(dir, "no-such-file.json");
    expect(() => loadConfig({ LATCHKEY_AUTH_ROUTES: missing })).toThrow(
      /LATCHKEY_AUTH_ROUTES: .*no-such-file\.json: cannot read the file \(ENOENT\)/,
    );
    expect(() => loadRouteMap(missing)).toThrow(RouteMapError);
    expect(() => loadRouteMap(missing)).toThrow(/^LATCHKEY_AUTH_ROUTES \(.*no-such-file\.json\): cannot read/);
  });

  test("a good file is accepted, from the environment or the config file's auth_routes", () => {
    const path = routeMapFile(ROUTES);
    expect(loadConfig({ LATCHKEY_AUTH_ROUTES: path }).authRoutesFile).toBe(path);
    const config = routeMapFile({ auth_routes: path });
    expect(loadConfig({ LATCHKEY_CONFIG: config }).authRoutesFile).toBe(path);
    expect(loadConfig({}).authRoutesFile).toBeUndefined();
    expect(loadRouteMap(path).rules).toEqual(ROUTES);
  });

  test("an empty map requires nothing", () => {
    expect(parseRouteMap("[]", "inline").permissionsFor("GET", "/anything")).toEqual([]);
  });

  test("matching: parameters take one segment, a trailing * the rest (or nothing), / only itself", () => {
    const map = parseRouteMap(
      JSON.stringify([
        { method: "GET", path: "/", permissions: ["root:read"] },
        { method: "get", path: "/orgs/:org/jobs/:id", permissions: ["jobs:read"] },
        { method: "*", path: "/files/*", permissions: ["files:read"] },
        { method: "PUT", path: "/a%20b/c%2Bd/", permissions: ["odd:write"] },
        { method: "*", path: "/*", permissions: ["any:read"] },
      ]),
      "inline",
    );
    expect(map.permissionsFor("GET", "/")).toEqual(["root:read"]);
    expect(map.permissionsFor("GET", "/?q=1")).toEqual(["root:read"]);
    expect(map.permissionsFor("GET", "/orgs/o1/jobs/j1")).toEqual(["jobs:read"]);
    expect(map.permissionsFor("GET", "/orgs/o1/jobs/j1/")).toEqual(["jobs:read"]);
    expect(map.permissionsFor("GET", "/orgs/o1/jobs")).toEqual(["any:read"]);
    expect(map.permissionsFor("POST", "/orgs/o1/jobs/j1")).toEqual(["any:read"]);
    expect(map.permissionsFor("DELETE", "/files")).toEqual(["files:read"]);
    expect(map.permissionsFor("DELETE", "/files/a/b/c.txt")).toEqual(["files:read"]);
    expect(map.permissionsFor("GET", "/filesystem")).toEqual(["any:read"]);
    expect(map.permissionsFor("PUT", "/a%20b/c+d")).toEqual(["odd:write"]);
  });

  test("normalizePath resolves what the service would", () => {
    expect(normalizePath("/a/./b/../c?x=/../y#f")).toBe("/a/c");
    expect(normalizePath("/a/..%2F..%2Fb")).toBe("/b");
    expect(normalizePath("/caf%C3%A9/%E2%82")).toBe("/café/%E2%82");
    expect(normalizePath("//a///b/")).toBe("/a/b");
    expect(normalizePath("/../../a")).toBe("/a");
    expect(normalizePath("/a/%2e%2e/b")).toBe("/b");
    expect(normalizePath("/bad%zzescape")).toBe("/bad%zzescape");
    expect(normalizePath("https://host:8443/x/y?z")).toBe("/x/y");
    expect(normalizePath("")).toBe("/");
  });
});
