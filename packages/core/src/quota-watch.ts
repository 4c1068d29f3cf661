import { type AlertEvents, type AlertStore, quotaLowThreshold } from "./alerts.js";
import type { VerifiableKey } from "./model.js";
import { refillPeriodStart } from "./verifier.js";

/** A quota found low on the request path, waiting to be written. */
export interface QuotaLowAlert {
  orgId: string;
  keyId: string;
  remaining: number;
  limit: number;
  threshold: number;
  /** The start of the refill period, ISO-8601 UTC: the alert fires once per key and period. */
  period: string;
}

/** How many (key, period) pairs a node remembers as queued before it starts over. */
const MAX_REMEMBERED = 100_000;

/**
 * Notices, on the request path and in memory only, when a verification leaves a refilling quota at or
 * below its threshold, and writes the `api_key.quota_low` alerts later, off the request path, with
 * the usage flush. Each (key, period) is queued once per node; the store's once-only row makes it
 * one alert across nodes. Quotas without a refill have no known full level and raise no alert.
 */
export class QuotaWatch {
  private pending: QuotaLowAlert[] = [];
  private readonly queued = new Set<string>();
  private flushing: Promise<number> | null = null;

  /** `percent` of the refill amount is the threshold; 0 turns the alert off. */
  constructor(
    private readonly percent: number,
    private readonly store: Pick<AlertStore, "recordOnce">,
    private readonly events: AlertEvents,
  ) {}

  /** Notes the units a verification left. Cheap: a comparison, and at most one Set lookup. */
  observe(key: VerifiableKey, remaining: number, now: Date): void {
    const refill = key.quota?.refill;
    if (this.percent === 0 || refill === undefined || refill === null) return;
    const threshold = quotaLowThreshold(refill.amount, this.percent);
    if (remaining > threshold) return;
    const period = refillPeriodStart(refill.interval, now).toISOString();
    const slot = `${key.id}|${period}`;
    if (this.queued.has(slot)) return;
    if (this.queued.size >= MAX_REMEMBERED) this.queued.clear();
    this.queued.add(slot);
    this.pending.push({ orgId: key.orgId, keyId: key.id, remaining, limit: refill.amount, threshold, period });
  }

  /** Writes the queued alerts; returns how many were new. A failed write keeps the rest for the next flush. */
  flush(): Promise<number> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.pending.length === 0) return Promise.resolve(0);
    const batch = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      let recorded = 0;
      try {
        while (batch.length > 0) {
          const alert = batch[0] as QuotaLowAlert;
          const event = this.events.quotaLow(alert.orgId, alert.keyId, {
            remaining: alert.remaining,
            limit: alert.limit,
            threshold: alert.threshold,
          });
          if (
            await this.store.recordOnce({ keyId: alert.keyId, kind: "quota_low", discriminator: alert.period }, event)
          )
            recorded += 1;
          batch.shift();
        }
        return recorded;
      } catch (error) {
        this.pending.unshift(...batch);
        throw error;
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }
}
