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
 * Counts sign-in attempts in fixed windows, per account and address pair and per address, on the
 * node's rate limiter: the process's memory, or Redis (shared by every node) when LATCHKEY_REDIS_URL
 * is set. Each attempt takes a unit before the password is checked, atomically, so attempts sent in
 * parallel cannot all pass a check made before any of them failed; a successful attempt gives its
 * unit back, so only failures add up. A pair or address that reached its limit is refused until its
 * window ends.
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

  /**
   * Takes one attempt of the account from the address. Returns 0 when it may go ahead, else the
   * seconds until it may try again (then nothing more is taken).
   */
  async attempt(account: string, ip: string): Promise<number> {
    const now = this.clock.now().getTime();
    for (const { bucket, limit } of this.buckets(account, ip)) {
      const state = await this.limiter.consume(bucket, limit, this.limits.windowSeconds * 1000, 1, now);
      if (!state.allowed) return Math.max(1, Math.ceil((state.resetAt - now) / 1000));
    }
    return 0;
  }

  /**
   * Gives back the unit of an attempt that succeeded (a negative cost). Only a caller who knew the
   * password gets units back, so a refund that lands in the next window gives an attacker nothing.
   */
  async succeeded(account: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    for (const { bucket, limit } of this.buckets(account, ip)) {
      await this.limiter.consume(bucket, limit, this.limits.windowSeconds * 1000, -1, now);
    }
  }
}
