import type { LastUse, UsageBucket, UsageCount, UsageGranularity, UsageStore, VerificationCode } from "@latchkey/core";
import { type Kysely, sql } from "kysely";
import { toTime } from "./rows.js";
import type { Database } from "./schema.js";

/** How many characters of an ISO minute name each granularity's bucket. */
const PREFIX: Record<UsageGranularity, number> = { minute: 16, hour: 13, day: 10 };
const SUFFIX: Record<UsageGranularity, string> = { minute: ":00.000Z", hour: ":00:00.000Z", day: "T00:00:00.000Z" };

/** Usage counters per (org, key, minute, outcome) in a Kysely database. */
export class KyselyUsageStore implements UsageStore {
  constructor(private readonly db: Kysely<Database>) {}

  async write(counts: readonly UsageCount[], uses: readonly LastUse[]): Promise<void> {
    if (counts.length === 0 && uses.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < counts.length; i += 200) {
        await trx
          .insertInto("usage_counts")
          .values(
            counts
              .slice(i, i + 200)
              .map((c) => ({ org_id: c.orgId, key_id: c.keyId, minute: c.minute, code: c.code, count: c.count })),
          )
          .onConflict((oc) =>
            oc.columns(["org_id", "key_id", "minute", "code"]).doUpdateSet({
              count: sql`usage_counts.count + excluded.count`,
            }),
          )
          .execute();
      }
      for (const use of uses) {
        const at = toTime(use.at);
        await trx
          .updateTable("api_keys")
          .set({ last_used_at: at, last_used_ip: use.ip })
          .where("id", "=", use.keyId)
          .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", at)]))
          .execute();
      }
    });
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
