import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { performance } from "node:perf_hooks";
import {
  type ClaimedDelivery,
  type Clock,
  isPrivateAddress,
  newId,
  type RandomSource,
  retryDelaySeconds,
  type Store,
  WEBHOOK_LOG_RETENTION_DAYS,
  type WebhookAttempt,
  type WebhookAttemptResult,
  type WebhookSecretSealer,
  webhookSecretAad,
  webhookSignatureHeader,
} from "@latchkey/core";

/** Where the worker reports what went wrong with itself (never with a receiver: that is the log). */
export interface WorkerLog {
  warn(object: object, message: string): void;
}

/** Options of the delivery worker. */
export interface DeliveryWorkerOptions {
  store: Pick<Store, "webhooks">;
  clock: Clock;
  random: RandomSource;
  log: WorkerLog;
  /** Opens the endpoints' sealed signing secrets. */
  sealer: WebhookSecretSealer;
  /** How long a receiver may take to answer (default 10 s). */
  timeoutMs?: number;
  /** The pause between polls when nothing is due (default 1 s). */
  pollMs?: number;
  /** Deliveries claimed at once (default 20). */
  batchSize?: number;
  /** Attempts in flight at most (default 50). */
  maxInFlight?: number;
  /** Attempts in flight to one endpoint at most (default 4): a slow receiver holds its own slots only. */
  perEndpoint?: number;
  /** How long an endpoint rests after a failed attempt before more are claimed for it (default 1 s). */
  cooldownMs?: number;
  /** The outside network (tests may pass their own). */
  fetch?: typeof fetch;
  /** Send to loopback, private and link-local addresses (LATCHKEY_WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivate?: boolean;
  /** Resolves a host name to its addresses (default: the system resolver). */
  resolve?: (host: string) => Promise<string[]>;
}

/** How often a worker prunes the deliveries log. */
const PRUNE_EVERY_MS = 3_600_000;

/** The start of a receiver's error text we keep: enough to tell what happened, never a whole page. */
const MAX_ERROR_LENGTH = 200;

/** Why a request got no answer: a timeout, or the network error's code (ECONNREFUSED, …). */
/** An attempt not made: the target is not one Latchkey may call. */
class RefusedTarget extends Error {}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof RefusedTarget) return error.message;
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (error instanceof Error && error.name === "AbortError") return "cut short: the node was stopping";
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === "string") return `network error: ${cause.code}`;
  const message = error instanceof Error ? error.message : String(error);
  return `network error: ${message}`.slice(0, MAX_ERROR_LENGTH);
}

/**
 * Sends the outbox: claims due deliveries with a lease, POSTs each signed body with a timeout, and
 * records every attempt; a 2xx answer delivers, anything else (an error status, a redirect, a
 * timeout, a refused connection) is retried on the backoff schedule until the last attempt fails.
 * It runs beside the request path: requests never wait on it.
 */
export class WebhookDeliveryWorker {
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly fetchImpl: typeof fetch;
  private readonly resolve: (host: string) => Promise<string[]>;
  private readonly perEndpoint: number;
  private readonly cooldownMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightByEndpoint = new Map<string, number>();
  /** Endpoints whose last attempt failed rest until then (clock ms): a dead one costs a few attempts a second. */
  private readonly coolingUntil = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private pruning: Promise<void> | null = null;
  private running: Promise<void> | null = null;
  private kickedAgain = false;
  private stopped = true;
  private stopping = new AbortController();

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 20;
    this.maxInFlight = options.maxInFlight ?? 50;
    this.perEndpoint = options.perEndpoint ?? 4;
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.fetchImpl = options.fetch ?? fetch;
    this.resolve =
      options.resolve ?? (async (host) => (await lookup(host, { all: true })).map((entry) => entry.address));
  }

  /** Starts polling (and claiming again whenever an attempt ends). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = new AbortController();
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.pruneTimer = setInterval(() => {
      this.pruning ??= this.prune()
        .then(() => {})
        .catch((error: unknown) => this.options.log.warn({ err: error }, "pruning the webhook log failed"))
        .finally(() => {
          this.pruning = null;
        });
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    this.kick();
  }

  /** Deletes the finished deliveries older than the retention (30 days), in batches; returns how many. */
  async prune(): Promise<number> {
    const before = new Date(this.options.clock.now().getTime() - WEBHOOK_LOG_RETENTION_DAYS * 86_400_000);
    let total = 0;
    for (;;) {
      const deleted = await this.options.store.webhooks.prune(before, 1000);
      total += deleted;
      if (deleted < 1000 || this.stopped) return total;
    }
  }

  /**
   * Stops polling, cuts the requests in flight short and waits until their attempts are recorded
   * (as failed, so they are retried; a receiver may then see an event twice, with the same event id).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.pruneTimer !== null) clearInterval(this.pruneTimer);
    this.timer = null;
    this.pruneTimer = null;
    this.stopping.abort();
    await this.running;
    await this.pruning;
    await Promise.all(this.inFlight);
  }

  /** Claims until nothing more can be taken; a kick during a round makes another round. */
  private kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.kickedAgain = true;
      return;
    }
    this.running = (async () => {
      do {
        this.kickedAgain = false;
        while (!this.stopped && (await this.claimAndSend()) > 0) {}
      } while (this.kickedAgain && !this.stopped);
    })()
      .catch((error: unknown) => this.options.log.warn({ err: error }, "webhook delivery poll failed"))
      .finally(() => {
        this.running = null;
      });
  }

  /** Claims as many due deliveries as there are free slots (at most a batch) and starts their attempts. */
  private async claimAndSend(): Promise<number> {
    const room = Math.min(this.batchSize, this.maxInFlight - this.inFlight.size);
    if (room <= 0) return 0;
    const now = this.options.clock.now();
    // The lease outlives the attempt by far: another node takes the row over only if this one died.
    const leaseUntil = new Date(now.getTime() + 2 * this.timeoutMs + 30_000);
    const token = newId(this.options.clock, this.options.random);
    const busy = new Map(this.inFlightByEndpoint);
    for (const [endpoint, until] of this.coolingUntil) {
      if (until > now.getTime()) busy.set(endpoint, this.perEndpoint);
      else this.coolingUntil.delete(endpoint);
    }
    const claims = await this.options.store.webhooks.claimDue(now, leaseUntil, token, room, {
      perEndpoint: this.perEndpoint,
      inFlight: busy,
    });
    for (const claim of claims) {
      const endpoint = claim.endpointId;
      this.inFlightByEndpoint.set(endpoint, (this.inFlightByEndpoint.get(endpoint) ?? 0) + 1);
      const attempt: Promise<void> = this.attempt(claim).finally(() => {
        this.inFlight.delete(attempt);
        const left = (this.inFlightByEndpoint.get(endpoint) ?? 1) - 1;
        if (left > 0) this.inFlightByEndpoint.set(endpoint, left);
        else this.inFlightByEndpoint.delete(endpoint);
        this.kick();
      });
      this.inFlight.add(attempt);
    }
    return claims.length;
  }

  /**
   * Makes one attempt at every delivery due now, round after round, waiting for each (what the
   * polling loop does, for tests and tools driving a fake clock); returns how many attempts it made.
   */
  async runOnce(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const claimed = await this.claimAndSend();
      await Promise.all(this.inFlight);
      if (claimed === 0) return attempts;
      attempts += claimed;
    }
  }

  private async attempt(claim: ClaimedDelivery): Promise<void> {
    const at = this.options.clock.now();
    const timestamp = Math.floor(at.getTime() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const refused = await this.refusedTarget(claim.url);
      if (refused !== null) throw new RefusedTarget(refused);
      const secret = await this.options.sealer.openForOrg(
        claim.orgId,
        claim.secret,
        webhookSecretAad(claim.orgId, claim.endpointId),
      );
      const response = await this.fetchImpl(claim.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Latchkey-Webhooks/1",
          "latchkey-event-id": claim.eventId,
          "latchkey-event-type": claim.eventType,
          "latchkey-delivery-id": claim.id,
          "latchkey-signature": webhookSignatureHeader(secret, timestamp, claim.payload),
        },
        body: claim.payload,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopping.signal]),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => {});
      if (statusCode < 200 || statusCode > 299) error = `the receiver answered ${statusCode}`;
    } catch (failure) {
      error = describeFailure(failure, this.timeoutMs);
    }
    const attempt: WebhookAttempt = {
      attempt: claim.attempts + 1,
      at,
      statusCode,
      durationMs: performance.now() - started,
      error,
    };
    if (error === null) this.coolingUntil.delete(claim.endpointId);
    else this.coolingUntil.set(claim.endpointId, this.options.clock.now().getTime() + this.cooldownMs);
    try {
      await this.options.store.webhooks.recordAttempt(claim, attempt, this.resultOf(attempt));
    } catch (failure) {
      this.options.log.warn({ err: failure, deliveryId: claim.id }, "could not record a webhook attempt");
    }
  }

  /**
   * Why a URL must not be called now: its host name resolves to a private address (endpoints are
   * checked for address literals when saved; names are checked here, at each attempt). A name that
   * resolves again between this check and the request can still slip through: filter egress too.
   */
  private async refusedTarget(url: string): Promise<string | null> {
    if (this.options.allowPrivate === true) return null;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) !== 0) return isPrivateAddress(host) ? "refused: a private address" : null;
    let addresses: string[];
    try {
      addresses = await this.resolve(host);
    } catch {
      return `network error: cannot resolve ${host}`;
    }
    return addresses.some(isPrivateAddress) ? `refused: ${host} resolves to a private address` : null;
  }

  private resultOf(attempt: WebhookAttempt): WebhookAttemptResult {
    if (attempt.error === null) return { status: "succeeded" };
    const unit = Buffer.from(this.options.random.bytes(4)).readUInt32BE(0) / 2 ** 32;
    const delay = retryDelaySeconds(attempt.attempt, unit);
    if (delay === null) return { status: "failed" };
    return { status: "pending", nextAttemptAt: new Date(this.options.clock.now().getTime() + delay * 1000) };
  }
}
