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
    const events: AuditEvent[] = [];
    for (const [i, { use, network, ip }] of seen.entries()) {
      if (i % BATCH === BATCH - 1) await this.breathe?.();
      const inserted = await trx
        .insertInto("api_key_networks")
        .values({ key_id: use.keyId, network, org_id: use.orgId, first_seen_at: toTime(use.at), first_ip: ip })
        .onConflict((oc) => oc.columns(["key_id", "network"]).doNothing())
        .returning("key_id")
        .executeTakeFirst();
      if (inserted === undefined || newNetworkEvent === undefined) continue;
      // A key's first network is where it lives; only a network after that one is news.
      const earlier = await trx
        .selectFrom("api_key_networks")
        .select("network")
        .where("key_id", "=", use.keyId)
        .where("network", "!=", network)
        .limit(1)
        .executeTakeFirst();
      if (earlier !== undefined) {
        events.push(newNetworkEvent({ orgId: use.orgId, keyId: use.keyId, ip, network, at: use.at }));
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
