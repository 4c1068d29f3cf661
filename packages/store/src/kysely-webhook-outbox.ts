import { type AuditEvent, isWebhookEventType, newId, subscribes, systemRandom, webhookPayloadOf } from "@latchkey/core";
import type { Insertable, Transaction } from "kysely";
import { toTime } from "./rows.js";
import type { Database, WebhookDeliveriesTable } from "./schema.js";

/**
 * Writes the outbox rows of audit events inside their transaction: one pending delivery per event
 * whose action is a webhook event type and per enabled endpoint of its org subscribed to it, due at
 * once. Events of no webhook type cost nothing; the others one indexed query for the orgs' endpoints.
 * Called by `appendAudit` before it takes the log's head, so the head is never held while waiting.
 */
export async function enqueueWebhookDeliveries(
  trx: Transaction<Database>,
  events: readonly AuditEvent[],
): Promise<void> {
  const candidates = events.filter((event) => isWebhookEventType(event.action));
  if (candidates.length === 0) return;
  const orgIds = [...new Set(candidates.map((event) => event.orgId))];
  const endpoints = await trx
    .selectFrom("webhook_endpoints")
    .select(["id", "org_id", "event_types"])
    .where("org_id", "in", orgIds)
    .where("enabled", "=", 1)
    .execute();
  if (endpoints.length === 0) return;
  const rows: Insertable<WebhookDeliveriesTable>[] = [];
  for (const event of candidates) {
    const payload = webhookPayloadOf(event);
    const at = toTime(event.createdAt);
    for (const endpoint of endpoints) {
      if (endpoint.org_id !== event.orgId) continue;
      if (!subscribes(JSON.parse(endpoint.event_types) as string[], event.action)) continue;
      rows.push({
        id: newId({ now: () => event.createdAt }, systemRandom),
        org_id: event.orgId,
        endpoint_id: endpoint.id,
        event_id: event.id,
        event_type: event.action,
        payload,
        status: "pending",
        attempts: 0,
        next_attempt_at: at,
        last_attempt_at: null,
        last_status_code: null,
        last_error: null,
        lease_until: null,
        lease_token: null,
        redelivery_of: null,
        created_at: at,
      });
    }
  }
  if (rows.length > 0) await trx.insertInto("webhook_deliveries").values(rows).execute();
}
