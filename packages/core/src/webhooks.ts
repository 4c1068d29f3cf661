import type { AuditActor, AuditEvent } from "./audit.js";
import type { Page, PageRequest } from "./ports.js";
import type { WebhookSubscription } from "./webhook-events.js";

/** An org's webhook endpoint. Its signing secret is kept apart and never part of this object. */
export interface WebhookEndpoint {
  id: string;
  orgId: string;
  url: string;
  description: string | null;
  /** Event types of the catalogue, or `*` for every one. */
  eventTypes: WebhookSubscription[];
  enabled: boolean;
  createdAt: Date;
  createdBy: AuditActor;
  updatedAt: Date;
}

/** A delivery's state: waiting for its (next) attempt, delivered, or given up after its last attempt. */
export type WebhookDeliveryStatus = "pending" | "succeeded" | "failed";

/** One attempt to deliver: the receiver's status (null when none answered), how long it took, the error. */
export interface WebhookAttempt {
  attempt: number;
  at: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** One event on its way to one endpoint (an outbox row), with every attempt made so far. */
export interface WebhookDelivery {
  id: string;
  orgId: string;
  endpointId: string;
  /** The audit event's id: the same for every delivery of the event (receivers deduplicate on it). */
  eventId: string;
  eventType: string;
  /** The exact JSON body sent (and signed). */
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  /** The delivery this one repeats, for a manual redelivery. */
  redeliveryOf: string | null;
  attemptLog: WebhookAttempt[];
}

/** A delivery a worker holds the lease of, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  orgId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
  url: string;
  /** The endpoint's signing secret, sealed (see WebhookSecretSealer). */
  secret: string;
  /** Proves the lease is still this worker's when the attempt is recorded. */
  leaseToken: string;
}

/** How many deliveries of one endpoint a worker may hold at once, and how many it holds now. */
export interface WebhookClaimFairness {
  perEndpoint: number;
  inFlight: ReadonlyMap<string, number>;
}

/** What became of an attempt, and so of its delivery. */
export type WebhookAttemptResult =
  | { status: "succeeded" }
  | { status: "pending"; nextAttemptAt: Date }
  | { status: "failed" };

/** The changeable fields of an endpoint. */
export type WebhookEndpointChange = Partial<Pick<WebhookEndpoint, "url" | "description" | "eventTypes" | "enabled">>;

/**
 * Storage of webhook endpoints and their outbox. Atomicity: every change to an endpoint is written
 * with its audit event in one transaction; delivery rows are written by the transaction that appends
 * the audit event they carry, so none exists for a change that was not committed. Concurrency:
 * `claimDue` hands each due delivery to one worker at a time (a lease, taken with `FOR UPDATE SKIP
 * LOCKED` on PostgreSQL and inside SQLite's write lock), and `recordAttempt` writes only while the
 * lease is still the caller's, so several nodes never deliver one row twice.
 */
export interface WebhookStore {
  /** Inserts the endpoint with its sealed signing secret and its audit event. */
  create(endpoint: WebhookEndpoint, secret: string, audit: AuditEvent): Promise<void>;
  get(orgId: string, id: string): Promise<WebhookEndpoint | null>;
  /** The org's endpoints, newest first. */
  list(orgId: string, page: PageRequest): Promise<Page<WebhookEndpoint>>;
  /** Changes the endpoint (and its sealed secret, when given), with its audit event; null when it is gone. */
  update(
    orgId: string,
    id: string,
    change: WebhookEndpointChange,
    at: Date,
    audit: AuditEvent,
    secret?: string,
  ): Promise<WebhookEndpoint | null>;
  /** Deletes the endpoint and its deliveries, with its audit event; false when it is gone. */
  delete(orgId: string, id: string, audit: AuditEvent): Promise<boolean>;
  /** The endpoint's deliveries, newest first. */
  listDeliveries(orgId: string, endpointId: string, page: PageRequest): Promise<Page<WebhookDelivery>>;
  /** Queues a new delivery of the same event (same event id and body), due at `at`; null when not found. */
  redeliver(
    orgId: string,
    endpointId: string,
    deliveryId: string,
    newDeliveryId: string,
    at: Date,
  ): Promise<WebhookDelivery | null>;
  /**
   * Leases up to `limit` pending deliveries that are due at `now` to enabled endpoints until
   * `leaseUntil`, oldest due first, and at most `fair.perEndpoint` minus `fair.inFlight` (the
   * caller's attempts in flight) per endpoint: a slow endpoint's backlog never holds up the others'.
   */
  claimDue(
    now: Date,
    leaseUntil: Date,
    leaseToken: string,
    limit: number,
    fair?: WebhookClaimFairness,
  ): Promise<ClaimedDelivery[]>;
  /**
   * Deletes delivered and failed deliveries (with their attempts) created before `before`, at most
   * `limit` of them; pending ones are kept whatever their age. Returns how many it deleted.
   */
  prune(before: Date, limit: number): Promise<number>;
  /** Logs an attempt and applies its result, if the lease is still the claim's; returns whether it was. */
  recordAttempt(claim: ClaimedDelivery, attempt: WebhookAttempt, result: WebhookAttemptResult): Promise<boolean>;
}

/**
 * Keeps endpoints' signing secrets sealed at rest: under the org's vault data key, bound to the
 * endpoint (see `webhookSecretAad`). The delivery worker opens a secret only to sign with it.
 */
export interface WebhookSecretSealer {
  sealForOrg(orgId: string, value: string, aad: string): Promise<string>;
  openForOrg(orgId: string, sealedText: string, aad: string): Promise<string>;
}

/** The associated data of an endpoint's sealed signing secret: it opens for that endpoint only. */
export function webhookSecretAad(orgId: string, endpointId: string): string {
  return JSON.stringify(["latchkey.webhook_secret", orgId, endpointId]);
}
