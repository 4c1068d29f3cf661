import type {
  ApiKey,
  ApiKeyEvent,
  ApiMethod,
  ApiPath,
  AuditFilter,
  AuditLog,
  BulkRevocation,
  CreateKeyAttributes,
  CreateServiceAccountAttributes,
  CreateTokenAttributes,
  CreateWebhookAttributes,
  KeyFilter,
  KeyVerification,
  ListDocument,
  Operation,
  Org,
  PageOptions,
  QueryOf,
  RequestBodyOf,
  ResponseOf,
  SelfDocument,
  ServiceAccount,
  TokenFilter,
  UpdateKeyAttributes,
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
  /** A key or token; sent as `Authorization: token <key>`. */
  token: string;
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

  constructor(private readonly options: ClientOptions) {
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

  /** One org. */
  async getOrg(orgId: string): Promise<Org> {
    return (await this.call("get", "/rest/orgs/{org_id}", { path: { org_id: orgId } })).data;
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

  /** Gives a key a new secret (in the answer's `attributes.key`); the old one works for the grace period. */
  async regenerateKey(orgId: string, id: string, gracePeriodSeconds = 0): Promise<ApiKey> {
    const body = { data: { type: "api_key" as const, attributes: { grace_period_seconds: gracePeriodSeconds } } };
    const path = { org_id: orgId, id };
    return (await this.call("post", "/rest/orgs/{org_id}/api_keys/{id}/regenerate", { path, body })).data;
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

  /** Creates a service account with a built-in role. */
  async createServiceAccount(orgId: string, attributes: CreateServiceAccountAttributes): Promise<ServiceAccount> {
    const body = { data: { type: "service_account" as const, attributes } };
    return (await this.call("post", "/rest/orgs/{org_id}/service_accounts", { path: { org_id: orgId }, body })).data;
  }

  /** One service account. */
  async getServiceAccount(orgId: string, id: string): Promise<ServiceAccount> {
    const path = { org_id: orgId, id };
    return (await this.call("get", "/rest/orgs/{org_id}/service_accounts/{id}", { path })).data;
  }

  /** Deletes a service account and revokes its keys. */
  async deleteServiceAccount(orgId: string, id: string): Promise<void> {
    await this.call("delete", "/rest/orgs/{org_id}/service_accounts/{id}", { path: { org_id: orgId, id } });
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
    const { permissions, ip, cost } = Array.isArray(options) ? { permissions: options } : options;
    const attributes = { key, permissions, ip, cost };
    const body = { data: { type: "key_verification" as const, attributes } };
    return (await this.call("post", "/rest/api_keys/verify", { body })).data.attributes;
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

  private async send<T>(method: string, url: URL, body: unknown): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `token ${this.options.token}`,
      accept: "application/vnd.api+json, application/json;q=0.9, */*;q=0.1",
    };
    if (body !== undefined) headers["content-type"] = "application/vnd.api+json";
    const response = await this.fetchImpl(url, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
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
