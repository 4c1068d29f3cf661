import {
  type AccessToken,
  type ApiKey,
  type BuiltInRole,
  type ClientSecret,
  type CredentialKind,
  DEFAULT_ORG_POLICY,
  type Group,
  type GroupMembership,
  type GroupServiceAccount,
  type KeyEvent,
  type KeyKind,
  type KeySecret,
  type Membership,
  type Org,
  type PrincipalRef,
  type RoleBinding,
  type ServiceAccount,
  type ServiceAccountAuthType,
  type User,
  type VerifiableKey,
} from "@latchkey/core";
import type { Selectable } from "kysely";
import type {
  ApiKeyEventsTable,
  ApiKeySecretsTable,
  ApiKeysTable,
  GroupMembershipsTable,
  GroupsTable,
  MembershipsTable,
  OAuthAccessTokensTable,
  OAuthClientSecretsTable,
  OrgsTable,
  ServiceAccountsTable,
  UsersTable,
} from "./schema.js";

/** A time as stored: ISO-8601 UTC, which sorts as time in both dialects. */
export function toTime(date: Date): string {
  return date.toISOString();
}

/** Escapes `%`, `_` and `\` for a LIKE pattern with ESCAPE '\'. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A stored time, or null. */
export function fromTime(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

/** JSON.parse, without the parser for the empty array and object that most keys store. */
export function parseJson<T>(text: string): T {
  if (text === "[]") return [] as T;
  if (text === "{}") return {} as T;
  return JSON.parse(text) as T;
}

export function required(value: string): Date {
  return new Date(value);
}

function principal(type: string, id: string): PrincipalRef {
  return { type, id } as PrincipalRef;
}

export function keyToRow(key: ApiKey): Selectable<ApiKeysTable> {
  return {
    id: key.id,
    org_id: key.orgId,
    kind: key.kind,
    owner_type: key.owner.type,
    owner_id: key.owner.id,
    name: key.name,
    description: key.description,
    environment: key.environment,
    permissions: JSON.stringify(key.permissions),
    roles: JSON.stringify(key.roles),
    labels: JSON.stringify(key.labels),
    metadata: JSON.stringify(key.metadata),
    expires_at: key.expiresAt && toTime(key.expiresAt),
    enabled: key.enabled ? 1 : 0,
    revoked_at: key.revokedAt && toTime(key.revokedAt),
    deleted_at: key.deletedAt && toTime(key.deletedAt),
    created_at: toTime(key.createdAt),
    created_by_type: key.createdBy.type,
    created_by_id: key.createdBy.id,
    last_used_at: key.lastUsedAt && toTime(key.lastUsedAt),
    last_used_ip: key.lastUsedIp,
    hint: key.hint,
    rotated_at: key.rotatedAt && toTime(key.rotatedAt),
    ...limitColumns(key),
    leaked_at: key.leak === null ? null : toTime(key.leak.reportedAt),
    leak_source: key.leak === null ? null : key.leak.source,
    leak_url: key.leak === null ? null : key.leak.url,
  };
}

/** The columns verification reads (see VerifiableKey). */
export const VERIFIABLE_COLUMNS = [
  "id",
  "org_id",
  "kind",
  "owner_type",
  "owner_id",
  "environment",
  "permissions",
  "roles",
  "labels",
  "metadata",
  "expires_at",
  "enabled",
  "revoked_at",
  "deleted_at",
  "ip_allowlist",
  "rate_limit_limit",
  "rate_limit_window_seconds",
  "quota_remaining",
  "quota_refill_amount",
  "quota_refill_interval",
  "quota_refilled_at",
] as const satisfies readonly (keyof ApiKeysTable)[];

/** A row holding the verifiable columns. */
export type VerifiableRow = Pick<Selectable<ApiKeysTable>, (typeof VERIFIABLE_COLUMNS)[number]>;

export function rowToVerifiableKey(row: VerifiableRow): VerifiableKey {
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind as CredentialKind,
    owner: principal(row.owner_type, row.owner_id),
    environment: row.environment,
    permissions: parseJson<string[]>(row.permissions),
    roles: parseJson<RoleBinding[]>(row.roles),
    labels: parseJson<string[]>(row.labels),
    metadata: parseJson<Record<string, unknown>>(row.metadata),
    expiresAt: fromTime(row.expires_at),
    enabled: Number(row.enabled) === 1,
    revokedAt: fromTime(row.revoked_at),
    deletedAt: fromTime(row.deleted_at),
    ipAllowlist: parseJson<string[]>(row.ip_allowlist),
    rateLimit:
      row.rate_limit_limit === null || row.rate_limit_window_seconds === null
        ? null
        : { limit: Number(row.rate_limit_limit), windowSeconds: Number(row.rate_limit_window_seconds) },
    quota:
      row.quota_remaining === null
        ? null
        : {
            remaining: Number(row.quota_remaining),
            refill:
              row.quota_refill_amount === null
                ? null
                : { amount: Number(row.quota_refill_amount), interval: row.quota_refill_interval as "day" | "month" },
            refilledAt: fromTime(row.quota_refilled_at),
          },
  };
}

export function rowToKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    ...rowToVerifiableKey(row),
    // Rows of api_keys hold only the kinds of key (access tokens live in their own table).
    kind: row.kind as KeyKind,
    name: row.name,
    description: row.description,
    createdAt: required(row.created_at),
    createdBy: principal(row.created_by_type, row.created_by_id),
    lastUsedAt: fromTime(row.last_used_at),
    lastUsedIp: row.last_used_ip,
    hint: row.hint,
    rotatedAt: fromTime(row.rotated_at),
    leak:
      row.leaked_at === null
        ? null
        : { reportedAt: required(row.leaked_at), source: row.leak_source ?? "", url: row.leak_url ?? "" },
  };
}

/** The columns of a key's IP allowlist, rate limit and quota. */
export function limitColumns(
  key: Pick<ApiKey, "ipAllowlist" | "rateLimit" | "quota">,
): Pick<
  Selectable<ApiKeysTable>,
  | "ip_allowlist"
  | "rate_limit_limit"
  | "rate_limit_window_seconds"
  | "quota_remaining"
  | "quota_refill_amount"
  | "quota_refill_interval"
  | "quota_refilled_at"
> {
  return {
    ip_allowlist: JSON.stringify(key.ipAllowlist),
    rate_limit_limit: key.rateLimit?.limit ?? null,
    rate_limit_window_seconds: key.rateLimit?.windowSeconds ?? null,
    quota_remaining: key.quota?.remaining ?? null,
    quota_refill_amount: key.quota?.refill?.amount ?? null,
    quota_refill_interval: key.quota?.refill?.interval ?? null,
    quota_refilled_at: key.quota?.refilledAt ? toTime(key.quota.refilledAt) : null,
  };
}

export function secretToRow(secret: KeySecret): Selectable<ApiKeySecretsTable> {
  return {
    hash: secret.hash,
    key_id: secret.keyId,
    hint: secret.hint,
    created_at: toTime(secret.createdAt),
    expires_at: secret.expiresAt && toTime(secret.expiresAt),
  };
}

export function rowToSecret(row: Selectable<ApiKeySecretsTable>): KeySecret {
  return {
    hash: row.hash,
    keyId: row.key_id,
    hint: row.hint,
    createdAt: required(row.created_at),
    expiresAt: fromTime(row.expires_at),
  };
}

export function eventToRow(event: KeyEvent): Omit<Selectable<ApiKeyEventsTable>, "seq"> {
  return {
    id: event.id,
    org_id: event.orgId,
    key_id: event.keyId,
    type: event.type,
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    request_id: event.requestId,
    created_at: toTime(event.createdAt),
    detail: JSON.stringify(event.detail),
  };
}

export function rowToEvent(row: Omit<Selectable<ApiKeyEventsTable>, "seq">): KeyEvent {
  return {
    id: row.id,
    orgId: row.org_id,
    keyId: row.key_id,
    type: row.type as KeyEvent["type"],
    actor: { type: row.actor_type, id: row.actor_id } as KeyEvent["actor"],
    requestId: row.request_id,
    createdAt: required(row.created_at),
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}

export function orgToRow(org: Org): Selectable<OrgsTable> {
  return {
    id: org.id,
    group_id: org.groupId,
    name: org.name,
    slug: org.slug,
    policy: JSON.stringify(org.policy),
    created_at: toTime(org.createdAt),
  };
}

/** A stored policy; fields (and key prefixes) stored before they existed take their defaults. */
function policyOf(text: string): Org["policy"] {
  const stored = JSON.parse(text) as Partial<Org["policy"]>;
  const policy = { ...structuredClone(DEFAULT_ORG_POLICY), ...stored };
  policy.keyPrefixes = { ...DEFAULT_ORG_POLICY.keyPrefixes, ...stored.keyPrefixes };
  return policy;
}

export function rowToOrg(row: Selectable<OrgsTable>): Org {
  return {
    id: row.id,
    groupId: row.group_id as string,
    name: row.name,
    slug: row.slug,
    // Policies stored before a field existed take that field's default.
    policy: policyOf(row.policy),
    createdAt: required(row.created_at),
  };
}

export function rowToUser(row: Pick<Selectable<UsersTable>, "id" | "email" | "name" | "created_at">): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: required(row.created_at) };
}

export function membershipToRow(membership: Membership): Selectable<MembershipsTable> {
  return {
    id: membership.id,
    org_id: membership.orgId,
    user_id: membership.userId,
    role: membership.role,
    roles: JSON.stringify(membership.roles),
    created_at: toTime(membership.createdAt),
  };
}

export function rowToMembership(row: Selectable<MembershipsTable>): Membership {
  return {
    id: row.id,
    orgId: row.org_id,
    userId: row.user_id,
    role: row.role,
    roles: parseJson<RoleBinding[]>(row.roles),
    createdAt: required(row.created_at),
  };
}

export function serviceAccountToRow(account: ServiceAccount): Selectable<ServiceAccountsTable> {
  return {
    id: account.id,
    org_id: account.orgId,
    group_id: null,
    name: account.name,
    role: account.role,
    auth_type: account.authType,
    access_token_ttl_seconds: account.accessTokenTtlSeconds,
    created_at: toTime(account.createdAt),
    created_by_type: account.createdBy.type,
    created_by_id: account.createdBy.id,
    deleted_at: null,
  };
}

export function rowToServiceAccount(row: Selectable<ServiceAccountsTable>): ServiceAccount {
  return {
    id: row.id,
    // Org accounts are read by org id: a group's account (org_id null) is never read as an org's.
    orgId: row.org_id as string,
    name: row.name,
    role: row.role,
    authType: row.auth_type as ServiceAccountAuthType,
    accessTokenTtlSeconds: row.access_token_ttl_seconds === null ? null : Number(row.access_token_ttl_seconds),
    createdAt: required(row.created_at),
    createdBy: principal(row.created_by_type, row.created_by_id),
  };
}

export function clientSecretToRow(secret: ClientSecret): Selectable<OAuthClientSecretsTable> {
  return {
    id: secret.id,
    org_id: secret.orgId,
    service_account_id: secret.serviceAccountId,
    hash: secret.hash,
    hint: secret.hint,
    created_at: toTime(secret.createdAt),
    expires_at: secret.expiresAt && toTime(secret.expiresAt),
    revoked_at: secret.revokedAt && toTime(secret.revokedAt),
  };
}

export function rowToClientSecret(row: Selectable<OAuthClientSecretsTable>): ClientSecret {
  return {
    id: row.id,
    orgId: row.org_id,
    serviceAccountId: row.service_account_id,
    hash: row.hash,
    hint: row.hint,
    createdAt: required(row.created_at),
    expiresAt: fromTime(row.expires_at),
    revokedAt: fromTime(row.revoked_at),
  };
}

export function accessTokenToRow(token: AccessToken): Selectable<OAuthAccessTokensTable> {
  return {
    hash: token.hash,
    id: token.id,
    org_id: token.orgId,
    service_account_id: token.serviceAccountId,
    client_secret_id: token.clientSecretId,
    hint: token.hint,
    permissions: JSON.stringify(token.permissions),
    created_at: toTime(token.createdAt),
    expires_at: toTime(token.expiresAt),
  };
}

export function rowToAccessToken(row: Selectable<OAuthAccessTokensTable>): AccessToken {
  return {
    id: row.id,
    orgId: row.org_id,
    serviceAccountId: row.service_account_id,
    clientSecretId: row.client_secret_id,
    hash: row.hash,
    hint: row.hint,
    permissions: parseJson<string[]>(row.permissions),
    createdAt: required(row.created_at),
    expiresAt: required(row.expires_at),
  };
}

export function groupToRow(group: Group): Selectable<GroupsTable> {
  return { id: group.id, name: group.name, slug: group.slug, created_at: toTime(group.createdAt) };
}

export function rowToGroup(row: Selectable<GroupsTable>): Group {
  return { id: row.id, name: row.name, slug: row.slug, createdAt: required(row.created_at) };
}

export function groupMembershipToRow(membership: GroupMembership): Selectable<GroupMembershipsTable> {
  return {
    id: membership.id,
    group_id: membership.groupId,
    user_id: membership.userId,
    role: membership.role,
    created_at: toTime(membership.createdAt),
  };
}

export function rowToGroupMembership(row: Selectable<GroupMembershipsTable>): GroupMembership {
  return {
    id: row.id,
    groupId: row.group_id,
    userId: row.user_id,
    role: row.role as BuiltInRole,
    createdAt: required(row.created_at),
  };
}

export function groupServiceAccountToRow(account: GroupServiceAccount): Selectable<ServiceAccountsTable> {
  const { groupId, ...rest } = account;
  return { ...serviceAccountToRow({ ...rest, orgId: "" }), org_id: null, group_id: groupId };
}

export function rowToGroupServiceAccount(row: Selectable<ServiceAccountsTable>): GroupServiceAccount {
  const { orgId: _orgId, ...rest } = rowToServiceAccount(row);
  return { ...rest, groupId: row.group_id as string };
}
