import { afterAll, describe, expect, test } from "vitest";
import { createTestApp, expectError, openApiRoutes, send } from "./helpers.js";

// SPEC §4: `/rest/*` needs ?version=YYYY-MM-DD; the fake clock stands at 2025-06-01.
const t = await createTestApp();
afterAll(() => t.close());

function self(version: string | null) {
  return send(t.app, { url: "/rest/self", token: t.owner.token, version });
}

describe("?version=", () => {
  test("missing: 400 VERSION_REQUIRED", async () => {
    expectError(await self(null), 400, "VERSION_REQUIRED");
    expectError(await self(""), 400, "VERSION_REQUIRED");
  });

  test.each(["2024-6-10", "2024-02-30", "abc", "2024-06-10~alpha", "2024-06-10~", "20240610", "2024-13-01"])(
    "malformed %s: 400 VERSION_INVALID",
    async (version) => {
      const res = await self(version);
      expectError(res, 400, "VERSION_INVALID");
      expect(res.json().errors[0].source).toEqual({ parameter: "version" });
    },
  );

  test.each(["2025-06-02", "2030-01-01", "2025-06-02~beta"])("a future date %s: 400 VERSION_IN_FUTURE", async (v) => {
    expectError(await self(v), 400, "VERSION_IN_FUTURE");
  });

  test.each(["2024-06-09", "2020-01-01", "2024-06-09~experimental"])(
    "before the first version, %s: 404 VERSION_NOT_FOUND",
    async (version) => {
      expectError(await self(version), 404, "VERSION_NOT_FOUND");
    },
  );

  test.each([
    ["2024-06-10", "2024-06-10"],
    ["2024-06-10~beta", "2024-06-10"],
    ["2024-06-10~experimental", "2024-06-10"],
    ["2025-01-01", "2024-06-10"],
    ["2025-06-01", "2024-06-10"],
  ])("%s is served as %s, with both headers", async (requested, served) => {
    const res = await self(requested);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["latchkey-version-requested"]).toBe(requested);
    expect(res.headers["latchkey-version-served"]).toBe(served);
    expect(res.headers.deprecation).toBeUndefined();
    expect(res.headers.sunset).toBeUndefined();
  });

  test("the version is checked before the credential", async () => {
    expectError(await send(t.app, { url: "/rest/self", version: null }), 400, "VERSION_REQUIRED");
    const unauthenticated = await send(t.app, { url: "/rest/self", version: "2025-01-01" });
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers["latchkey-version-served"]).toBe("2024-06-10");
  });

  test("a date that becomes past as the clock moves is then served", async () => {
    expectError(await self("2025-06-03"), 400, "VERSION_IN_FUTURE");
    t.clock.advance(3 * 24 * 3600);
    const res = await self("2025-06-03");
    expect(res.statusCode).toBe(200);
    expect(res.headers["latchkey-version-served"]).toBe("2024-06-10");
  });

  test("every /rest route needs a version and reports the one it served", async () => {
    for (const route of await openApiRoutes(t.app)) {
      if (route.method !== "GET" || route.path.includes("{")) continue;
      expectError(await send(t.app, { url: route.path, token: t.owner.token, version: null }), 400, "VERSION_REQUIRED");
      const res = await send(t.app, { url: route.path, token: t.owner.token, version: "2024-06-10~beta" });
      expect(res.statusCode, `${route.path}: ${res.body}`).toBe(200);
      expect(res.headers["latchkey-version-requested"]).toBe("2024-06-10~beta");
      expect(res.headers["latchkey-version-served"]).toBe("2024-06-10");
    }
  });

  test("routes outside /rest need no version", async () => {
    const res = await send(t.app, { url: "/healthz", version: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers["latchkey-version-served"]).toBeUndefined();
  });
});
