import { afterAll, describe, expect, test } from "vitest";
import {
  addMember,
  createTestApp,
  expectError,
  membershipIdOf,
  orgAWithAllRoles,
  send,
  type TestApp,
  unknownUuid,
  verify,
} from "./helpers.js";

// The memberships API: who belongs to an org, with which role; nobody hands out or manages a role
// above their own; an org keeps an owner; a member's keys follow a role change on the next request.

const t: TestApp = await createTestApp();
afterAll(() => t.close());
const org = await orgAWithAllRoles(t);
const base = `/rest/orgs/${org.orgId}/memberships`;

function body(attributes: Record<string, unknown>) {
  return { data: { type: "membership", attributes } };
}

async function outsider(): Promise<string> {
  const id = unknownUuid();
  const email = `Someone.${id}@Example.test`;
  await t.store.db
    .insertInto("users")
    .values({ id, email, name: "someone", password_hash: null, created_at: t.clock.now().toISOString() })
    .execute();
  return email;
}

describe("listing", () => {
  test("shows every member with email, name and role; viewers may list", async () => {
    const res = await send(t.app, { url: `${base}?limit=100`, token: org.members.viewer.token });
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data as { type: string; attributes: { role: string; email: string; user_id: string } }[];
    expect(data.map((m) => m.attributes.role).sort()).toEqual(["admin", "member", "owner", "super_admin", "viewer"]);
    for (const member of data) {
      expect(member.type).toBe("membership");
      expect(member.attributes.email).toContain("@");
    }
  });
});

describe("adding", () => {
  test("an existing user by email, once; unknown email 404; a role above one's own 403", async () => {
    const email = await outsider();
    const added = await send(t.app, {
      method: "POST",
      url: base,
      token: org.members.admin.token,
      body: body({ email, role: "member" }),
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().data.attributes).toMatchObject({ role: "member", email });
    expect(added.headers.location).toBe(`${base}/${added.json().data.id}`);
    const again = await send(t.app, {
      method: "POST",
      url: base,
      token: org.members.admin.token,
      body: body({ email: email.toUpperCase(), role: "viewer" }),
    });
    expectError(again, 409, "CONFLICT");
    const unknown = await send(t.app, {
      method: "POST",
      url: base,
      token: org.members.admin.token,
      body: body({ email: "nobody@example.test", role: "viewer" }),
    });
    expectError(unknown, 404, "NOT_FOUND");
    const owner = await send(t.app, {
      method: "POST",
      url: base,
      token: org.members.admin.token,
      body: body({ email: await outsider(), role: "owner" }),
    });
    expectError(owner, 403, "PERMISSION_ESCALATION");
    const byMember = await send(t.app, {
      method: "POST",
      url: base,
      token: org.members.member.token,
      body: body({ email: await outsider(), role: "viewer" }),
    });
    expectError(byMember, 403, "FORBIDDEN");
  });

  test("bad input is a 4xx in the error shape", async () => {
    for (const attributes of [
      { email: "x@y.z", role: "god" },
      { role: "viewer" },
      { email: "a@b.c", role: "viewer", x: 1 },
    ]) {
      const res = await send(t.app, { method: "POST", url: base, token: t.owner.token, body: body(attributes) });
      expectError(res, 400);
    }
  });
});

describe("changing roles", () => {
  test("a member's keys lose what the new role lacks on the very next request", async () => {
    const member = await addMember(t, org.orgId, "member");
    const id = await membershipIdOf(t, org.orgId, member.userId);
    expect((await verify(t, "lks_x", { token: member.token })).code).toBe("NOT_FOUND");
    const res = await send(t.app, {
      method: "PATCH",
      url: `${base}/${id}`,
      token: org.members.admin.token,
      body: body({ role: "viewer" }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.attributes.role).toBe("viewer");
    const refused = await send(t.app, {
      method: "POST",
      url: "/rest/api_keys/verify",
      token: member.token,
      body: { data: { type: "key_verification", attributes: { key: "lks_x" } } },
    });
    expectError(refused, 403, "FORBIDDEN");
  });

  test("an admin cannot touch an owner or make one; an owner can", async () => {
    const ownerId = await membershipIdOf(t, org.orgId, t.owner.userId);
    const demote = await send(t.app, {
      method: "PATCH",
      url: `${base}/${ownerId}`,
      token: org.members.admin.token,
      body: body({ role: "viewer" }),
    });
    expectError(demote, 403, "PERMISSION_ESCALATION");
    const viewer = await addMember(t, org.orgId, "viewer");
    const viewerId = await membershipIdOf(t, org.orgId, viewer.userId);
    const promote = await send(t.app, {
      method: "PATCH",
      url: `${base}/${viewerId}`,
      token: org.members.admin.token,
      body: body({ role: "owner" }),
    });
    expectError(promote, 403, "PERMISSION_ESCALATION");
    const byOwner = await send(t.app, {
      method: "PATCH",
      url: `${base}/${viewerId}`,
      token: t.owner.token,
      body: body({ role: "owner" }),
    });
    expect(byOwner.statusCode, byOwner.body).toBe(200);
  });

  test("the last owner stays: demoting or removing them is a 409", async () => {
    const fresh = await createTestApp();
    try {
      const url = `/rest/orgs/${fresh.owner.orgId}/memberships/${await membershipIdOf(fresh, fresh.owner.orgId, fresh.owner.userId)}`;
      const demote = await send(fresh.app, {
        method: "PATCH",
        url,
        token: fresh.owner.token,
        body: body({ role: "admin" }),
      });
      expectError(demote, 409, "CONFLICT");
      expectError(await send(fresh.app, { method: "DELETE", url, token: fresh.owner.token }), 409, "CONFLICT");
    } finally {
      await fresh.close();
    }
  });
});

describe("removing", () => {
  test("a removed member's keys stop at once, and every change is in the audit log", async () => {
    const member = await addMember(t, org.orgId, "member");
    const id = await membershipIdOf(t, org.orgId, member.userId);
    const removed = await send(t.app, { method: "DELETE", url: `${base}/${id}`, token: org.members.admin.token });
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await send(t.app, { url: "/rest/self", token: member.token })).statusCode).toBe(401);
    expectError(await send(t.app, { url: `${base}/${id}`, token: t.owner.token }), 404, "NOT_FOUND");
    const audit = await send(t.app, {
      url: `/rest/orgs/${org.orgId}/audit_logs?filter[action]=membership.*&limit=100`,
      token: t.owner.token,
    });
    expect(audit.statusCode, audit.body).toBe(200);
    const actions = (audit.json().data as { attributes: { action: string } }[]).map((e) => e.attributes.action);
    expect(actions).toContain("membership.created");
    expect(actions).toContain("membership.updated");
    expect(actions).toContain("membership.deleted");
  });
});
