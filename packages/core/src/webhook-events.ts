import { createHmac } from "node:crypto";
import type { AuditEvent } from "./audit.js";

/**
 * The audit actions a webhook endpoint can subscribe to. Every one of them is an audit event: the
 * transaction that appends it also writes one outbox row per subscribed endpoint, so an event is
 * delivered if and only if its change was committed.
 */
export const WEBHOOK_EVENT_TYPES = [
  "api_key.created",
  "api_key.updated",
  "api_key.revoked",
  "api_key.regenerated",
  "api_key.disabled",
  "api_key.enabled",
  "api_key.deleted",
  "api_key.expiring",
  "api_key.leaked",
  "api_key.quota_low",
  "api_key.new_ip",
  "service_account.created",
  "service_account.deleted",
  "secret.created",
  "secret.deleted",
  "webhook.created",
  "webhook.updated",
  "webhook.deleted",
] as const;

/** An event type of the catalogue. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an endpoint subscribes to: event types of the catalogue, or `*` for all of them. */
export type WebhookSubscription = WebhookEventType | "*";

const eventTypes: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** True when an audit action is a webhook event type. */
export function isWebhookEventType(action: string): action is WebhookEventType {
  return eventTypes.has(action);
}

/** True when an endpoint subscribed to `subscriptions` receives events of `type`. */
export function subscribes(subscriptions: readonly string[], type: string): boolean {
  return subscriptions.includes("*") || subscriptions.includes(type);
}

/** The name of the signature header. */
export const WEBHOOK_SIGNATURE_HEADER = "Latchkey-Signature";

/** How old a signature's timestamp may be, by default, before a receiver refuses it: 5 minutes. */
export const WEBHOOK_REPLAY_WINDOW_SECONDS = 300;

/**
 * The JSON body of a delivery. It carries the audit event's id (receivers deduplicate on it), its
 * type and time, and what the audit log records: target, actor and detail (never a key's secret).
 */
export function webhookPayloadOf(event: AuditEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.action,
    created_at: event.createdAt.toISOString(),
    org_id: event.orgId,
    data: { target: event.target, actor: event.actor, detail: event.detail },
  });
}

/** The hex HMAC-SHA256 of `"<timestamp>.<body>"` under the endpoint's secret. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** The `Latchkey-Signature` header value: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export function webhookSignatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`;
}

/**
 * The pause before each automatic retry, in seconds: 10 s, 30 s, 1.5 min, 5 min, 15 min, 30 min,
 * 1 h, 2 h, 4 h, 8 h, 8 h — about 24 hours in all, 12 attempts; after the last, a delivery is failed.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS: readonly number[] = [
  10, 30, 90, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 28_800,
];

/** The most attempts a delivery gets before it is failed (manual redelivery starts a new one). */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_SECONDS.length + 1;

/**
 * The pause before the next attempt after `attempts` failed ones, with ±20 % jitter so that a
 * receiver coming back is not hit by every delivery at once; null when no attempt is left.
 * `unit` is a random number in [0, 1).
 */
export function retryDelaySeconds(attempts: number, unit: number): number | null {
  const base = WEBHOOK_RETRY_DELAYS_SECONDS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * unit));
}

/** How long the deliveries log keeps delivered and failed deliveries: 30 days. */
export const WEBHOOK_LOG_RETENTION_DAYS = 30;
