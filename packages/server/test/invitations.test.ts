import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  addMember,
  createOrg,
  createTestApp,
  expectError,
  expectUnauthorized,
  type Response,
  send,
  type TestApp,
} from "./helpers.js";
import { addPerson, browse, login, PASSWORD, sessionCookieOf, signIn } from "./session-helpers.js";

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp({ env: { LATCHKEY_PUBLIC_URL: "https://keys.example.test" } });
});
afterEach(() => t.close());

const NEW_PASSWORD = "a passphrase of my own";

function invite(email: string, role: string, token = t.owner.token, orgId = t.owner.orgId): Promise<Response> {
  return send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/invitations`,
    token,
    body: { data: { type: "invitation", attributes: { email, role } } },
  });
}

function accept(body: Record<string, unknown>): Promise<Response> {
  return t.app.inject({
    method: "POST",
    url: "/auth/invitations/accept",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify(body),
  });
}

function tokenOf(res: Response): string {
  const link = new URL(res.json().data.attributes.link);
  expect(`${link.origin}${link.pathname}`).toBe("https://keys.example.test/accept-invitation");
  return link.searchParams.get("token") as string;
}

describe("invitations", () => {
  test("create → accept: the new user is signed in, can sign in again and has exactly the invited role", async () => {
    const created = await invite("New.Person@Example.test", "member");
    expect(created.statusCode, created.body).toBe(201);
    const attributes = created.json().data.attributes;
    expect(attributes).toMatchObject({ email: "new.person@example.test", role: "member", org_id: t.owner.orgId });
    const token = tokenOf(created);
    // The link is shown once: the list does not carry it, and only the token's hash is stored.
    const listed = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/invitations`, token: t.owner.token });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data).toHaveLength(1);
    expect(listed.body).not.toContain(token);
    const rows = await t.store.db.selectFrom("invitations").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);

    const accepted = await accept({ token, password: NEW_PASSWORD, name: "New Person" });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(String(accepted.headers["set-cookie"])).toContain("; HttpOnly");
    expect(String(accepted.headers["set-cookie"])).toContain("; Secure");
    expect(accepted.json().orgs).toEqual([{ id: t.owner.orgId, name: "Default", role: "member" }]);
    const cookie = sessionCookieOf(accepted);
    const self = await t.app.inject({ url: "/rest/self?version=2024-06-10", headers: { cookie } });
    expect(self.json().meta.permissions).toEqual([
      "api_keys:read",
      "api_keys:verify",
      "members:read",
      "org:read",
      "secrets:list",
      "service_accounts:read",
      "usage:read",
      "webhooks:read",
    ]);

    const browser = await signIn(t, "new.person@example.test", NEW_PASSWORD);
    expect(browser.body.orgs).toEqual([{ id: t.owner.orgId, name: "Default", role: "member" }]);
    expect(
      (await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/invitations`, token: t.owner.token })).json().data,
    ).toHaveLength(0);

    // One-time: the same link again is refused, and writes nothing.
    expectError(await accept({ token, password: NEW_PASSWORD }), 404, "NOT_FOUND");
    const actions = await t.store.db.selectFrom("audit_events").select("action").orderBy("seq").execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(["invitation.created", "invitation.accepted", "user.signed_in"]),
    );
  });

  test("an expired, withdrawn or made-up link is refused", async () => {
    const expired = tokenOf(await invite("late@example.test", "viewer"));
    t.clock.advance(7 * 24 * 3600);
    expectError(await accept({ token: expired, password: NEW_PASSWORD }), 404, "NOT_FOUND");

    const created = await invite("withdrawn@example.test", "viewer");
    const withdrawn = await send(t.app, {
      method: "DELETE",
      url: `/rest/orgs/${t.owner.orgId}/invitations/${created.json().data.id}`,
      token: t.owner.token,
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(204);
    expectError(await accept({ token: tokenOf(created), password: NEW_PASSWORD }), 404, "NOT_FOUND");
    expectError(await accept({ token: "A".repeat(43), password: NEW_PASSWORD }), 404, "NOT_FOUND");
    expectError(await accept({ token: "short", password: NEW_PASSWORD }), 404, "NOT_FOUND");
    const users = await t.store.db.selectFrom("users").select("email").execute();
    expect(users.map((u) => u.email)).not.toContain("late@example.test");
  });

  test("a new user's password must be long enough; nothing is written otherwise", async () => {
    const token = tokenOf(await invite("short@example.test", "viewer"));
    expectError(await accept({ token, password: "short" }), 400, "VALIDATION_FAILED");
    expect((await accept({ token, password: NEW_PASSWORD })).statusCode).toBe(200);
  });

  test("an existing user joins only with their current password, which is not changed", async () => {
    const person = await addPerson(t, t.owner.orgId, "viewer");
    const other = await addMember(t, t.owner.orgId, "admin");
    const res = await t.app.inject({
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/invitations?version=2024-06-10`,
      headers: { authorization: `token ${other.token}`, "content-type": "application/vnd.api+json" },
      payload: JSON.stringify({ data: { type: "invitation", attributes: { email: person.email, role: "member" } } }),
    });
    expectError(res, 409, "CONFLICT");

    // Invited to a second org.
    const second = await createOrg(t, "Second");
    const token = tokenOf(await invite(person.email, "admin", second.members.owner.token, second.orgId));
    expectError(await accept({ token, password: NEW_PASSWORD }), 403, "FORBIDDEN");
    const accepted = await accept({ token, password: PASSWORD });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(
      accepted
        .json()
        .orgs.map((o: { role: string }) => o.role)
        .sort(),
    ).toEqual(["admin", "viewer"]);
    expectUnauthorized(await login(t, person.email, NEW_PASSWORD));
    expect((await login(t, person.email, PASSWORD)).statusCode).toBe(200);
  });

  test("a user without a password cannot be taken over through an invitation", async () => {
    const person = await addPerson(t, t.owner.orgId, "viewer", { password: null });
    const second = await createOrg(t, "Second");
    const token = tokenOf(await invite(person.email, "viewer", second.members.owner.token, second.orgId));
    expectError(await accept({ token, password: NEW_PASSWORD }), 409, "CONFLICT");
    expectUnauthorized(await login(t, person.email, NEW_PASSWORD));
  });

  test("inviting needs members:write and no more rights than the inviter holds", async () => {
    const viewer = await addMember(t, t.owner.orgId, "viewer");
    expectError(await invite("x@example.test", "viewer", viewer.token), 403, "FORBIDDEN");
    const admin = await addMember(t, t.owner.orgId, "admin");
    expectError(await invite("x@example.test", "owner", admin.token), 403, "PERMISSION_ESCALATION");
    expect((await invite("x@example.test", "admin", admin.token)).statusCode).toBe(201);
    expectError(await invite("not an email", "viewer"), 400, "VALIDATION_FAILED");
    expectError(await invite("x@example.test", "emperor"), 400, "VALIDATION_FAILED");
    const list = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/invitations`, token: viewer.token });
    expect(list.statusCode).toBe(200);
  });

  test("an invitation may hand out a custom role the org has", async () => {
    const role = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/roles`,
      token: t.owner.token,
      body: { data: { type: "role", attributes: { name: "auditor", permissions: ["audit:read"] } } },
    });
    expect(role.statusCode, role.body).toBe(201);
    const invited = await invite("auditor@example.test", "auditor");
    expect(invited.statusCode, invited.body).toBe(201);
    expect(invited.json().data.attributes.role).toBe("auditor");
    expectError(await invite("other@example.test", "no-such-role"), 400, "VALIDATION_FAILED");
  });

  test("an invitation made through the session needs the CSRF token", async () => {
    const person = await addPerson(t, t.owner.orgId, "admin");
    const browser = await signIn(t, person.email);
    const url = `/rest/orgs/${t.owner.orgId}/invitations`;
    const body = { data: { type: "invitation", attributes: { email: "c@example.test", role: "viewer" } } };
    expectError(await browse(t, browser, { method: "POST", url, body, csrf: false }), 403, "CSRF_FAILED");
    const res = await browse(t, browser, { method: "POST", url, body });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().data.attributes.created_by).toEqual({ type: "user", id: person.userId });
  });
});
