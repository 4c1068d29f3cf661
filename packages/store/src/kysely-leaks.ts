import type { ApiKey, KeyEvent, LeakMatch, LeakReport } from "@latchkey/core";
import { type Kysely, sql, type Transaction } from "kysely";
import { recordKeyEvents } from "./kysely-key-store.js";
import { rowToKey, toTime } from "./rows.js";
import type { Database } from "./schema.js";

/** Hashes or ids per statement: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * `KeyStore.recordLeaks` in one transaction and a handful of statements whatever the batch size:
 * one lookup per 500 hashes, then conditional updates by id, then the events in batches. The guards
 * (`leaked_at is null`, `revoked_at is null`) are part of the updates, so racing reports and
 * revocations record each leak and each revocation once.
 */
export async function recordLeaks(
  db: Kysely<Database>,
  reports: readonly LeakReport[],
  at: Date,
  eventsFor: (key: ApiKey, report: LeakReport, revokedNow: boolean) => KeyEvent[],
): Promise<LeakMatch[]> {
  if (reports.length === 0) return [];
  const now = toTime(at);
  return db.transaction().execute(async (trx) => {
    const found = await findSecrets(
      trx,
      reports.map((report) => report.hash),
    );
    const reportOf = new Map<string, LeakReport>();
    for (const report of reports) if (!reportOf.has(report.hash)) reportOf.set(report.hash, report);
    // The first working secret of each key reported in this batch, by key id.
    const candidates = new Map<string, { key: ApiKey; report: LeakReport }>();
    for (const { hash, key, secretExpiresAt } of found) {
      const working = secretExpiresAt === null || secretExpiresAt > now;
      if (!working || key.deletedAt !== null || key.leak !== null || candidates.has(key.id)) continue;
      candidates.set(key.id, { key, report: reportOf.get(hash) as LeakReport });
    }
    const recorded = new Set<string>();
    const revoked = new Set<string>();
    for (const ids of chunks([...candidates.keys()])) {
      // Each key gets the source and URL of its own report, in one statement per chunk.
      const column = (pick: (report: LeakReport) => string) =>
        sql<string>`case id ${sql.join(
          ids.map((id) => sql`when ${id} then ${pick((candidates.get(id) as { report: LeakReport }).report)}`),
          sql` `,
        )} end`;
      const rows = await trx
        .updateTable("api_keys")
        .set({ leaked_at: now, leak_source: column((r) => r.source), leak_url: column((r) => r.url) })
        .where("id", "in", ids)
        .where("leaked_at", "is", null)
        .where("deleted_at", "is", null)
        .returning("id")
        .execute();
      for (const row of rows) recorded.add(row.id);
    }
    for (const ids of chunks([...recorded])) {
      const rows = await trx
        .updateTable("api_keys")
        .set({ revoked_at: now })
        .where("id", "in", ids)
        .where("revoked_at", "is", null)
        .returning("id")
        .execute();
      for (const row of rows) revoked.add(row.id);
    }
    const events: KeyEvent[] = [];
    for (const id of recorded) {
      const { key, report } = candidates.get(id) as { key: ApiKey; report: LeakReport };
      events.push(...eventsFor(key, report, revoked.has(id)));
    }
    await recordKeyEvents(trx, events);
    return found.map(({ hash, key }) => ({
      hash,
      keyId: key.id,
      orgId: key.orgId,
      recorded: recorded.has(key.id) && candidates.get(key.id)?.report.hash === hash,
      revoked: revoked.has(key.id) && candidates.get(key.id)?.report.hash === hash,
    }));
  });
}

async function findSecrets(
  trx: Transaction<Database>,
  hashes: readonly string[],
): Promise<{ hash: string; key: ApiKey; secretExpiresAt: string | null }[]> {
  const out: { hash: string; key: ApiKey; secretExpiresAt: string | null }[] = [];
  for (const part of chunks(hashes)) {
    const rows = await trx
      .selectFrom("api_key_secrets")
      .innerJoin("api_keys", "api_keys.id", "api_key_secrets.key_id")
      .selectAll("api_keys")
      .select(["api_key_secrets.hash as secret_hash", "api_key_secrets.expires_at as secret_expires_at"])
      .where("api_key_secrets.hash", "in", part)
      .execute();
    for (const row of rows) {
      const { secret_hash, secret_expires_at, ...key } = row;
      out.push({ hash: secret_hash, key: rowToKey(key), secretExpiresAt: secret_expires_at });
    }
  }
  // The order reported, so that the first report of a key is the one recorded.
  const order = new Map(hashes.map((hash, i) => [hash, i]));
  return out.sort((a, b) => (order.get(a.hash) ?? 0) - (order.get(b.hash) ?? 0));
}
