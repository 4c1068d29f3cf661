import {
  type ApiKey,
  isLatchkeyError,
  type KeyEvent,
  type KeySecret,
  type PublishableKeyChanges,
  type PublishableKeyPlan,
  type PublishableKeyRecord,
  type PublishableKeyStore,
  type StoredPublishableKey,
} from "@latchkey/core";
import type { Kysely, Transaction } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { insertKey, recordKeyEvents, replaceSecret, revokeRows } from "./kysely-key-store.js";
import { lockOrg } from "./kysely-membership-store.js";
import { rowToKey, rowToOrg, toTime } from "./rows.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** The names of the org's publishable permissions (its catalogue's), sorted. */
export async function publishablePermissions(db: Db, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("org_permissions")
    .select("name")
    .where("org_id", "=", orgId)
    .where("publishable", "=", 1)
    .orderBy("name", "asc")
    .execute();
  return rows.map((row) => row.name);
}

/** The org's live publishable keys with their sealed values, by environment. */
async function liveKeys(db: Db, orgId: string): Promise<StoredPublishableKey[]> {
  const rows = await db
    .selectFrom("api_keys")
    .innerJoin("publishable_key_values", "publishable_key_values.key_id", "api_keys.id")
    .selectAll("api_keys")
    .select("publishable_key_values.sealed as sealed")
    .where("api_keys.org_id", "=", orgId)
    .where("api_keys.kind", "=", "publishable")
    .where("api_keys.revoked_at", "is", null)
    .where("api_keys.deleted_at", "is", null)
    .orderBy("api_keys.environment", "asc")
    .execute();
  return rows.map(({ sealed, ...row }) => ({ key: rowToKey(row), sealed }));
}

/**
 * Writes prepared publishable keys of an org (inside the transaction that creates the org, adds its
 * environments, or first needs them): each key with the org's publishable permissions as read in this
 * transaction, its first secret, its sealed value and its `created` event. A second live key for an
 * org and environment breaks the unique index (a CONFLICT once translated).
 */
export async function createPublishableKeys(
  trx: Transaction<Database>,
  orgId: string,
  records: readonly PublishableKeyRecord[],
): Promise<ApiKey[]> {
  if (records.length === 0) return [];
  const permissions = await publishablePermissions(trx, orgId);
  const created: ApiKey[] = [];
  for (const record of records) {
    if (record.key.orgId !== orgId || record.key.kind !== "publishable") {
      throw new Error("a publishable key record of another org or kind");
    }
    const key = { ...record.key, permissions };
    await insertKey(trx, key, record.secret, record.event);
    await trx
      .insertInto("publishable_key_values")
      .values({ key_id: key.id, org_id: orgId, sealed: record.sealed, updated_at: toTime(key.createdAt) })
      .execute();
    created.push(key);
  }
  return created;
}

/**
 * Makes the org's publishable keys match `environments` (inside a transaction): revokes the live keys
 * of other environments, then inserts the plan's candidate of each environment without a live key.
 * The caller has locked the org row before reading `environments` from it (PostgreSQL; SQLite
 * transactions hold the write lock), so a racing call waits, then reads the policy and keys this one left.
 */
export async function ensurePublishableKeys(
  trx: Transaction<Database>,
  orgId: string,
  environments: readonly string[],
  plan: PublishableKeyPlan,
): Promise<PublishableKeyChanges> {
  const live = await liveKeys(trx, orgId);
  const removed = live.filter((stored) => !environments.includes(stored.key.environment));
  const revoked = await revokeRows(
    trx,
    removed.map((stored) => stored.key),
    plan.at,
    plan.revokeEventFor,
  );
  const have = new Set(live.map((stored) => stored.key.environment));
  const wanted = plan.candidates.filter(
    (record) => environments.includes(record.key.environment) && !have.has(record.key.environment),
  );
  const created = await createPublishableKeys(trx, orgId, wanted);
  return { keys: await liveKeys(trx, orgId), created: created.map((key) => key.id), revoked };
}

/**
 * Gives the org's live publishable keys exactly its catalogue's publishable permissions (inside the
 * transaction that changed the catalogue), each changed key with its `updated` event. Returns their ids.
 */
export async function syncPublishablePermissions(
  trx: Transaction<Database>,
  orgId: string,
  eventFor: (key: ApiKey) => KeyEvent,
): Promise<string[]> {
  const granted = await publishablePermissions(trx, orgId);
  const permissions = JSON.stringify(granted);
  const rows = await trx
    .selectFrom("api_keys")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("kind", "=", "publishable")
    .where("revoked_at", "is", null)
    .where("deleted_at", "is", null)
    .where("permissions", "!=", permissions)
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  await trx.updateTable("api_keys").set({ permissions }).where("id", "in", ids).execute();
  await recordKeyEvents(
    trx,
    rows.map((row) => eventFor({ ...rowToKey(row), permissions: [...granted] })),
  );
  return ids;
}

/** The orgs' publishable keys in a Kysely database (see `PublishableKeyStore`). */
export class KyselyPublishableStore implements PublishableKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  list(orgId: string): Promise<StoredPublishableKey[]> {
    return liveKeys(this.db, orgId);
  }

  async ensure(orgId: string, plan: PublishableKeyPlan): Promise<PublishableKeyChanges> {
    const attempt = () =>
      translateDriverErrors("The org's publishable keys changed meanwhile.", () =>
        this.db.transaction().execute(async (trx) => {
          // Locked before the policy is read: an org update racing this one is seen whole or not at all.
          await lockOrg(trx, orgId);
          const org = await trx.selectFrom("orgs").selectAll().where("id", "=", orgId).executeTakeFirst();
          if (org === undefined) return { keys: [], created: [], revoked: [] };
          return ensurePublishableKeys(trx, orgId, rowToOrg(org).policy.environments, plan);
        }),
      );
    try {
      return await attempt();
    } catch (error) {
      if (!isLatchkeyError(error) || error.code !== "CONFLICT") throw error;
      // Another node's first creation committed between our read and write (SQLite files shared by
      // processes): its keys stand, and a second look finds them.
      const now = await liveKeys(this.db, orgId);
      if (now.length > 0) return { keys: now, created: [], revoked: [] };
      throw error;
    }
  }

  async regenerate(
    orgId: string,
    keyId: string,
    secret: KeySecret,
    sealed: string,
    graceUntil: Date,
    event: KeyEvent,
  ): Promise<ApiKey | null> {
    return translateDriverErrors("A key with this secret exists.", () =>
      this.db.transaction().execute(async (trx) => {
        const kind = await trx
          .selectFrom("api_keys")
          .select("kind")
          .where("org_id", "=", orgId)
          .where("id", "=", keyId)
          .executeTakeFirst();
        if (kind?.kind !== "publishable") return null;
        if (!(await replaceSecret(trx, orgId, keyId, secret, graceUntil))) return null;
        await trx
          .updateTable("publishable_key_values")
          .set({ sealed, updated_at: toTime(secret.createdAt) })
          .where("key_id", "=", keyId)
          .execute();
        await recordKeyEvents(trx, [event]);
        const row = await trx.selectFrom("api_keys").selectAll().where("id", "=", keyId).executeTakeFirstOrThrow();
        return rowToKey(row);
      }),
    );
  }
}
