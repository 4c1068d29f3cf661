import type {
  AuditEvent,
  LastUse,
  NewNetworkUse,
  UsageBucket,
  UsageCount,
  UsageGranularity,
  UsageStore,
  VerificationCode,
} from "@latchkey/core";
import { type Kysely, PostgresAdapter, sql, type Transaction } from "kysely";
import { appendAudit } from "./kysely-audit-store.js";
import { toTime } from "./rows.js";
import type { Database } from "./schema.js";

/** How many characters of an ISO minute name each granularity's bucket. */
const PREFIX: Record<UsageGranularity, number> = { minute: 16, hour: 13, day: 10 };
const SUFFIX: Record<UsageGranularity, string> = { minute: ":00.000Z", hour: ":00:00.000Z", day: "T00:00:00.000Z" };

/** How many (key, network) pairs a node remembers as stored before it starts over. */
const MAX_KNOWN_NETWORKS = 100_000;

/** Rows per statement of a usage write (3 to 5 parameters each: well within both drivers' limits). */
const BATCH = 200;

/**
 * Moves each key's last use forward (never back) in one statement: a flush after traffic on many
 * keys writes one row per key, and one compiled statement per key held the event loop for seconds at
 * a million keys. `VALUES` names its columns column1… on both SQLite and PostgreSQL.
 */
async function moveLastUse(trx: Transaction<Database>, uses: readonly LastUse[]): Promise<void> {
  const rows = uses.map((use) => sql`(${use.keyId}, ${toTime(use.at)}, ${use.ip})`);
  await sql`update api_keys set last_used_at = v.column2, last_used_ip = v.column3
    from (values ${sql.join(rows)}) as v
    where api_keys.id = v.column1 and (api_keys.last_used_at is null or api_keys.last_used_at < v.column2)`.execute(
    trx,
  );
}

/** Lets the event loop run (timers, sockets) before the next statement. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Usage counters per (org, key, minute, outcome) in a Kysely database. */
export class KyselyUsageStore implements UsageStore {
  /** (key, network) pairs known to be stored: a key's usual network costs no write per flush. */
  private readonly knownNetworks = new Set<string>();
  /**
   * Between two statements of a write, on SQLite: its statements run synchronously, so a flush after
   * traffic on a hundred thousand keys held the event loop for a second, every flush. Yielding keeps
   * verification (read on its own connection) and every other request going; writers through this
   * connection wait for the transaction, as they would anyway. PostgreSQL's statements yield by
   * themselves.
   */
  private readonly breathe: (() => Promise<void>) | null;

  constructor(private readonly db: Kysely<Database>) {
    this.breathe = db.getExecutor().adapter instanceof PostgresAdapter ? null : nextTurn;
  }

  async write(
    counts: readonly UsageCount[],
    uses: readonly LastUse[],
    newNetworkEvent?: (use: NewNetworkUse) => AuditEvent,
  ): Promise<void> {
    if (counts.length === 0 && uses.length === 0) return;
    const stored = await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < counts.length; i += BATCH) {
        await trx
          .insertInto("usage_counts")
          .values(
            counts
              .slice(i, i + BATCH)
              .map((c) => ({ org_id: c.orgId, key_id: c.keyId, minute: c.minute, code: c.code, count: c.count })),
          )
          .onConflict((oc) =>
            oc.columns(["org_id", "key_id", "minute", "code"]).doUpdateSet({
              count: sql`usage_counts.count + excluded.count`,
            }),
          )
          .execute();
        await this.breathe?.();
      }
      const byKey = [...uses].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
      for (let i = 0; i < byKey.length; i += BATCH) {
        await moveLastUse(trx, byKey.slice(i, i + BATCH));
        await this.breathe?.();
      }
      return this.recordNetworks(trx, uses, newNetworkEvent);
    });
    if (this.knownNetworks.size + stored.length > MAX_KNOWN_NETWORKS) this.knownNetworks.clear();
    for (const slot of stored) this.knownNetworks.add(slot);
  }

  /**
   * Stores each key's networks; a network stored here for the first time, for a key that had another
   * network before, gets its `api_key.new_ip` event (the audit log last, as appendAudit asks). Rows are
   * written in (key, network) order so that two nodes' transactions never wait on each other in a cycle.
   * Returns the (key, network) pairs now known to be stored.
   */
  private async recordNetworks(
    trx: Transaction<Database>,
    uses: readonly LastUse[],
    newNetworkEvent: ((use: NewNetworkUse) => AuditEvent) | undefined,
  ): Promise<string[]> {
    const seen = uses
      .flatMap((use) => use.networks.map(({ network, ip }) => ({ use, network, ip, slot: `${use.keyId}|${network}` })))
      .filter((entry) => !this.knownNetworks.has(entry.slot))
      .sort((a, b) => (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0));
    // Many rows per statement: one statement per pair took seconds after a restart with many keys.
    const inserted = new Set<string>();
    for (let i = 0; i < seen.length; i += BATCH) {
      const rows = await trx
        .insertInto("api_key_networks")
        .values(
          seen.slice(i, i + BATCH).map(({ use, network, ip }) => ({
            key_id: use.keyId,
            network,
            org_id: use.orgId,
            first_seen_at: toTime(use.at),
            first_ip: ip,
          })),
        )
        .onConflict((oc) => oc.columns(["key_id", "network"]).doNothing())
        .returning(["key_id", "network"])
        .execute();
      for (const row of rows) inserted.add(`${row.key_id}|${row.network}`);
      await this.breathe?.();
    }
    const fresh = seen.filter((entry) => inserted.has(entry.slot));
    const events: AuditEvent[] = [];
    if (newNetworkEvent !== undefined && fresh.length > 0) {
      // A key's first network is where it lives; only a network after that one is news. A key with
      // networks stored before this write hears of each new one; a key without hears of all but its
      // first (in slot order), as if they had been written one by one.
      const freshByKey = new Map<string, number>();
      for (const { use } of fresh) freshByKey.set(use.keyId, (freshByKey.get(use.keyId) ?? 0) + 1);
      const storedByKey = new Map<string, number>();
      const keyIds = [...freshByKey.keys()];
      for (let i = 0; i < keyIds.length; i += BATCH) {
        const rows = await trx
          .selectFrom("api_key_networks")
          .select(["key_id", (eb) => eb.fn.countAll<number | string>().as("n")])
          .where("key_id", "in", keyIds.slice(i, i + BATCH))
          .groupBy("key_id")
          .execute();
        for (const row of rows) storedByKey.set(row.key_id, Number(row.n));
      }
      const heard = new Set<string>();
      for (const { use, network, ip } of fresh) {
        const before = (storedByKey.get(use.keyId) ?? 0) - (freshByKey.get(use.keyId) ?? 0);
        if (before > 0 || heard.has(use.keyId)) {
          events.push(newNetworkEvent({ orgId: use.orgId, keyId: use.keyId, ip, network, at: use.at }));
        }
        heard.add(use.keyId);
      }
    }
    await appendAudit(trx, events);
    return seen.map((entry) => entry.slot);
  }

  async series(
    orgId: string,
    keyId: string | null,
    from: Date,
    to: Date,
    granularity: UsageGranularity,
  ): Promise<UsageBucket[]> {
    const length = PREFIX[granularity];
    const bucket = sql<string>`substr(minute, 1, ${sql.lit(length)})`;
    let query = this.db
      .selectFrom("usage_counts")
      .select([bucket.as("bucket"), "code", (eb) => eb.fn.sum<number | string>("count").as("n")])
      .where("org_id", "=", orgId)
      .where("minute", ">=", toTime(from))
      .where("minute", "<", toTime(to))
      .groupBy([bucket, "code"])
      .orderBy(bucket);
    if (keyId !== null) query = query.where("key_id", "=", keyId);
    const rows = await query.execute();
    const buckets = new Map<string, UsageBucket>();
    for (const row of rows) {
      const start = `${row.bucket}${SUFFIX[granularity]}`;
      let entry = buckets.get(start);
      if (entry === undefined) {
        entry = { start, counts: {}, total: 0 };
        buckets.set(start, entry);
      }
      const n = Number(row.n);
      entry.counts[row.code as VerificationCode] = (entry.counts[row.code as VerificationCode] ?? 0) + n;
      entry.total += n;
    }
    return [...buckets.values()];
  }
}
