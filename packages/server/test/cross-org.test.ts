import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createInvitation,
  createKey,
  createOAuthClientIds,
  createOrg,
  createRoleAndProject,
  createSecret,
  createTestApp,
  createToken,
  createWebhookWithDelivery,
  fillPath,
  groupRouteIds,
  membershipIdOf,
  type OrgFixture,
  openApiRoutes,
  type Response,
  type RouteIds,
  type RouteOp,
  sampleBody,
  send,
  type TestApp,
  verify,
} from "./helpers.js";

// Cross-org matrix: org A's most powerful credentials, on every route of the OpenAPI document, aimed at
// org B's objects (B's org id, B's ids under A's org id, B's ids in list filters, B's keys to verify).
// Never a byte of B's data in an answer, never a change to B. Routes come from the document, so a new
// route is covered without editing this file (helpers.ts refuses an id type it does not know).

const t: TestApp = await createTestApp();
const routes = await openApiRoutes(t.app);
afterAll(() => t.close());

/** A string that marks B's data: it must never appear in an answer given to A. */
const MARK = "orgb-secret-marker";

let b: OrgFixture;
let aIds: RouteIds;
let bIds: RouteIds;
/** Everything of B that A must never see: ids, names, hints, secrets. */
let bSecrets: string[];
let bKey: string;
/** B's state as B's owner sees it through every GET route, before A tries anything. */
let before: Map<string, string>;

async function serviceAccount(token: string, orgId: string, name: string): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/service_accounts`,
    token,
    body: { data: { type: "service_account", attributes: { name, role: "viewer" } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id;
}

/** What B's owner reads on every GET route of B: B's whole visible state. */
async function stateOfB(): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for (const route of routes.filter((r) => r.method === "GET")) {
    const url = fillPath(route.path, bIds);
    const res = await send(t.app, { url, token: b.members.owner.token });
    // Volatile fields: when a credential was last used (B's owner reads with its token).
    state.set(`${route.path} ${res.statusCode}`, res.body.replace(/"last_used_(at|ip)":("[^"]*"|null)/g, ""));
  }
  return state;
}

beforeAll(async () => {
  b = await createOrg(t, "Org B");
  const bOwner = b.members.owner.token;
  const key = await createKey(
    t,
    { name: `${MARK} key`, labels: [`${MARK}-label`], metadata: { note: MARK } },
    { token: bOwner, orgId: b.orgId },
  );
  bKey = key.key;
  const token = await createToken(t, bOwner, { name: `${MARK} token` });
  bIds = {
    orgId: b.orgId,
    keyId: key.id,
    serviceAccountId: await serviceAccount(bOwner, b.orgId, `${MARK}-robot`),
    tokenId: token.id,
    membershipId: await membershipIdOf(t, b.orgId, b.members.viewer.userId),
    invitationId: await createInvitation(t, b.orgId, bOwner, `${MARK}-invitee@example.test`),
    ...(await createOAuthClientIds(t, { orgId: b.orgId, token: bOwner, name: `${MARK}-oauth` })),
    secretId: await createSecret(t, `${MARK}-secret`, `${MARK} secret value`, { token: bOwner, orgId: b.orgId }),
    ...(await createWebhookWithDelivery(t, { token: bOwner, orgId: b.orgId })),
    ...(await createRoleAndProject(t, { token: bOwner, orgId: b.orgId })),
    ...(await groupRouteIds(t, b.orgId, { token: bOwner, name: `${MARK}-group-robot` })),
  };
  const aKey = await createKey(t, { name: "A's key" });
  const aToken = await createToken(t, t.owner.token, { name: "A's token" });
  aIds = {
    orgId: t.owner.orgId,
    keyId: aKey.id,
    serviceAccountId: await serviceAccount(t.owner.token, t.owner.orgId, "a-robot"),
    tokenId: aToken.id,
    membershipId: await membershipIdOf(t, t.owner.orgId, t.owner.userId),
    ...(await createOAuthClientIds(t, { name: "a-oauth" })),
    secretId: await createSecret(t, "a-secret", "a secret value"),
    ...(await createWebhookWithDelivery(t)),
    ...(await createRoleAndProject(t)),
    ...(await groupRouteIds(t, t.owner.orgId)),
  };
  bSecrets = [
    MARK,
    bIds.keyId,
    bIds.serviceAccountId,
    bIds.tokenId,
    bIds.membershipId,
    bIds.invitationId as string,
    bIds.oauthAccountId,
    bIds.clientSecretId,
    bIds.secretId,
    bIds.webhookId,
    bIds.deliveryId,
    bIds.groupId,
    bIds.groupServiceAccountId,
    bIds.groupMembershipId,
    key.key,
    token.key,
    String(key.attributes.hint),
    ...Object.values(b.members).flatMap((member) => [member.userId, member.tokenId, member.token]),
  ];
  before = await stateOfB();
});

/** No B data in the answer, beyond what the request itself named (an id echoed back is not B's data). */
function expectNothingOfB(res: Response, what: string, sent: string): void {
  for (const secret of bSecrets) {
    if (sent.includes(secret)) continue;
    expect(res.body.includes(secret), `${what} answered B's data: ${res.body}`).toBe(false);
  }
}

function expectRefused(res: Response, what: string): void {
  expect([403, 404], `${what}: ${res.statusCode} ${res.body}`).toContain(res.statusCode);
}

/** The requests of one route that aim A's owner token at B: [description, url] (ids exist once set up). */
function attempts(route: RouteOp): [string, () => string][] {
  const out: [string, () => string][] = [];
  const hasOrg = route.path.includes("{org_id}") || route.path.includes("{group_id}");
  const hasId = route.path.includes("{id}");
  if (hasOrg) out.push(["B's org (or group) id", () => fillPath(route.path, bIds)]);
  if (hasOrg && hasId) {
    out.push([
      "B's id under A's org (or group)",
      () => fillPath(route.path, bIds, { org_id: aIds.orgId, group_id: aIds.groupId }),
    ]);
  }
  if (!hasOrg && hasId) out.push(["B's id", () => fillPath(route.path, bIds)]);
  return out;
}

describe.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))("%s", (_name, route) => {
  const targeted = attempts(route);
  if (targeted.length > 0) {
    test("A's owner aimed at B's objects is refused and learns nothing", async () => {
      for (const [what, url] of targeted) {
        const body = route.hasBody ? sampleBody(route, bKey) : undefined;
        const res = await send(t.app, { method: route.method, url: url(), token: t.owner.token, body });
        expectRefused(res, `${route.method} ${what}`);
        expectNothingOfB(res, `${route.method} ${what}`, `${url()} ${JSON.stringify(body)}`);
      }
    });
  } else {
    test("A's owner on A's own route sees nothing of B", async () => {
      const url = fillPath(route.path, aIds);
      const body = route.hasBody ? sampleBody(route, bKey) : undefined;
      const res = await send(t.app, { method: route.method, url, token: t.owner.token, body });
      expect(res.statusCode, res.body).toBeLessThan(500);
      expectNothingOfB(res, route.path, `${url} ${JSON.stringify(body)}`);
    });
  }

  if (route.method === "GET" && !route.path.includes("{id}")) {
    test("list filters naming B's objects find nothing of B", async () => {
      const filters = [
        `filter[owner]=${b.members.owner.userId}`,
        `filter[owner]=${bIds.serviceAccountId}`,
        `filter[label]=${MARK}-label`,
        `filter[name]=${MARK}`,
        `filter[target]=${bIds.keyId}`,
        `filter[actor]=${b.members.owner.userId}`,
        `starting_after=${bIds.keyId}`,
      ];
      for (const filter of filters) {
        const url = `${fillPath(route.path, aIds)}?${filter}`;
        const res = await send(t.app, { url, token: t.owner.token });
        expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500);
        expectNothingOfB(res, url, url);
      }
    });
  }
});

describe("keys of B", () => {
  test("verified with A's credentials: NOT_FOUND, and nothing of B in the answer", async () => {
    const answer = await verify(t, bKey);
    expect(answer).toMatchObject({ valid: false, code: "NOT_FOUND", key_id: null });
    expect(JSON.stringify(answer).includes(b.orgId)).toBe(false);
  });

  test("bulk revoke in A by B's label revokes nothing of B", async () => {
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${aIds.orgId}/api_keys/revoke`,
      token: t.owner.token,
      body: { data: { type: "api_key_revocation", attributes: { filter: { label: `${MARK}-label` } } } },
    });
    expect(res.statusCode, res.body).toBeLessThan(500);
    expectNothingOfB(res, "bulk revoke", `${MARK}-label`);
  });
});

describe("after every attempt", () => {
  test("B's state is what it was, and B's key still verifies for B", async () => {
    const after = await stateOfB();
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [route, body] of before) expect(after.get(route), route).toBe(body);
    const answer = await verify(t, bKey, { token: b.members.owner.token });
    expect(answer).toMatchObject({ valid: true, code: "VALID", key_id: bIds.keyId });
  });
});
