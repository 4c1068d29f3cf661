import type { Clock, RateLimiter } from "@latchkey/core";

/** How many failed sign-ins are allowed per window. */
export interface LoginLimits {
  /** Failures of one account from one address. */
  perAccount: number;
  /** Failures from one address, whatever the account. */
  perAddress: number;
  windowSeconds: number;
}

/**
 * Counts failed sign-ins in fixed windows, per account and address pair and per address, on the
 * node's rate limiter: the process's memory, or Redis (shared by every node) when LATCHKEY_REDIS_URL
 * is set. A pair or address that reached its limit is refused until its window ends.
 */
export class LoginLimiter {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    private readonly limits: LoginLimits,
  ) {}

  private buckets(account: string, ip: string) {
    return [
      { bucket: `login:pair:${ip}|${account}`, limit: this.limits.perAccount },
      { bucket: `login:addr:${ip}`, limit: this.limits.perAddress },
    ];
  }

  /** Seconds until this account may be tried from this address again, or 0 when it may be now. */
  async refusedFor(account: string, ip: string): Promise<number> {
    const now = this.clock.now().getTime();
    let wait = 0;
    for (const { bucket, limit } of this.buckets(account, ip)) {
      const state = await this.limiter.consume(bucket, limit, this.limits.windowSeconds * 1000, 0, now);
      if (state.remaining <= 0) wait = Math.max(wait, Math.max(1, Math.ceil((state.resetAt - now) / 1000)));
    }
    return wait;
  }

  /** Records a failed sign-in of the account from the address. */
  async fail(account: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    for (const { bucket, limit } of this.buckets(account, ip)) {
      await this.limiter.consume(bucket, limit, this.limits.windowSeconds * 1000, 1, now);
    }
  }
}
