import { BUILT_IN_ROLES, type BuiltInRole } from "@latchkey/core";
import { afterAll, describe, expect, test } from "vitest";
import {
  createKey,
  createOrg,
  createTestApp,
  createWebhookWithDelivery,
  expectError,
  fillPath,
  openApiRoutes,
  orgAWithAllRoles,
  type RouteIds,
  sampleBody,
  send,
  verify,
} from "./helpers.js";

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

  // Memberships have no route yet: the test changes rows directly and then does what the membership
  // service does after every change, which is to drop the verified-key cache.
  test("a user who loses a role loses its rights on the next request", async () => {
    const admin = orgA.members.admin;
    expect((await as("admin", "POST", keysUrl, keyBody())).statusCode).toBe(201);
    await t.store.db
      .updateTable("memberships")
      .set({ role: "viewer" })
      .where("user_id", "=", admin.userId)
      .where("org_id", "=", orgA.orgId)
      .execute();
    t.app.services.verifier.forgetAll();
    expectError(await as("admin", "POST", keysUrl, keyBody()), 403, "FORBIDDEN");
    expect((await as("admin", "GET", keysUrl)).statusCode).toBe(200);
    await t.store.db.deleteFrom("memberships").where("user_id", "=", admin.userId).execute();
    t.app.services.verifier.forgetAll();
    const gone = await as("admin", "GET", keysUrl);
    expect(gone.statusCode).toBe(401);
  });
});

describe("cross-org", () => {
  test("org A's owner gets 404 on every org-B URL, and B's data stays as it was", async () => {
    const orgB = await createOrg(t, "Org B");
    const bOwner = orgB.members.owner;
    const bKey = await createKey(t, { name: "b key", labels: ["b"] }, { token: bOwner.token, orgId: orgB.orgId });
    const account = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${orgB.orgId}/service_accounts`,
      token: bOwner.token,
      body: { data: { type: "service_account", attributes: { name: "b bot", role: "viewer" } } },
    });
    expect(account.statusCode, account.body).toBe(201);
    const bIds: RouteIds = {
      orgId: orgB.orgId,
      keyId: bKey.id,
      serviceAccountId: account.json().data.id,
      tokenId: bOwner.tokenId,
      ...(await createWebhookWithDelivery(t, { token: bOwner.token, orgId: orgB.orgId })),
    };
    const snapshot = async () => {
      const out: unknown[] = [];
      for (const url of [
        `/rest/orgs/${orgB.orgId}/api_keys?limit=100`,
        `/rest/orgs/${orgB.orgId}/service_accounts?limit=100`,
        `/rest/orgs/${orgB.orgId}/api_keys/${bKey.id}/events`,
        `/rest/orgs/${orgB.orgId}/api_keys/${bOwner.tokenId}/events`,
        "/rest/self/tokens?limit=100",
      ]) {
        const res = await send(t.app, { url, token: bOwner.token });
        expect(res.statusCode, res.body).toBe(200);
        out.push(res.json().data);
      }
      return out;
    };
    const before = await snapshot();

    const routes = (await openApiRoutes(t.app)).filter((route) => route.path.includes("{"));
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const route of routes) {
      const res = await send(t.app, {
        method: route.method,
        url: fillPath(route.path, bIds),
        token: t.owner.token,
        ...(route.hasBody ? { body: sampleBody(route, bKey.key) } : {}),
      });
      expect(res.statusCode, `${route.method} ${route.path}: ${res.body}`).toBe(404);
      expectError(res, 404, "NOT_FOUND");
    }
    for (const secret of [bKey.key, bOwner.token]) {
      const res = await verify(t, secret);
      expect(res).toMatchObject({ valid: false, code: "NOT_FOUND", key_id: null, org_id: null });
    }
    const aList = await send(t.app, {
      url: `${keysUrl}?limit=100&filter[owner]=${bOwner.userId}`,
      token: t.owner.token,
    });
    expect(aList.json().data).toEqual([]);

    expect(await snapshot()).toEqual(before);
    expect((await verify(t, bKey.key, { token: bOwner.token })).code).toBe("VALID");
    expect((await send(t.app, { url: "/rest/self", token: bOwner.token })).statusCode).toBe(200);
  });
});
