import { GENESIS_HASH, newId, systemClock, systemRandom } from "@latchkey/core";
import {
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  PostgresAdapter,
  sql,
} from "kysely";

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * On SQLite, the tables verification reads by primary key (secrets by hash, keys by id) are stored
 * in their primary key's B-tree (WITHOUT ROWID): one search per table instead of an index search and
 * then a rowid search, which is what keeps uncached lookups fast with millions of keys.
 */
function lookedUpByPrimaryKey(db: Kysely<unknown>) {
  return (table: CreateTableBuilder<string, never>) => (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`));
}

/** Every migration, in order. Both dialects run the same ones. */
const MIGRATIONS: Record<string, Migration> = {
  "0001_foundation": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("orgs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("slug", "text", (c) => c.notNull().unique())
        .addColumn("policy", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("password_hash", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("memberships")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("memberships_org_user", ["org_id", "user_id"])
        .execute();
      await db.schema
        .createTable("service_accounts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("auth_type", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by_type", "text", (c) => c.notNull())
        .addColumn("created_by_id", "text", (c) => c.notNull())
        .addColumn("deleted_at", "text")
        .execute();
      await liveNameIndex(db, "service_accounts_live_name", "org_id");
      await db.schema
        .createTable("api_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("owner_type", "text", (c) => c.notNull())
        .addColumn("owner_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("environment", "text", (c) => c.notNull())
        .addColumn("permissions", "text", (c) => c.notNull())
        .addColumn("labels", "text", (c) => c.notNull())
        .addColumn("metadata", "text", (c) => c.notNull())
        .addColumn("expires_at", "text")
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .addColumn("deleted_at", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by_type", "text", (c) => c.notNull())
        .addColumn("created_by_id", "text", (c) => c.notNull())
        .addColumn("last_used_at", "text")
        .addColumn("last_used_ip", "text")
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("rotated_at", "text")
        .$call(lookedUpByPrimaryKey(db))
        .execute();
      await db.schema.createIndex("api_keys_org").on("api_keys").columns(["org_id", "id"]).execute();
      await db.schema.createIndex("api_keys_owner").on("api_keys").columns(["owner_id"]).execute();
      await db.schema
        .createTable("api_key_secrets")
        .addColumn("hash", "text", (c) => c.primaryKey())
        .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id"))
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text")
        .$call(lookedUpByPrimaryKey(db))
        .execute();
      await db.schema.createIndex("api_key_secrets_key").on("api_key_secrets").columns(["key_id"]).execute();
      await db.schema
        .createTable("api_key_labels")
        .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id"))
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("label", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("api_key_labels_pk", ["key_id", "label"])
        .execute();
      await db.schema
        .createIndex("api_key_labels_org_label")
        .on("api_key_labels")
        .columns(["org_id", "label"])
        .execute();
      await db.schema
        .createTable("api_key_events")
        .addColumn("seq", isPostgres(db) ? "serial" : "integer", (c) =>
          isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("actor_type", "text", (c) => c.notNull())
        .addColumn("actor_id", "text", (c) => c.notNull())
        .addColumn("request_id", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("detail", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("api_key_events_key").on("api_key_events").columns(["org_id", "key_id"]).execute();
    },
  },
  "0002_limits_and_usage": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("api_keys")
        .addColumn("ip_allowlist", "text", (c) => c.notNull().defaultTo("[]"))
        .execute();
      await db.schema.alterTable("api_keys").addColumn("rate_limit_limit", "integer").execute();
      await db.schema.alterTable("api_keys").addColumn("rate_limit_window_seconds", "integer").execute();
      await db.schema.alterTable("api_keys").addColumn("quota_remaining", "integer").execute();
      await db.schema.alterTable("api_keys").addColumn("quota_refill_amount", "integer").execute();
      await db.schema.alterTable("api_keys").addColumn("quota_refill_interval", "text").execute();
      await db.schema.alterTable("api_keys").addColumn("quota_refilled_at", "text").execute();
      await db.schema
        .createTable("usage_counts")
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("minute", "text", (c) => c.notNull())
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("count", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("usage_counts_pk", ["org_id", "key_id", "minute", "code"])
        .execute();
      await db.schema.createIndex("usage_counts_key").on("usage_counts").columns(["key_id", "minute"]).execute();
    },
  },
  "0003_audit_log": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("audit_events")
        .addColumn("seq", "bigint", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("actor_type", "text", (c) => c.notNull())
        .addColumn("actor_id", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target_type", "text", (c) => c.notNull())
        .addColumn("target_id", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("ip", "text")
        .addColumn("request_id", "text")
        .addColumn("detail", "text", (c) => c.notNull())
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audit_events_org").on("audit_events").columns(["org_id", "seq"]).execute();
      await db.schema
        .createIndex("audit_events_org_action")
        .on("audit_events")
        .columns(["org_id", "action", "seq"])
        .execute();
      await db.schema
        .createTable("audit_head")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .execute();
      await sql`insert into audit_head (id, seq, hash) values (1, 0, ${GENESIS_HASH})`.execute(db);
    },
  },
  "0004_vault": {
    async up(db: Kysely<unknown>) {
      // One row (id 1): a known text sealed under the master key, to tell a wrong key at start.
      await db.schema
        .createTable("vault_master")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("check_value", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("rotated_at", "text")
        .execute();
      await db.schema
        .createTable("vault_data_keys")
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("wrapped_key", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("rotated_at", "text")
        .addPrimaryKeyConstraint("vault_data_keys_pk", ["org_id", "version"])
        .execute();
      await db.schema
        .createTable("vault_secrets")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("ciphertext", "text", (c) => c.notNull())
        .addColumn("nonce", "text", (c) => c.notNull())
        .addColumn("auth_tag", "text", (c) => c.notNull())
        .addColumn("key_version", "integer", (c) => c.notNull())
        .addColumn("created_by_type", "text", (c) => c.notNull())
        .addColumn("created_by_id", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addUniqueConstraint("vault_secrets_org_name", ["org_id", "name"])
        .execute();
    },
  },
  "0005_webhooks": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("webhook_endpoints")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("event_types", "text", (c) => c.notNull())
        .addColumn("secret", "text", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by_type", "text", (c) => c.notNull())
        .addColumn("created_by_id", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("webhook_endpoints_org").on("webhook_endpoints").columns(["org_id", "id"]).execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull())
        // No foreign key: an event committed while its endpoint is deleted must not fail its change;
        // deliveries of a deleted endpoint are never claimed.
        .addColumn("endpoint_id", "text", (c) => c.notNull())
        .addColumn("event_id", "text", (c) => c.notNull())
        .addColumn("event_type", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("next_attempt_at", "text")
        .addColumn("last_attempt_at", "text")
        .addColumn("last_status_code", "integer")
        .addColumn("last_error", "text")
        .addColumn("lease_until", "text")
        .addColumn("lease_token", "text")
        .addColumn("redelivery_of", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_endpoint")
        .on("webhook_deliveries")
        .columns(["endpoint_id", "id"])
        .execute();
      // Only pending rows are in the index the workers poll: it stays as small as the backlog.
      await db.schema
        .createIndex("webhook_deliveries_due")
        .on("webhook_deliveries")
        .columns(["next_attempt_at"])
        .where(sql.ref("status"), "=", "pending")
        .execute();
      await db.schema
        .createTable("webhook_attempts")
        .addColumn("delivery_id", "text", (c) => c.notNull().references("webhook_deliveries.id"))
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("status_code", "integer")
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .addColumn("error", "text")
        .addPrimaryKeyConstraint("webhook_attempts_pk", ["delivery_id", "attempt"])
        .execute();
    },
  },
  "0006_alerts": {
    async up(db: Kysely<unknown>) {
      // One row per lease (the scheduler's): who holds it and until when.
      await db.schema
        .createTable("leases")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      // One row per alert sent: the primary key is what makes an alert once-only across nodes.
      await db.schema
        .createTable("alerts_sent")
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("discriminator", "text", (c) => c.notNull())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("alerts_sent_pk", ["key_id", "kind", "discriminator"])
        .execute();
      // The networks (/24, /64) each key was used from: a new row is a new network.
      await db.schema
        .createTable("api_key_networks")
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("network", "text", (c) => c.notNull())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("first_seen_at", "text", (c) => c.notNull())
        .addColumn("first_ip", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("api_key_networks_pk", ["key_id", "network"])
        .execute();
      // The expiring job reads live keys by expiry.
      await db.schema.createIndex("api_keys_expires").on("api_keys").columns(["expires_at"]).execute();
    },
  },
  "0007_leaks": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("api_keys").addColumn("leaked_at", "text").execute();
      await db.schema.alterTable("api_keys").addColumn("leak_source", "text").execute();
      await db.schema.alterTable("api_keys").addColumn("leak_url", "text").execute();
    },
  },
  "0008_sessions": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("absolute_expires_at", "text", (c) => c.notNull())
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .$call(lookedUpByPrimaryKey(db))
        .execute();
      await db.schema.createIndex("sessions_user").on("sessions").columns(["user_id"]).execute();
      await db.schema.createIndex("sessions_expires").on("sessions").columns(["expires_at"]).execute();
      await db.schema
        .createTable("invitations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_by_type", "text", (c) => c.notNull())
        .addColumn("created_by_id", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("accepted_at", "text")
        .execute();
      await db.schema.createIndex("invitations_org").on("invitations").columns(["org_id", "id"]).execute();
    },
  },
  "0009_oauth": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("service_accounts").addColumn("access_token_ttl_seconds", "integer").execute();
      await db.schema
        .createTable("oauth_client_secrets")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("service_account_id", "text", (c) => c.notNull().references("service_accounts.id"))
        .addColumn("hash", "text", (c) => c.notNull().unique())
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text")
        .addColumn("revoked_at", "text")
        .execute();
      await db.schema
        .createIndex("oauth_client_secrets_account")
        .on("oauth_client_secrets")
        .columns(["service_account_id"])
        .execute();
      await db.schema
        .createTable("oauth_access_tokens")
        .addColumn("hash", "text", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("service_account_id", "text", (c) => c.notNull())
        .addColumn("client_secret_id", "text", (c) => c.notNull().references("oauth_client_secrets.id"))
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("permissions", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .$call(lookedUpByPrimaryKey(db))
        .execute();
      await db.schema
        .createIndex("oauth_access_tokens_expiry")
        .on("oauth_access_tokens")
        .columns(["expires_at"])
        .execute();
    },
  },
  "0010_permission_catalogue": {
    async up(db: Kysely<unknown>) {
      // The org's own product permissions, with descriptions; Latchkey's own are in code.
      await db.schema
        .createTable("org_permissions")
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("publishable", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("org_permissions_pk", ["org_id", "name"])
        .execute();
    },
  },
  "0011_roles_projects": {
    async up(db: Kysely<unknown>) {
      // Custom roles of an org: a name and the permissions it grants (JSON text).
      await db.schema
        .createTable("org_roles")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("permissions", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("org_roles_name", ["org_id", "name"])
        .execute();
      // Projects: named sub-resources of an org, the narrowest scope of a role/scope pair.
      await db.schema
        .createTable("projects")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by_type", "text", (c) => c.notNull())
        .addColumn("created_by_id", "text", (c) => c.notNull())
        .addUniqueConstraint("projects_name", ["org_id", "name"])
        .execute();
      // Role/scope pairs (JSON text) of keys and memberships.
      await db.schema
        .alterTable("api_keys")
        .addColumn("roles", "text", (c) => c.notNull().defaultTo("[]"))
        .execute();
      await db.schema
        .alterTable("memberships")
        .addColumn("roles", "text", (c) => c.notNull().defaultTo("[]"))
        .execute();
    },
  },
  "0012_publishable_keys": {
    async up(db: Kysely<unknown>) {
      // Publishable keys are api_keys rows (kind `publishable`), so verification, usage, events and the
      // generic list need nothing new. "One live key per org and environment" is a partial unique index
      // on those rows rather than a table pointing at the key: the rule then holds for every writer
      // (however many race) and frees the environment as soon as its key is revoked. Both SQLite and
      // PostgreSQL support partial indexes. A publishable key is never deleted (the generic routes refuse).
      await sql`create unique index api_keys_publishable_live on api_keys (org_id, environment) where kind = 'publishable' and revoked_at is null`.execute(
        db,
      );
      // A publishable key's value is public, so it may be shown again: it is kept sealed under the org's
      // data key (like webhook signing secrets), replaced on each regeneration.
      await db.schema
        .createTable("publishable_key_values")
        .addColumn("key_id", "text", (c) => c.primaryKey().references("api_keys.id"))
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("sealed", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0013_groups": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("groups")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("slug", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("group_memberships")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("group_id", "text", (c) => c.notNull().references("groups.id"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("group_memberships_group_user", ["group_id", "user_id"])
        .execute();
      await db.schema.createIndex("group_memberships_user").on("group_memberships").columns(["user_id"]).execute();
      await db.schema
        .alterTable("orgs")
        .addColumn("group_id", "text", (c) => c.references("groups.id"))
        .execute();
      // Upgrades keep working: each existing org gets a group of its own, named after it, and the org's
      // owners own the group (their rights in the org are the same: the union of two owner roles).
      const orgs = await sql<{ id: string; name: string; slug: string; created_at: string }>`
        select id, name, slug, created_at from orgs order by id`.execute(db);
      for (const org of orgs.rows) {
        const groupId = newId(systemClock, systemRandom);
        await sql`insert into groups (id, name, slug, created_at)
          values (${groupId}, ${org.name}, ${org.slug}, ${org.created_at})`.execute(db);
        await sql`update orgs set group_id = ${groupId} where id = ${org.id}`.execute(db);
        const owners = await sql<{ user_id: string }>`
          select user_id from memberships where org_id = ${org.id} and role = 'owner' order by id`.execute(db);
        for (const owner of owners.rows) {
          await sql`insert into group_memberships (id, group_id, user_id, role, created_at)
            values (${newId(systemClock, systemRandom)}, ${groupId}, ${owner.user_id}, 'owner', ${org.created_at})`.execute(
            db,
          );
        }
      }
      await db.schema.createIndex("orgs_group").on("orgs").columns(["group_id", "id"]).execute();
      if (isPostgres(db)) {
        await sql`alter table orgs alter column group_id set not null`.execute(db);
        await sql`alter table service_accounts alter column org_id drop not null`.execute(db);
        await sql`alter table service_accounts add column group_id text references groups (id)`.execute(db);
        await sql`alter table service_accounts add constraint service_accounts_one_scope
          check ((org_id is null) <> (group_id is null))`.execute(db);
      } else {
        await rebuildSqliteServiceAccounts(db);
      }
      await liveNameIndex(db, "service_accounts_group_live_name", "group_id");
    },
  },
};

/**
 * SQLite cannot make a column nullable or add a CHECK to a table: the table is rebuilt (the documented
 * way: copy, drop, rename, then check the foreign keys). The migration runner has turned foreign keys
 * off for the run, as the rebuild needs, and checks them after each migration.
 */
async function rebuildSqliteServiceAccounts(db: Kysely<unknown>): Promise<void> {
  const columns = sql.raw(
    "id, org_id, name, role, auth_type, created_at, created_by_type, created_by_id, deleted_at, access_token_ttl_seconds",
  );
  await sql`create table service_accounts_rebuilt (
    id text primary key,
    org_id text references orgs (id),
    group_id text references groups (id),
    name text not null,
    role text not null,
    auth_type text not null,
    created_at text not null,
    created_by_type text not null,
    created_by_id text not null,
    deleted_at text,
    access_token_ttl_seconds integer,
    constraint service_accounts_one_scope check ((org_id is null) <> (group_id is null))
  )`.execute(db);
  await sql`insert into service_accounts_rebuilt (${columns}) select ${columns} from service_accounts`.execute(db);
  await sql`drop table service_accounts`.execute(db);
  await sql`alter table service_accounts_rebuilt rename to service_accounts`.execute(db);
  await liveNameIndex(db, "service_accounts_live_name", "org_id");
}

/** A live service account's name is used once per org (or group): deleted accounts free theirs. */
function liveNameIndex(db: Kysely<unknown>, name: string, scope: "org_id" | "group_id"): Promise<void> {
  return db.schema
    .createIndex(name)
    .on("service_accounts")
    .columns([scope, "name"])
    .unique()
    .where(sql.ref("deleted_at"), "is", null)
    .execute();
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** The migrations as SQLite runs them: each one ends with SQLite's foreign key check. */
const sqliteProvider: MigrationProvider = {
  getMigrations: async () =>
    Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, migration]) => [
        name,
        {
          ...migration,
          async up(db: Kysely<unknown>) {
            await migration.up(db);
            const broken = await sql<{ table: string; parent: string }>`pragma foreign_key_check`.execute(db);
            if (broken.rows.length > 0) {
              const pairs = [...new Set(broken.rows.map((row) => `${row.table} → ${row.parent}`))].join(", ");
              throw new Error(`${name} left rows whose foreign keys point nowhere (${pairs})`);
            }
          },
        },
      ]),
    ),
};

/**
 * Runs the migrator. Both dialects run all pending migrations and their bookkeeping in one transaction.
 * On SQLite, foreign keys are off for the run, since a table rebuild drops a parent table and the
 * pragma cannot change inside a transaction; each migration then checks them itself.
 */
async function runMigrator(
  db: Kysely<unknown>,
  run: (migrator: Migrator) => Promise<MigrationResultSet>,
): Promise<MigrationResultSet> {
  if (isPostgres(db)) return run(new Migrator({ db, provider }));
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    return await run(new Migrator({ db, provider: sqliteProvider }));
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

/**
 * Brings the schema up to and including the migration named `name` (not later ones): for upgrade tests,
 * which write data in an older schema and then migrate it.
 */
export async function migrateUpTo(db: Kysely<unknown>, name: string): Promise<void> {
  const { error } = await runMigrator(db, (migrator) => migrator.migrateTo(name));
  if (error) throw error;
}

/** Brings the schema to the newest migration. Safe to run on every start and from several nodes. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  // PostgreSQL migrations take Kysely's lock. On SQLite the migration transaction takes the write lock
  // when it begins (BEGIN IMMEDIATE), so a second process migrating the same file waits for the first,
  // then finds the work recorded; one that waited past the busy timeout tries again. (On PostgreSQL,
  // the dialect's introspector sees only the connection's schema, so other schemas never confuse it.)
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await runMigrator(db, (migrator) => migrator.migrateToLatest());
    if (!error) return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    const busy = (error as { code?: unknown }).code === "SQLITE_BUSY";
    if (!busy || attempt >= 5) throw error;
  }
}
