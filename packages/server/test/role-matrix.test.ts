import { readFileSync } from "node:fs";
import type { BuiltInRole } from "@latchkey/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROLE_TABLE_END, ROLE_TABLE_START, withRoleTable } from "../../../scripts/role-table.mjs";
import { EXAMPLE_CUSTOM_ROLE, roleTable, routeRules, TABLE_ROLES, tableAllows } from "../src/http/route-permissions.js";
import {
  addGroupMembership,
  addMember,
  createInvitation,
  createKey,
  createOAuthClientIds,
  createRoleAndProject,
  createSecret,
  createServiceAccount,
  createTestApp,
  createToken,
  createWebhookWithDelivery,
  fillPath,
  groupIdOf,
  groupRouteIds,
  type Member,
  membershipIdOf,
  type OrgFixture,
  orgAWithAllRoles,
  sampleBody,
  send,
  type TestApp,
  unknownUuid,
} from "./helpers.js";

// The role matrix: every /rest route of the OpenAPI document against every built-in role and a custom
// role (created through the API, held by a member like any other role). What each
// route needs comes from the document (x-latchkey-permission); the README's table is generated from
// the same document, so the published table, this test and the server cannot drift apart. Routes
// needed "in the group" (x-latchkey-scope) are checked against the role held in the group: each member
// here holds the same role in the org and in its group.

const t: TestApp = await createTestApp();
const document = (await send(t.app, { url: "/rest/openapi" })).json();
const rules = routeRules(document);
afterAll(() => t.close());

let org: OrgFixture;
const members: Record<string, Member> = {};
let shared: { roleId: string; projectId: string };
beforeAll(async () => {
  org = await orgAWithAllRoles(t);
  Object.assign(members, org.members);
  const created = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${org.orgId}/roles`,
    token: t.owner.token,
    body: {
      data: { type: "role", attributes: { ...EXAMPLE_CUSTOM_ROLE, permissions: [...EXAMPLE_CUSTOM_ROLE.permissions] } },
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  shared = await createRoleAndProject(t);
  members[EXAMPLE_CUSTOM_ROLE.name] = await addMember(
    t,
    org.orgId,
    EXAMPLE_CUSTOM_ROLE.name,
    EXAMPLE_CUSTOM_ROLE.permissions,
  );
  // Each member holds the same role in the org's group (the first-start owner owns the group already):
  // routes needed "in the group" then answer as the table says for that role too.
  const groupId = await groupIdOf(t, org.orgId);
  for (const member of Object.values(org.members)) {
    if (member !== t.owner) await addGroupMembership(t, groupId, member.userId, member.role as BuiltInRole);
  }
});

/** Fresh objects for one attempt, so that what one role changes does not decide another's answer. */
async function idsFor(member: Member, path: string) {
  const key = await createKey(t, { name: "matrix target", permissions: ["jobs:read"] });
  const token = await createToken(t, member.token, { name: "own token", expires_in: "1d" });
  const colleague = await addMember(t, org.orgId, "viewer");
  return {
    orgId: org.orgId,
    keyId: key.id,
    serviceAccountId: await createServiceAccount(t, "viewer", `robot-${key.id.slice(-8)}`),
    tokenId: token.id,
    membershipId: await membershipIdOf(t, org.orgId, colleague.userId),
    invitationId: await createInvitation(t, org.orgId, t.owner.token),
    ...(await createOAuthClientIds(t, { name: `oauth-${key.id.slice(-8)}` })),
    secretId: await createSecret(t, `secret-${key.id.slice(-8)}`, "matrix secret value"),
    ...(await createWebhookWithDelivery(t)),
    // A fresh custom role and project only where the route acts on one (an org holds at most 100 roles).
    ...(/\/(roles|projects)\/\{id\}/.test(path) ? await createRoleAndProject(t) : shared),
    ...(await groupRouteIds(t, org.orgId, { name: `group-robot-${key.id.slice(-8)}` })),
  };
}

/** A user who belongs to no org yet, to add as a member. */
async function outsider(): Promise<string> {
  const id = unknownUuid();
  const email = `outsider-${id}@example.test`;
  await t.store.db
    .insertInto("users")
    .values({ id, email, name: "outsider", password_hash: null, created_at: t.clock.now().toISOString() })
    .execute();
  return email;
}

/** A valid body for the route: its sample, with a new name, or a new person to add. */
async function bodyFor(route: { method: "POST"; path: string }, unique: string): Promise<Record<string, unknown>> {
  const body = sampleBody(route);
  const attributes = (body.data as { attributes: Record<string, unknown> }).attributes;
  if (typeof attributes.name === "string") attributes.name = `${attributes.name}-${unique}`;
  if (typeof attributes.email === "string") attributes.email = await outsider();
  return body;
}

test("the README's role table is the one generated from the OpenAPI document (else npm run generate:sdk)", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  expect(readme).toContain(ROLE_TABLE_START);
  expect(readme).toContain(ROLE_TABLE_END);
  expect(withRoleTable(readme, roleTable(document))).toBe(readme);
});

test("every /rest route declares what it needs", () => {
  expect(rules.length).toBeGreaterThan(20);
  for (const rule of rules) expect(rule.permission).toMatch(/^(self|[a-z_]+:[a-z]+)$/);
});

describe.each(TABLE_ROLES.map((role) => [role.name, role] as const))("%s", (role, tableRole) => {
  test.each(rules.map((rule) => [`${rule.method} ${rule.path}`, rule] as const))(
    "%s answers as the table says",
    async (_name, rule) => {
      const member = members[role] as Member;
      const ids = await idsFor(member, rule.path);
      const route = { method: rule.method as "POST", path: rule.path };
      const hasBody = document.paths[rule.path][rule.method.toLowerCase()].requestBody !== undefined;
      const res = await send(t.app, {
        method: route.method,
        url: fillPath(rule.path, ids),
        token: member.token,
        ...(hasBody ? { body: await bodyFor(route, ids.keyId) } : {}),
      });
      const allowed = tableAllows(tableRole, rule);
      if (allowed) {
        expect(res.statusCode, `${role} ${rule.method} ${rule.path}: ${res.body}`).toBeGreaterThanOrEqual(200);
        expect(res.statusCode, `${role} ${rule.method} ${rule.path}: ${res.body}`).toBeLessThan(300);
      } else {
        expect(res.statusCode, `${role} ${rule.method} ${rule.path}: ${res.body}`).toBe(403);
      }
    },
  );
});
