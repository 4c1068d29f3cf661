import { type Actor, type BuiltInRole, newId } from "@latchkey/core";
import { expect } from "vitest";
import { addGroupMembership, groupIdOf, send, type TestApp } from "./helpers.js";

/** A user with no membership anywhere (direct insert). */
export async function newUser(t: TestApp, name = "person"): Promise<{ userId: string; email: string }> {
  const userId = newId(t.clock, t.random);
  const email = `${name}-${userId}@example.test`;
  await t.store.db
    .insertInto("users")
    .values({ id: userId, email, name, password_hash: null, created_at: t.clock.now().toISOString() })
    .execute();
  return { userId, email };
}

/** A user who holds `role` in a group and belongs to no org; returns the membership id too. */
export async function groupOnlyUser(
  t: TestApp,
  groupId: string,
  role: BuiltInRole,
): Promise<{ userId: string; email: string; membershipId: string }> {
  const user = await newUser(t, `group-${role}`);
  return { ...user, membershipId: await addGroupMembership(t, groupId, user.userId, role) };
}

/**
 * A key made through the key service as `userId` acting in `orgId` (as a session there would): a
 * personal token by default, or a service key of `serviceAccountId`.
 */
export async function keyIn(
  t: TestApp,
  orgId: string,
  userId: string,
  options: { permissions?: string[]; serviceAccountId?: string } = {},
): Promise<{ id: string; key: string }> {
  const actor: Actor = {
    principal: { type: "user", id: userId },
    orgId,
    keyId: "seed",
    grants: ["*"],
    requestId: null,
    ip: null,
  };
  const issued = await t.app.services.keys.create(actor, orgId, {
    kind: options.serviceAccountId === undefined ? "personal" : "service",
    name: "group test key",
    expiresIn: "30d",
    permissions: options.permissions ?? ["*"],
    ...(options.serviceAccountId !== undefined && { serviceAccountId: options.serviceAccountId }),
  });
  return { id: issued.key.id, key: issued.secret };
}

/** A second org in the first-start owner's group, made through POST /rest/orgs; returns its id. */
export async function orgInOwnersGroup(t: TestApp, name = "Second org"): Promise<{ orgId: string; groupId: string }> {
  const res = await send(t.app, {
    method: "POST",
    url: "/rest/orgs",
    token: t.owner.token,
    body: { data: { type: "org", attributes: { name } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  const groupId = await groupIdOf(t, t.owner.orgId);
  expect(res.json().data.attributes.group_id).toBe(groupId);
  return { orgId: res.json().data.id, groupId };
}

/** Verifies `key` with `token` (a credential of the key's org) through the API; returns the attributes. */
export async function verifyWith(
  t: TestApp,
  token: string,
  key: string,
  permissions?: string[],
): Promise<{ valid: boolean; code: string; permissions: string[] }> {
  const res = await send(t.app, {
    method: "POST",
    url: "/rest/api_keys/verify",
    token,
    body: { data: { type: "key_verification", attributes: { key, ...(permissions && { permissions }) } } },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.attributes;
}
