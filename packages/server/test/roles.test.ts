import { BUILT_IN_ROLES, type BuiltInRole } from "@latchkey/core";
import { afterAll, describe, expect, test } from "vitest";
import { createKey, createTestApp, expectError, membershipIdOf, orgAWithAllRoles, send, verify } from "./helpers.js";

// Who may do what (SPEC §1): viewers read, members also verify, admins and above do everything;
// everyone manages their own personal tokens; nobody grants what they do not hold; orgs are sealed.
const t = await createTestApp();
afterAll(() => t.close());
const orgA = await orgAWithAllRoles(t);
const keysUrl = `/rest/orgs/${orgA.orgId}/api_keys`;
const MANAGERS: readonly BuiltInRole[] = ["owner", "super_admin", "admin"];

function as(role: BuiltInRole, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown) {
  return send(t.app, { method, url, token: orgA.members[role].token, ...(body !== undefined ? { body } : {}) });
}

const keyBody = (attributes: Record<string, unknown> = {}) => ({
  data: { type: "api_key", attributes: { name: "role test", expires_in: "30d", ...attributes } },
});

describe.each(BUILT_IN_ROLES.map((role) => [role]))("%s", (role) => {
  const manages = MANAGERS.includes(role);

  test("may read the org's keys and service accounts", async () => {
    const target = await createKey(t);
    expect((await as(role, "GET", keysUrl)).statusCode).toBe(200);
    expect((await as(role, "GET", `${keysUrl}/${target.id}`)).statusCode).toBe(200);
    expect((await as(role, "GET", `${keysUrl}/${target.id}/events`)).statusCode).toBe(200);
    expect((await as(role, "GET", `/rest/orgs/${orgA.orgId}/service_accounts`)).statusCode).toBe(200);
    expect((await as(role, "GET", `/rest/orgs/${orgA.orgId}`)).statusCode).toBe(200);
  });

  test(`${manages ? "may" : "may not"} create, change, revoke and delete org keys`, async () => {
    const target = await createKey(t);
    const attempts = [
      await as(role, "POST", keysUrl, keyBody({ permissions: ["api_keys:read"] })),
      await as(role, "PATCH", `${keysUrl}/${target.id}`, keyBody({ expires_in: undefined })),
      await as(role, "POST", `${keysUrl}/${target.id}/disable`),
      await as(role, "POST", `${keysUrl}/${target.id}/enable`),
      await as(role, "POST", `${keysUrl}/${target.id}/regenerate`),
      await as(role, "POST", `${keysUrl}/revoke`, {
        data: { type: "api_key_revocation", attributes: { filter: { label: "nothing" } } },
      }),
      await as(role, "POST", `${keysUrl}/${target.id}/revoke`),
      await as(role, "DELETE", `${keysUrl}/${target.id}`),
    ];
    for (const res of attempts) {
      if (manages) expect(res.statusCode, res.body).toBeLessThan(300);
      else expectError(res, 403, "FORBIDDEN");
    }
    if (!manages) expect((await verify(t, target.key)).code).toBe("VALID");
    const services = await as(role, "POST", `/rest/orgs/${orgA.orgId}/service_accounts`, {
      data: { type: "service_account", attributes: { name: `bot ${role}`, role: "viewer" } },
    });
    if (manages) expect(services.statusCode, services.body).toBe(201);
    else expectError(services, 403, "FORBIDDEN");
  });

  test(`${role === "viewer" ? "may not" : "may"} verify keys`, async () => {
    const target = await createKey(t);
    const res = await as(role, "POST", "/rest/api_keys/verify", {
      data: { type: "key_verification", attributes: { key: target.key } },
    });
    if (role === "viewer") expectError(res, 403, "FORBIDDEN");
    else expect(res.json().data.attributes.code).toBe("VALID");
  });

  test("manages its own personal tokens", async () => {
    const created = await as(role, "POST", "/rest/self/tokens", keyBody({ permissions: ["api_keys:read"] }));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().data.id;
    const listed = await as(role, "GET", "/rest/self/tokens?limit=100");
    expect(listed.json().data.map((k: { id: string }) => k.id)).toContain(id);
    expect((await as(role, "GET", `/rest/self/tokens/${id}`)).statusCode).toBe(200);
    expect((await as(role, "POST", `/rest/self/tokens/${id}/regenerate`)).statusCode).toBe(200);
    expect((await as(role, "DELETE", `/rest/self/tokens/${id}`)).statusCode).toBe(204);
  });

  test("may create a personal token without naming permissions (it gets the role's rights)", async () => {
    const res = await as(role, "POST", "/rest/self/tokens", keyBody());
    expect(res.statusCode, res.body).toBe(201);
    const self = await send(t.app, { url: "/rest/self", token: res.json().data.attributes.key });
    expect(self.json().meta.permissions).toEqual(
      manages ? ["*"] : expect.arrayContaining(["api_keys:read", "org:read"]),
    );
  });
});

describe("no escalation", () => {
  test("a member's token cannot create a token with api_keys:write: 403 PERMISSION_ESCALATION", async () => {
    const before = (await as("member", "GET", "/rest/self/tokens?limit=100")).json().data.length;
    const res = await as("member", "POST", "/rest/self/tokens", keyBody({ permissions: ["api_keys:write"] }));
    expectError(res, 403, "PERMISSION_ESCALATION");
    expect(res.json().errors[0].source).toEqual({ pointer: "/data/attributes/permissions" });
    for (const permissions of [["*"], ["api_keys:*"], ["api_keys:read", "members:write"]]) {
      expectError(
        await as("member", "POST", "/rest/self/tokens", keyBody({ permissions })),
        403,
        "PERMISSION_ESCALATION",
      );
    }
    expect((await as("member", "GET", "/rest/self/tokens?limit=100")).json().data.length).toBe(before);
  });

  test("a limited org key cannot create or widen a key beyond itself", async () => {
    const limited = await createKey(t, { permissions: ["api_keys:read", "api_keys:write"] });
    const own = (method: "POST" | "PATCH", url: string, body: unknown) =>
      send(t.app, { method, url, token: limited.key, body });
    expectError(await own("POST", keysUrl, keyBody({ permissions: ["*"] })), 403, "PERMISSION_ESCALATION");
    expectError(
      await own("POST", keysUrl, keyBody({ permissions: ["api_keys:verify"] })),
      403,
      "PERMISSION_ESCALATION",
    );
    const child = await own("POST", keysUrl, keyBody({ permissions: ["api_keys:read"] }));
    expect(child.statusCode, child.body).toBe(201);
    const widen = await own("PATCH", `${keysUrl}/${child.json().data.id}`, {
      data: { type: "api_key", attributes: { permissions: ["audit:read"] } },
    });
    expectError(widen, 403, "PERMISSION_ESCALATION");
  });

  test("a service account may not get a role above its creator's", async () => {
    const limited = await createKey(t, { permissions: ["service_accounts:*"] });
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${orgA.orgId}/service_accounts`,
      token: limited.key,
      body: { data: { type: "service_account", attributes: { name: "boss", role: "admin" } } },
    });
    expectError(res, 403, "PERMISSION_ESCALATION");
  });

  test("an admin may not make an owner-ranked service account, nor raise one to owner", async () => {
    const url = `/rest/orgs/${orgA.orgId}/service_accounts`;
    const account = (name: string, role: string) => ({ data: { type: "service_account", attributes: { name, role } } });
    expectError(await as("admin", "POST", url, account("crown", "owner")), 403, "PERMISSION_ESCALATION");
    const created = await as("admin", "POST", url, account("climber", "admin"));
    expect(created.statusCode, created.body).toBe(201);
    const raise = { data: { type: "service_account", attributes: { role: "owner" } } };
    const id = created.json().data.id;
    expectError(await as("admin", "PATCH", `${url}/${id}`, raise), 403, "PERMISSION_ESCALATION");
    expect((await as("owner", "PATCH", `${url}/${id}`, raise)).statusCode).toBe(200);
  });

  test("a user who loses a role loses its rights on the next request", async () => {
    const admin = orgA.members.admin;
    const membership = `/rest/orgs/${orgA.orgId}/memberships/${await membershipIdOf(t, orgA.orgId, admin.userId)}`;
    expect((await as("admin", "POST", keysUrl, keyBody())).statusCode).toBe(201);
    const demoted = await as("owner", "PATCH", membership, {
      data: { type: "membership", attributes: { role: "viewer" } },
    });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expectError(await as("admin", "POST", keysUrl, keyBody()), 403, "FORBIDDEN");
    expect((await as("admin", "GET", keysUrl)).statusCode).toBe(200);
    expect((await as("owner", "DELETE", membership)).statusCode).toBe(204);
    const gone = await as("admin", "GET", keysUrl);
    expect(gone.statusCode).toBe(401);
  });
});
