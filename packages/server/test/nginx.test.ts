import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createKey, createTestApp, type TestApp, UNAUTHORIZED_BODY } from "./helpers.js";
import { findNginx, type Nginx, nginxServerBlock, startNginx, startUpstream, type Upstream } from "./nginx-harness.js";

// The integration test: a real nginx (Debian's package, installed by scripts/ensure-nginx.sh)
// with auth_request to Latchkey's /auth/check in front of a small upstream, all on loopback.

/** The part of a JSON:API error document these checks read. */
type ErrorBody = { errors: [{ id: string; code: string }] };

test("the README shows the very server block this test runs", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  expect(readme).toContain(nginxServerBlock({ listen: "80", latchkey: "latchkey:8080", upstream: "app:3000" }));
});

const nginxBin = findNginx();

if (nginxBin === null) {
  const why = "nginx is not installed: run `bash scripts/ensure-nginx.sh` (it installs Debian's nginx-light)";
  if (process.env.CI) {
    test("nginx is installed (CI runs the nginx integration test)", () => {
      expect.fail(why);
    });
  } else {
    console.warn(`nginx.test.ts: skipped, ${why}`);
    test.skip(`through a real nginx (skipped: ${why})`, () => {});
  }
} else {
  const bin = nginxBin;
  describe("through a real nginx with auth_request", () => {
    let dir: string;
    let t: TestApp | undefined;
    let upstream: Upstream | undefined;
    let nginx: Nginx | undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "latchkey-nginx-"));
      const routes = join(dir, "routes.json");
      writeFileSync(routes, JSON.stringify([{ method: "*", path: "/admin/*", permissions: ["admin:write"] }]));
      t = await createTestApp({ env: { LATCHKEY_TRUST_PROXY: "true", LATCHKEY_AUTH_ROUTES: routes } });
      await t.app.listen({ host: "127.0.0.1", port: 0 });
      const latchkeyPort = (t.app.server.address() as AddressInfo).port;
      upstream = await startUpstream();
      nginx = await startNginx(bin, join(dir, "nginx"), {
        latchkey: `127.0.0.1:${latchkeyPort}`,
        upstream: `127.0.0.1:${upstream.port}`,
      });
    }, 30_000);

    afterAll(async () => {
      await nginx?.stop();
      await upstream?.close();
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 20_000);

    /** One request through nginx, bounded by a timeout. */
    function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Response> {
      if (nginx === undefined) throw new Error("nginx did not start");
      return fetch(`${nginx.url}${path}`, { method, headers, signal: AbortSignal.timeout(5000) });
    }

    function session(): TestApp {
      if (t === undefined) throw new Error("Latchkey did not start");
      return t;
    }

    function lastSeen() {
      const seen = upstream?.seen.at(-1);
      if (seen === undefined) throw new Error("the upstream saw no request");
      return seen;
    }

    test("a valid key reaches the upstream, which learns who it is", async () => {
      const { id, key } = await createKey(session(), { permissions: ["jobs:read", "reports:read"] });
      const before = upstream?.seen.length ?? 0;
      for (const headers of [
        { authorization: `token ${key}` },
        { authorization: `Bearer ${key}` },
        { "x-api-key": key },
      ] as Record<string, string>[]) {
        const res = await get("/jobs/1?page=2", headers);
        expect(res.status, await res.clone().text()).toBe(200);
        expect(await res.json()).toEqual({ upstream: true });
        const seen = lastSeen();
        expect(seen.url).toBe("/jobs/1?page=2");
        expect(seen.headers["x-latchkey-key-id"]).toBe(id);
        expect(seen.headers["x-latchkey-org-id"]).toBe(session().owner.orgId);
        expect(seen.headers["x-latchkey-owner"]).toBe(`org:${session().owner.orgId}`);
        expect(String(seen.headers["x-latchkey-permissions"]).split(",").sort()).toEqual(["jobs:read", "reports:read"]);
      }
      const post = await get("/jobs", { authorization: `token ${key}` }, "POST");
      expect(post.status).toBe(200);
      expect(lastSeen().method).toBe("POST");
      expect((upstream?.seen.length ?? 0) - before).toBe(4);
      // The location's X-Latchkey-Require (reports:read) is held.
      expect((await get("/reports/q3", { authorization: `token ${key}` })).status).toBe(200);
    });

    test("a missing, unknown or revoked key gets 401 with the exact body, and the upstream sees nothing", async () => {
      const app = session();
      const { id, key } = await createKey(app);
      const before = upstream?.seen.length ?? 0;
      for (const headers of [
        {},
        { authorization: `token ${key.slice(0, -10)}AAAAAAAAAA` },
        { "x-api-key": "not-a-key" },
      ] as Record<string, string>[]) {
        const res = await get("/jobs/1", headers);
        expect(res.status).toBe(401);
        expect(await res.text()).toBe(UNAUTHORIZED_BODY);
      }
      const revoked = await app.app.inject({
        method: "POST",
        url: `/rest/orgs/${app.owner.orgId}/api_keys/${id}/revoke?version=2024-06-10`,
        headers: { authorization: `token ${app.owner.token}` },
      });
      expect(revoked.statusCode, revoked.body).toBe(200);
      const res = await get("/jobs/1", { authorization: `token ${key}` });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(UNAUTHORIZED_BODY);
      expect(upstream?.seen.length).toBe(before);
    });

    test("a key without the permission the route map or the location asks for gets 403", async () => {
      const { key } = await createKey(session(), { permissions: ["jobs:read"] });
      const before = upstream?.seen.length ?? 0;
      for (const path of ["/admin/users", "/jobs/../admin/users", "/reports/q3"]) {
        const res = await get(path, { authorization: `token ${key}` });
        expect(res.status, path).toBe(403);
        const body = (await res.json()) as ErrorBody;
        expect(body.errors[0].code).toBe("FORBIDDEN");
        expect(body.errors[0].id).toMatch(/\S/);
      }
      // A client cannot lift the location's requirement by sending its own X-Latchkey-Require.
      const spoofed = await get("/reports/q3", { authorization: `token ${key}`, "x-latchkey-require": "jobs:read" });
      expect(spoofed.status).toBe(403);
      expect(upstream?.seen.length).toBe(before);
    });

    test("the client address reaches Latchkey through X-Forwarded-For (IP allowlists)", async () => {
      const inside = await createKey(session(), { ip_allowlist: ["127.0.0.0/8"] });
      const outside = await createKey(session(), { ip_allowlist: ["10.0.0.0/8"] });
      expect((await get("/x", { authorization: `token ${inside.key}` })).status).toBe(200);
      // nginx replaces what the client says with the address it sees.
      const res = await get("/x", { authorization: `token ${outside.key}`, "x-forwarded-for": "10.1.2.3" });
      expect(res.status).toBe(403);
    });

    test("a rate-limited key gets 429 with Retry-After and RateLimit-* through nginx", async () => {
      const { key } = await createKey(session(), { rate_limit: { limit: 2, window_seconds: 60 } });
      const headers = { authorization: `token ${key}` };
      const first = await get("/jobs/1", headers);
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit-limit")).toBe("2");
      expect(first.headers.get("ratelimit-remaining")).toBe("1");
      expect((await get("/jobs/1", headers)).status).toBe(200);
      const before = upstream?.seen.length ?? 0;
      const limited = await get("/jobs/1", headers);
      expect(limited.status).toBe(429);
      // The fake clock stands at the start of a minute: the whole window is left.
      expect(limited.headers.get("retry-after")).toBe("60");
      expect(limited.headers.get("ratelimit-limit")).toBe("2");
      expect(limited.headers.get("ratelimit-remaining")).toBe("0");
      expect(limited.headers.get("ratelimit-reset")).toBe("60");
      const body = (await limited.json()) as ErrorBody;
      expect(body.errors[0].code).toBe("RATE_LIMITED");
      expect(upstream?.seen.length).toBe(before);
    });

    test("a key whose quota is spent gets 429 with Retry-After through nginx", async () => {
      const { key } = await createKey(session(), { quota: { remaining: 1, refill: { amount: 10, interval: "day" } } });
      const headers = { "x-api-key": key };
      expect((await get("/jobs/1", headers)).status).toBe(200);
      const spent = await get("/jobs/1", headers);
      expect(spent.status).toBe(429);
      // The fake clock says 12:00 UTC: the quota refills at midnight.
      expect(spent.headers.get("retry-after")).toBe(String(12 * 3600));
      expect(spent.headers.get("ratelimit-remaining")).toBe("0");
    });

    test("nginx logged no unexpected trouble", () => {
      const log = nginx?.errorLog() ?? "";
      // auth_request logs Latchkey's 429 as an unexpected status; nothing else should be there.
      const other = log
        .split("\n")
        .filter((line) => line.trim() !== "")
        .filter((line) => !/auth request unexpected status: 429/.test(line))
        .filter((line) => !/the "user" directive makes sense only/.test(line));
      expect(other).toEqual([]);
    });
  });
}
