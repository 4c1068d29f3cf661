import { readFileSync } from "node:fs";
import { BUILT_IN_ROLES } from "@latchkey/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROLE_TABLE_END, ROLE_TABLE_START, withRoleTable } from "../../../scripts/role-table.mjs";
import { roleAllows, roleTable, routeRules } from "../src/http/route-permissions.js";
import {
  addMember,
  createInvitation,
  createKey,
  createOAuthClientIds,
  createSecret,
  createServiceAccount,
  createTestApp,
  createToken,
  createWebhookWithDelivery,
  fillPath,
  type Member,
  membershipIdOf,
  type OrgFixture,
  orgAWithAllRoles,
  sampleBody,
  send,
  type TestApp,
  unknownUuid,
} from "./helpers.js";

// The role matrix: every /rest route of the OpenAPI document against every built-in role. What each
// route needs comes from the document (x-latchkey-permission); the README's table is generated from
// the same document, so the published table, this test and the server cannot drift apart.

const t: TestApp = await createTestApp();
const document = (await send(t.app, { url: "/rest/openapi" })).json();
const rules = routeRules(document);
afterAll(() => t.close());

let org: OrgFixture;
beforeAll(async () => {
  org = await orgAWithAllRoles(t);
});

/** Fresh objects for one attempt, so that what one role changes does not decide another's answer. */
async function idsFor(member: Member) {
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

describe.each(BUILT_IN_ROLES.map((role) => [role] as const))("%s", (role) => {
  test.each(rules.map((rule) => [`${rule.method} ${rule.path}`, rule] as const))(
    "%s answers as the table says",
    async (_name, rule) => {
      const member = org.members[role];
      const ids = await idsFor(member);
      const route = { method: rule.method as "POST", path: rule.path };
      const hasBody = document.paths[rule.path][rule.method.toLowerCase()].requestBody !== undefined;
      const res = await send(t.app, {
        method: route.method,
        url: fillPath(rule.path, ids),
        token: member.token,
        ...(hasBody ? { body: await bodyFor(route, ids.keyId) } : {}),
      });
      const allowed = roleAllows(role, rule.permission);
      if (allowed) {
        expect(res.statusCode, `${role} ${rule.method} ${rule.path}: ${res.body}`).toBeGreaterThanOrEqual(200);
        expect(res.statusCode, `${role} ${rule.method} ${rule.path}: ${res.body}`).toBeLessThan(300);
      } else {
        expect(res.statusCode, `${role} ${rule.method} ${rule.path}: ${res.body}`).toBe(403);
      }
    },
  );
});
