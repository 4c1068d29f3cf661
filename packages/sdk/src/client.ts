import type {
  AddGroupMemberAttributes,
  AddMemberAttributes,
  ApiKey,
  ApiKeyEvent,
  ApiMethod,
  ApiPath,
  AuditFilter,
  AuditLog,
  BulkRevocation,
  ClientSecret,
  CreateGroupServiceAccountAttributes,
  CreateInvitationAttributes,
  CreateKeyAttributes,
  CreateOrgAttributes,
  CreatePermissionAttributes,
  CreateProjectAttributes,
  CreateRoleAttributes,
  CreateSecretAttributes,
  CreateServiceAccountAttributes,
  CreateTokenAttributes,
  CreateWebhookAttributes,
  Group,
  GroupMembership,
  Invitation,
  KeyFilter,
  KeyVerification,
  ListDocument,
  Membership,
  Operation,
  Org,
  PageOptions,
  Permission,
  Project,
  QueryOf,
  RequestBodyOf,
  ResponseOf,
  Role,
  Secret,
  SelfDocument,
  ServiceAccount,
  SessionInfo,
  TokenFilter,
  UpdateGroupServiceAccountAttributes,
  UpdateKeyAttributes,
  UpdateMemberAttributes,
  UpdateOrgAttributes,
  UpdateRoleAttributes,
  UpdateServiceAccountAttributes,
  UpdateWebhookAttributes,
  Usage,
  UsageOptions,
  VerifyOptions,
  Webhook,
  WebhookDelivery,
} from "./types.js";

/** How to reach a Latchkey server. */
export interface ClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /**
   * A key or token; sent as `Authorization: token <key>`. Leave it out to use the session cookie
   * instead (a browser with `credentials: "include"`, after `login`).
   */
  token?: string | undefined;
  /**
   * The session's CSRF token, sent as `X-CSRF-Token` with every write. `login`, `session` and
   * `acceptInvitation` set it from their answers.
   */
  csrfToken?: string | undefined;
  /** fetch's `credentials` (a browser dashboard on another path: `"include"` or `"same-origin"`). */
  credentials?: "include" | "same-origin" | "omit" | undefined;
  /** The API version date (default 2024-06-10). */
  version?: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** An error answer of the API, with its JSON:API error code. Never holds the credential. */
export class LatchkeyApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly requestId: string | null,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = "LatchkeyApiError";
  }
}

type Query = Record<string, string | number | undefined>;

type PathParams<P extends ApiPath, M extends ApiMethod<P>> = Operation<P, M> extends { path: infer X } ? X : never;

/** The parts of a typed call besides its method and path. */
export type CallOptions<P extends ApiPath, M extends ApiMethod<P>> = {
  query?: QueryOf<P, M>;
  body?: RequestBodyOf<P, M>;
} & ([PathParams<P, M>] extends [never] ? { path?: undefined } : { path: PathParams<P, M> });

type KeyAction = "revoke" | "disable" | "enable";

/** A typed client for Latchkey's REST API: one method per route of the OpenAPI document. */
export class LatchkeyClient {
  private readonly base: string;
  private readonly version: string;
  private readonly fetchImpl: typeof fetch;
  private csrfToken: string | undefined;

  constructor(private readonly options: ClientOptions) {
    this.csrfToken = options.csrfToken;
    this.base = options.url.replace(/\/+$/, "");
    this.version = options.version ?? "2024-06-10";
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Calls one route of the OpenAPI document, typed from it: `path` fills `{org_id}` and the like,
   * `query` and `body` are checked against the route's schema, and the answer has the route's type.
   * `/rest` routes get `?version=` added. Throws LatchkeyApiError on any status but 2xx.
   */
  call<P extends ApiPath, M extends ApiMethod<P>>(
    method: M,
    path: P,
    ...[options]: [PathParams<P, M>] extends [never] ? [CallOptions<P, M>?] : [CallOptions<P, M>]
  ): Promise<ResponseOf<P, M>> {
    const params = (options?.path ?? {}) as Record<string, string>;
    const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new TypeError(`missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const url = new URL(`${this.base}${filled}`);
    if (filled.startsWith("/rest/")) url.searchParams.set("version", this.version);
    for (const [name, value] of Object.entries((options?.query ?? {}) as Query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return this.send(method.toUpperCase(), url, options?.body);
  }

  /** Sends a request under `/rest`; returns the parsed JSON body (undefined for 204) or throws LatchkeyApiError. */
  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const url = new URL(`${this.base}/rest${path}`);
    url.searchParams.set("version", this.version);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return this.send(method, url, options.body);
  }

  /** Who the credential belongs to, and the key's own attributes. */
  self(): Promise<SelfDocument> {
    return this.call("get", "/rest/self");
  }

  /** A page of the orgs the credential can act in. */
  listOrgs(page: PageOptions = {}): Promise<ListDocument<Org>> {
    return this.call("get", "/rest/orgs", { query: page });
  }

  /** Creates an org in a group (default: the group of the credential's org); needs `org:write` in the group. */
  async createOrg(attributes: CreateOrgAttributes): Promise<Org> {
    const body = { data: { type: "org" as const, attributes } };
    return (await this.call("post", "/rest/orgs", { body })).data;
  }

  /** The groups the credential can see: the group of its org. */
  listGroups(): Promise<ListDocument<Group>> {
    return this.call("get", "/rest/groups");
  }

  /** One group (the credential's org's); needs `org:read` in the group. */
  async getGroup(groupId: string): Promise<Group> {
    return (await this.call("get", "/rest/groups/{group_id}", { path: { group_id: groupId } })).data;
  }

  /** A page of the group's orgs; needs `org:read` in the group. */
  listGroupOrgs(groupId: string, page: PageOptions = {}): Promise<ListDocument<Org>> {
    return this.call("get", "/rest/groups/{group_id}/orgs", { path: { group_id: groupId }, query: page });
  }

  /** A page of the group's members, with their roles (which cover every org of the group). */
  listGroupMembers(groupId: string, page: PageOptions = {}): Promise<ListDocument<GroupMembership>> {
    return this.call("get", "/rest/groups/{group_id}/memberships", { path: { group_id: groupId }, query: page });
  }

  /** Adds an existing user (by email) to the group with a role at most the caller's own in the group. */
  async addGroupMember(groupId: string, attributes: AddGroupMemberAttributes): Promise<GroupMembership> {
    const body = { data: { type: "group_membership" as const, attributes } };
    const path = { group_id: groupId };
    return (await this.call("post", "/rest/groups/{group_id}/memberships", { path, body })).data;
  }

  /** One membership of the group. */
  async getGroupMember(groupId: string, id: string): Promise<GroupMembership> {
    const path = { group_id: groupId, id };
    return (await this.call("get", "/rest/groups/{group_id}/memberships/{id}", { path })).data;
  }

  /** Gives a group member another role; their keys in the group's orgs follow on the next request. */
  async setGroupMemberRole(
    groupId: string,
    id: string,
    role: AddGroupMemberAttributes["role"],
  ): Promise<GroupMembership> {
    const body = { data: { type: "group_membership" as const, attributes: { role } } };
    const path = { group_id: groupId, id };
    return (await this.call("patch", "/rest/groups/{group_id}/memberships/{id}", { path, body })).data;
  }

  /** Removes a group member; the rights their group role gave stop on the next request. */
  async removeGroupMember(groupId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/groups/{group_id}/memberships/{id}", { path: { group_id: groupId, id } });
  }

  /** A page of the group's service accounts. */
  listGroupServiceAccounts(groupId: string, page: PageOptions = {}): Promise<ListDocument<ServiceAccount>> {
    return this.call("get", "/rest/groups/{group_id}/service_accounts", { path: { group_id: groupId }, query: page });
  }

  /**
   * Creates a group service account; create its keys in any org of the group with `createKey` and
   * `service_account_id`.
   */
  async createGroupServiceAccount(
    groupId: string,
    attributes: CreateGroupServiceAccountAttributes,
  ): Promise<ServiceAccount> {
    const body = { data: { type: "service_account" as const, attributes } };
    const path = { group_id: groupId };
    return (await this.call("post", "/rest/groups/{group_id}/service_accounts", { path, body })).data;
  }

  /** One group service account. */
  async getGroupServiceAccount(groupId: string, id: string): Promise<ServiceAccount> {
    const path = { group_id: groupId, id };
    return (await this.call("get", "/rest/groups/{group_id}/service_accounts/{id}", { path })).data;
  }

  /** Renames a group service account or changes its role. */
  async updateGroupServiceAccount(
    groupId: string,
    id: string,
    attributes: UpdateGroupServiceAccountAttributes,
  ): Promise<ServiceAccount> {
    const body = { data: { type: "service_account" as const, attributes } };
    const path = { group_id: groupId, id };
    return (await this.call("patch", "/rest/groups/{group_id}/service_accounts/{id}", { path, body })).data;
  }

  /** Deletes a group service account and revokes its keys in every org of the group. */
  async deleteGroupServiceAccount(groupId: string, id: string): Promise<void> {
    const path = { group_id: groupId, id };
    await this.call("delete", "/rest/groups/{group_id}/service_accounts/{id}", { path });
  }

  /** One org. */
  async getOrg(orgId: string): Promise<Org> {
    return (await this.call("get", "/rest/orgs/{org_id}", { path: { org_id: orgId } })).data;
  }

  /** Changes an org's name or policy fields (those given); needs `org:write`. */
  async updateOrg(orgId: string, attributes: UpdateOrgAttributes): Promise<Org> {
    const body = { data: { type: "org" as const, attributes } };
    return (await this.call("patch", "/rest/orgs/{org_id}", { path: { org_id: orgId }, body })).data;
  }

  /** A page of the org's keys. */
  listKeys(orgId: string, filter: KeyFilter = {}, page: PageOptions = {}): Promise<ListDocument<ApiKey>> {
    return this.call("get", "/rest/orgs/{org_id}/api_keys", {
      path: { org_id: orgId },
      query: { ...bracketFilter(filter), ...page },
    });
  }

  /** Creates a key; the answer's `attributes.key` is the secret, shown this once. */
  async createKey(orgId: string, attributes: CreateKeyAttributes): Promise<ApiKey> {
    const body = { data: { type: "api_key" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/api_keys", { path: { org_id: orgId }, body })).data;
  }

  /** One key. */
  async getKey(orgId: string, id: string): Promise<ApiKey> {
    return (await this.call("get", "/rest/orgs/{org_id}/api_keys/{id}", { path: { org_id: orgId, id } })).data;
  }

  /** Changes a key's name, description, labels, metadata, permissions or limits. */
  async updateKey(orgId: string, id: string, attributes: UpdateKeyAttributes): Promise<ApiKey> {
    const body = { data: { type: "api_key" as const, attributes } };
    return (await this.call("patch", "/rest/orgs/{org_id}/api_keys/{id}", { path: { org_id: orgId, id }, body })).data;
  }

  /** Deletes a key: gone from lists, its audit trail kept. */
  async deleteKey(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/api_keys/{id}", { path: { org_id: orgId, id } });
  }

  /** Revokes (final), disables or enables (reversible) a key. */
  async changeKey(orgId: string, id: string, action: KeyAction): Promise<ApiKey> {
    const path = { org_id: orgId, id };
    const answer =
      action === "revoke"
        ? await this.call("post", "/rest/orgs/{org_id}/api_keys/{id}/revoke", { path })
        : action === "disable"
          ? await this.call("post", "/rest/orgs/{org_id}/api_keys/{id}/disable", { path })
          : await this.call("post", "/rest/orgs/{org_id}/api_keys/{id}/enable", { path });
    return answer.data;
  }

  /**
   * Gives a key a new secret (in the answer's `attributes.key`); the old one works for the grace period.
   * With `saveToVault`, the new secret is also stored in the org's vault under that name.
   */
  async regenerateKey(
    orgId: string,
    id: string,
    gracePeriodSeconds = 0,
    saveToVault?: { name: string },
  ): Promise<ApiKey> {
    const attributes = {
      grace_period_seconds: gracePeriodSeconds,
      ...(saveToVault !== undefined ? { save_to_vault: saveToVault } : {}),
    };
    const body = { data: { type: "api_key" as const, attributes } };
    const path = { org_id: orgId, id };
    return (await this.call("post", "/rest/orgs/{org_id}/api_keys/{id}/regenerate", { path, body })).data;
  }

  /**
   * The org's publishable keys, one per environment, each with its (public) value in `attributes.key`.
   * Orgs made before publishable keys existed get theirs on the first call.
   */
  async listPublishableKeys(orgId: string): Promise<ApiKey[]> {
    return (await this.call("get", "/rest/orgs/{org_id}/publishable_keys", { path: { org_id: orgId } })).data;
  }

  /**
   * Gives an environment's publishable key a new value (in the answer's `attributes.key`); the old one
   * stops at once, or after `gracePeriodSeconds`.
   */
  async regeneratePublishableKey(orgId: string, environment: string, gracePeriodSeconds = 0): Promise<ApiKey> {
    const body = { data: { type: "api_key" as const, attributes: { grace_period_seconds: gracePeriodSeconds } } };
    const path = { org_id: orgId, environment };
    return (await this.call("post", "/rest/orgs/{org_id}/publishable_keys/{environment}/regenerate", { path, body }))
      .data;
  }

  /** Revokes every key of the org that matches the filter (for example a label). */
  async revokeKeys(orgId: string, filter: KeyFilter): Promise<BulkRevocation> {
    const body = { data: { type: "api_key_revocation" as const, attributes: { filter } } };
    return (await this.call("post", "/rest/orgs/{org_id}/api_keys/revoke", { path: { org_id: orgId }, body })).data
      .attributes;
  }

  /** A key's lifecycle events, oldest first. */
  async keyEvents(orgId: string, id: string): Promise<ApiKeyEvent[]> {
    return (await this.call("get", "/rest/orgs/{org_id}/api_keys/{id}/events", { path: { org_id: orgId, id } })).data;
  }

  /** A key's verifications per bucket and outcome code. */
  async keyUsage(orgId: string, id: string, options: UsageOptions = {}): Promise<Usage> {
    const path = { org_id: orgId, id };
    return (await this.call("get", "/rest/orgs/{org_id}/api_keys/{id}/usage", { path, query: options })).data;
  }

  /** The org's verifications per bucket and outcome code. */
  async orgUsage(orgId: string, options: UsageOptions = {}): Promise<Usage> {
    return (await this.call("get", "/rest/orgs/{org_id}/usage", { path: { org_id: orgId }, query: options })).data;
  }

  /** A page of the acting user's personal tokens. */
  listTokens(filter: TokenFilter = {}, page: PageOptions = {}): Promise<ListDocument<ApiKey>> {
    return this.call("get", "/rest/self/tokens", { query: { ...bracketFilter(filter), ...page } });
  }

  /** Creates a personal token; the answer's `attributes.key` is the secret, shown this once. */
  async createToken(attributes: CreateTokenAttributes): Promise<ApiKey> {
    return (await this.call("post", "/rest/self/tokens", { body: { data: { type: "api_key", attributes } } })).data;
  }

  /** One of the acting user's personal tokens. */
  async getToken(id: string): Promise<ApiKey> {
    return (await this.call("get", "/rest/self/tokens/{id}", { path: { id } })).data;
  }

  /** Deletes one of the acting user's personal tokens. */
  async deleteToken(id: string): Promise<void> {
    await this.call("delete", "/rest/self/tokens/{id}", { path: { id } });
  }

  /** Gives a personal token a new secret; the old one works for the grace period. */
  async regenerateToken(id: string, gracePeriodSeconds = 0): Promise<ApiKey> {
    const body = { data: { type: "api_key" as const, attributes: { grace_period_seconds: gracePeriodSeconds } } };
    return (await this.call("post", "/rest/self/tokens/{id}/regenerate", { path: { id }, body })).data;
  }

  /** A page of the org's service accounts. */
  listServiceAccounts(orgId: string, page: PageOptions = {}): Promise<ListDocument<ServiceAccount>> {
    return this.call("get", "/rest/orgs/{org_id}/service_accounts", { path: { org_id: orgId }, query: page });
  }

  /**
   * Creates a service account with a built-in role. With `auth_type: "oauth_client_secret"` the answer
   * holds `client_id` and, this once, `client_secret` (use them with `getAccessToken`).
   */
  async createServiceAccount(orgId: string, attributes: CreateServiceAccountAttributes): Promise<ServiceAccount> {
    const body = { data: { type: "service_account" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/service_accounts", { path: { org_id: orgId }, body })).data;
  }

  /** One service account. */
  async getServiceAccount(orgId: string, id: string): Promise<ServiceAccount> {
    const path = { org_id: orgId, id };
    return (await this.call("get", "/rest/orgs/{org_id}/service_accounts/{id}", { path })).data;
  }

  /** Renames a service account or gives it another role; its keys follow on the next request. */
  async updateServiceAccount(
    orgId: string,
    id: string,
    attributes: UpdateServiceAccountAttributes,
  ): Promise<ServiceAccount> {
    const body = { data: { type: "service_account" as const, attributes } };
    const path = { org_id: orgId, id };
    return (await this.call("patch", "/rest/orgs/{org_id}/service_accounts/{id}", { path, body })).data;
  }

  /** Deletes a service account and revokes its keys. */
  async deleteServiceAccount(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/service_accounts/{id}", { path: { org_id: orgId, id } });
  }

  /** The org's permission catalogue, whole: Latchkey's own permissions, then the org's product ones. */
  async listPermissions(orgId: string): Promise<Permission[]> {
    return (await this.call("get", "/rest/orgs/{org_id}/permissions", { path: { org_id: orgId } })).data;
  }

  /** Adds a product permission (`resource:action`, with a description) to the org's catalogue. */
  async createPermission(orgId: string, attributes: CreatePermissionAttributes): Promise<Permission> {
    const body = { data: { type: "permission" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/permissions", { path: { org_id: orgId }, body })).data;
  }

  /** The org's roles: the built-in ones, then its custom roles. */
  async listRoles(orgId: string): Promise<Role[]> {
    return (await this.call("get", "/rest/orgs/{org_id}/roles", { path: { org_id: orgId } })).data;
  }

  /** Creates a custom role: a name and permissions, none beyond the caller's own. */
  async createRole(orgId: string, attributes: CreateRoleAttributes): Promise<Role> {
    const body = { data: { type: "role" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/roles", { path: { org_id: orgId }, body })).data;
  }

  /** One custom role. */
  async getRole(orgId: string, id: string): Promise<Role> {
    return (await this.call("get", "/rest/orgs/{org_id}/roles/{id}", { path: { org_id: orgId, id } })).data;
  }

  /** Changes a custom role's description or permissions; its holders' keys follow on the next request. */
  async updateRole(orgId: string, id: string, attributes: UpdateRoleAttributes): Promise<Role> {
    const body = { data: { type: "role" as const, attributes } };
    return (await this.call("patch", "/rest/orgs/{org_id}/roles/{id}", { path: { org_id: orgId, id }, body })).data;
  }

  /** Deletes a custom role that nobody holds. */
  async deleteRole(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/roles/{id}", { path: { org_id: orgId, id } });
  }

  /** A page of the org's projects (the scopes `project:<id>` of role/scope pairs). */
  listProjects(orgId: string, page: PageOptions = {}): Promise<ListDocument<Project>> {
    return this.call("get", "/rest/orgs/{org_id}/projects", { path: { org_id: orgId }, query: page });
  }

  /** Creates a project. */
  async createProject(orgId: string, attributes: CreateProjectAttributes): Promise<Project> {
    const body = { data: { type: "project" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/projects", { path: { org_id: orgId }, body })).data;
  }

  /** One project. */
  async getProject(orgId: string, id: string): Promise<Project> {
    return (await this.call("get", "/rest/orgs/{org_id}/projects/{id}", { path: { org_id: orgId, id } })).data;
  }

  /** Deletes a project that no role/scope pair names. */
  async deleteProject(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/projects/{id}", { path: { org_id: orgId, id } });
  }

  /** A page of the org's members, with their roles. */
  listMembers(orgId: string, page: PageOptions = {}): Promise<ListDocument<Membership>> {
    return this.call("get", "/rest/orgs/{org_id}/memberships", { path: { org_id: orgId }, query: page });
  }

  /** Adds an existing user (by email) with a role at most the caller's own. */
  async addMember(orgId: string, attributes: AddMemberAttributes): Promise<Membership> {
    const body = { data: { type: "membership" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/memberships", { path: { org_id: orgId }, body })).data;
  }

  /** One membership of the org. */
  async getMember(orgId: string, id: string): Promise<Membership> {
    return (await this.call("get", "/rest/orgs/{org_id}/memberships/{id}", { path: { org_id: orgId, id } })).data;
  }

  /** Gives a member another role or role/scope pairs; their keys follow on the next request. */
  async updateMember(orgId: string, id: string, attributes: UpdateMemberAttributes): Promise<Membership> {
    const body = { data: { type: "membership" as const, attributes } };
    const path = { org_id: orgId, id };
    return (await this.call("patch", "/rest/orgs/{org_id}/memberships/{id}", { path, body })).data;
  }

  /** Removes a member; their personal keys stop working in the org at once. */
  async removeMember(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/memberships/{id}", { path: { org_id: orgId, id } });
  }

  /** The client secrets of an OAuth service account, revoked ones included (never their values). */
  async listClientSecrets(orgId: string, serviceAccountId: string): Promise<ClientSecret[]> {
    const path = { org_id: orgId, id: serviceAccountId };
    return (await this.call("get", "/rest/orgs/{org_id}/service_accounts/{id}/secrets", { path })).data;
  }

  /**
   * Issues a new client secret for an OAuth service account; `attributes.client_secret` is the value,
   * shown this once. The older secrets, and their access tokens, work for `gracePeriodSeconds`.
   */
  async issueClientSecret(orgId: string, serviceAccountId: string, gracePeriodSeconds = 0): Promise<ClientSecret> {
    const path = { org_id: orgId, id: serviceAccountId };
    const body = { data: { type: "client_secret" as const, attributes: { grace_period_seconds: gracePeriodSeconds } } };
    return (await this.call("post", "/rest/orgs/{org_id}/service_accounts/{id}/secrets", { path, body })).data;
  }

  /** Revokes a client secret: it and every access token issued with it stop working at once. */
  async revokeClientSecret(orgId: string, serviceAccountId: string, secretId: string): Promise<void> {
    const path = { org_id: orgId, id: serviceAccountId, secret_id: secretId };
    await this.call("delete", "/rest/orgs/{org_id}/service_accounts/{id}/secrets/{secret_id}", { path });
  }

  /** A page of the org's webhook endpoints (needs webhooks:read). Their secrets are never listed. */
  listWebhooks(orgId: string, page: PageOptions = {}): Promise<ListDocument<Webhook>> {
    return this.call("get", "/rest/orgs/{org_id}/webhooks", { path: { org_id: orgId }, query: page });
  }

  /** Creates a webhook endpoint; `attributes.secret` of the answer is its signing secret, shown this once. */
  async createWebhook(orgId: string, attributes: CreateWebhookAttributes): Promise<Webhook> {
    const body = { data: { type: "webhook" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/webhooks", { path: { org_id: orgId }, body })).data;
  }

  /** One webhook endpoint. */
  async getWebhook(orgId: string, id: string): Promise<Webhook> {
    return (await this.call("get", "/rest/orgs/{org_id}/webhooks/{id}", { path: { org_id: orgId, id } })).data;
  }

  /** Changes a webhook endpoint's URL, event types, description or enabled flag. */
  async updateWebhook(orgId: string, id: string, attributes: UpdateWebhookAttributes): Promise<Webhook> {
    const body = { data: { type: "webhook" as const, attributes } };
    return (await this.call("patch", "/rest/orgs/{org_id}/webhooks/{id}", { path: { org_id: orgId, id }, body })).data;
  }

  /** Deletes a webhook endpoint and its deliveries. */
  async deleteWebhook(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/webhooks/{id}", { path: { org_id: orgId, id } });
  }

  /** Gives a webhook endpoint a new signing secret, returned this once in `attributes.secret`. */
  async rotateWebhookSecret(orgId: string, id: string): Promise<Webhook> {
    const path = { org_id: orgId, id };
    return (await this.call("post", "/rest/orgs/{org_id}/webhooks/{id}/rotate_secret", { path })).data;
  }

  /** A page of a webhook endpoint's deliveries, newest first, each with its attempts. */
  listWebhookDeliveries(orgId: string, id: string, page: PageOptions = {}): Promise<ListDocument<WebhookDelivery>> {
    const path = { org_id: orgId, id };
    return this.call("get", "/rest/orgs/{org_id}/webhooks/{id}/deliveries", { path, query: page });
  }

  /** Sends a delivery's event again, as a new delivery with the same event id. */
  async redeliverWebhook(orgId: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
    const path = { org_id: orgId, id, delivery_id: deliveryId };
    return (await this.call("post", "/rest/orgs/{org_id}/webhooks/{id}/deliveries/{delivery_id}/redeliver", { path }))
      .data;
  }

  /**
   * Verifies a key of the credential's org (the credential needs `api_keys:verify`). Always resolves
   * with a code unless the call itself fails. `options` may be just the required permissions.
   */
  async verify(key: string, options: VerifyOptions | string[] = {}): Promise<KeyVerification> {
    const { permissions, resource, ip, cost } = Array.isArray(options) ? { permissions: options } : options;
    const attributes = { key, permissions, resource, ip, cost };
    const body = { data: { type: "key_verification" as const, attributes } };
    return (await this.call("post", "/rest/api_keys/verify", { body })).data.attributes;
  }

  /** A page of the org's open invitations (needs members:read). */
  listInvitations(orgId: string, page: PageOptions = {}): Promise<ListDocument<Invitation>> {
    return this.call("get", "/rest/orgs/{org_id}/invitations", { path: { org_id: orgId }, query: page });
  }

  /** Invites someone by email (needs members:write); the answer's `attributes.link` is shown this once. */
  async createInvitation(orgId: string, attributes: CreateInvitationAttributes): Promise<Invitation> {
    const body = { data: { type: "invitation" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/invitations", { path: { org_id: orgId }, body })).data;
  }

  /** One open invitation (its link is never shown again). */
  async getInvitation(orgId: string, id: string): Promise<Invitation> {
    return (await this.call("get", "/rest/orgs/{org_id}/invitations/{id}", { path: { org_id: orgId, id } })).data;
  }

  /** Withdraws an open invitation. */
  async deleteInvitation(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/invitations/{id}", { path: { org_id: orgId, id } });
  }

  /** Signs in: the server sets the session cookie; the client keeps the CSRF token for its writes. */
  async login(email: string, password: string): Promise<SessionInfo> {
    return this.remember(await this.call("post", "/auth/login", { body: { email, password } }));
  }

  /** The signed-in user, their orgs and the session's CSRF token (which the client keeps). */
  async session(): Promise<SessionInfo> {
    return this.remember(await this.call("get", "/auth/session"));
  }

  /** Signs out: ends the session. */
  async logout(): Promise<void> {
    await this.call("post", "/auth/logout");
    this.csrfToken = undefined;
  }

  /** Changes the signed-in user's password; their other sessions end. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.call("post", "/auth/password", {
      body: { current_password: currentPassword, new_password: newPassword },
    });
  }

  /**
   * Accepts an invitation with the token of its link: a new user sets `password` (and `name`); an
   * existing user gives their current password. Signs in.
   */
  async acceptInvitation(token: string, password: string, name?: string): Promise<SessionInfo> {
    const body = { token, password, ...(name !== undefined ? { name } : {}) };
    return this.remember(await this.call("post", "/auth/invitations/accept", { body }));
  }

  private remember(session: SessionInfo): SessionInfo {
    this.csrfToken = session.csrf_token;
    return session;
  }

  /**
   * Revokes the key `key`, for whoever holds it (`POST /revoke`; no other credential is needed, and
   * the client's own token is not what is revoked). Resolves the same whether or not the key existed.
   */
  selfRevoke(key: string): Promise<ResponseOf<"/revoke", "post">> {
    return this.call("post", "/revoke", { body: { key } });
  }

  /**
   * Posts a secret-scanning report as GitHub does (`POST /secret-scanning/github`): `body` exactly as
   * signed, with the signing key's identifier and the base64 DER signature. For testing an enrolment.
   */
  reportLeakedKeys(
    body: string,
    signature: { keyIdentifier: string; signature: string },
  ): Promise<ResponseOf<"/secret-scanning/github", "post">> {
    return this.send("POST", new URL(`${this.base}/secret-scanning/github`), body, {
      "content-type": "application/json",
      "github-public-key-identifier": signature.keyIdentifier,
      "github-public-key-signature": signature.signature,
    });
  }

  /** Liveness: resolves when the process answers. */
  health(): Promise<ResponseOf<"/healthz", "get">> {
    return this.call("get", "/healthz");
  }

  /** A page of the org's audit log, newest first (needs audit:read). */
  listAuditLogs(orgId: string, filter: AuditFilter = {}, page: PageOptions = {}): Promise<ListDocument<AuditLog>> {
    return this.call("get", "/rest/orgs/{org_id}/audit_logs", {
      path: { org_id: orgId },
      query: { ...bracketFilter(filter), ...page },
    });
  }

  /** The org's audit log as NDJSON text, oldest first, one event per line with its hashes. */
  async exportAuditLogs(orgId: string, filter: AuditFilter = {}): Promise<string> {
    return String(
      await this.call("get", "/rest/orgs/{org_id}/audit_logs/export", {
        path: { org_id: orgId },
        query: bracketFilter(filter),
      }),
    );
  }

  /** A page of the org's vault secrets, newest first, without values (needs secrets:list). */
  listSecrets(orgId: string, page: PageOptions = {}): Promise<ListDocument<Secret>> {
    return this.call("get", "/rest/orgs/{org_id}/secrets", { path: { org_id: orgId }, query: page });
  }

  /** Stores a secret in the org's vault (needs secrets:write); the answer holds no value. */
  async createSecret(orgId: string, attributes: CreateSecretAttributes): Promise<Secret> {
    const body = { data: { type: "secret" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/secrets", { path: { org_id: orgId }, body })).data;
  }

  /** One secret's metadata, without its value. */
  async getSecret(orgId: string, id: string): Promise<Secret> {
    return (await this.call("get", "/rest/orgs/{org_id}/secrets/{id}", { path: { org_id: orgId, id } })).data;
  }

  /**
   * One secret with its value in `attributes.value` (needs secrets:read). Every call is recorded in the
   * audit log as `secret.read`.
   */
  async revealSecret(orgId: string, id: string): Promise<Secret & { attributes: { value: string } }> {
    const path = { org_id: orgId, id };
    const secret = (await this.call("get", "/rest/orgs/{org_id}/secrets/{id}", { path, query: { reveal: true } })).data;
    if (secret.attributes.value === undefined) {
      throw new LatchkeyApiError(200, "INVALID_RESPONSE", "The server answered without the value.", null);
    }
    return secret as Secret & { attributes: { value: string } };
  }

  /** Deletes a secret from the vault (needs secrets:write). */
  async deleteSecret(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/secrets/{id}", { path: { org_id: orgId, id } });
  }

  /** Readiness: resolves when the database answers, throws LatchkeyApiError (503) when not. */
  ready(): Promise<ResponseOf<"/readyz", "get">> {
    return this.call("get", "/readyz");
  }

  /** The Prometheus metrics text. */
  async metrics(): Promise<string> {
    return String(await this.call("get", "/metrics"));
  }

  /** The OpenAPI 3.1 document of the client's API version. */
  openapi(): Promise<Record<string, unknown>> {
    return this.request("GET", "/openapi");
  }

  /** Sends a request; a body with `raw` headers (a content type among them) is sent as the string it is. */
  private async send<T>(method: string, url: URL, body: unknown, raw?: Record<string, string>): Promise<T> {
    const headers: Record<string, string> = {
      accept: "application/vnd.api+json, application/json;q=0.9, */*;q=0.1",
    };
    if (this.options.token !== undefined) headers.authorization = `token ${this.options.token}`;
    else if (this.csrfToken !== undefined && method !== "GET" && method !== "HEAD") {
      headers["x-csrf-token"] = this.csrfToken;
    }
    // /rest takes JSON:API; the sign-in routes take plain JSON.
    if (body !== undefined) {
      headers["content-type"] = url.pathname.startsWith("/rest/") ? "application/vnd.api+json" : "application/json";
    }
    Object.assign(headers, raw);
    const response = await this.fetchImpl(url, {
      method,
      headers,
      ...(this.options.credentials !== undefined ? { credentials: this.options.credentials } : {}),
      ...(body !== undefined
        ? { body: raw !== undefined && typeof body === "string" ? body : JSON.stringify(body) }
        : {}),
    });
    const requestId = response.headers.get("x-request-id");
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    // NDJSON (the audit export) is text: one JSON document per line.
    const isJson = /\bjson\b/i.test(response.headers.get("content-type") ?? "");
    let parsed: unknown = text;
    if (isJson) {
      try {
        parsed = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        throw new LatchkeyApiError(
          response.status,
          "INVALID_RESPONSE",
          "The server did not answer with JSON.",
          requestId,
        );
      }
    }
    if (!response.ok) {
      const error = (parsed as { errors?: { code?: string; detail?: string }[] } | undefined)?.errors?.[0];
      const code = error?.code ?? (response.status === 401 ? "UNAUTHORIZED" : `HTTP_${response.status}`);
      const detail = error?.detail ?? (response.status === 401 ? "The credential was refused." : response.statusText);
      throw new LatchkeyApiError(response.status, code, detail, requestId);
    }
    return parsed as T;
  }
}

/** `{status: "active"}` → `{"filter[status]": "active"}`. */
function bracketFilter<F extends object>(filter: F): { [K in keyof F & string as `filter[${K}]`]: F[K] } {
  const entries = Object.entries(filter).map(([name, value]) => [`filter[${name}]`, value]);
  return Object.fromEntries(entries) as { [K in keyof F & string as `filter[${K}]`]: F[K] };
}
