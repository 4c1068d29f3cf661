import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createKey,
  createOAuthClientIds,
  createRoleAndProject,
  createSecret,
  createServiceAccount,
  createTestApp,
  createToken,
  createWebhookWithDelivery,
  expectError,
  fillPath,
  groupRouteIds,
  JSON_API,
  membershipIdOf,
  openApiRoutes,
  type Response,
  type RouteIds,
  type RouteOp,
  sampleBody,
  send,
  unknownUuid,
} from "./helpers.js";

// Bad input on every route of the OpenAPI document: always a documented 4xx, never a 500, never a row.
const t = await createTestApp();
const routes = await openApiRoutes(t.app);
const bodyRoutes = routes.filter((route) => route.hasBody);
const idRoutes = routes.filter((route) => route.path.includes("{"));
afterAll(() => t.close());

let ids: RouteIds;
let verifiable: string;

beforeAll(async () => {
  const serviceAccountId = await createServiceAccount(t);
  const key = await createKey(t, { name: "target", labels: ["target"] });
  const token = await createToken(t, t.owner.token, { name: "target token" });
  ids = {
    orgId: t.owner.orgId,
    keyId: key.id,
    serviceAccountId,
    tokenId: token.id,
    membershipId: await membershipIdOf(t, t.owner.orgId, t.owner.userId),
    ...(await createOAuthClientIds(t)),
    secretId: await createSecret(t, "route-target", "route target value"),
    ...(await createWebhookWithDelivery(t)),
    ...(await createRoleAndProject(t)),
    ...(await groupRouteIds(t, t.owner.orgId)),
  };
  verifiable = key.key;
});

/** How many keys, tokens and service accounts the org has, as its list endpoints show them. */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const url of [
    `/rest/orgs/${ids.orgId}/api_keys?limit=100`,
    `/rest/orgs/${ids.orgId}/service_accounts?limit=100`,
    "/rest/self/tokens?limit=100",
  ]) {
    const res = await send(t.app, { url, token: t.owner.token });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.links.next).toBeUndefined();
    out[url] = body.data.length;
  }
  return out;
}

function call(route: RouteOp, options: { payload?: string; contentType?: string; body?: unknown; url?: string }) {
  return send(t.app, {
    method: route.method,
    url: options.url ?? fillPath(route.path, ids),
    token: t.owner.token,
    ...options,
  });
}

function expect4xx(res: Response, status: number, code: string): void {
  expect(res.statusCode, res.body).toBeLessThan(500);
  expectError(res, status, code);
}

test("the OpenAPI document lists body routes and id routes", () => {
  expect(bodyRoutes.length).toBeGreaterThanOrEqual(8);
  expect(idRoutes.length).toBeGreaterThanOrEqual(12);
  for (const route of bodyRoutes) expect(() => sampleBody(route)).not.toThrow();
});

test("each sample body is accepted as it is (control)", async () => {
  const route = bodyRoutes.find((r) => r.method === "POST" && r.path === "/rest/orgs/{org_id}/api_keys");
  expect(route).toBeDefined();
  if (route === undefined) return;
  const before = await counts();
  const res = await call(route, { body: sampleBody(route) });
  expect(res.statusCode, res.body).toBe(201);
  const after = await counts();
  expect(after[`/rest/orgs/${ids.orgId}/api_keys?limit=100`]).toBe(
    (before[`/rest/orgs/${ids.orgId}/api_keys?limit=100`] ?? 0) + 1,
  );
  const del = await send(t.app, {
    method: "DELETE",
    url: `/rest/orgs/${ids.orgId}/api_keys/${res.json().data.id}`,
    token: t.owner.token,
  });
  expect(del.statusCode).toBe(204);
});

test("the OpenAPI document advertises the media type the server accepts (application/vnd.api+json)", async () => {
  const doc = (await send(t.app, { url: "/rest/openapi" })).json();
  for (const route of bodyRoutes) {
    const operation = doc.paths[route.path][route.method.toLowerCase()];
    expect(Object.keys(operation.requestBody.content), `${route.method} ${route.path}`).toContain(JSON_API);
  }
});

describe.each(bodyRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))("%s", (_name, route) => {
  const cases: [string, () => Parameters<typeof call>[1], number, string][] = [
    ["malformed JSON", () => ({ payload: '{"data": {"type": "api_key",' }), 400, "INVALID_JSON"],
    ["an empty body", () => ({ payload: "" }), 400, "INVALID_JSON"],
    ["a JSON body with a __proto__ key", () => ({ payload: '{"__proto__": {"x": 1}}' }), 400, "INVALID_JSON"],
    [
      "Content-Type: application/json",
      () => ({ body: sampleBody(route, verifiable), contentType: "application/json" }),
      400,
      "UNSUPPORTED_CONTENT_TYPE",
    ],
    [
      "Content-Type: text/plain",
      () => ({ payload: JSON.stringify(sampleBody(route, verifiable)), contentType: "text/plain" }),
      400,
      "UNSUPPORTED_CONTENT_TYPE",
    ],
    [
      "a body over 1 MiB",
      () => {
        const body = sampleBody(route, verifiable) as { data: { attributes: Record<string, unknown> } };
        body.data.attributes.description = "x".repeat(1024 * 1024 + 1);
        return { body };
      },
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    [
      "an unknown attribute",
      () => {
        const body = sampleBody(route, verifiable) as { data: { attributes: Record<string, unknown> } };
        body.data.attributes.no_such_attribute = true;
        return { body };
      },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "an unknown member beside data",
      () => ({ body: { ...sampleBody(route, verifiable), extra: 1 } }),
      400,
      "VALIDATION_FAILED",
    ],
    [
      "the wrong resource type",
      () => {
        const body = sampleBody(route, verifiable) as { data: { type: string } };
        body.data.type = "wrong_type";
        return { body };
      },
      400,
      "VALIDATION_FAILED",
    ],
    ["no data member", () => ({ body: {} }), 400, "VALIDATION_FAILED"],
    ["a JSON array", () => ({ body: [sampleBody(route, verifiable)] }), 400, "VALIDATION_FAILED"],
    [
      "attributes of the wrong JSON type",
      () => {
        const body = sampleBody(route, verifiable) as { data: { attributes: unknown } };
        body.data.attributes = "name=x";
        return { body };
      },
      400,
      "VALIDATION_FAILED",
    ],
  ];

  test.each(cases)("%s: a documented 4xx and nothing written", async (_case, options, status, code) => {
    const before = await counts();
    const res = await call(route, options());
    expect4xx(res, status, code);
    expect(res.body).not.toContain(verifiable);
    expect(await counts()).toEqual(before);
  });
});

describe.each(idRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))("%s", (_name, route) => {
  const params = (route.path.match(/\{(\w+)\}/g) ?? []).map(
    (p) => p.slice(1, -1) as "org_id" | "id" | "secret_id" | "delivery_id" | "environment",
  );
  const body = route.hasBody ? sampleBody(route, "x") : undefined;

  test.each(params)("a malformed {%s}: 400 INVALID_PARAMETER", async (param) => {
    const before = await counts();
    for (const malformed of ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "%27%20or%201%3D1--"]) {
      const res = await call(route, { url: fillPath(route.path, ids, { [param]: malformed }), body });
      expect4xx(res, 400, "INVALID_PARAMETER");
      expect(res.json().errors[0].source).toEqual({ parameter: param });
    }
    expect(await counts()).toEqual(before);
  });

  test.each(params)("an unknown {%s}: 404 NOT_FOUND", async (param) => {
    const before = await counts();
    // An environment is a name, not a UUID: an unknown one is a well-formed name the org does not have.
    const unknown = param === "environment" ? "nosuchenv" : unknownUuid();
    const res = await call(route, { url: fillPath(route.path, ids, { [param]: unknown }), body });
    expect4xx(res, 404, "NOT_FOUND");
    expect(await counts()).toEqual(before);
  });
});

describe("other bad input", () => {
  test("an unknown route is a 404 in the error shape", async () => {
    for (const [method, url] of [
      ["GET", "/rest/nothing-here"],
      ["POST", "/rest/groups"],
      ["PUT", `/rest/orgs/${unknownUuid()}/api_keys`],
      ["GET", "/nothing-here"],
    ] as const) {
      const res = await t.app.inject({
        method,
        url: `${url}?version=2024-06-10`,
        headers: { "x-api-key": t.owner.token },
      });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
      expectError(res, 404, "NOT_FOUND");
    }
  });

  test("bad list parameters are 400 INVALID_PARAMETER", async () => {
    const base = `/rest/orgs/${t.owner.orgId}/api_keys`;
    for (const query of [
      "limit=0",
      "limit=101",
      "limit=ten",
      "starting_after=nope",
      "ending_before=nope",
      "filter[status]=sleeping",
      "filter[kind]=robot",
      "filter[label]=UPPER",
      "filter[owner]=nope",
    ]) {
      const res = await send(t.app, { url: `${base}?${query}`, token: t.owner.token });
      expect4xx(res, 400, "INVALID_PARAMETER");
    }
  });

  test("bad attribute values are refused and write nothing", async () => {
    const before = await counts();
    const attempts: Record<string, unknown>[] = [
      { name: "" },
      { name: "x".repeat(101), expires_in: "30d" },
      { name: "x", expires_in: "2d" },
      { name: "x", expires_in: "30d", labels: ["Not A Label"] },
      { name: "x", expires_in: "30d", labels: Array.from({ length: 21 }, (_, i) => `l${i}`) },
      { name: "x", expires_in: "30d", permissions: ["not a permission"] },
      { name: "x", expires_in: "30d", metadata: { blob: "x".repeat(5000) } },
      { name: "x", expires_in: "30d", metadata: [1, 2] },
      { name: "x", expires_at: "yesterday" },
      { name: "x", expires_at: "2020-01-01T00:00:00Z" },
      { name: "x", expires_in: "30d", expires_at: "2025-07-01T00:00:00Z" },
      { name: "x", expires_in: "never" },
      { name: "x", expires_in: "30d", environment: "staging" },
      { name: "x", expires_in: "30d", service_account_id: unknownUuid() },
      { name: "x", expires_in: "30d", kind: "publishable" },
      { name: 42, expires_in: "30d" },
    ];
    for (const attributes of attempts) {
      const res = await send(t.app, {
        method: "POST",
        url: `/rest/orgs/${t.owner.orgId}/api_keys`,
        token: t.owner.token,
        body: { data: { type: "api_key", attributes } },
      });
      expect(res.statusCode, `${JSON.stringify(attributes).slice(0, 80)}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expectError(res, res.statusCode);
    }
    expect(await counts()).toEqual(before);
  });

  test("grace_period_seconds outside 0 … 7 days is refused", async () => {
    for (const grace of [-1, 7 * 24 * 3600 + 1, 1.5, "60"]) {
      const res = await send(t.app, {
        method: "POST",
        url: `/rest/orgs/${ids.orgId}/api_keys/${ids.keyId}/regenerate`,
        token: t.owner.token,
        body: { data: { type: "api_key", attributes: { grace_period_seconds: grace } } },
      });
      expect4xx(res, 400, "VALIDATION_FAILED");
    }
  });
});
