/** The state of a rate-limit bucket after a request. */
export interface RateLimitState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, in epoch milliseconds. */
  resetAt: number;
}

/**
 * Fixed-window rate limits.
 * Atomicity: `consume` takes `cost` units from the bucket's current window only if they all fit, as
 * one step; concurrent calls never spend more than `limit` units in a window.
 */
export interface RateLimiter {
  consume(
    bucket: string,
    limit: number,
    windowMs: number,
    cost: number,
    nowMs: number,
  ): RateLimitState | Promise<RateLimitState>;
}

/**
 * The rate limiter of a single node: exact within the process (JavaScript runs one call at a time).
 * Windows are aligned to the epoch; a bucket's entry is dropped once its window has passed.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; end: number; used: number }>();
  private sweepAt = 0;

  consume(bucket: string, limit: number, windowMs: number, cost: number, nowMs: number): RateLimitState {
    const start = nowMs - (nowMs % windowMs);
    const resetAt = start + windowMs;
    if (nowMs >= this.sweepAt) this.sweep(nowMs);
    let window = this.windows.get(bucket);
    if (window === undefined || window.start !== start) {
      window = { start, end: resetAt, used: 0 };
      this.windows.set(bucket, window);
    }
    if (window.used + cost > limit) {
      return { allowed: false, limit, remaining: Math.max(0, limit - window.used), resetAt };
    }
    window.used += cost;
    return { allowed: true, limit, remaining: limit - window.used, resetAt };
  }

  private sweep(nowMs: number): void {
    this.sweepAt = nowMs + 60_000;
    for (const [bucket, window] of this.windows) {
      if (window.end <= nowMs) this.windows.delete(bucket);
    }
  }
}
