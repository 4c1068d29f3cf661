import { openStore } from "@latchkey/store";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { bootstrapOwner, buildApp, loadConfig } from "../src/index.js";
import { createTestApp, cryptoRandom, expectError, expectUnauthorized, FakeClock, type TestApp } from "./helpers.js";
import { addPerson, browse, login, PASSWORD, type Person, sessionCookieOf, signIn } from "./session-helpers.js";

let t: TestApp;
let admin: Person;

beforeEach(async () => {
  t = await createTestApp({ env: { LATCHKEY_TRUST_PROXY: "1" } });
  admin = await addPerson(t, t.owner.orgId, "admin");
});
afterEach(() => t.close());

describe("POST /auth/login", () => {
  test("signs in: the cookie is HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", async () => {
    const res = await login(t, admin.email.toUpperCase(), PASSWORD);
    expect(res.statusCode, res.body).toBe(200);
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/^latchkey_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("; HttpOnly");
    expect(cookie).toContain("; SameSite=Lax");
    expect(cookie).toContain("; Path=/");
    expect(cookie).toMatch(/; Max-Age=\d+/);
    expect(cookie).not.toContain("Secure");
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json();
    expect(body.user).toEqual({ id: admin.userId, email: admin.email, name: "admin person" });
    expect(body.orgs).toEqual([{ id: t.owner.orgId, name: "Default", role: "admin" }]);
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the token's SHA-256 is stored.
    const token = cookie.split(";")[0]?.split("=")[1] as string;
    const rows = await t.store.db.selectFrom("sessions").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  test("the cookie is Secure when the trusted proxy says the request came over https", async () => {
    const res = await login(t, admin.email, PASSWORD, {
      "x-forwarded-proto": "https",
      "x-forwarded-for": "203.0.113.9",
    });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers["set-cookie"])).toContain("; Secure");
  });

  test("the cookie is Secure when LATCHKEY_PUBLIC_URL is https; that origin and the request's own may sign in", async () => {
    const u = await createTestApp({ env: { LATCHKEY_PUBLIC_URL: "https://keys.example.test" } });
    try {
      const person = await addPerson(u, u.owner.orgId, "viewer");
      const res = await login(u, person.email, PASSWORD, { origin: "https://keys.example.test" });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers["set-cookie"])).toContain("; Secure");
      expect((await login(u, person.email, PASSWORD, { origin: "http://localhost:80" })).statusCode).toBe(200);
      expectError(
        await login(u, person.email, PASSWORD, { origin: "https://keys.example.test.evil" }),
        403,
        "CSRF_FAILED",
      );
    } finally {
      await u.close();
    }
  });

  test("a wrong password and an unknown email get the same 401, without a cookie", async () => {
    const wrong = await login(t, admin.email, "not the password at all");
    const unknown = await login(t, "nobody@example.test", PASSWORD);
    const noPassword = await addPerson(t, t.owner.orgId, "viewer", { password: null });
    const without = await login(t, noPassword.email, PASSWORD);
    for (const res of [wrong, unknown, without]) {
      expectUnauthorized(res);
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
  });

  test("bad bodies are 400 in the error shape", async () => {
    const missing = await t.app.inject({
      method: "POST",
      url: "/auth/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ email: admin.email }),
    });
    expectError(missing, 400, "VALIDATION_FAILED");
    const broken = await t.app.inject({
      method: "POST",
      url: "/auth/login",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expectError(broken, 400);
  });

  test("a sign-in from another origin is refused", async () => {
    const res = await login(t, admin.email, PASSWORD, { origin: "https://evil.example" });
    expectError(res, 403, "CSRF_FAILED");
    const site = await login(t, admin.email, PASSWORD, { "sec-fetch-site": "cross-site" });
    expectError(site, 403, "CSRF_FAILED");
    const same = await login(t, admin.email, PASSWORD, {
      origin: "http://localhost:80",
      "sec-fetch-site": "same-origin",
    });
    expect(same.statusCode, same.body).toBe(200);
  });
});

describe("GET /auth/session and POST /auth/logout", () => {
  test("the session answers the user and the same CSRF token; logout ends it and clears the cookie", async () => {
    const browser = await signIn(t, admin.email);
    const session = await browse(t, browser, { url: "/auth/session" });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json().user.id).toBe(admin.userId);
    expect(session.json().csrf_token).toBe(browser.csrf);

    expectError(await browse(t, browser, { method: "POST", url: "/auth/logout", csrf: false }), 403, "CSRF_FAILED");
    const out = await browse(t, browser, { method: "POST", url: "/auth/logout" });
    expect(out.statusCode, out.body).toBe(204);
    expect(String(out.headers["set-cookie"])).toMatch(/^latchkey_session=; .*Max-Age=0/);
    expectUnauthorized(await browse(t, browser, { url: "/auth/session" }));
    expectUnauthorized(await browse(t, browser, { url: "/rest/self" }));
  });

  test("no cookie, a malformed one or an unknown one: 401", async () => {
    expectUnauthorized(await t.app.inject({ url: "/auth/session" }));
    expectUnauthorized(await t.app.inject({ url: "/auth/session", headers: { cookie: "latchkey_session=nope" } }));
    const unknown = `latchkey_session=${"A".repeat(43)}`;
    expectUnauthorized(await t.app.inject({ url: "/auth/session", headers: { cookie: unknown } }));
  });

  test("a session ends after the idle limit, and after the absolute limit however much it is used", async () => {
    const browser = await signIn(t, admin.email);
    t.clock.advance(12 * 3600 - 10);
    expect((await browse(t, browser, { url: "/auth/session" })).statusCode).toBe(200);
    t.clock.advance(12 * 3600 - 10);
    expect((await browse(t, browser, { url: "/auth/session" })).statusCode).toBe(200);
    t.clock.advance(12 * 3600 + 1);
    expectUnauthorized(await browse(t, browser, { url: "/auth/session" }));

    const busy = await signIn(t, admin.email);
    for (let hours = 0; hours < 7 * 24; hours += 6) {
      t.clock.advance(6 * 3600);
      const res = await browse(t, busy, { url: "/auth/session" });
      if (hours + 6 < 7 * 24) expect(res.statusCode, `after ${hours + 6} h`).toBe(200);
      else expectUnauthorized(res);
    }
  });

  test("a session cookie set by login is what the next request sends", async () => {
    const res = await login(t, admin.email, PASSWORD);
    const cookie = sessionCookieOf(res);
    const session = await t.app.inject({ url: "/auth/session", headers: { cookie: `theme=dark; ${cookie}` } });
    expect(session.statusCode).toBe(200);
  });
});

test("the first start's owner signs in with the password of LATCHKEY_OWNER_PASSWORD", async () => {
  const store = await openStore("sqlite::memory:");
  await store.migrate();
  const clock = new FakeClock();
  const app = await buildApp(loadConfig({ LATCHKEY_LOG_LEVEL: "silent" }), { store, clock, random: cryptoRandom });
  try {
    const password = "the owner's own passphrase";
    await bootstrapOwner(store, { email: "Boss@Example.test", password }, clock, cryptoRandom);
    const res = await app.inject({
      method: "POST",
      url: "/auth/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ email: "boss@example.test", password }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().orgs).toEqual([{ id: expect.any(String), name: "Default", role: "owner" }]);
  } finally {
    await app.close();
    await store.close();
  }
});
