import { generateKey } from "@latchkey/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createInvitation,
  createKey,
  createOAuthClientIds,
  createRoleAndProject,
  createSecret,
  createServiceAccount,
  createTestApp,
  createToken,
  createWebhookWithDelivery,
  cryptoRandom,
  expectError,
  expectUnauthorized,
  fillPath,
  groupRouteIds,
  membershipIdOf,
  openApiRoutes,
  type RouteIds,
  type RouteOp,
  send,
} from "./helpers.js";

// SPEC §4: every failing credential gets the same 401, on every route of the OpenAPI document.
const t = await createTestApp();
const routes = await openApiRoutes(t.app);
afterAll(() => t.close());

let ids: RouteIds;
const bad: Record<string, Record<string, string>> = {};

function wellFormedUnknownKey(): string {
  return generateKey("lks", "live", cryptoRandom).key;
}

function withBadChecksum(key: string): string {
  const last = key.slice(-1);
  return `${key.slice(0, -1)}${last === "A" ? "B" : "A"}`;
}

beforeAll(async () => {
  const serviceAccountId = await createServiceAccount(t);
  const key = await createKey(t, { name: "route target" });
  const token = await createToken(t, t.owner.token, { name: "route target token" });
  ids = {
    orgId: t.owner.orgId,
    keyId: key.id,
    serviceAccountId,
    tokenId: token.id,
    membershipId: await membershipIdOf(t, t.owner.orgId, t.owner.userId),
    ...(await createOAuthClientIds(t)),
    secretId: await createSecret(t, "route-target", "route target value"),
    invitationId: await createInvitation(t, t.owner.orgId, t.owner.token),
    ...(await createWebhookWithDelivery(t)),
    ...(await createRoleAndProject(t)),
    ...(await groupRouteIds(t, t.owner.orgId)),
  };

  const revoked = await createKey(t, { name: "revoked", permissions: ["*"] });
  const expiring = await createToken(t, t.owner.token, { name: "expiring", expires_in: "1h" });
  const rotatedAtOnce = await createKey(t, { name: "rotated at once", permissions: ["*"] });
  const rotatedWithGrace = await createKey(t, { name: "rotated with grace", permissions: ["*"] });
  for (const working of [revoked.key, expiring.key, rotatedAtOnce.key, rotatedWithGrace.key]) {
    expect((await send(t.app, { url: "/rest/self", token: working })).statusCode).toBe(200);
  }
  const revoke = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${ids.orgId}/api_keys/${revoked.id}/revoke`,
    token: t.owner.token,
  });
  expect(revoke.statusCode, revoke.body).toBe(200);
  for (const [id, grace] of [
    [rotatedAtOnce.id, 0],
    [rotatedWithGrace.id, 60],
  ] as const) {
    const regenerate = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${ids.orgId}/api_keys/${id}/regenerate`,
      token: t.owner.token,
      body: { data: { type: "api_key", attributes: { grace_period_seconds: grace } } },
    });
    expect(regenerate.statusCode, regenerate.body).toBe(200);
  }
  expect((await send(t.app, { url: "/rest/self", token: rotatedWithGrace.key })).statusCode).toBe(200);
  t.clock.advance(2 * 3600);

  const unknown = wellFormedUnknownKey();
  bad["no credential"] = {};
  bad["Authorization: token <garbage>"] = { authorization: "token not-a-latchkey-key" };
  bad["Authorization: token (no value)"] = { authorization: "token" };
  bad["Authorization: Basic"] = { authorization: "Basic dXNlcjpwYXNzd29yZA==" };
  bad["X-API-Key: <garbage>"] = { "x-api-key": "garbage" };
  bad["a key with a bad checksum"] = { authorization: `token ${withBadChecksum(unknown)}` };
  bad["an unknown well-formed key"] = { authorization: `token ${unknown}` };
  bad["a revoked key"] = { authorization: `token ${revoked.key}` };
  bad["an expired key"] = { authorization: `Bearer ${expiring.key}` };
  bad["a secret rotated out at once"] = { authorization: `token ${rotatedAtOnce.key}` };
  bad["a secret rotated out after its grace period"] = { "x-api-key": rotatedWithGrace.key };
});

function requestOf(route: RouteOp, headers: Record<string, string>, query = "") {
  return send(t.app, {
    method: route.method,
    url: `${fillPath(route.path, ids)}${query}`,
    headers,
    ...(route.hasBody ? { body: { data: { type: "x", attributes: {} } } } : {}),
  });
}

describe.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))("%s", (_name, route) => {
  test("refuses every bad credential with the one exact 401", async () => {
    const cases = Object.entries(bad);
    expect(cases.length).toBe(11);
    for (const [name, headers] of cases) {
      const res = await requestOf(route, headers);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(401);
      expectUnauthorized(res);
      expect(res.headers["content-type"]).toContain("application/json");
    }
  });

  test("refuses a credential in the query string, even beside a good header", async () => {
    for (const query of [`?api_key=${t.owner.token}`, "?token=whatever", `?q=${wellFormedUnknownKey()}`]) {
      const res = await requestOf(route, { authorization: `token ${t.owner.token}` }, query);
      expectError(res, 400, "CREDENTIAL_IN_QUERY");
    }
  });

  if (route.method === "GET") {
    test("accepts the owner's token (control)", async () => {
      const res = await requestOf(route, { authorization: `token ${t.owner.token}` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers["x-request-id"]).toBeTruthy();
    });
  }
});

describe("credential headers", () => {
  const headerForms: [string, (key: string) => Record<string, string>][] = [
    ["Authorization: token", (key) => ({ authorization: `token ${key}` })],
    ["Authorization: bearer (lower case)", (key) => ({ authorization: `bearer ${key}` })],
    ["Authorization: Bearer", (key) => ({ authorization: `Bearer ${key}` })],
    ["Authorization: TOKEN (upper case)", (key) => ({ authorization: `TOKEN ${key}` })],
    ["X-API-Key", (key) => ({ "x-api-key": key })],
  ];
  test.each(headerForms)("%s works on GET /rest/self", async (_name, headers) => {
    const res = await send(t.app, { url: "/rest/self", headers: headers(t.owner.token) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.data).toMatchObject({ type: "user", id: t.owner.userId });
    expect(body.meta.api_key.id).toBe(t.owner.tokenId);
  });
});

describe("credentials in the query string", () => {
  const queries: [string, () => string][] = [
    ["?api_key=<key>", () => `api_key=${t.owner.token}`],
    ["?API_KEY=<anything>", () => "API_KEY=x"],
    ["?access_token=<key>", () => `access_token=${t.owner.token}`],
    ["a key-shaped value in filter[name]", () => `filter[name]=${t.owner.token}`],
    ["a key-shaped value in any parameter", () => `anything=${wellFormedUnknownKey()}`],
    ["a key-shaped value repeated", () => `x=1&x=${t.owner.token}`],
  ];
  test.each(queries)("%s is refused with 400 CREDENTIAL_IN_QUERY", async (_name, query) => {
    for (const url of ["/rest/self", `/rest/orgs/${t.owner.orgId}/api_keys`]) {
      const res = await send(t.app, { url: `${url}?${query()}`, token: t.owner.token });
      expectError(res, 400, "CREDENTIAL_IN_QUERY");
      expect(res.body).not.toContain(t.owner.token);
    }
  });

  test("is refused even without any credential header and on public routes", async () => {
    for (const url of ["/rest/self", "/rest/openapi"]) {
      const res = await send(t.app, { url: `${url}?api_key=${t.owner.token}` });
      expectError(res, 400, "CREDENTIAL_IN_QUERY");
    }
  });
});

describe("request ids and the error shape", () => {
  test("every response carries x-request-id, echoing a safe one the client sent", async () => {
    const responses = [
      await send(t.app, { url: "/rest/self", token: t.owner.token }),
      await send(t.app, { url: "/rest/self" }),
      await send(t.app, { url: "/rest/self", version: null, token: t.owner.token }),
      await send(t.app, { url: "/rest/no-such-route", token: t.owner.token }),
      await send(t.app, { url: "/healthz", version: null }),
      await send(t.app, { url: "/rest/openapi" }),
    ];
    for (const res of responses) expect(res.headers["x-request-id"], res.body).toMatch(/\S/);
    const ids = new Set(responses.map((res) => res.headers["x-request-id"]));
    expect(ids.size).toBe(responses.length);

    const echoed = await send(t.app, {
      url: "/rest/self",
      token: t.owner.token,
      headers: { "x-request-id": "req-42" },
    });
    expect(echoed.headers["x-request-id"]).toBe("req-42");
    const unsafe = await send(t.app, { url: "/rest/self", headers: { "x-request-id": "bad id\twith<tags>" } });
    expect(unsafe.headers["x-request-id"]).not.toBe("bad id\twith<tags>");
    expect(unsafe.headers["x-request-id"]).toMatch(/^[A-Za-z0-9._:-]+$/);
  });

  test("errors other than 401 use the JSON:API error document with the request id", async () => {
    expectError(await send(t.app, { url: "/rest/self", version: null, token: t.owner.token }), 400, "VERSION_REQUIRED");
    expectError(await send(t.app, { url: "/rest/no-such-route", token: t.owner.token }), 404, "NOT_FOUND");
    expectError(await send(t.app, { url: `/rest/orgs/not-a-uuid`, token: t.owner.token }), 400, "INVALID_PARAMETER");
    const given = await send(t.app, {
      url: "/rest/orgs/not-a-uuid",
      token: t.owner.token,
      headers: { "x-request-id": "trace-me" },
    });
    expect(given.json().errors[0].id).toBe("trace-me");
  });
});
