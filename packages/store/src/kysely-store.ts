import type { BootstrapRecords, Store } from "@latchkey/core";
import { type Kysely, PostgresAdapter, sql } from "kysely";
import { type ConnectOptions, connect, parseDatabaseUrl } from "./connect.js";
import { KyselyAlertStore } from "./kysely-alert-store.js";
import { KyselyAuditStore } from "./kysely-audit-store.js";
import { KyselyGroupStore } from "./kysely-group-store.js";
import { KyselyInvitationStore } from "./kysely-invitation-store.js";
import { insertKey, KyselyKeyStore, type SqliteReader } from "./kysely-key-store.js";
import { KyselyMembershipStore } from "./kysely-membership-store.js";
import { KyselyOAuthStore } from "./kysely-oauth-store.js";
import { KyselyOrgStore } from "./kysely-org-store.js";
import { KyselyPeopleStore } from "./kysely-people-store.js";
import { KyselyPermissionStore } from "./kysely-permission-store.js";
import { KyselyProjectStore } from "./kysely-project-store.js";
import { createPublishableKeys, KyselyPublishableStore } from "./kysely-publishable-store.js";
import { KyselyRoleStore } from "./kysely-role-store.js";
import { KyselyServiceAccountStore } from "./kysely-service-account-store.js";
import { KyselySessionStore } from "./kysely-session-store.js";
import { KyselyUsageStore } from "./kysely-usage-store.js";
import { KyselyUserStore } from "./kysely-user-store.js";
import { KyselyVaultStore } from "./kysely-vault-store.js";
import { KyselyWebhookStore } from "./kysely-webhook-store.js";
import { migrateToLatest } from "./migrations.js";
import { PostgresInvalidationBus } from "./postgres-invalidation-bus.js";
import { groupMembershipToRow, groupToRow, membershipToRow, orgToRow, toTime } from "./rows.js";
import type { Database } from "./schema.js";

/** The advisory lock id that serialises first starts on PostgreSQL ("LATCHKEY" in ASCII, truncated). */
const BOOTSTRAP_LOCK = 0x4c41_5443_4b45;

/** The storage of a Latchkey node on one Kysely database. */
export class KyselyStore implements Store {
  readonly alerts: KyselyAlertStore;
  readonly audit: KyselyAuditStore;
  readonly keys: KyselyKeyStore;
  readonly publishableKeys: KyselyPublishableStore;
  readonly orgs: KyselyOrgStore;
  readonly groups: KyselyGroupStore;
  readonly users: KyselyUserStore;
  readonly memberships: KyselyMembershipStore;
  readonly permissions: KyselyPermissionStore;
  readonly roles: KyselyRoleStore;
  readonly projects: KyselyProjectStore;
  readonly serviceAccounts: KyselyServiceAccountStore;
  readonly oauth: KyselyOAuthStore;
  readonly usage: KyselyUsageStore;
  readonly people: KyselyPeopleStore;
  readonly sessions: KyselySessionStore;
  readonly invitations: KyselyInvitationStore;
  readonly vault: KyselyVaultStore;
  readonly webhooks: KyselyWebhookStore;

  constructor(
    readonly db: Kysely<Database>,
    openReader: (() => SqliteReader) | null = null,
    private readonly postgresUrl: string | null = null,
  ) {
    this.alerts = new KyselyAlertStore(db);
    this.audit = new KyselyAuditStore(db);
    this.keys = new KyselyKeyStore(db, openReader);
    this.publishableKeys = new KyselyPublishableStore(db);
    this.orgs = new KyselyOrgStore(db);
    this.groups = new KyselyGroupStore(db);
    this.users = new KyselyUserStore(db);
    this.memberships = new KyselyMembershipStore(db);
    this.permissions = new KyselyPermissionStore(db);
    this.roles = new KyselyRoleStore(db);
    this.projects = new KyselyProjectStore(db);
    this.serviceAccounts = new KyselyServiceAccountStore(db);
    this.oauth = new KyselyOAuthStore(db);
    this.usage = new KyselyUsageStore(db);
    this.people = new KyselyPeopleStore(db);
    this.sessions = new KyselySessionStore(db);
    this.invitations = new KyselyInvitationStore(db);
    this.vault = new KyselyVaultStore(db);
    this.webhooks = new KyselyWebhookStore(db);
  }

  /** Brings the schema up to date; returns the names of the migrations it ran. */
  migrate(): Promise<string[]> {
    return migrateToLatest(this.db as unknown as Kysely<unknown>);
  }

  async bootstrap(records: BootstrapRecords): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        // PostgreSQL runs transactions side by side: a lock makes concurrent first starts take turns.
        if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
          await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(trx);
        }
        const existing = await trx.selectFrom("users").select("id").limit(1).executeTakeFirst();
        if (existing !== undefined) return false;
        await trx
          .insertInto("users")
          .values({
            id: records.user.id,
            email: records.user.email,
            name: records.user.name,
            password_hash: records.passwordHash,
            created_at: toTime(records.user.createdAt),
          })
          .execute();
        await trx.insertInto("groups").values(groupToRow(records.group)).execute();
        await trx.insertInto("group_memberships").values(groupMembershipToRow(records.groupMembership)).execute();
        await trx.insertInto("orgs").values(orgToRow(records.org)).execute();
        await trx.insertInto("memberships").values(membershipToRow(records.membership)).execute();
        await insertKey(trx, records.key, records.secret, records.event);
        if (records.publishable !== undefined) {
          // The org's data key (new, like the org) first: the publishable keys' values are sealed under it.
          const dataKey = records.publishable.dataKey;
          await trx
            .insertInto("vault_data_keys")
            .values({
              org_id: dataKey.orgId,
              version: dataKey.version,
              wrapped_key: dataKey.wrapped,
              created_at: toTime(dataKey.createdAt),
              rotated_at: null,
            })
            .execute();
          await createPublishableKeys(trx, records.org.id, records.publishable.keys);
        }
        return true;
      });
    } catch (error) {
      // Another node bootstrapped at the same moment: its owner won, and this start writes nothing.
      if ((await this.users.count()) > 0) return false;
      throw error;
    }
  }

  /** The invalidation bus this database offers a cluster (LISTEN/NOTIFY on PostgreSQL), or null. */
  invalidationBus(): PostgresInvalidationBus | null {
    return this.postgresUrl === null
      ? null
      : new PostgresInvalidationBus(this.db as unknown as Kysely<unknown>, this.postgresUrl);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    this.keys.closeReader();
    await this.db.destroy();
  }
}

/** Opens the store a database URL names (`sqlite:…` or `postgres://…`), without migrating. */
export async function openStore(url: string, options: ConnectOptions = {}): Promise<KyselyStore> {
  const target = parseDatabaseUrl(url);
  const { db, openReader } = await connect(target, options);
  return new KyselyStore(db, openReader, target.kind === "postgres" ? target.url : null);
}
