import type { Generated } from "kysely";

/**
 * The tables, as both dialects store them: ids are UUID text, times are ISO-8601 UTC text (which sorts
 * as time), JSON is text, booleans are 0/1 integers. One representation keeps one set of migrations.
 */
export interface Database {
  org_permissions: OrgPermissionsTable;
  org_roles: OrgRolesTable;
  projects: ProjectsTable;
  publishable_key_values: PublishableKeyValuesTable;
  orgs: OrgsTable;
  groups: GroupsTable;
  group_memberships: GroupMembershipsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  service_accounts: ServiceAccountsTable;
  api_keys: ApiKeysTable;
  api_key_secrets: ApiKeySecretsTable;
  api_key_labels: ApiKeyLabelsTable;
  api_key_events: ApiKeyEventsTable;
  usage_counts: UsageCountsTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  leases: LeasesTable;
  alerts_sent: AlertsSentTable;
  api_key_networks: ApiKeyNetworksTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  oauth_client_secrets: OAuthClientSecretsTable;
  oauth_access_tokens: OAuthAccessTokensTable;
  vault_master: VaultMasterTable;
  vault_data_keys: VaultDataKeysTable;
  vault_secrets: VaultSecretsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

/** Leases of scheduled work: one row per lease, held by `holder` until `expires_at`. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

/** Alerts sent, one row each; the primary key (key_id, kind, discriminator) makes them once-only. */
export interface AlertsSentTable {
  key_id: string;
  kind: string;
  discriminator: string;
  org_id: string;
  created_at: string;
}

/** The networks (/24 or /64) a key was used from; the primary key (key_id, network) makes each new once. */
export interface ApiKeyNetworksTable {
  key_id: string;
  network: string;
  org_id: string;
  first_seen_at: string;
  first_ip: string;
}

/** Signed-in sessions; `id` is the SHA-256 of the cookie's token, never the token. */
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  absolute_expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

/** Invitations to an org; `token_hash` is the SHA-256 of the one-time link's token. */
export interface InvitationsTable {
  id: string;
  org_id: string;
  email: string;
  role: string;
  token_hash: string;
  created_by_type: string;
  created_by_id: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
}

/** Client secrets of OAuth service accounts: SHA-256 and hint only. */
export interface OAuthClientSecretsTable {
  id: string;
  org_id: string;
  service_account_id: string;
  hash: string;
  hint: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

/** Issued OAuth access tokens, looked up by hash; they end with their secret or account (joined). */
export interface OAuthAccessTokensTable {
  hash: string;
  id: string;
  org_id: string;
  service_account_id: string;
  client_secret_id: string;
  hint: string;
  permissions: string;
  created_at: string;
  expires_at: string;
}

/** The vault's master-key check (one row, id 1): a known text sealed under the master key. */
export interface VaultMasterTable {
  id: number;
  check_value: string;
  created_at: string;
  rotated_at: string | null;
}

/** Each org's data keys, sealed under the master key (`v1.<nonce>.<ciphertext>.<tag>`). */
export interface VaultDataKeysTable {
  org_id: string;
  version: number;
  wrapped_key: string;
  created_at: string;
  rotated_at: string | null;
}

/** Vault secrets: the value only as AES-256-GCM ciphertext, nonce and tag (base64), never in clear. */
export interface VaultSecretsTable {
  id: string;
  org_id: string;
  name: string;
  ciphertext: string;
  nonce: string;
  auth_tag: string;
  key_version: number;
  created_by_type: string;
  created_by_id: string;
  created_at: string;
  updated_at: string;
}

/** An org's webhook endpoint. `secret` signs deliveries; it leaves the database only to sign. */
export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  description: string | null;
  event_types: string;
  secret: string;
  enabled: number;
  created_at: string;
  created_by_type: string;
  created_by_id: string;
  updated_at: string;
}

/** The outbox: one row per event and endpoint, written in the event's transaction. */
export interface WebhookDeliveriesTable {
  id: string;
  org_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  lease_until: string | null;
  lease_token: string | null;
  redelivery_of: string | null;
  created_at: string;
}

/** The deliveries log: one row per attempt. */
export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

/** The audit log: one hash-chained row per event, `seq` 1, 2, 3, … without gaps. */
export interface AuditEventsTable {
  seq: number | string;
  id: string;
  org_id: string;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  created_at: string;
  ip: string | null;
  request_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The log's head (one row, id 1): the last event's seq and hash, moved in each appending transaction. */
export interface AuditHeadTable {
  id: number;
  seq: number | string;
  hash: string;
}

export interface UsageCountsTable {
  org_id: string;
  key_id: string;
  minute: string;
  code: string;
  count: number | string;
}

export interface OrgsTable {
  id: string;
  /** Set for every org; nullable in the table only because SQLite cannot add a NOT NULL column to rows. */
  group_id: string | null;
  name: string;
  slug: string;
  policy: string;
  created_at: string;
}

export interface GroupsTable {
  id: string;
  name: string;
  slug: string;
  created_at: string;
}

export interface GroupMembershipsTable {
  id: string;
  group_id: string;
  user_id: string;
  role: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  created_at: string;
}

export interface MembershipsTable {
  id: string;
  org_id: string;
  user_id: string;
  role: string;
  roles: string;
  created_at: string;
}

export interface OrgRolesTable {
  id: string;
  org_id: string;
  name: string;
  description: string;
  permissions: string;
  created_at: string;
}

export interface ProjectsTable {
  id: string;
  org_id: string;
  name: string;
  description: string | null;
  created_at: string;
  created_by_type: string;
  created_by_id: string;
}

export interface ServiceAccountsTable {
  id: string;
  /** An org's account has org_id, a group's has group_id: exactly one is set (a CHECK says so). */
  org_id: string | null;
  group_id: string | null;
  name: string;
  role: string;
  auth_type: string;
  access_token_ttl_seconds: number | null;
  created_at: string;
  created_by_type: string;
  created_by_id: string;
  deleted_at: string | null;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  kind: string;
  owner_type: string;
  owner_id: string;
  name: string;
  description: string | null;
  environment: string;
  permissions: string;
  roles: string;
  labels: string;
  metadata: string;
  expires_at: string | null;
  enabled: number;
  revoked_at: string | null;
  deleted_at: string | null;
  created_at: string;
  created_by_type: string;
  created_by_id: string;
  last_used_at: string | null;
  last_used_ip: string | null;
  hint: string;
  rotated_at: string | null;
  ip_allowlist: string;
  rate_limit_limit: number | null;
  rate_limit_window_seconds: number | null;
  quota_remaining: number | null;
  quota_refill_amount: number | null;
  quota_refill_interval: string | null;
  quota_refilled_at: string | null;
  leaked_at: string | null;
  leak_source: string | null;
  leak_url: string | null;
}

export interface ApiKeySecretsTable {
  hash: string;
  key_id: string;
  hint: string;
  created_at: string;
  expires_at: string | null;
}

export interface ApiKeyLabelsTable {
  key_id: string;
  org_id: string;
  label: string;
}

export interface ApiKeyEventsTable {
  seq: Generated<number>;
  id: string;
  org_id: string;
  key_id: string;
  type: string;
  actor_type: string;
  actor_id: string;
  request_id: string | null;
  created_at: string;
  detail: string;
}

/** An org's product permissions (its catalogue); Latchkey's own permissions are not stored. */
export interface OrgPermissionsTable {
  org_id: string;
  name: string;
  description: string;
  publishable: number;
  created_at: string;
}

/** The sealed value of each publishable key (`<data key version>.v1.<nonce>.<ciphertext>.<tag>`). */
export interface PublishableKeyValuesTable {
  key_id: string;
  org_id: string;
  sealed: string;
  updated_at: string;
}
