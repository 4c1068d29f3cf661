import type {
  AuditActor,
  AuditEvent,
  ClaimedDelivery,
  Page,
  PageRequest,
  WebhookAttempt,
  WebhookAttemptResult,
  WebhookClaimFairness,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointChange,
  WebhookStore,
  WebhookSubscription,
} from "@latchkey/core";
import { type Kysely, PostgresAdapter, type Selectable, type Updateable } from "kysely";
import { appendAudit } from "./kysely-audit-store.js";
import { paginate } from "./pagination.js";
import { fromTime, toTime } from "./rows.js";
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from "./schema.js";

/** Every column of an endpoint but its secret. */
const ENDPOINT_COLUMNS = [
  "id",
  "org_id",
  "url",
  "description",
  "event_types",
  "enabled",
  "created_at",
  "created_by_type",
  "created_by_id",
  "updated_at",
] as const satisfies readonly (keyof WebhookEndpointsTable)[];

type EndpointRow = Pick<Selectable<WebhookEndpointsTable>, (typeof ENDPOINT_COLUMNS)[number]>;

function endpointFromRow(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    orgId: row.org_id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as WebhookSubscription[],
    enabled: Number(row.enabled) === 1,
    createdAt: new Date(row.created_at),
    createdBy: { type: row.created_by_type as AuditActor["type"], id: row.created_by_id },
    updatedAt: new Date(row.updated_at),
  };
}

function attemptFromRow(row: Selectable<WebhookAttemptsTable>): WebhookAttempt {
  return {
    attempt: Number(row.attempt),
    at: new Date(row.at),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    durationMs: Number(row.duration_ms),
    error: row.error,
  };
}

function deliveryFromRow(row: Selectable<WebhookDeliveriesTable>, attemptLog: WebhookAttempt[] = []): WebhookDelivery {
  return {
    id: row.id,
    orgId: row.org_id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    payload: row.payload,
    status: row.status as WebhookDeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: fromTime(row.next_attempt_at),
    lastAttemptAt: fromTime(row.last_attempt_at),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    redeliveryOf: row.redelivery_of,
    attemptLog,
  };
}

/** Webhook endpoints, their outbox and its log in a Kysely database. */
export class KyselyWebhookStore implements WebhookStore {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async create(endpoint: WebhookEndpoint, secret: string, audit: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("webhook_endpoints")
        .values({
          id: endpoint.id,
          org_id: endpoint.orgId,
          url: endpoint.url,
          description: endpoint.description,
          event_types: JSON.stringify(endpoint.eventTypes),
          secret,
          enabled: endpoint.enabled ? 1 : 0,
          created_at: toTime(endpoint.createdAt),
          created_by_type: endpoint.createdBy.type,
          created_by_id: endpoint.createdBy.id,
          updated_at: toTime(endpoint.updatedAt),
        })
        .execute();
      await appendAudit(trx, [audit]);
    });
  }

  async get(orgId: string, id: string): Promise<WebhookEndpoint | null> {
    const row = await this.db
      .selectFrom("webhook_endpoints")
      .select(ENDPOINT_COLUMNS)
      .where("org_id", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : endpointFromRow(row);
  }

  async list(orgId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const query = this.db
      .selectFrom("webhook_endpoints")
      .select(ENDPOINT_COLUMNS.map((column) => `webhook_endpoints.${column}` as const))
      .where("webhook_endpoints.org_id", "=", orgId);
    return paginate(query, "webhook_endpoints.id", page, endpointFromRow);
  }

  async update(
    orgId: string,
    id: string,
    change: WebhookEndpointChange,
    at: Date,
    audit: AuditEvent,
    secret?: string,
  ): Promise<WebhookEndpoint | null> {
    return this.db.transaction().execute(async (trx) => {
      const set: Updateable<WebhookEndpointsTable> = { updated_at: toTime(at) };
      if (change.url !== undefined) set.url = change.url;
      if (change.description !== undefined) set.description = change.description;
      if (change.eventTypes !== undefined) set.event_types = JSON.stringify(change.eventTypes);
      if (change.enabled !== undefined) set.enabled = change.enabled ? 1 : 0;
      if (secret !== undefined) set.secret = secret;
      const result = await trx
        .updateTable("webhook_endpoints")
        .set(set)
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return null;
      const row = await trx
        .selectFrom("webhook_endpoints")
        .select(ENDPOINT_COLUMNS)
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      await appendAudit(trx, [audit]);
      return endpointFromRow(row);
    });
  }

  async delete(orgId: string, id: string, audit: AuditEvent): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom("webhook_endpoints")
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      const deliveries = trx.selectFrom("webhook_deliveries").select("id").where("endpoint_id", "=", id);
      await trx.deleteFrom("webhook_attempts").where("delivery_id", "in", deliveries).execute();
      await trx.deleteFrom("webhook_deliveries").where("endpoint_id", "=", id).execute();
      await appendAudit(trx, [audit]);
      return true;
    });
  }

  async listDeliveries(orgId: string, endpointId: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    const query = this.db
      .selectFrom("webhook_deliveries")
      .selectAll("webhook_deliveries")
      .where("webhook_deliveries.org_id", "=", orgId)
      .where("webhook_deliveries.endpoint_id", "=", endpointId);
    const result = await paginate(query, "webhook_deliveries.id", page, (row) => row);
    const ids = result.items.map((row) => row.id);
    const attempts =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom("webhook_attempts")
            .selectAll()
            .where("delivery_id", "in", ids)
            .orderBy("attempt", "asc")
            .execute();
    const byDelivery = new Map<string, WebhookAttempt[]>();
    for (const row of attempts) {
      const list = byDelivery.get(row.delivery_id) ?? [];
      list.push(attemptFromRow(row));
      byDelivery.set(row.delivery_id, list);
    }
    return {
      items: result.items.map((row) => deliveryFromRow(row, byDelivery.get(row.id) ?? [])),
      hasMore: result.hasMore,
    };
  }

  async redeliver(
    orgId: string,
    endpointId: string,
    deliveryId: string,
    newDeliveryId: string,
    at: Date,
  ): Promise<WebhookDelivery | null> {
    return this.db.transaction().execute(async (trx) => {
      const original = await trx
        .selectFrom("webhook_deliveries")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("endpoint_id", "=", endpointId)
        .where("id", "=", deliveryId)
        .executeTakeFirst();
      if (original === undefined) return null;
      const row: Selectable<WebhookDeliveriesTable> = {
        id: newDeliveryId,
        org_id: original.org_id,
        endpoint_id: original.endpoint_id,
        event_id: original.event_id,
        event_type: original.event_type,
        payload: original.payload,
        status: "pending",
        attempts: 0,
        next_attempt_at: toTime(at),
        last_attempt_at: null,
        last_status_code: null,
        last_error: null,
        lease_until: null,
        lease_token: null,
        redelivery_of: original.id,
        created_at: toTime(at),
      };
      await trx.insertInto("webhook_deliveries").values(row).execute();
      return deliveryFromRow(row);
    });
  }

  async claimDue(
    now: Date,
    leaseUntil: Date,
    leaseToken: string,
    limit: number,
    fair: WebhookClaimFairness = { perEndpoint: limit, inFlight: new Map() },
  ): Promise<ClaimedDelivery[]> {
    const nowText = toTime(now);
    const full = [...fair.inFlight].filter(([, count]) => count >= fair.perEndpoint).map(([id]) => id);
    // A plain read first: an idle outbox costs an index lookup, not a write lock, on every poll.
    const anyDue = await this.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", nowText)
      .$if(full.length > 0, (q) => q.where("endpoint_id", "not in", full))
      .limit(1)
      .executeTakeFirst();
    if (anyDue === undefined) return [];
    return this.db.transaction().execute(async (trx) => {
      // SQLite: the transaction holds the write lock from its start, so no other claim runs in between.
      // PostgreSQL: the due rows are locked, and rows another node has locked are skipped.
      let due = trx
        .selectFrom("webhook_deliveries")
        .innerJoin("webhook_endpoints", "webhook_endpoints.id", "webhook_deliveries.endpoint_id")
        .select(["webhook_deliveries.id", "webhook_deliveries.endpoint_id"])
        .where("webhook_deliveries.status", "=", "pending")
        .where("webhook_deliveries.next_attempt_at", "<=", nowText)
        .where((eb) =>
          eb.or([
            eb("webhook_deliveries.lease_until", "is", null),
            eb("webhook_deliveries.lease_until", "<=", nowText),
          ]),
        )
        .where("webhook_endpoints.enabled", "=", 1)
        .$if(full.length > 0, (q) => q.where("webhook_deliveries.endpoint_id", "not in", full))
        .orderBy("webhook_deliveries.next_attempt_at", "asc")
        .limit(limit * 4);
      if (this.postgres) due = due.forUpdate(["webhook_deliveries"]).skipLocked();
      // Rows looked at but not taken are unlocked at commit, a moment later.
      const taken = new Map(fair.inFlight);
      const ids: string[] = [];
      for (const row of await due.execute()) {
        if (ids.length === limit) break;
        const count = taken.get(row.endpoint_id) ?? 0;
        if (count >= fair.perEndpoint) continue;
        taken.set(row.endpoint_id, count + 1);
        ids.push(row.id);
      }
      if (ids.length === 0) return [];
      await trx
        .updateTable("webhook_deliveries")
        .set({ lease_until: toTime(leaseUntil), lease_token: leaseToken })
        .where("id", "in", ids)
        .execute();
      const rows = await trx
        .selectFrom("webhook_deliveries")
        .innerJoin("webhook_endpoints", "webhook_endpoints.id", "webhook_deliveries.endpoint_id")
        .select([
          "webhook_deliveries.id",
          "webhook_deliveries.org_id",
          "webhook_deliveries.endpoint_id",
          "webhook_deliveries.event_id",
          "webhook_deliveries.event_type",
          "webhook_deliveries.payload",
          "webhook_deliveries.attempts",
          "webhook_endpoints.url",
          "webhook_endpoints.secret",
        ])
        .where("webhook_deliveries.id", "in", ids)
        .orderBy("webhook_deliveries.next_attempt_at", "asc")
        .execute();
      return rows.map((row) => ({
        id: row.id,
        orgId: row.org_id,
        endpointId: row.endpoint_id,
        eventId: row.event_id,
        eventType: row.event_type,
        payload: row.payload,
        attempts: Number(row.attempts),
        url: row.url,
        secret: row.secret,
        leaseToken,
      }));
    });
  }

  async prune(before: Date, limit: number): Promise<number> {
    // Ids are UUIDv7: every delivery created before `before` sorts below this one (primary key range).
    const hex = before.getTime().toString(16).padStart(12, "0");
    const bound = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
    return this.db.transaction().execute(async (trx) => {
      const ids = (
        await trx
          .selectFrom("webhook_deliveries")
          .select("id")
          .where("id", "<", bound)
          .where("status", "in", ["succeeded", "failed"])
          .orderBy("id", "asc")
          .limit(limit)
          .execute()
      ).map((row) => row.id);
      if (ids.length === 0) return 0;
      await trx.deleteFrom("webhook_attempts").where("delivery_id", "in", ids).execute();
      await trx.deleteFrom("webhook_deliveries").where("id", "in", ids).execute();
      return ids.length;
    });
  }

  async recordAttempt(claim: ClaimedDelivery, attempt: WebhookAttempt, result: WebhookAttemptResult): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("webhook_deliveries")
        .set({
          status: result.status,
          attempts: attempt.attempt,
          next_attempt_at: result.status === "pending" ? toTime(result.nextAttemptAt) : null,
          last_attempt_at: toTime(attempt.at),
          last_status_code: attempt.statusCode,
          last_error: attempt.error,
          lease_until: null,
          lease_token: null,
        })
        .where("id", "=", claim.id)
        .where("lease_token", "=", claim.leaseToken)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return false;
      await trx
        .insertInto("webhook_attempts")
        .values({
          delivery_id: claim.id,
          attempt: attempt.attempt,
          at: toTime(attempt.at),
          status_code: attempt.statusCode,
          duration_ms: Math.round(attempt.durationMs),
          error: attempt.error,
        })
        .execute();
      return true;
    });
  }
}
