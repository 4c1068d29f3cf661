import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DASHBOARD_CSP } from "../src/http/dashboard.js";
import { createTestApp, type TestApp } from "./helpers.js";

// How `latchkey serve` serves the built dashboard (packages/web/dist) beside the API.
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-Ab12.js"></script></head></html>';
const SCRIPT = "console.log('dashboard')";

describe("the dashboard's files", () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-dashboard-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), INDEX);
    writeFileSync(join(dir, "assets", "index-Ab12.js"), SCRIPT);
    writeFileSync(join(dir, "assets", "index-Cd34.css"), "body{}");
    writeFileSync(join(dir, "secret.txt"), "not served");
    t = await createTestApp({ dashboardDir: dir });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test.each(["/", "/sign-in", "/accept-invitation?token=x", "/orgs", "/orgs/abc/keys", "/account/tokens"])(
    "%s answers index.html with a strict CSP",
    async (url) => {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.body).toBe(INDEX);
      expect(res.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
      expect(DASHBOARD_CSP).toContain("script-src 'self'");
      expect(DASHBOARD_CSP).not.toContain("unsafe-inline");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["cache-control"]).toBe("no-cache");
    },
  );

  test("hashed assets have their content type and a year's immutable cache", async () => {
    const js = await t.app.inject({ url: "/assets/index-Ab12.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.body).toBe(SCRIPT);
    const css = await t.app.inject({ url: "/assets/index-Cd34.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
  });

  test.each([
    "/assets/missing.js",
    "/assets/..%2fsecret.txt",
    "/assets/../secret.txt",
    "/assets/.hidden.js",
    "/secret.txt",
  ])("%s is the API's 404, never a file outside assets", async (url) => {
    const res = await t.app.inject({ url });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain("not served");
    expect(res.json().errors[0].code).toBe("NOT_FOUND");
  });

  test("the API keeps its own answers: unknown /rest routes, docs, health", async () => {
    const unknown = await t.app.inject({ url: "/rest/nothing-here?version=2024-06-10" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({
      jsonapi: { version: "1.0" },
      errors: [{ status: "404", code: "NOT_FOUND" }],
    });
    expect((await t.app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ url: "/docs/json" })).statusCode).toBe(200);
    const auth = await t.app.inject({ url: "/auth/session" });
    expect(auth.statusCode).toBe(401);
  });

  test("dashboard routes are not in the OpenAPI document", async () => {
    const document = (await t.app.inject({ url: "/docs/json" })).json() as { paths: Record<string, unknown> };
    for (const path of ["/", "/sign-in", "/orgs/*", "/assets/*", "/account/*"]) {
      expect(document.paths[path]).toBeUndefined();
    }
  });
});

describe("without a built dashboard", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dashboardDir: join(tmpdir(), "latchkey-no-dashboard-here") });
  });
  afterAll(() => t.close());

  test("/ says how to build it, and the API works", async () => {
    const res = await t.app.inject({ url: "/" });
    expect(res.statusCode).toBe(503);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toContain("npm run build");
    expect((await t.app.inject({ url: "/healthz" })).statusCode).toBe(200);
    expect((await t.app.inject({ url: "/assets/index-Ab12.js" })).statusCode).toBe(404);
  });
});
