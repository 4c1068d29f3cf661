import { randomBytes, randomUUID } from "node:crypto";
import {
  type Actor,
  BUILT_IN_ROLE_GRANTS,
  BUILT_IN_ROLES,
  type BuiltInRole,
  type Clock,
  DEFAULT_ORG_POLICY,
  type InvalidationBus,
  newId,
  type RandomSource,
} from "@latchkey/core";
import { type KyselyStore, openStore } from "@latchkey/store";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pg from "pg";
import { expect } from "vitest";
import { groupMembershipToRow, groupToRow, membershipToRow, orgToRow } from "../../store/src/rows.js";
import { bootstrapOwner, buildApp, loadConfig } from "../src/index.js";

/** The base API version every request of these suites asks for. */
export const VERSION = "2024-06-10";
/** The JSON:API media type. */
export const JSON_API = "application/vnd.api+json";
/** The one body every refused credential gets. */
export const UNAUTHORIZED_BODY = '{"status":"401","code":"Unauthorized"}';
/** Where the fake clock starts: after the base version, so later dates up to it are not "in the future". */
export const START = Date.parse("2025-06-01T12:00:00.000Z");

export type Response = LightMyRequestResponse;
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** A clock the tests move by hand. */
export class FakeClock implements Clock {
  private ms: number;
  constructor(start = START) {
    this.ms = start;
  }
  now(): Date {
    return new Date(this.ms);
  }
  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** A user with a role in an org and a personal token there. */
export interface Member {
  role: string;
  userId: string;
  orgId: string;
  token: string;
  tokenId: string;
}

/** An org and one member of each built-in role. */
export interface OrgFixture {
  orgId: string;
  members: Record<BuiltInRole, Member>;
}

/** An app on its own store, with the owner made by the first start. */
export interface TestApp {
  app: FastifyInstance;
  store: KyselyStore;
  clock: FakeClock;
  random: RandomSource;
  owner: Member;
  close(): Promise<void>;
}

export const cryptoRandom: RandomSource = { bytes: (n) => new Uint8Array(randomBytes(n)) };

/** Options of `createTestApp`. */
export interface TestAppOptions {
  databaseUrl?: string;
  env?: Record<string, string>;
  logStream?: NodeJS.WritableStream;
  /** The node's invalidation bus (default: none). */
  bus?: InvalidationBus;
  /** PostgreSQL only: a schema of the test's own, created now and dropped on close. */
  postgresSchema?: string;
  /** The built dashboard's folder (default: packages/web/dist). */
  dashboardDir?: string;
}

/** Builds an app on a fresh migrated store (in-memory SQLite by default) and bootstraps the owner. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? "sqlite::memory:";
  // Suites send many bad credentials on purpose; the failure throttle has its own tests.
  const config = loadConfig({
    LATCHKEY_LOG_LEVEL: process.env.LATCHKEY_TEST_LOG_LEVEL ?? "silent",
    LATCHKEY_DATABASE_URL: databaseUrl,
    LATCHKEY_AUTH_FAILURE_LIMIT: "0",
    ...options.env,
  });
  const schema = options.postgresSchema;
  const dropSchema = async () => {
    if (schema === undefined) return;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  };
  const store = await openStore(databaseUrl, schema === undefined ? {} : { schema });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await dropSchema();
    throw error;
  }
  const clock = new FakeClock();
  const app = await buildApp(config, {
    store,
    clock,
    random: cryptoRandom,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
  });
  const credentials = await bootstrapOwner(store, {}, clock, cryptoRandom, app.services.vault);
  if (credentials === null) throw new Error("bootstrap did not run on an empty database");
  const self = await send(app, { url: "/rest/self", token: credentials.token });
  expect(self.statusCode).toBe(200);
  const body = self.json();
  const owner: Member = {
    role: "owner",
    userId: body.data.id,
    orgId: body.data.attributes.default_org_context,
    token: credentials.token,
    tokenId: body.meta.api_key.id,
  };
  return {
    app,
    store,
    clock,
    random: cryptoRandom,
    owner,
    close: async () => {
      await app.close();
      await store.close();
      await dropSchema();
    },
  };
}

/** Seeds a user with `role` in `orgId` (direct insert: there is no REST route yet) and a personal token. */
export async function addMember(
  t: TestApp,
  orgId: string,
  role: string,
  grants: readonly string[] = BUILT_IN_ROLE_GRANTS[role as BuiltInRole],
): Promise<Member> {
  const now = t.clock.now();
  const userId = newId(t.clock, t.random);
  await t.store.db
    .insertInto("users")
    .values({
      id: userId,
      email: `${role}-${userId}@example.test`,
      name: `${role} user`,
      password_hash: null,
      created_at: now.toISOString(),
    })
    .execute();
  await t.store.db
    .insertInto("memberships")
    .values(membershipToRow({ id: newId(t.clock, t.random), orgId, userId, role, roles: [], createdAt: now }))
    .execute();
  const actor: Actor = {
    principal: { type: "user", id: userId },
    orgId,
    keyId: "seed",
    grants: [...grants],
    requestId: null,
    ip: null,
  };
  // Permissions are given explicitly: the default `*` is refused for roles that hold less (see roles.test.ts).
  const issued = await t.app.services.keys.create(actor, orgId, {
    kind: "personal",
    name: `${role} token`,
    expiresIn: "30d",
    permissions: [...grants],
  });
  return { role, userId, orgId, token: issued.secret, tokenId: issued.key.id };
}

/** Seeds members of the given roles in an existing org. */
export async function addMembers(
  t: TestApp,
  orgId: string,
  roles: readonly BuiltInRole[],
): Promise<Partial<Record<BuiltInRole, Member>>> {
  const out: Partial<Record<BuiltInRole, Member>> = {};
  for (const role of roles) out[role] = await addMember(t, orgId, role);
  return out;
}

/** The bootstrapped org with one member of every built-in role (its owner is the first-start owner). */
export async function orgAWithAllRoles(t: TestApp): Promise<OrgFixture> {
  const others = await addMembers(
    t,
    t.owner.orgId,
    BUILT_IN_ROLES.filter((role) => role !== "owner"),
  );
  return { orgId: t.owner.orgId, members: { ...others, owner: t.owner } as Record<BuiltInRole, Member> };
}

/** The id of the group an org belongs to. */
export async function groupIdOf(t: TestApp, orgId: string): Promise<string> {
  const row = await t.store.db.selectFrom("orgs").select("group_id").where("id", "=", orgId).executeTakeFirstOrThrow();
  return row.group_id as string;
}

/** Seeds a group membership (direct insert); returns its id. */
export async function addGroupMembership(
  t: TestApp,
  groupId: string,
  userId: string,
  role: BuiltInRole,
): Promise<string> {
  const id = newId(t.clock, t.random);
  await t.store.db
    .insertInto("group_memberships")
    .values(groupMembershipToRow({ id, groupId, userId, role, createdAt: t.clock.now() }))
    .execute();
  return id;
}

/**
 * Seeds a second org with its own owner and a member of every other built-in role, and (unless
 * `publishableKeys` is false, for an org made before them) its publishable keys, as org creation makes.
 * The org is in a new group of its own (another group than the first org's, owned by the org's owner)
 * unless `groupId` is given.
 */
export async function createOrg(
  t: TestApp,
  name: string,
  options: { publishableKeys?: boolean; groupId?: string } = {},
): Promise<OrgFixture> {
  const groupId = options.groupId;
  const orgId = newId(t.clock, t.random);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  let group = groupId;
  if (group === undefined) {
    group = newId(t.clock, t.random);
    await t.store.db
      .insertInto("groups")
      .values(groupToRow({ id: group, name, slug: `group-${slug}`, createdAt: t.clock.now() }))
      .execute();
  }
  await t.store.db
    .insertInto("orgs")
    .values(
      orgToRow({
        id: orgId,
        groupId: group,
        name,
        slug,
        policy: { ...DEFAULT_ORG_POLICY, environments: [...DEFAULT_ORG_POLICY.environments] },
        createdAt: t.clock.now(),
      }),
    )
    .execute();
  if (options.publishableKeys !== false) await t.app.services.publishableKeys.ensure(orgId);
  const members = (await addMembers(t, orgId, BUILT_IN_ROLES)) as Record<BuiltInRole, Member>;
  // A new group is owned by the org's owner, as the first start's group is by the first owner.
  if (groupId === undefined) await addGroupMembership(t, group, members.owner.userId, "owner");
  return { orgId, members };
}

/** Adds `?version=` (or `&version=`) unless the URL already has one. */
export function withVersion(url: string, version: string = VERSION): string {
  if (/[?&]version=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}version=${encodeURIComponent(version)}`;
}

/** One request to the app. */
export interface SendOptions {
  method?: HttpMethod;
  url: string;
  /** Sent as `Authorization: token <token>`. */
  token?: string;
  /** A JSON body, sent as JSON:API unless `contentType` says otherwise. */
  body?: unknown;
  /** A raw body string (for malformed JSON and the like). */
  payload?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** `null` sends no `?version=`. */
  version?: string | null;
}

/** Sends a request through `app.inject()`, with `?version=2024-06-10` and JSON:API bodies by default. */
export function send(app: FastifyInstance, options: SendOptions): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `token ${options.token}`;
  let payload: string | undefined;
  if (options.payload !== undefined) payload = options.payload;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined) headers["content-type"] = options.contentType ?? JSON_API;
  Object.assign(headers, options.headers);
  const url = options.version === null ? options.url : withVersion(options.url, options.version);
  return app.inject({
    method: options.method ?? "GET",
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
}

/** Asserts a 401 with exactly the documented body and a request id. */
export function expectUnauthorized(res: Response): void {
  expect(res.statusCode, res.body).toBe(401);
  expect(res.body).toBe(UNAUTHORIZED_BODY);
  expect(res.headers["x-request-id"]).toBeTruthy();
}

/** Asserts a JSON:API error document with one error of `code` and `status`, whose id is the request id. */
export function expectError(res: Response, status: number, code?: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers["content-type"])).toContain(JSON_API);
  const requestId = res.headers["x-request-id"];
  expect(typeof requestId).toBe("string");
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(["errors", "jsonapi"]);
  expect(body.jsonapi).toEqual({ version: "1.0" });
  expect(body.errors).toHaveLength(1);
  const error = body.errors[0];
  for (const field of Object.keys(error)) {
    expect(["id", "status", "code", "title", "detail", "source"]).toContain(field);
  }
  expect(error.id).toBe(requestId);
  expect(error.status).toBe(String(status));
  expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  if (code !== undefined) expect(error.code).toBe(code);
  expect(typeof error.title).toBe("string");
  expect(error.title.length).toBeGreaterThan(0);
  expect(typeof error.detail).toBe("string");
  if (error.source !== undefined) {
    const keys = Object.keys(error.source);
    expect(keys).toHaveLength(1);
    expect(["pointer", "parameter"]).toContain(keys[0]);
  }
}

/** A route of the OpenAPI document. */
export interface RouteOp {
  method: HttpMethod;
  path: string;
  hasBody: boolean;
}

/** The /rest routes the OpenAPI document of the base version lists. */
export async function openApiRoutes(app: FastifyInstance): Promise<RouteOp[]> {
  const res = await send(app, { url: "/rest/openapi" });
  expect(res.statusCode).toBe(200);
  const paths = res.json().paths as Record<string, Record<string, { requestBody?: unknown }>>;
  const routes: RouteOp[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    if (!path.startsWith("/rest/")) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const upper = method.toUpperCase();
      if (!["GET", "POST", "PATCH", "DELETE", "PUT"].includes(upper)) continue;
      routes.push({ method: upper as HttpMethod, path, hasBody: operation.requestBody !== undefined });
    }
  }
  expect(routes.length).toBeGreaterThan(10);
  return routes;
}

/** Real ids of one org to put into route templates. */
export interface RouteIds {
  orgId: string;
  keyId: string;
  serviceAccountId: string;
  tokenId: string;
  membershipId: string;
  /** An open invitation (a made-up id when not given: the auth suites are refused before it is looked up). */
  invitationId?: string;
  /** An OAuth service account (the `{id}` of the client secret routes) and one of its client secrets. */
  oauthAccountId: string;
  clientSecretId: string;
  secretId: string;
  webhookId: string;
  deliveryId: string;
  /** A custom role and a project of the org. */
  roleId: string;
  projectId: string;
  /** The org's group, a service account of the group, and a membership in the group. */
  groupId: string;
  groupServiceAccountId: string;
  groupMembershipId: string;
}

/** The id a route's `{id}` stands for. Throws on a route these suites do not know yet, so it gets covered. */
export function idFor(path: string, ids: RouteIds): string {
  if (path.includes("/groups/{group_id}/service_accounts/{id}")) return ids.groupServiceAccountId;
  if (path.includes("/groups/{group_id}/memberships/{id}")) return ids.groupMembershipId;
  if (path.includes("/service_accounts/{id}/secrets")) return ids.oauthAccountId;
  if (path.includes("/service_accounts/{id}")) return ids.serviceAccountId;
  if (path.includes("/invitations/{id}")) return ids.invitationId ?? "0190a000-0000-7000-8000-0000000000ff";
  if (path.includes("/self/tokens/{id}")) return ids.tokenId;
  if (path.includes("/api_keys/{id}")) return ids.keyId;
  if (path.includes("/memberships/{id}")) return ids.membershipId;
  if (path.includes("/secrets/{id}")) return ids.secretId;
  if (path.includes("/webhooks/{id}")) return ids.webhookId;
  if (path.includes("/roles/{id}")) return ids.roleId;
  if (path.includes("/projects/{id}")) return ids.projectId;
  throw new Error(`no test id for the {id} of ${path}; teach test/helpers.ts idFor about it`);
}

/** Fills a route template's `{org_id}` and `{id}`; `override` replaces either with a given text. */
export function fillPath(
  path: string,
  ids: RouteIds,
  override: {
    org_id?: string;
    group_id?: string;
    id?: string;
    secret_id?: string;
    delivery_id?: string;
    environment?: string;
  } = {},
): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (name === "org_id") return override.org_id ?? ids.orgId;
    if (name === "group_id") return override.group_id ?? ids.groupId;
    if (name === "id") return override.id ?? idFor(path, ids);
    if (name === "secret_id") return override.secret_id ?? ids.clientSecretId;
    if (name === "delivery_id") return override.delivery_id ?? ids.deliveryId;
    // Every org has a `live` environment (and its publishable key) unless its policy says otherwise.
    if (name === "environment") return override.environment ?? "live";
    throw new Error(`unknown path parameter {${name}} in ${path}; teach test/helpers.ts fillPath about it`);
  });
}

/** A valid body for each route that takes one. Throws on a route these suites do not know yet. */
export function sampleBody(route: Pick<RouteOp, "method" | "path">, keyToVerify = "lks_x"): Record<string, unknown> {
  const bodies: Record<string, Record<string, unknown>> = {
    "POST /rest/orgs/{org_id}/api_keys": { type: "api_key", attributes: { name: "sample", expires_in: "30d" } },
    "POST /rest/orgs/{org_id}/api_keys/revoke": {
      type: "api_key_revocation",
      attributes: { filter: { label: "no-such-label" } },
    },
    "PATCH /rest/orgs/{org_id}/api_keys/{id}": { type: "api_key", attributes: { description: "patched" } },
    "POST /rest/orgs/{org_id}/api_keys/{id}/regenerate": {
      type: "api_key",
      attributes: { grace_period_seconds: 0 },
    },
    "POST /rest/self/tokens": { type: "api_key", attributes: { name: "sample", expires_in: "30d" } },
    "POST /rest/self/tokens/{id}/regenerate": { type: "api_key", attributes: { grace_period_seconds: 0 } },
    "POST /rest/orgs/{org_id}/publishable_keys/{environment}/regenerate": {
      type: "api_key",
      attributes: { grace_period_seconds: 0 },
    },
    "POST /rest/orgs/{org_id}/service_accounts": {
      type: "service_account",
      attributes: { name: "sample", role: "viewer" },
    },
    "PATCH /rest/orgs/{org_id}/service_accounts/{id}": {
      type: "service_account",
      attributes: { name: "renamed" },
    },
    "POST /rest/orgs/{org_id}/invitations": {
      type: "invitation",
      attributes: { email: "sample@example.test", role: "viewer" },
    },
    "POST /rest/orgs/{org_id}/webhooks": {
      type: "webhook",
      attributes: { url: "https://hooks.example.com/latchkey", event_types: ["api_key.created"] },
    },
    "PATCH /rest/orgs/{org_id}/webhooks/{id}": { type: "webhook", attributes: { description: "patched" } },
    "POST /rest/api_keys/verify": { type: "key_verification", attributes: { key: keyToVerify } },
    "POST /rest/orgs/{org_id}/memberships": {
      type: "membership",
      attributes: { email: "nobody@example.test", role: "viewer" },
    },
    "PATCH /rest/orgs/{org_id}/memberships/{id}": { type: "membership", attributes: { role: "viewer" } },
    "POST /rest/orgs/{org_id}/permissions": {
      type: "permission",
      attributes: { name: "jobs:read", description: "Read the org's jobs" },
    },
    "POST /rest/orgs/{org_id}/roles": {
      type: "role",
      attributes: { name: "sample", permissions: ["jobs:read"] },
    },
    "PATCH /rest/orgs/{org_id}/roles/{id}": { type: "role", attributes: { description: "patched" } },
    "POST /rest/orgs/{org_id}/projects": { type: "project", attributes: { name: "sample" } },
    "PATCH /rest/orgs/{org_id}": { type: "org", attributes: { policy: { idle_disable_days: null } } },
    "POST /rest/orgs/{org_id}/service_accounts/{id}/secrets": {
      type: "client_secret",
      attributes: { grace_period_seconds: 60 },
    },
    "POST /rest/orgs/{org_id}/secrets": { type: "secret", attributes: { name: "sample", value: "sample value" } },
    "POST /rest/orgs": { type: "org", attributes: { name: "sample" } },
    "POST /rest/groups/{group_id}/service_accounts": {
      type: "service_account",
      attributes: { name: "sample", role: "viewer" },
    },
    "PATCH /rest/groups/{group_id}/service_accounts/{id}": { type: "service_account", attributes: { name: "patched" } },
    "POST /rest/groups/{group_id}/memberships": {
      type: "group_membership",
      attributes: { email: "nobody@example.test", role: "viewer" },
    },
    "PATCH /rest/groups/{group_id}/memberships/{id}": { type: "group_membership", attributes: { role: "viewer" } },
  };
  const data = bodies[`${route.method} ${route.path}`];
  if (data === undefined) {
    throw new Error(`no sample body for ${route.method} ${route.path}; teach test/helpers.ts sampleBody about it`);
  }
  return { data: structuredClone(data) };
}

/** Creates an org key through the API and returns the created resource and its secret. */
export async function createKey(
  t: TestApp,
  attributes: Record<string, unknown> = {},
  options: { token?: string; orgId?: string } = {},
): Promise<{ id: string; key: string; attributes: Record<string, unknown> }> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${options.orgId ?? t.owner.orgId}/api_keys`,
    token: options.token ?? t.owner.token,
    body: { data: { type: "api_key", attributes: { name: "a key", expires_in: "30d", ...attributes } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  const data = res.json().data;
  return { id: data.id, key: data.attributes.key, attributes: data.attributes };
}

/** Stores a vault secret through the API; returns its id. */
export async function createSecret(
  t: TestApp,
  name: string,
  value: string,
  options: { token?: string; orgId?: string } = {},
): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${options.orgId ?? t.owner.orgId}/secrets`,
    token: options.token ?? t.owner.token,
    body: { data: { type: "secret", attributes: { name, value } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id;
}

/** Creates a personal token through `/rest/self/tokens`. */
export async function createToken(
  t: TestApp,
  token: string,
  attributes: Record<string, unknown> = {},
): Promise<{ id: string; key: string; attributes: Record<string, unknown> }> {
  const res = await send(t.app, {
    method: "POST",
    url: "/rest/self/tokens",
    token,
    body: { data: { type: "api_key", attributes: { name: "a token", expires_in: "30d", ...attributes } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  const data = res.json().data;
  return { id: data.id, key: data.attributes.key, attributes: data.attributes };
}

/** Creates a service account through the API. */
export async function createServiceAccount(t: TestApp, role: BuiltInRole = "viewer", name = "robot"): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${t.owner.orgId}/service_accounts`,
    token: t.owner.token,
    body: { data: { type: "service_account", attributes: { name, role } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id;
}

/** Creates an OAuth service account through the API; returns its id and its first client secret's id. */
export async function createOAuthClientIds(
  t: TestApp,
  options: { orgId?: string; token?: string; name?: string } = {},
): Promise<{ oauthAccountId: string; clientSecretId: string }> {
  const orgId = options.orgId ?? t.owner.orgId;
  const token = options.token ?? t.owner.token;
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/service_accounts`,
    token,
    body: {
      data: {
        type: "service_account",
        attributes: { name: options.name ?? "oauth route target", role: "viewer", auth_type: "oauth_client_secret" },
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const oauthAccountId: string = res.json().data.id;
  const secrets = await send(t.app, { url: `/rest/orgs/${orgId}/service_accounts/${oauthAccountId}/secrets`, token });
  expect(secrets.statusCode, secrets.body).toBe(200);
  return { oauthAccountId, clientSecretId: secrets.json().data[0].id };
}

/** Verifies `key` through `POST /rest/api_keys/verify` with the caller's token; returns the attributes. */
export async function verify(
  t: TestApp,
  key: string,
  options: { token?: string; permissions?: string[]; resource?: string } = {},
): Promise<Record<string, unknown> & { code: string; valid: boolean }> {
  const res = await send(t.app, {
    method: "POST",
    url: "/rest/api_keys/verify",
    token: options.token ?? t.owner.token,
    body: {
      data: {
        type: "key_verification",
        attributes: {
          key,
          ...(options.permissions ? { permissions: options.permissions } : {}),
          ...(options.resource ? { resource: options.resource } : {}),
        },
      },
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  const data = res.json().data;
  expect(data.type).toBe("key_verification");
  return data.attributes;
}

/** Every key of the caller's org, as the list endpoint shows them (follows `links.next`). */
export async function listAllKeys(t: TestApp, orgId = t.owner.orgId, token = t.owner.token): Promise<unknown[]> {
  const items: unknown[] = [];
  let url: string | undefined = `/rest/orgs/${orgId}/api_keys?limit=100`;
  while (url !== undefined) {
    const res = await send(t.app, { url, token });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    items.push(...body.data);
    url = body.links.next;
  }
  return items;
}

/** The id of a user's membership in an org. */
export async function membershipIdOf(t: TestApp, orgId: string, userId: string): Promise<string> {
  const row = await t.store.db
    .selectFrom("memberships")
    .select("id")
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Invites `email` to an org through the API; returns the invitation's id. */
export async function createInvitation(
  t: TestApp,
  orgId: string,
  token: string,
  email = `invitee-${randomUUID()}@example.test`,
): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/invitations`,
    token,
    body: { data: { type: "invitation", attributes: { email, role: "viewer" } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id;
}

/** A key with its last character changed: well-shaped, but not the key (and its checksum fails). */
export function tampered(key: string): string {
  return `${key.slice(0, -1)}${key.endsWith("x") ? "y" : "x"}`;
}

/** A fresh UUID that names nothing. */
export function unknownUuid(): string {
  return randomUUID();
}

/**
 * A webhook endpoint of the org (to a public URL that the tests never call: no worker runs) and one
 * delivery of it, made by creating a key.
 */
export async function createWebhookWithDelivery(
  t: TestApp,
  options: { token?: string; orgId?: string } = {},
): Promise<{ webhookId: string; deliveryId: string }> {
  const token = options.token ?? t.owner.token;
  const orgId = options.orgId ?? t.owner.orgId;
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/webhooks`,
    token,
    body: {
      data: { type: "webhook", attributes: { url: "https://hooks.example.com/fixture", event_types: ["*"] } },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const webhookId = res.json().data.id;
  await createKey(t, { name: "webhook fixture" }, { token, orgId });
  const deliveries = await send(t.app, { url: `/rest/orgs/${orgId}/webhooks/${webhookId}/deliveries`, token });
  expect(deliveries.statusCode, deliveries.body).toBe(200);
  const deliveryId = deliveries.json().data[0]?.id;
  expect(typeof deliveryId).toBe("string");
  return { webhookId, deliveryId };
}

/** A custom role and a project of the org, made through the API (fresh names each time). */
export async function createRoleAndProject(
  t: TestApp,
  options: { token?: string; orgId?: string } = {},
): Promise<{ roleId: string; projectId: string }> {
  const token = options.token ?? t.owner.token;
  const orgId = options.orgId ?? t.owner.orgId;
  const unique = randomUUID().slice(0, 8);
  const role = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/roles`,
    token,
    body: { data: { type: "role", attributes: { name: `role-${unique}`, permissions: ["jobs:read"] } } },
  });
  expect(role.statusCode, role.body).toBe(201);
  const project = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/projects`,
    token,
    body: { data: { type: "project", attributes: { name: `project ${unique}` } } },
  });
  expect(project.statusCode, project.body).toBe(201);
  return { roleId: role.json().data.id, projectId: project.json().data.id };
}

/** Creates a service account of a group through the API; returns its id. */
export async function createGroupServiceAccount(
  t: TestApp,
  groupId: string,
  options: { token?: string; role?: BuiltInRole; name?: string } = {},
): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/groups/${groupId}/service_accounts`,
    token: options.token ?? t.owner.token,
    body: {
      data: {
        type: "service_account",
        attributes: { name: options.name ?? "group robot", role: options.role ?? "viewer" },
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id;
}

/** The group ids of an org for RouteIds: its group, a new group service account, a new viewer's group membership. */
export async function groupRouteIds(
  t: TestApp,
  orgId: string,
  options: { token?: string; name?: string } = {},
): Promise<Pick<RouteIds, "groupId" | "groupServiceAccountId" | "groupMembershipId">> {
  const groupId = await groupIdOf(t, orgId);
  const colleague = await addMember(t, orgId, "viewer");
  return {
    groupId,
    groupServiceAccountId: await createGroupServiceAccount(t, groupId, {
      ...(options.token !== undefined && { token: options.token }),
      name: options.name ?? `group-robot-${colleague.userId.slice(-8)}`,
    }),
    groupMembershipId: await addGroupMembership(t, groupId, colleague.userId, "viewer"),
  };
}
