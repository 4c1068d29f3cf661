import {
  type AuditEvent,
  type AuditFilter,
  type AuditRecord,
  type AuditStore,
  type ChainCheck,
  ChainChecker,
  chainAfter,
  type KeyEvent,
  type Page,
  type PageRequest,
} from "@latchkey/core";
import { type Kysely, PostgresAdapter, type Selectable, type Transaction } from "kysely";
import { enqueueWebhookDeliveries } from "./kysely-webhook-outbox.js";
import { toTime } from "./rows.js";
import type { AuditEventsTable, Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

function toRow(record: AuditRecord): Selectable<AuditEventsTable> {
  return {
    seq: record.seq,
    id: record.id,
    org_id: record.orgId,
    actor_type: record.actor.type,
    actor_id: record.actor.id,
    action: record.action,
    target_type: record.target.type,
    target_id: record.target.id,
    created_at: toTime(record.createdAt),
    ip: record.ip,
    request_id: record.requestId,
    detail: JSON.stringify(record.detail),
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

function fromRow(row: Selectable<AuditEventsTable>): AuditRecord {
  return {
    seq: Number(row.seq),
    id: row.id,
    orgId: row.org_id,
    actor: { type: row.actor_type as AuditRecord["actor"]["type"], id: row.actor_id },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    createdAt: new Date(row.created_at),
    ip: row.ip,
    requestId: row.request_id,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The audit event of a key event: `api_key.<type>` on the key. */
export function keyEventAudit(event: KeyEvent): AuditEvent {
  return {
    id: event.id,
    orgId: event.orgId,
    actor: event.actor,
    action: `api_key.${event.type}`,
    target: { type: "api_key", id: event.keyId },
    createdAt: event.createdAt,
    ip: event.ip ?? null,
    requestId: event.requestId,
    detail: event.detail,
  };
}

/**
 * Appends events to the log inside the caller's transaction, after the change they record. It locks
 * the log's head (PostgreSQL: row lock; SQLite: transactions hold the write lock from their start),
 * so events are chained in one order across every node. Call it as the transaction's last write:
 * every writer takes the head last, so none waits on a row another holds while holding the head.
 * Events of a webhook event type get their outbox rows first, in the same transaction.
 */
export async function appendAudit(trx: Transaction<Database>, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await enqueueWebhookDeliveries(trx, events);
  const postgres = trx.getExecutor().adapter instanceof PostgresAdapter;
  let headQuery = trx.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1);
  if (postgres) headQuery = headQuery.forUpdate();
  const row = await headQuery.executeTakeFirstOrThrow();
  let head = { seq: Number(row.seq), hash: row.hash };
  const records = events.map((event) => {
    const record = chainAfter(head, event);
    head = { seq: record.seq, hash: record.hash };
    return toRow(record);
  });
  // 14 values a row: 1,000 rows stay under SQLite's 32,766 parameters a statement.
  for (let i = 0; i < records.length; i += 1000) {
    await trx
      .insertInto("audit_events")
      .values(records.slice(i, i + 1000))
      .execute();
  }
  await trx.updateTable("audit_head").set({ seq: head.seq, hash: head.hash }).where("id", "=", 1).execute();
}

/** The audit log in a Kysely database. */
export class KyselyAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(events: readonly AuditEvent[]): Promise<void> {
    await this.db.transaction().execute((trx) => appendAudit(trx, events));
  }

  private filtered(db: Db, orgId: string, filter: AuditFilter) {
    let q = db.selectFrom("audit_events").selectAll("audit_events").where("audit_events.org_id", "=", orgId);
    if (filter.actorId !== undefined) q = q.where("audit_events.actor_id", "=", filter.actorId);
    if (filter.action !== undefined) {
      if (filter.action.endsWith(".*")) {
        // Every action under a prefix: "api_key." ≤ action < "api_key/" ("/" follows "." in ASCII).
        const prefix = filter.action.slice(0, -1);
        q = q.where("audit_events.action", ">=", prefix).where("audit_events.action", "<", `${prefix.slice(0, -1)}/`);
      } else {
        q = q.where("audit_events.action", "=", filter.action);
      }
    }
    if (filter.targetId !== undefined) q = q.where("audit_events.target_id", "=", filter.targetId);
    if (filter.from !== undefined) q = q.where("audit_events.created_at", ">=", toTime(filter.from));
    if (filter.to !== undefined) q = q.where("audit_events.created_at", "<", toTime(filter.to));
    return q;
  }

  /** Newest first by place in the log; the cursors are event ids (UUIDv7 order is not the log's order). */
  async list(orgId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    const cursor = page.endingBefore ?? page.startingAfter;
    let q = this.filtered(this.db, orgId, filter);
    if (cursor !== undefined) {
      const at = await this.db
        .selectFrom("audit_events")
        .select("seq")
        .where("org_id", "=", orgId)
        .where("id", "=", cursor)
        .executeTakeFirst();
      if (at === undefined) return { items: [], hasMore: false };
      q = q.where("audit_events.seq", page.endingBefore !== undefined ? ">" : "<", at.seq);
    }
    const backward = page.endingBefore !== undefined;
    const rows = await q
      .orderBy("audit_events.seq", backward ? "asc" : "desc")
      .limit(page.limit + 1)
      .execute();
    const hasMore = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    if (backward) items.reverse();
    return { items: items.map(fromRow), hasMore };
  }

  async *export(orgId: string, filter: AuditFilter): AsyncIterable<AuditRecord> {
    let after = 0;
    for (;;) {
      const rows = await this.filtered(this.db, orgId, filter)
        .where("audit_events.seq", ">", after)
        .orderBy("audit_events.seq", "asc")
        .limit(1000)
        .execute();
      for (const row of rows) yield fromRow(row);
      if (rows.length < 1000) return;
      after = Number(rows[rows.length - 1]?.seq);
    }
  }

  async check(): Promise<ChainCheck> {
    const head = await this.db.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirst();
    const checker = new ChainChecker();
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom("audit_events")
        .selectAll()
        .where("seq", ">", after)
        .orderBy("seq", "asc")
        .limit(5000)
        .execute();
      for (const row of rows) if (!checker.next(fromRow(row))) return checker.finish(null);
      if (rows.length < 5000) break;
      after = Number(rows[rows.length - 1]?.seq);
    }
    return checker.finish(head === undefined ? null : { seq: Number(head.seq), hash: head.hash });
  }
}
