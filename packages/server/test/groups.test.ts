import { DEFAULT_ORG_POLICY } from "@latchkey/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { groupOnlyUser, keyIn, newUser, orgInOwnersGroup } from "./group-helpers.js";
import {
  addGroupMembership,
  addMember,
  createKey,
  createOrg,
  createTestApp,
  expectError,
  groupIdOf,
  type OrgFixture,
  send,
  type TestApp,
  unknownUuid,
} from "./helpers.js";

// /rest/groups and POST /rest/orgs: a credential reaches only its own org's group (another group is a
// 404), and its rights there are its principal's group role, never its org role alone.

let t: TestApp;
let groupId: string;
/** An org of another group, with its own owner (who owns that group). */
let b: OrgFixture;

beforeAll(async () => {
  t = await createTestApp();
  groupId = await groupIdOf(t, t.owner.orgId);
  b = await createOrg(t, "Org B");
});
afterAll(() => t.close());

async function auditActions(orgId: string, token: string, action: string): Promise<Record<string, unknown>[]> {
  const res = await send(t.app, { url: `/rest/orgs/${orgId}/audit_logs?limit=100&filter[action]=${action}`, token });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((event: { attributes: Record<string, unknown> }) => event.attributes);
}

describe("GET /rest/groups and /rest/groups/{group_id}", () => {
  test("a credential sees its org's group; another group answers 404, as an unknown one", async () => {
    const list = await send(t.app, { url: "/rest/groups", token: t.owner.token });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().data.map((group: { id: string }) => group.id)).toEqual([groupId]);
    const one = await send(t.app, { url: `/rest/groups/${groupId}`, token: t.owner.token });
    expect(one.json().data).toMatchObject({ type: "group", id: groupId, attributes: { slug: "default" } });
    const bGroup = await groupIdOf(t, b.orgId);
    for (const id of [bGroup, unknownUuid()]) {
      expectError(await send(t.app, { url: `/rest/groups/${id}`, token: t.owner.token }), 404, "NOT_FOUND");
      expectError(await send(t.app, { url: `/rest/groups/${id}/orgs`, token: t.owner.token }), 404, "NOT_FOUND");
    }
    expectError(await send(t.app, { url: `/rest/groups/${groupId}`, token: b.members.owner.token }), 404, "NOT_FOUND");
  });

  test("an org role alone gives no rights in the group, nor does a standalone org key", async () => {
    const orgAdmin = await addMember(t, t.owner.orgId, "admin");
    expectError(await send(t.app, { url: `/rest/groups/${groupId}`, token: orgAdmin.token }), 403, "FORBIDDEN");
    const standalone = await createKey(t, { name: "standalone", permissions: ["org:read"] });
    expectError(await send(t.app, { url: `/rest/groups/${groupId}`, token: standalone.key }), 403, "FORBIDDEN");
    // The key's own permissions cap the group role: a token without org:read reads nothing of the group.
    const narrow = await keyIn(t, t.owner.orgId, t.owner.userId, { permissions: ["api_keys:read"] });
    expectError(await send(t.app, { url: `/rest/groups/${groupId}`, token: narrow.key }), 403, "FORBIDDEN");
  });
});

describe("POST /rest/orgs", () => {
  test("a group owner creates an org in the group, with the default policy, audited in both orgs", async () => {
    const { orgId } = await orgInOwnersGroup(t, "Created org");
    const org = await send(t.app, { url: `/rest/groups/${groupId}/orgs?limit=100`, token: t.owner.token });
    const created = org.json().data.find((o: { id: string }) => o.id === orgId);
    expect(created.attributes.name).toBe("Created org");
    expect(created.attributes.policy.environments).toEqual(DEFAULT_ORG_POLICY.environments);
    expect(created.attributes.policy.allow_never_expiring).toBe(DEFAULT_ORG_POLICY.allowNeverExpiring);
    const here = await auditActions(t.owner.orgId, t.owner.token, "org.created");
    expect(here.map((event) => (event.target as { id: string }).id)).toContain(orgId);
    // The creator gets no membership of the new org: the group role covers it.
    const member = await t.store.users.membership(orgId, t.owner.userId);
    expect(member).toBeNull();
    const inNew = await keyIn(t, orgId, t.owner.userId);
    const there = await auditActions(orgId, inNew.key, "org.created");
    expect(there).toHaveLength(1);
    // Created with its publishable keys, one per environment, already made (no lazy creation needed).
    const keys = await t.store.db
      .selectFrom("api_keys")
      .select("environment")
      .where("org_id", "=", orgId)
      .where("kind", "=", "publishable")
      .execute();
    expect(keys.map((key) => key.environment).sort()).toEqual(["live", "test"]);
  });

  test("a group admin may; a group member, an org-only admin and another group's owner may not", async () => {
    const body = { data: { type: "org", attributes: { name: "Try" } } };
    const admin = await groupOnlyUser(t, groupId, "admin");
    const adminKey = await keyIn(t, t.owner.orgId, admin.userId);
    const made = await send(t.app, { method: "POST", url: "/rest/orgs", token: adminKey.key, body });
    expect(made.statusCode, made.body).toBe(201);

    const member = await groupOnlyUser(t, groupId, "member");
    const memberKey = await keyIn(t, t.owner.orgId, member.userId);
    expectError(await send(t.app, { method: "POST", url: "/rest/orgs", token: memberKey.key, body }), 403, "FORBIDDEN");
    const orgAdmin = await addMember(t, t.owner.orgId, "admin");
    expectError(
      await send(t.app, { method: "POST", url: "/rest/orgs", token: orgAdmin.token, body }),
      403,
      "FORBIDDEN",
    );
    const intoA = { data: { type: "org", attributes: { name: "Into A", group_id: groupId } } };
    const res = await send(t.app, { method: "POST", url: "/rest/orgs", token: b.members.owner.token, body: intoA });
    expectError(res, 404, "NOT_FOUND");
    expect(res.body).not.toContain(groupId);
  });

  test("bad input is a 4xx and writes no org", async () => {
    const before = (await send(t.app, { url: `/rest/groups/${groupId}/orgs?limit=100`, token: t.owner.token })).json()
      .data.length;
    for (const attributes of [{}, { name: "" }, { name: "x", group_id: "not-a-uuid" }, { name: "x", extra: 1 }]) {
      const res = await send(t.app, {
        method: "POST",
        url: "/rest/orgs",
        token: t.owner.token,
        body: { data: { type: "org", attributes } },
      });
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, res.body).toBeLessThan(500);
    }
    const after = (await send(t.app, { url: `/rest/groups/${groupId}/orgs?limit=100`, token: t.owner.token })).json()
      .data.length;
    expect(after).toBe(before);
  });
});

describe("/rest/groups/{group_id}/memberships", () => {
  test("adds, changes and removes members, audited in the acting org", async () => {
    const person = await newUser(t);
    const added = await send(t.app, {
      method: "POST",
      url: `/rest/groups/${groupId}/memberships`,
      token: t.owner.token,
      body: { data: { type: "group_membership", attributes: { email: person.email.toUpperCase(), role: "member" } } },
    });
    expect(added.statusCode, added.body).toBe(201);
    const id = added.json().data.id;
    expect(added.headers.location).toBe(`/rest/groups/${groupId}/memberships/${id}`);
    const again = await send(t.app, {
      method: "POST",
      url: `/rest/groups/${groupId}/memberships`,
      token: t.owner.token,
      body: { data: { type: "group_membership", attributes: { email: person.email, role: "member" } } },
    });
    expectError(again, 409, "CONFLICT");
    const list = await send(t.app, { url: `/rest/groups/${groupId}/memberships?limit=100`, token: t.owner.token });
    expect(list.json().data.map((m: { id: string }) => m.id)).toContain(id);
    const url = `/rest/groups/${groupId}/memberships/${id}`;
    const body = { data: { type: "group_membership", attributes: { role: "viewer" } } };
    expect((await send(t.app, { method: "PATCH", url, token: t.owner.token, body })).json().data.attributes.role).toBe(
      "viewer",
    );
    expect((await send(t.app, { method: "DELETE", url, token: t.owner.token })).statusCode).toBe(204);
    expectError(await send(t.app, { url, token: t.owner.token }), 404, "NOT_FOUND");
    const events = await auditActions(t.owner.orgId, t.owner.token, "group_membership.*");
    expect(events.filter((e) => (e.target as { id: string }).id === id).map((e) => e.action)).toEqual([
      "group_membership.deleted",
      "group_membership.updated",
      "group_membership.created",
    ]);
  });

  test("no escalation: a group admin cannot make or manage owners; the last owner stays", async () => {
    const admin = await groupOnlyUser(t, groupId, "admin");
    const adminKey = await keyIn(t, t.owner.orgId, admin.userId);
    const person = await newUser(t);
    const owner = await send(t.app, {
      method: "POST",
      url: `/rest/groups/${groupId}/memberships`,
      token: adminKey.key,
      body: { data: { type: "group_membership", attributes: { email: person.email, role: "owner" } } },
    });
    expectError(owner, 403, "PERMISSION_ESCALATION");
    const ownerMembership = await t.store.groups.membership(groupId, t.owner.userId);
    const url = `/rest/groups/${groupId}/memberships/${ownerMembership?.id}`;
    expectError(await send(t.app, { method: "DELETE", url, token: adminKey.key }), 403, "PERMISSION_ESCALATION");
    expectError(await send(t.app, { method: "DELETE", url, token: t.owner.token }), 409, "CONFLICT");
    // An org owner who is only a group viewer has no members:write in the group.
    const orgOwner = await addMember(t, t.owner.orgId, "owner");
    await addGroupMembership(t, groupId, orgOwner.userId, "viewer");
    const refused = await send(t.app, {
      method: "POST",
      url: `/rest/groups/${groupId}/memberships`,
      token: orgOwner.token,
      body: { data: { type: "group_membership", attributes: { email: person.email, role: "viewer" } } },
    });
    expectError(refused, 403, "FORBIDDEN");
  });
});
