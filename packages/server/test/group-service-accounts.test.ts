import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { groupOnlyUser, keyIn, orgInOwnersGroup, verifyWith } from "./group-helpers.js";
import {
  createGroupServiceAccount,
  createOrg,
  createServiceAccount,
  createTestApp,
  expectError,
  groupIdOf,
  type OrgFixture,
  send,
  type TestApp,
} from "./helpers.js";

// A group's service account owns keys in any org of the group, with its role as its grants there; it
// is managed at group scope, and deleting it stops its keys in every org at once.

let t: TestApp;
let groupId: string;
let orgX: string;
/** The owner's credential in org X (the first-start owner owns the group, so acts there too). */
let ownerInX: string;
let b: OrgFixture;

beforeAll(async () => {
  t = await createTestApp();
  groupId = await groupIdOf(t, t.owner.orgId);
  ({ orgId: orgX } = await orgInOwnersGroup(t));
  ownerInX = (await keyIn(t, orgX, t.owner.userId)).key;
  b = await createOrg(t, "Org B");
});
afterAll(() => t.close());

/** Creates a key of the account in `orgId` through POST /orgs/{org_id}/api_keys. */
async function accountKey(orgId: string, token: string, accountId: string) {
  return send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/api_keys`,
    token,
    body: {
      data: {
        type: "api_key",
        attributes: { name: "group robot key", service_account_id: accountId, expires_in: "30d" },
      },
    },
  });
}

describe("a group service account", () => {
  test("has keys in two orgs of the group, with its role's grants; deleting it stops both at once", async () => {
    const id = await createGroupServiceAccount(t, groupId, { role: "member", name: "two orgs" });
    const inA = await accountKey(t.owner.orgId, t.owner.token, id);
    const inX = await accountKey(orgX, ownerInX, id);
    expect(inA.statusCode, inA.body).toBe(201);
    expect(inX.statusCode, inX.body).toBe(201);
    expect(inX.json().data.attributes.owner).toEqual({ type: "service_account", id });
    const keyA = inA.json().data.attributes.key as string;
    const keyX = inX.json().data.attributes.key as string;
    expect((await verifyWith(t, t.owner.token, keyA, ["api_keys:verify"])).code).toBe("VALID");
    expect((await verifyWith(t, ownerInX, keyX, ["api_keys:verify"])).code).toBe("VALID");
    expect((await verifyWith(t, ownerInX, keyX, ["api_keys:write"])).code).toBe("INSUFFICIENT_PERMISSIONS");
    // Its keys act in their org with the account's role, and in the group too.
    expect((await send(t.app, { url: `/rest/orgs/${orgX}/api_keys`, token: keyX })).statusCode).toBe(200);
    expect((await send(t.app, { url: `/rest/groups/${groupId}/service_accounts`, token: keyX })).statusCode).toBe(200);
    const self = await send(t.app, { url: "/rest/self", token: keyX });
    expect(self.statusCode, self.body).toBe(200);
    expect(self.json().data).toMatchObject({ type: "service_account", id, attributes: { group_id: groupId } });

    const deleted = await send(t.app, {
      method: "DELETE",
      url: `/rest/groups/${groupId}/service_accounts/${id}`,
      token: t.owner.token,
    });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await verifyWith(t, t.owner.token, keyA)).code).toBe("REVOKED");
    expect((await verifyWith(t, ownerInX, keyX)).code).toBe("REVOKED");
    expectError(
      await send(t.app, { url: `/rest/groups/${groupId}/service_accounts/${id}`, token: t.owner.token }),
      404,
    );
  });

  test("a role change is seen by its keys on the next request", async () => {
    const id = await createGroupServiceAccount(t, groupId, { role: "member", name: "demoted" });
    const key = (await accountKey(orgX, ownerInX, id)).json().data.attributes.key as string;
    expect((await verifyWith(t, ownerInX, key, ["api_keys:verify"])).code).toBe("VALID");
    const patched = await send(t.app, {
      method: "PATCH",
      url: `/rest/groups/${groupId}/service_accounts/${id}`,
      token: t.owner.token,
      body: { data: { type: "service_account", attributes: { role: "viewer", name: "demoted robot" } } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().data.attributes).toMatchObject({ role: "viewer", name: "demoted robot", group_id: groupId });
    expect((await verifyWith(t, ownerInX, key, ["api_keys:verify"])).code).toBe("INSUFFICIENT_PERMISSIONS");
    // Audited in the acting org (the owner's), with the group named.
    const audit = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100&filter[target]=${id}`,
      token: t.owner.token,
    });
    const events = audit.json().data.map((event: { attributes: Record<string, unknown> }) => event.attributes);
    expect(events.map((event: { action: string }) => event.action)).toEqual([
      "service_account.updated",
      "service_account.created",
    ]);
    expect(events[0].detail).toMatchObject({ group_id: groupId, from: "member", to: "viewer" });
  });

  test("is refused to another group's org, and is no org's account", async () => {
    const id = await createGroupServiceAccount(t, groupId, { name: "not for B" });
    expectError(await accountKey(b.orgId, b.members.owner.token, id), 404, "NOT_FOUND");
    expectError(
      await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/service_accounts/${id}`, token: t.owner.token }),
      404,
      "NOT_FOUND",
    );
    const bGroup = await groupIdOf(t, b.orgId);
    expectError(
      await send(t.app, { url: `/rest/groups/${bGroup}/service_accounts`, token: t.owner.token }),
      404,
      "NOT_FOUND",
    );
    const list = await send(t.app, { url: `/rest/groups/${groupId}/service_accounts?limit=100`, token: t.owner.token });
    expect(list.json().data.map((a: { id: string }) => a.id)).toContain(id);
    const orgList = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/service_accounts?limit=100`,
      token: t.owner.token,
    });
    expect(orgList.json().data.map((a: { id: string }) => a.id)).not.toContain(id);
  });

  test("is managed at group scope: an org account's key or an org role alone is refused", async () => {
    const orgAccount = await createServiceAccount(t, "admin", "org admin robot");
    const orgKey = (await accountKey(t.owner.orgId, t.owner.token, orgAccount)).json().data.attributes.key;
    expectError(
      await send(t.app, { url: `/rest/groups/${groupId}/service_accounts`, token: orgKey }),
      403,
      "FORBIDDEN",
    );
  });

  test("a group admin may not make an owner-ranked account (as for org accounts and memberships)", async () => {
    const admin = await groupOnlyUser(t, groupId, "admin");
    const token = (await keyIn(t, orgX, admin.userId)).key;
    const url = `/rest/groups/${groupId}/service_accounts`;
    const body = (role: string) => ({
      data: { type: "service_account", attributes: { name: `by admin ${role}`, role } },
    });
    expectError(await send(t.app, { method: "POST", url, token, body: body("owner") }), 403, "PERMISSION_ESCALATION");
    expect((await send(t.app, { method: "POST", url, token, body: body("admin") })).statusCode).toBe(201);
  });

  test("bad input: OAuth, unknown roles and duplicate names are refused and write nothing", async () => {
    const url = `/rest/groups/${groupId}/service_accounts`;
    const before = (await send(t.app, { url: `${url}?limit=100`, token: t.owner.token })).json().data.length;
    for (const attributes of [
      { name: "oauth", role: "viewer", auth_type: "oauth_client_secret" },
      { name: "bad role", role: "root" },
      { name: "", role: "viewer" },
    ]) {
      const res = await send(t.app, {
        method: "POST",
        url,
        token: t.owner.token,
        body: { data: { type: "service_account", attributes } },
      });
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, res.body).toBeLessThan(500);
    }
    await createGroupServiceAccount(t, groupId, { name: "twin" });
    const twin = await send(t.app, {
      method: "POST",
      url,
      token: t.owner.token,
      body: { data: { type: "service_account", attributes: { name: "twin", role: "viewer" } } },
    });
    expectError(twin, 409, "CONFLICT");
    const after = (await send(t.app, { url: `${url}?limit=100`, token: t.owner.token })).json().data.length;
    expect(after).toBe(before + 1);
  });
});
