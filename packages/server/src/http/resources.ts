import {
  type ApiKey,
  type AuditRecord,
  type ClientSecret,
  type Group,
  type GroupMemberView,
  type GroupServiceAccount,
  type KeyEvent,
  keyStatus,
  type MemberView,
  type Org,
  type ServiceAccount,
  type User,
  type VaultSecret,
  type VerifiableKey,
  type VerifyOutcome,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "@latchkey/core";

function time(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** An API key as a JSON:API resource. `secret` is given only in the answers to create and regenerate. */
export function apiKeyResource(key: ApiKey, now: Date, secret?: string) {
  return {
    type: "api_key" as const,
    id: key.id,
    attributes: {
      ...(secret !== undefined ? { key: secret } : {}),
      name: key.name,
      description: key.description,
      kind: key.kind,
      org_id: key.orgId,
      owner: key.owner,
      environment: key.environment,
      hint: key.hint,
      status: keyStatus(key, now),
      enabled: key.enabled,
      permissions: key.permissions,
      roles: key.roles,
      labels: key.labels,
      metadata: key.metadata,
      expires_at: time(key.expiresAt),
      created_at: key.createdAt.toISOString(),
      created_by: key.createdBy,
      last_used_at: time(key.lastUsedAt),
      last_used_ip: key.lastUsedIp,
      rotated_at: time(key.rotatedAt),
      revoked_at: time(key.revokedAt),
      ip_allowlist: key.ipAllowlist,
      rate_limit: key.rateLimit && { limit: key.rateLimit.limit, window_seconds: key.rateLimit.windowSeconds },
      quota: key.quota && { remaining: key.quota.remaining, refill: key.quota.refill },
      leak: key.leak && { reported_at: key.leak.reportedAt.toISOString(), source: key.leak.source, url: key.leak.url },
    },
    links: { self: `/rest/orgs/${key.orgId}/api_keys/${key.id}` },
  };
}

/** A JSON:API document holding one key (with its secret, in the answers to create and regenerate). */
export function keyDocument(key: ApiKey, now: Date, secret?: string) {
  return { jsonapi: { version: "1.0" as const }, data: apiKeyResource(key, now, secret) };
}

/** A JSON:API document holding a page of keys. */
export function keyListDocument(
  keys: readonly ApiKey[],
  now: Date,
  links: { self: string; next?: string; prev?: string },
) {
  return { jsonapi: { version: "1.0" as const }, data: keys.map((key) => apiKeyResource(key, now)), links };
}

/** A key event as a JSON:API resource. */
export function keyEventResource(event: KeyEvent) {
  return {
    type: "api_key_event" as const,
    id: event.id,
    attributes: {
      event: event.type,
      key_id: event.keyId,
      actor: event.actor,
      request_id: event.requestId,
      created_at: event.createdAt.toISOString(),
      detail: event.detail,
    },
  };
}

/** A service account as a JSON:API resource. */
export function serviceAccountResource(account: ServiceAccount, clientSecret?: string) {
  const oauth = account.authType === "oauth_client_secret";
  return {
    type: "service_account" as const,
    id: account.id,
    attributes: {
      name: account.name,
      role: account.role,
      auth_type: account.authType,
      client_id: oauth ? account.id : null,
      ...(clientSecret !== undefined ? { client_secret: clientSecret } : {}),
      access_token_ttl_seconds: account.accessTokenTtlSeconds,
      org_id: account.orgId,
      group_id: null,
      created_at: account.createdAt.toISOString(),
      created_by: account.createdBy,
    },
    links: { self: `/rest/orgs/${account.orgId}/service_accounts/${account.id}` },
  };
}

/** A membership as a JSON:API resource. */
export function membershipResource(member: MemberView) {
  return {
    type: "membership" as const,
    id: member.id,
    attributes: {
      role: member.role,
      roles: member.roles,
      user_id: member.userId,
      email: member.email,
      name: member.name,
      org_id: member.orgId,
      created_at: member.createdAt.toISOString(),
    },
    links: { self: `/rest/orgs/${member.orgId}/memberships/${member.id}` },
  };
}

/** The `client_secret` resource; `value` only in the answer that issued it. */
export function clientSecretResource(secret: ClientSecret, now: Date, value?: string) {
  const status =
    secret.revokedAt !== null
      ? ("revoked" as const)
      : secret.expiresAt !== null && secret.expiresAt.getTime() <= now.getTime()
        ? ("expired" as const)
        : ("active" as const);
  return {
    type: "client_secret" as const,
    id: secret.id,
    attributes: {
      client_id: secret.serviceAccountId,
      ...(value !== undefined ? { client_secret: value } : {}),
      hint: secret.hint,
      status,
      created_at: secret.createdAt.toISOString(),
      expires_at: secret.expiresAt?.toISOString() ?? null,
      revoked_at: secret.revokedAt?.toISOString() ?? null,
    },
  };
}

/** A vault secret as a JSON:API resource; `value` only in the answer to a reveal. */
export function secretResource(secret: VaultSecret, value?: string) {
  return {
    type: "secret" as const,
    id: secret.id,
    attributes: {
      name: secret.name,
      ...(value !== undefined ? { value } : {}),
      org_id: secret.orgId,
      created_at: secret.createdAt.toISOString(),
      updated_at: secret.updatedAt.toISOString(),
      created_by: secret.createdBy,
    },
    links: { self: `/rest/orgs/${secret.orgId}/secrets/${secret.id}` },
  };
}

/** The attributes of an audit event (the JSON:API resource's, and each line of the NDJSON export). */
export function auditAttributes(record: AuditRecord) {
  return {
    seq: record.seq,
    action: record.action,
    actor: record.actor,
    target: record.target,
    org_id: record.orgId,
    created_at: record.createdAt.toISOString(),
    ip: record.ip,
    request_id: record.requestId,
    detail: record.detail,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

/** An audit event as a JSON:API resource. */
export function auditLogResource(record: AuditRecord) {
  return { type: "audit_log" as const, id: record.id, attributes: auditAttributes(record) };
}

/** An org as a JSON:API resource. */
export function orgResource(org: Org) {
  return {
    type: "org" as const,
    id: org.id,
    attributes: {
      name: org.name,
      slug: org.slug,
      group_id: org.groupId,
      created_at: org.createdAt.toISOString(),
      policy: {
        allow_never_expiring: org.policy.allowNeverExpiring,
        max_lifetime_seconds: org.policy.maxLifetimeSeconds,
        environments: org.policy.environments,
        idle_disable_days: org.policy.idleDisableDays,
        service_key_creator_roles: org.policy.serviceKeyCreatorRoles,
        key_prefixes: org.policy.keyPrefixes,
      },
    },
    links: { self: `/rest/orgs/${org.id}` },
  };
}

/** A user as a JSON:API resource (Snyk's `/self` shape). */
export function userResource(user: User, defaultOrgId: string) {
  return {
    type: "user" as const,
    id: user.id,
    attributes: { name: user.name, email: user.email, username: user.email, default_org_context: defaultOrgId },
  };
}

/** ISO strings of cached keys' expiry dates: a verification answer should not format the same date again. */
const isoStrings = new WeakMap<Date, string>();

function isoOf(date: Date): string {
  let text = isoStrings.get(date);
  if (text === undefined) {
    text = date.toISOString();
    isoStrings.set(date, text);
  }
  return text;
}

/** The attributes of a `key_verification` answer (`POST /rest/api_keys/verify`, and the local verifier). */
export function verificationAttributes({ decision, ratelimit, quota }: VerifyOutcome) {
  const key = decision.key;
  return {
    valid: decision.valid,
    code: decision.code,
    key_id: key?.id ?? null,
    org_id: key?.orgId ?? null,
    owner: key?.owner ?? null,
    environment: key?.environment ?? null,
    permissions: decision.permissions,
    labels: key?.labels ?? [],
    metadata: key?.metadata ?? {},
    expires_at: key?.expiresAt ? isoOf(key.expiresAt) : null,
    ratelimit: ratelimit && { limit: ratelimit.limit, remaining: ratelimit.remaining, reset: ratelimit.resetAt },
    quota,
  };
}

/**
 * What a cached key record's verification answers are made of, serialized once per record: the key's
 * parts of the attributes, and the last answer given without limits with the code and permissions it
 * was made for (a key verified again and again answers the same bytes).
 */
interface KeyAnswerParts {
  fragments: readonly [string, string];
  last: { code: string; permissions: readonly string[]; json: string } | null;
}

const answerParts = new WeakMap<VerifiableKey, KeyAnswerParts>();

const NO_KEY_FRAGMENTS = fragmentsOf(null);

function fragmentsOf(key: VerifiableKey | null): readonly [string, string] {
  const before = JSON.stringify({
    key_id: key?.id ?? null,
    org_id: key?.orgId ?? null,
    owner: key ? { type: key.owner.type, id: key.owner.id } : null,
    environment: key?.environment ?? null,
  });
  const after = JSON.stringify({
    labels: key?.labels ?? [],
    metadata: key?.metadata ?? {},
    expires_at: key?.expiresAt ? isoOf(key.expiresAt) : null,
  });
  return [before.slice(1, -1), after.slice(1, -1)];
}

/**
 * The `key_verification` document as JSON, byte for byte what serializing `verificationAttributes`
 * in its document gives (a test holds them equal), built from pieces serialized once per cached key:
 * every verification over HTTP answers with it. The answer of a key without rate limit or quota
 * depends on the record, the code and the permissions only (the same array while the record is
 * cached), so the last one is kept.
 */
export function verificationJson(outcome: VerifyOutcome): string {
  const { decision, ratelimit, quota } = outcome;
  const key = decision.key;
  if (key === null) return buildVerificationJson(outcome, NO_KEY_FRAGMENTS);
  let parts = answerParts.get(key);
  if (parts === undefined) {
    parts = { fragments: fragmentsOf(key), last: null };
    answerParts.set(key, parts);
  }
  if (ratelimit !== null || quota !== null) return buildVerificationJson(outcome, parts.fragments);
  const { last } = parts;
  if (last !== null && last.code === decision.code && last.permissions === decision.permissions) return last.json;
  const json = buildVerificationJson(outcome, parts.fragments);
  parts.last = { code: decision.code, permissions: decision.permissions, json };
  return json;
}

function buildVerificationJson(
  { decision, ratelimit, quota }: VerifyOutcome,
  fragments: readonly [string, string],
): string {
  const limits =
    ratelimit === null
      ? "null"
      : `{"limit":${ratelimit.limit},"remaining":${ratelimit.remaining},"reset":${ratelimit.resetAt}}`;
  return `{"jsonapi":{"version":"1.0"},"data":{"type":"key_verification","attributes":{"valid":${decision.valid},"code":${JSON.stringify(decision.code)},${fragments[0]},"permissions":${JSON.stringify(decision.permissions)},${fragments[1]},"ratelimit":${limits},"quota":${quota === null ? "null" : `{"remaining":${quota.remaining}}`}}}}`;
}

/** A webhook endpoint as a JSON:API resource. `secret` is given only in the answers to create and rotate. */
export function webhookResource(endpoint: WebhookEndpoint, secret?: string) {
  return {
    type: "webhook" as const,
    id: endpoint.id,
    attributes: {
      ...(secret !== undefined ? { secret } : {}),
      url: endpoint.url,
      description: endpoint.description,
      event_types: endpoint.eventTypes,
      enabled: endpoint.enabled,
      org_id: endpoint.orgId,
      created_at: endpoint.createdAt.toISOString(),
      created_by: endpoint.createdBy,
      updated_at: endpoint.updatedAt.toISOString(),
    },
    links: { self: `/rest/orgs/${endpoint.orgId}/webhooks/${endpoint.id}` },
  };
}

/** A delivery of the deliveries log as a JSON:API resource, with the body sent and every attempt. */
export function webhookDeliveryResource(delivery: WebhookDelivery) {
  return {
    type: "webhook_delivery" as const,
    id: delivery.id,
    attributes: {
      webhook_id: delivery.endpointId,
      event_id: delivery.eventId,
      event_type: delivery.eventType,
      status: delivery.status,
      attempts: delivery.attempts,
      next_attempt_at: time(delivery.nextAttemptAt),
      last_attempt_at: time(delivery.lastAttemptAt),
      last_status_code: delivery.lastStatusCode,
      last_error: delivery.lastError,
      created_at: delivery.createdAt.toISOString(),
      redelivery_of: delivery.redeliveryOf,
      payload: JSON.parse(delivery.payload) as Record<string, unknown>,
      attempt_log: delivery.attemptLog.map((attempt) => ({
        attempt: attempt.attempt,
        at: attempt.at.toISOString(),
        status_code: attempt.statusCode,
        duration_ms: Math.round(attempt.durationMs),
        error: attempt.error,
      })),
    },
  };
}

/** A group as a JSON:API resource. */
export function groupResource(group: Group) {
  return {
    type: "group" as const,
    id: group.id,
    attributes: { name: group.name, slug: group.slug, created_at: group.createdAt.toISOString() },
    links: { self: `/rest/groups/${group.id}` },
  };
}

/** A group membership as a JSON:API resource. */
export function groupMembershipResource(member: GroupMemberView) {
  return {
    type: "group_membership" as const,
    id: member.id,
    attributes: {
      role: member.role,
      user_id: member.userId,
      email: member.email,
      name: member.name,
      group_id: member.groupId,
      created_at: member.createdAt.toISOString(),
    },
    links: { self: `/rest/groups/${member.groupId}/memberships/${member.id}` },
  };
}

/** A group's service account: the `service_account` resource with `group_id` set and `org_id` null. */
export function groupServiceAccountResource(account: GroupServiceAccount) {
  return {
    type: "service_account" as const,
    id: account.id,
    attributes: {
      name: account.name,
      role: account.role,
      auth_type: account.authType,
      client_id: null,
      access_token_ttl_seconds: null,
      org_id: null,
      group_id: account.groupId,
      created_at: account.createdAt.toISOString(),
      created_by: account.createdBy,
    },
    links: { self: `/rest/groups/${account.groupId}/service_accounts/${account.id}` },
  };
}
