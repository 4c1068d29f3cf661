import type {
  ApiKey,
  AuditEvent,
  KeyChange,
  KeyEvent,
  KeyFilter,
  KeySecret,
  KeyStore,
  LeakMatch,
  LeakReport,
  Page,
  PageRequest,
  StoredKeyLookup,
  VaultWrite,
} from "@latchkey/core";
import { isBuiltInRole, NO_CUSTOM_ROLES, type RoleBinding } from "@latchkey/core";
import {
  CompiledQuery,
  type InferResult,
  type Kysely,
  type SelectQueryBuilder,
  sql,
  type Transaction,
  type Updateable,
} from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit, keyEventAudit } from "./kysely-audit-store.js";
import { recordLeaks } from "./kysely-leaks.js";
import { grantsOf } from "./kysely-role-store.js";
import { insertSecret } from "./kysely-vault-store.js";
import { paginate } from "./pagination.js";
import { holdReferences } from "./role-references.js";
import {
  eventToRow,
  keyToRow,
  likeEscape,
  limitColumns,
  parseJson,
  rowToEvent,
  rowToKey,
  rowToSecret,
  rowToVerifiableKey,
  secretToRow,
  toTime,
  VERIFIABLE_COLUMNS,
} from "./rows.js";
import type { ApiKeysTable, Database } from "./schema.js";

type KeyQuery = SelectQueryBuilder<Database, "api_keys", ApiKeysTable>;
type Db = Kysely<Database> | Transaction<Database>;

function applyFilter(query: KeyQuery, filter: KeyFilter, now: Date): KeyQuery {
  let q = query;
  const at = toTime(now);
  if (filter.kind !== undefined) q = q.where("api_keys.kind", "=", filter.kind);
  if (filter.environment !== undefined) q = q.where("api_keys.environment", "=", filter.environment);
  if (filter.ownerId !== undefined) q = q.where("api_keys.owner_id", "=", filter.ownerId);
  if (filter.name !== undefined) {
    const pattern = `%${likeEscape(filter.name.toLowerCase())}%`;
    q = q.where(sql<boolean>`lower(api_keys.name) like ${pattern} escape '\\'`);
  }
  if (filter.label !== undefined) {
    const label = filter.label;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("api_key_labels")
          .select("api_key_labels.key_id")
          .whereRef("api_key_labels.key_id", "=", "api_keys.id")
          .where("api_key_labels.label", "=", label),
      ),
    );
  }
  switch (filter.status) {
    case undefined:
      break;
    case "revoked":
      q = q.where("api_keys.revoked_at", "is not", null);
      break;
    case "expired":
      q = q.where("api_keys.revoked_at", "is", null).where("api_keys.expires_at", "<=", at);
      break;
    case "disabled":
    case "active":
      q = q
        .where("api_keys.revoked_at", "is", null)
        .where((eb) => eb.or([eb("api_keys.expires_at", "is", null), eb("api_keys.expires_at", ">", at)]))
        .where("api_keys.enabled", "=", filter.status === "active" ? 1 : 0);
      break;
  }
  return q;
}

/**
 * The lookup by secret hash: the key, the secret, and the owner's current role. Groups: the owner's
 * role in the group of the key's org (`group_role`), and the accounts of that group, joined through
 * the key's org.
 */
function lookupQuery(db: Kysely<Database>) {
  return db
    .selectFrom("api_key_secrets")
    .innerJoin("api_keys", "api_keys.id", "api_key_secrets.key_id")
    .leftJoin("memberships", (join) =>
      join
        .onRef("memberships.org_id", "=", "api_keys.org_id")
        .onRef("memberships.user_id", "=", "api_keys.owner_id")
        .on("api_keys.owner_type", "=", "user"),
    )
    .leftJoin("orgs", "orgs.id", "api_keys.org_id")
    .leftJoin("group_memberships", (join) =>
      join
        .onRef("group_memberships.group_id", "=", "orgs.group_id")
        .onRef("group_memberships.user_id", "=", "api_keys.owner_id")
        .on("api_keys.owner_type", "=", "user"),
    )
    .leftJoin("service_accounts", (join) =>
      join
        .onRef("service_accounts.id", "=", "api_keys.owner_id")
        .on((eb) =>
          eb.or([
            eb("service_accounts.org_id", "=", eb.ref("api_keys.org_id")),
            eb("service_accounts.group_id", "=", eb.ref("orgs.group_id")),
          ]),
        )
        .on("api_keys.owner_type", "=", "service_account")
        .on("service_accounts.deleted_at", "is", null),
    )
    .select(VERIFIABLE_COLUMNS.map((column) => `api_keys.${column}` as const))
    .select([
      "api_key_secrets.hash as secret_hash",
      "api_key_secrets.hint as secret_hint",
      "api_key_secrets.created_at as secret_created_at",
      "api_key_secrets.expires_at as secret_expires_at",
      "memberships.role as member_role",
      "memberships.roles as member_roles",
      "service_accounts.role as account_role",
      "group_memberships.role as group_role",
    ])
    .where("api_key_secrets.hash", "=", "");
}

type LookupRow = InferResult<ReturnType<typeof lookupQuery>>[number];

/**
 * The lookup of an OAuth access token by hash, with the key lookup's column names, so that a token
 * verifies as a key of its service account: it is revoked with its client secret (`revoked_at`), ends
 * with that secret's grace period (`secret_expires_at`), and has no owner role once its account is
 * deleted. Nothing of the token itself changes when it ends.
 */
function tokenLookupQuery(db: Kysely<Database>) {
  return db
    .selectFrom("oauth_access_tokens")
    .innerJoin("oauth_client_secrets", "oauth_client_secrets.id", "oauth_access_tokens.client_secret_id")
    .leftJoin("service_accounts", (join) =>
      join
        .onRef("service_accounts.id", "=", "oauth_access_tokens.service_account_id")
        .onRef("service_accounts.org_id", "=", "oauth_access_tokens.org_id")
        .on("service_accounts.deleted_at", "is", null),
    )
    .select([
      "oauth_access_tokens.id as id",
      "oauth_access_tokens.org_id as org_id",
      sql<string>`'access_token'`.as("kind"),
      sql<string>`'service_account'`.as("owner_type"),
      "oauth_access_tokens.service_account_id as owner_id",
      sql<string>`'live'`.as("environment"),
      "oauth_access_tokens.permissions as permissions",
      sql<string>`'[]'`.as("roles"),
      sql<string>`'[]'`.as("labels"),
      sql<string>`'{}'`.as("metadata"),
      "oauth_access_tokens.expires_at as expires_at",
      sql<number>`1`.as("enabled"),
      "oauth_client_secrets.revoked_at as revoked_at",
      sql<string | null>`null`.as("deleted_at"),
      sql<string>`'[]'`.as("ip_allowlist"),
      sql<number | null>`null`.as("rate_limit_limit"),
      sql<number | null>`null`.as("rate_limit_window_seconds"),
      sql<number | null>`null`.as("quota_remaining"),
      sql<number | null>`null`.as("quota_refill_amount"),
      sql<string | null>`null`.as("quota_refill_interval"),
      sql<string | null>`null`.as("quota_refilled_at"),
      "oauth_access_tokens.hash as secret_hash",
      "oauth_access_tokens.hint as secret_hint",
      "oauth_access_tokens.created_at as secret_created_at",
      "oauth_client_secrets.expires_at as secret_expires_at",
      sql<string | null>`null`.as("member_role"),
      sql<string | null>`null`.as("member_roles"),
      "service_accounts.role as account_role",
      sql<string | null>`null`.as("group_role"),
    ])
    .where("oauth_access_tokens.hash", "=", "");
}

/** A lookup statement compiled once, and its prepared form on the SQLite reader. */
interface PreparedLookup {
  sql: string;
  /** The fixed parameters; the hash is appended as the last. */
  parameters: readonly unknown[];
  statement: { get(...parameters: unknown[]): unknown } | null;
  toRow: (values: unknown[]) => LookupRow;
}

function compileLookup(query: { compile(): { sql: string; parameters: readonly unknown[] } }): PreparedLookup {
  const compiled = query.compile();
  return {
    sql: compiled.sql,
    // The hash is the query's last parameter; the others are the join conditions' constants.
    parameters: compiled.parameters.slice(0, -1),
    statement: null,
    toRow: () => {
      throw new Error("the lookup statement is not prepared");
    },
  };
}

/**
 * A function that turns a row array into an object with the columns as properties, written as one
 * object literal so that every row has the same shape (V8 then reads its fields fast). The names come
 * from the lookup statement's own column list, never from input.
 */
function rowBuilder(columns: readonly string[]): (values: unknown[]) => LookupRow {
  for (const column of columns) {
    if (!/^[a-z_]+$/.test(column)) throw new Error(`unexpected column name in the lookup: ${column}`);
  }
  const fields = columns.map((column, i) => `${column}: values[${i}]`).join(", ");
  return new Function("values", `return { ${fields} };`) as (values: unknown[]) => LookupRow;
}

function toStoredLookup(row: LookupRow | undefined): StoredKeyLookup | null {
  if (row === undefined) return null;
  const key = rowToVerifiableKey(row);
  const secret = rowToSecret({
    hash: row.secret_hash,
    key_id: row.id,
    hint: row.secret_hint,
    created_at: row.secret_created_at,
    expires_at: row.secret_expires_at,
  });
  const ownerRole =
    key.owner.type === "user" ? row.member_role : key.owner.type === "service_account" ? row.account_role : null;
  const ownerBindings =
    key.owner.type === "user" && row.member_roles !== null ? parseJson<RoleBinding[]>(row.member_roles) : [];
  const groupRole = key.owner.type === "user" ? row.group_role : null;
  return { key, secret, ownerRole: ownerRole ?? null, groupRole, ownerBindings, customRoles: NO_CUSTOM_ROLES };
}

/** Whether the lookup names a role that is not built in: its org's custom roles are then read too. */
function needsCustomRoles(lookup: StoredKeyLookup): boolean {
  if (lookup.ownerRole !== null && !isBuiltInRole(lookup.ownerRole)) return true;
  const custom = (binding: RoleBinding) => !isBuiltInRole(binding.role);
  return lookup.key.roles.some(custom) || lookup.ownerBindings.some(custom);
}

/** The org's custom roles, for a lookup that names one (SQLite's reader; PostgreSQL builds the same query). */
const CUSTOM_ROLES_SQL = "select name, permissions from org_roles where org_id = ?";

type CustomRoleRow = { name: string; permissions: string };

/** A lookup with its org's custom roles. */
function withCustomRoles(found: StoredKeyLookup, rows: CustomRoleRow[]): StoredKeyLookup {
  return { ...found, customRoles: grantsOf(rows) };
}

/** The few methods of a better-sqlite3 database the hot lookup uses. */
export interface SqliteReader {
  prepare(sql: string): {
    raw(on: true): { get(...parameters: unknown[]): unknown; columns(): { name: string }[] };
    all(...parameters: unknown[]): unknown[];
  };
  close(): unknown;
}

/** Keys, secrets, labels and events in one Kysely database, SQLite or PostgreSQL. */
export class KyselyKeyStore implements KeyStore {
  /** The lookups' SQL and fixed parameters, compiled once: verification must not build queries. */
  private readonly keyLookup: PreparedLookup;
  private readonly tokenLookup: PreparedLookup;
  private reader: SqliteReader | null = null;
  private customRoleStatement: { all(...parameters: unknown[]): unknown[] } | null = null;

  /**
   * `openReader` opens a second, read-only connection to an SQLite file: the lookup then runs there as
   * one prepared statement, synchronously, which is what makes uncached verification fast. A separate
   * connection (WAL) sees only committed rows, never those of a transaction still open on the writer.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly openReader: (() => SqliteReader) | null = null,
  ) {
    this.keyLookup = compileLookup(lookupQuery(db));
    this.tokenLookup = compileLookup(tokenLookupQuery(db));
  }

  /** Closes the read-only connection, if one was opened. */
  closeReader(): void {
    this.reader?.close();
    this.reader = null;
    this.keyLookup.statement = null;
    this.tokenLookup.statement = null;
    this.customRoleStatement = null;
  }

  /** Prepares both lookups on the read-only connection (once); false when there is none. */
  private prepareReader(): boolean {
    if (this.keyLookup.statement !== null) return true;
    if (this.openReader === null) return false;
    this.reader = this.openReader();
    for (const lookup of [this.keyLookup, this.tokenLookup]) {
      // Rows as arrays, named here: better-sqlite3 builds them faster than objects.
      const statement = this.reader.prepare(lookup.sql).raw(true);
      lookup.toRow = rowBuilder(statement.columns().map((column) => column.name));
      lookup.statement = statement;
    }
    this.customRoleStatement = this.reader.prepare(CUSTOM_ROLES_SQL);
    return true;
  }

  async create(key: ApiKey, secret: KeySecret, event: KeyEvent, vault?: VaultWrite): Promise<void> {
    await translateDriverErrors("A key with this secret or id exists.", () =>
      this.db.transaction().execute(async (trx) => {
        if (vault !== undefined) await insertSecret(trx, vault.secret);
        await insertKey(trx, key, secret, event, vault === undefined ? [] : [vault.audit]);
      }),
    );
  }

  /**
   * Keys first; a hash no key has may be an OAuth access token's (read the same way). When the key or
   * its owner holds a custom role, the org's custom roles are read as well (a second statement).
   */
  findBySecretHash(hash: string): Promise<StoredKeyLookup | null> | StoredKeyLookup | null {
    if (this.prepareReader()) {
      const found = toStoredLookup(this.readRow(this.keyLookup, hash) ?? this.readRow(this.tokenLookup, hash));
      if (found === null || !needsCustomRoles(found)) return found;
      return withCustomRoles(found, this.customRoleStatement?.all(found.key.orgId) as CustomRoleRow[]);
    }
    return this.queryRow(this.keyLookup, hash).then(async (row) => {
      const found = toStoredLookup(row ?? (await this.queryRow(this.tokenLookup, hash)));
      if (found === null || !needsCustomRoles(found)) return found;
      const rows = await this.db
        .selectFrom("org_roles")
        .select(["name", "permissions"])
        .where("org_id", "=", found.key.orgId)
        .execute();
      return withCustomRoles(found, rows);
    });
  }

  private readRow(lookup: PreparedLookup, hash: string): LookupRow | undefined {
    const values = lookup.statement?.get(...lookup.parameters, hash) as unknown[] | undefined;
    return values === undefined ? undefined : lookup.toRow(values);
  }

  private async queryRow(lookup: PreparedLookup, hash: string): Promise<LookupRow | undefined> {
    const result = await this.db.executeQuery<LookupRow>(CompiledQuery.raw(lookup.sql, [...lookup.parameters, hash]));
    return result.rows[0];
  }

  async get(orgId: string, id: string): Promise<ApiKey | null> {
    return getLiveKey(this.db, orgId, id);
  }

  async list(orgId: string, filter: KeyFilter, page: PageRequest, now: Date): Promise<Page<ApiKey>> {
    const query = applyFilter(
      this.db
        .selectFrom("api_keys")
        .selectAll("api_keys")
        .where("api_keys.org_id", "=", orgId)
        .where("api_keys.deleted_at", "is", null),
      filter,
      now,
    );
    return paginate(query, "api_keys.id", page, rowToKey);
  }

  async change(orgId: string, id: string, change: KeyChange, event: KeyEvent): Promise<ApiKey | null> {
    return this.db.transaction().execute(async (trx) => {
      if (change.type === "update" && change.fields.roles !== undefined) {
        await holdReferences(trx, orgId, [], change.fields.roles);
      }
      let update = trx
        .updateTable("api_keys")
        .set(changeToColumns(change))
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .where("deleted_at", "is", null);
      if (change.type !== "update" && change.type !== "delete") update = update.where("revoked_at", "is", null);
      const result = await update.executeTakeFirst();
      if (result.numUpdatedRows === 0n) return null;
      if (change.type === "update" && change.fields.labels !== undefined) {
        await trx.deleteFrom("api_key_labels").where("key_id", "=", id).execute();
        await insertLabels(trx, orgId, id, change.fields.labels);
      }
      await recordKeyEvents(trx, [event]);
      const row = await trx.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      return rowToKey(row);
    });
  }

  async regenerate(
    orgId: string,
    id: string,
    secret: KeySecret,
    graceUntil: Date,
    event: KeyEvent,
    vault?: VaultWrite,
  ): Promise<ApiKey | null> {
    return translateDriverErrors("A key with this secret exists.", () =>
      this.db.transaction().execute(async (trx) => {
        if (!(await replaceSecret(trx, orgId, id, secret, graceUntil))) return null;
        if (vault !== undefined) await insertSecret(trx, vault.secret);
        await recordKeyEvents(trx, [event], vault === undefined ? [] : [vault.audit]);
        const row = await trx.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
        return rowToKey(row);
      }),
    );
  }

  async revokeMatching(
    orgId: string,
    filter: KeyFilter,
    now: Date,
    eventFor: (key: ApiKey) => KeyEvent,
  ): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await applyFilter(
        trx
          .selectFrom("api_keys")
          .selectAll("api_keys")
          .where("api_keys.org_id", "=", orgId)
          .where("api_keys.deleted_at", "is", null)
          .where("api_keys.revoked_at", "is", null)
          // Publishable keys live as long as their environment: never revoked in bulk.
          .where("api_keys.kind", "!=", "publishable"),
        filter,
        now,
      ).execute();
      return revokeRows(trx, rows.map(rowToKey), now, eventFor);
    });
  }

  async consumeQuota(
    keyId: string,
    cost: number,
    refill: { amount: number; periodStart: Date } | null,
  ): Promise<number | null> {
    if (refill !== null) {
      const periodStart = toTime(refill.periodStart);
      await this.db
        .updateTable("api_keys")
        .set({ quota_remaining: refill.amount, quota_refilled_at: periodStart })
        .where("id", "=", keyId)
        .where("quota_refill_amount", "is not", null)
        .where((eb) => eb.or([eb("quota_refilled_at", "is", null), eb("quota_refilled_at", "<", periodStart)]))
        .execute();
    }
    const row = await this.db
      .updateTable("api_keys")
      .set((eb) => ({ quota_remaining: eb("quota_remaining", "-", cost) }))
      .where("id", "=", keyId)
      .where("quota_remaining", ">=", cost)
      .returning("quota_remaining")
      .executeTakeFirst();
    return row === undefined || row.quota_remaining === null ? null : Number(row.quota_remaining);
  }

  recordLeaks(
    reports: readonly LeakReport[],
    at: Date,
    eventsFor: (key: ApiKey, report: LeakReport, revokedNow: boolean) => KeyEvent[],
  ): Promise<LeakMatch[]> {
    return recordLeaks(this.db, reports, at, eventsFor);
  }

  async listEvents(orgId: string, keyId: string): Promise<KeyEvent[]> {
    const rows = await this.db
      .selectFrom("api_key_events")
      .select(["id", "org_id", "key_id", "type", "actor_type", "actor_id", "request_id", "created_at", "detail"])
      .where("org_id", "=", orgId)
      .where("key_id", "=", keyId)
      .orderBy("seq", "asc")
      .execute();
    return rows.map(rowToEvent);
  }
}

function changeToColumns(change: KeyChange): Updateable<ApiKeysTable> {
  switch (change.type) {
    case "update": {
      const f = change.fields;
      const columns: Updateable<ApiKeysTable> = {};
      if (f.name !== undefined) columns.name = f.name;
      if (f.description !== undefined) columns.description = f.description;
      if (f.labels !== undefined) columns.labels = JSON.stringify(f.labels);
      if (f.metadata !== undefined) columns.metadata = JSON.stringify(f.metadata);
      if (f.permissions !== undefined) columns.permissions = JSON.stringify(f.permissions);
      if (f.roles !== undefined) columns.roles = JSON.stringify(f.roles);
      if (f.ipAllowlist !== undefined) columns.ip_allowlist = JSON.stringify(f.ipAllowlist);
      if (f.rateLimit !== undefined) {
        const { rate_limit_limit, rate_limit_window_seconds } = limitColumns({
          ipAllowlist: [],
          rateLimit: f.rateLimit,
          quota: null,
        });
        Object.assign(columns, { rate_limit_limit, rate_limit_window_seconds });
      }
      if (f.quota !== undefined) {
        const { quota_remaining, quota_refill_amount, quota_refill_interval, quota_refilled_at } = limitColumns({
          ipAllowlist: [],
          rateLimit: null,
          quota: f.quota,
        });
        Object.assign(columns, { quota_remaining, quota_refill_amount, quota_refill_interval, quota_refilled_at });
      }
      return columns;
    }
    case "revoke":
      return { revoked_at: toTime(change.at) };
    case "disable":
      return { enabled: 0 };
    case "enable":
      return { enabled: 1 };
    case "delete":
      return { deleted_at: toTime(change.at) };
  }
}

async function insertLabels(db: Db, orgId: string, keyId: string, labels: readonly string[]): Promise<void> {
  if (labels.length === 0) return;
  await db
    .insertInto("api_key_labels")
    .values(labels.map((label) => ({ key_id: keyId, org_id: orgId, label })))
    .execute();
}

/**
 * Writes key events to the key's own history and to the audit log (inside a transaction, as its last
 * writes: see `appendAudit`), with any other audit events of the same change.
 */
export async function recordKeyEvents(
  trx: Transaction<Database>,
  events: readonly KeyEvent[],
  alsoAudit: readonly AuditEvent[] = [],
): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    await trx
      .insertInto("api_key_events")
      .values(events.slice(i, i + 200).map(eventToRow))
      .execute();
  }
  await appendAudit(trx, [...events.map(keyEventAudit), ...alsoAudit]);
}

/**
 * Inserts a key with its first secret, its labels and its `created` event (inside a transaction), with
 * any other audit events of the same change.
 */
export async function insertKey(
  trx: Transaction<Database>,
  key: ApiKey,
  secret: KeySecret,
  event: KeyEvent,
  alsoAudit: readonly AuditEvent[] = [],
): Promise<void> {
  await holdReferences(trx, key.orgId, [], key.roles);
  await trx.insertInto("api_keys").values(keyToRow(key)).execute();
  await insertLabels(trx, key.orgId, key.id, key.labels);
  await trx.insertInto("api_key_secrets").values(secretToRow(secret)).execute();
  await recordKeyEvents(trx, [event], alsoAudit);
}

/**
 * Revokes those of the given keys that are still live, each with its event (inside a transaction).
 * Returns the ids it revoked: a key a concurrent request revoked first gets no second event.
 */
export async function revokeRows(
  db: Transaction<Database>,
  keys: readonly ApiKey[],
  now: Date,
  eventFor: (key: ApiKey) => KeyEvent,
  alsoAudit: readonly AuditEvent[] = [],
): Promise<string[]> {
  const revoked = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .updateTable("api_keys")
      .set({ revoked_at: toTime(now) })
      .where(
        "id",
        "in",
        keys.slice(i, i + 500).map((key) => key.id),
      )
      .where("revoked_at", "is", null)
      .returning("id")
      .execute();
    for (const row of rows) revoked.add(row.id);
  }
  await recordKeyEvents(db, keys.filter((key) => revoked.has(key.id)).map(eventFor), alsoAudit);
  return keys.filter((key) => revoked.has(key.id)).map((key) => key.id);
}

/**
 * Gives a live key a new current secret (inside a transaction): every other secret of the key stops at
 * `graceUntil`, or earlier if it already would. False when the key is revoked or gone (nothing written).
 */
export async function replaceSecret(
  trx: Transaction<Database>,
  orgId: string,
  id: string,
  secret: KeySecret,
  graceUntil: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable("api_keys")
    .set({ hint: secret.hint, rotated_at: toTime(secret.createdAt) })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return false;
  const until = toTime(graceUntil);
  await trx
    .updateTable("api_key_secrets")
    .set({ expires_at: until })
    .where("key_id", "=", id)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", until)]))
    .execute();
  await trx.insertInto("api_key_secrets").values(secretToRow(secret)).execute();
  return true;
}

async function getLiveKey(db: Db, orgId: string, id: string): Promise<ApiKey | null> {
  const row = await db
    .selectFrom("api_keys")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return row === undefined ? null : rowToKey(row);
}
