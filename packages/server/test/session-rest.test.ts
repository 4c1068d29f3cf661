import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  createOrg,
  createTestApp,
  expectError,
  expectUnauthorized,
  type OrgFixture,
  send,
  type TestApp,
} from "./helpers.js";
import { addPerson, type Browser, browse, type Person, signIn } from "./session-helpers.js";

let t: TestApp;
let admin: Person;
let browser: Browser;
const keyBody = { data: { type: "api_key", attributes: { name: "from the dashboard", expires_in: "30d" } } };

beforeEach(async () => {
  t = await createTestApp();
  admin = await addPerson(t, t.owner.orgId, "admin");
  browser = await signIn(t, admin.email);
});
afterEach(() => t.close());

describe("the session cookie authenticates /rest", () => {
  test("GET /rest/self is the signed-in user with the role's rights, and no key", async () => {
    const res = await browse(t, browser, { url: "/rest/self" });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.data).toMatchObject({ type: "user", id: admin.userId });
    expect(body.data.attributes.default_org_context).toBe(t.owner.orgId);
    expect(body.meta).toEqual({ api_key: null, permissions: ["*"] });
  });

  test("a write without X-CSRF-Token, or with a wrong one, is refused; with the session's token it works", async () => {
    const url = `/rest/orgs/${t.owner.orgId}/api_keys`;
    expectError(await browse(t, browser, { method: "POST", url, body: keyBody, csrf: false }), 403, "CSRF_FAILED");
    const other = await signIn(t, admin.email);
    expectError(await browse(t, browser, { method: "POST", url, body: keyBody, csrf: other.csrf }), 403, "CSRF_FAILED");
    expectError(
      await browse(t, browser, { method: "POST", url, body: keyBody, csrf: "x".repeat(43) }),
      403,
      "CSRF_FAILED",
    );
    const listed = await browse(t, browser, { url, csrf: false });
    expect(listed.statusCode).toBe(200);
    const before = listed.json().data.length;
    const created = await browse(t, browser, { method: "POST", url, body: keyBody });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().data.attributes.created_by).toEqual({ type: "user", id: admin.userId });
    expect((await browse(t, browser, { url })).json().data.length).toBe(before + 1);
  });

  test("a write from another origin is refused even with the right token", async () => {
    const url = `/rest/orgs/${t.owner.orgId}/api_keys`;
    const res = await browse(t, browser, {
      method: "POST",
      url,
      body: keyBody,
      headers: { origin: "https://evil.example" },
    });
    expectError(res, 403, "CSRF_FAILED");
    const site = await browse(t, browser, {
      method: "DELETE",
      url: `${url}/${t.owner.tokenId}`,
      headers: { "sec-fetch-site": "same-site" },
    });
    expectError(site, 403, "CSRF_FAILED");
  });

  test("header credentials need no CSRF token and win over the cookie", async () => {
    const url = `/rest/orgs/${t.owner.orgId}/api_keys`;
    const withToken = await send(t.app, {
      method: "POST",
      url,
      token: t.owner.token,
      body: keyBody,
      headers: { cookie: browser.cookie },
    });
    expect(withToken.statusCode, withToken.body).toBe(201);
    expect(withToken.json().data.attributes.created_by).toEqual({ type: "user", id: t.owner.userId });
    const badHeader = await send(t.app, {
      url: "/rest/self",
      headers: { cookie: browser.cookie, authorization: "token nope" },
    });
    expectUnauthorized(badHeader);
  });

  test("the rights are the role's: a viewer reads but does not write", async () => {
    const viewer = await addPerson(t, t.owner.orgId, "viewer");
    const viewing = await signIn(t, viewer.email);
    const url = `/rest/orgs/${t.owner.orgId}/api_keys`;
    expect((await browse(t, viewing, { url })).statusCode).toBe(200);
    expectError(await browse(t, viewing, { method: "POST", url, body: keyBody }), 403, "FORBIDDEN");
  });

  test("another org is invisible; an org the user belongs to is chosen by the path", async () => {
    const other: OrgFixture = await createOrg(t, "Other");
    expectError(await browse(t, browser, { url: `/rest/orgs/${other.orgId}/api_keys` }), 404, "NOT_FOUND");
    await t.store.db
      .insertInto("memberships")
      .values({
        id: "0190a000-0000-7000-8000-000000000001",
        org_id: other.orgId,
        user_id: admin.userId,
        role: "viewer",
        roles: "[]",
        created_at: t.clock.now().toISOString(),
      })
      .execute();
    const res = await browse(t, browser, { url: `/rest/orgs/${other.orgId}/api_keys` });
    expect(res.statusCode, res.body).toBe(200);
    const orgs = await browse(t, browser, { url: "/rest/orgs" });
    expect(
      orgs
        .json()
        .data.map((org: { id: string }) => org.id)
        .sort(),
    ).toEqual([t.owner.orgId, other.orgId].sort());
    const write = await browse(t, browser, {
      method: "POST",
      url: `/rest/orgs/${other.orgId}/api_keys`,
      body: keyBody,
    });
    expectError(write, 403, "FORBIDDEN");
  });

  test("an ended session gets exactly the 401 body", async () => {
    t.clock.advance(13 * 3600);
    expectUnauthorized(await browse(t, browser, { url: "/rest/self" }));
    expectUnauthorized(
      await browse(t, browser, { method: "POST", url: `/rest/orgs/${t.owner.orgId}/api_keys`, body: keyBody }),
    );
  });

  test("a personal token made through the session belongs to the user", async () => {
    const res = await browse(t, browser, {
      method: "POST",
      url: "/rest/self/tokens",
      body: { data: { type: "api_key", attributes: { name: "cli", expires_in: "1d" } } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const token = res.json().data.attributes.key as string;
    const self = await send(t.app, { url: "/rest/self", token });
    expect(self.json().data.id).toBe(admin.userId);
  });
});

describe("POST /auth/password", () => {
  test("changes the password and ends the user's other sessions, keeping this one", async () => {
    const other = await signIn(t, admin.email);
    const body = { current_password: "correct horse battery staple", new_password: "a much newer passphrase" };
    expectError(
      await browse(t, browser, { method: "POST", url: "/auth/password", body, csrf: false }),
      403,
      "CSRF_FAILED",
    );
    const short = await browse(t, browser, {
      method: "POST",
      url: "/auth/password",
      body: { ...body, new_password: "short" },
    });
    expectError(short, 400, "VALIDATION_FAILED");
    const wrong = await browse(t, browser, {
      method: "POST",
      url: "/auth/password",
      body: { ...body, current_password: "not it at all" },
    });
    expectError(wrong, 403, "FORBIDDEN");
    const res = await browse(t, browser, { method: "POST", url: "/auth/password", body });
    expect(res.statusCode, res.body).toBe(204);
    expect((await browse(t, browser, { url: "/auth/session" })).statusCode).toBe(200);
    expectUnauthorized(await browse(t, other, { url: "/auth/session" }));
    expect((await signIn(t, admin.email, "a much newer passphrase")).csrf).toBeTruthy();
    const actions = await t.store.db
      .selectFrom("audit_events")
      .select("action")
      .where("target_id", "=", admin.userId)
      .where("action", "=", "user.password_changed")
      .execute();
    expect(actions).toHaveLength(1);
  });

  test("wrong current passwords count against the sign-in limit", async () => {
    const body = { current_password: "not it at all", new_password: "a much newer passphrase" };
    for (let i = 0; i < 5; i++) {
      expectError(await browse(t, browser, { method: "POST", url: "/auth/password", body }), 403, "FORBIDDEN");
    }
    const limited = await browse(t, browser, { method: "POST", url: "/auth/password", body });
    expectError(limited, 429, "RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
  });
});
