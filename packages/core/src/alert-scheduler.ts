import {
  type AlertEvents,
  type AlertStore,
  dueExpiryAlert,
  EXPIRY_ALERT_DAYS,
  type ExpiryAlertDays,
  expiryAlertOnce,
} from "./alerts.js";
import type { Clock } from "./clock.js";

/** The lease the scheduled jobs run under. */
export const SCHEDULER_LEASE = "scheduler";

const DAY_MS = 24 * 3600 * 1000;

/** What one tick did. */
export interface TickReport {
  /** Whether this node held the lease and ran the jobs. */
  ran: boolean;
  /** `api_key.expiring` alerts recorded. */
  expiring: number;
  /** Keys the idle policy disabled. */
  disabled: string[];
}

/** Options of a scheduler. */
export interface AlertSchedulerOptions {
  /** This node's name on the lease: unique per running scheduler. */
  holder: string;
  /** How long a taken lease lasts without renewal; a few ticks, so a stopped node is replaced soon. */
  leaseMs: number;
  /** Told each key the idle policy disabled, to drop it from every node's cache. */
  onKeyDisabled: (keyId: string) => void;
}

/**
 * The scheduled jobs: expiry alerts and the idle policy. Every node ticks; only the holder of the
 * lease in the database runs the jobs. The lease spares work; once-only comes from the store's unique
 * rows and conditional writes, so even two nodes that both believe they lead record each alert once.
 */
export class AlertScheduler {
  private running: Promise<TickReport> | null = null;

  constructor(
    private readonly store: AlertStore,
    private readonly clock: Clock,
    private readonly events: AlertEvents,
    private readonly options: AlertSchedulerOptions,
  ) {}

  /** Takes or renews the lease and, when held, runs the jobs. Overlapping calls share one run. */
  tick(): Promise<TickReport> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Waits for a running tick and gives the lease up. */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.store.releaseLease(SCHEDULER_LEASE, this.options.holder);
  }

  private async run(): Promise<TickReport> {
    const now = this.clock.now();
    const held = await this.store.takeLease(
      SCHEDULER_LEASE,
      this.options.holder,
      now,
      new Date(now.getTime() + this.options.leaseMs),
    );
    if (!held) return { ran: false, expiring: 0, disabled: [] };
    const expiring = await this.alertExpiring(now);
    const disabled = await this.disableIdle(now);
    return { ran: true, expiring, disabled };
  }

  private async alertExpiring(now: Date): Promise<number> {
    const horizon = new Date(now.getTime() + Math.max(...EXPIRY_ALERT_DAYS) * DAY_MS);
    let recorded = 0;
    for (const key of await this.store.expiringKeys(now, horizon)) {
      const days: ExpiryAlertDays | null = dueExpiryAlert(key, now);
      if (days === null) continue;
      const once = expiryAlertOnce(key, days);
      // Already sent (the store says which): no transaction for it.
      if (key.sent.includes(once.discriminator)) continue;
      if (await this.store.recordOnce(once, this.events.expiring(key, days))) recorded += 1;
    }
    return recorded;
  }

  private async disableIdle(now: Date): Promise<string[]> {
    const disabled: string[] = [];
    for (const policy of await this.store.idlePolicies()) {
      const cutoff = new Date(now.getTime() - policy.idleDisableDays * DAY_MS);
      for (const keyId of await this.store.idleKeys(policy.orgId, cutoff, now)) {
        const event = this.events.idleDisabled(policy.orgId, keyId, policy.idleDisableDays);
        if (await this.store.disableIdleKey(policy.orgId, keyId, cutoff, now, event)) {
          disabled.push(keyId);
          this.options.onKeyDisabled(keyId);
        }
      }
    }
    return disabled;
  }
}
