import type { Clock } from "@latchkey/core";

/** How failed credentials from one address are slowed down and then refused. */
export interface FailureThrottleOptions {
  /** Failures per window answered at once. */
  free: number;
  /** Failures per window after which the address is refused until the window ends. */
  max: number;
  windowMs: number;
  /** Added delay per failure beyond `free`, capped at `maxDelayMs`. */
  stepMs: number;
  maxDelayMs: number;
}

/** The defaults: 10 free failures a minute, then slower answers, refused after 50. */
export const DEFAULT_FAILURE_THROTTLE: FailureThrottleOptions = {
  free: 10,
  max: 50,
  windowMs: 60_000,
  stepMs: 100,
  maxDelayMs: 2_000,
};

/**
 * Counts failed credentials per client address in fixed windows: after `free` failures each further
 * failure is answered later, and after `max` the address is refused (429) until the window ends.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly options: FailureThrottleOptions = DEFAULT_FAILURE_THROTTLE,
  ) {}

  /** Seconds until the address may try again, or 0 when it is not refused. */
  refusedFor(ip: string): number {
    const now = this.clock.now().getTime();
    const window = this.current(ip, now);
    if (window === undefined || window.failures < this.options.max) return 0;
    return Math.max(1, Math.ceil((window.start + this.options.windowMs - now) / 1000));
  }

  /** Records a failure; resolves after the delay the address has earned. */
  async fail(ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    let window = this.current(ip, now);
    if (window === undefined) {
      if (this.windows.size > 100_000) this.sweep(now);
      window = { start: now - (now % this.options.windowMs), failures: 0 };
      this.windows.set(ip, window);
    }
    window.failures += 1;
    const excess = window.failures - this.options.free;
    if (excess > 0) {
      const delay = Math.min(this.options.maxDelayMs, excess * this.options.stepMs);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private current(ip: string, now: number) {
    const window = this.windows.get(ip);
    if (window === undefined || window.start + this.options.windowMs <= now) return undefined;
    return window;
  }

  private sweep(now: number): void {
    for (const [ip, window] of this.windows) {
      if (window.start + this.options.windowMs <= now) this.windows.delete(ip);
    }
  }
}

/**
 * True when `throttle` refuses the address for now; then the answer already carries `Retry-After`, and
 * the caller only sends its refusal (in its own error shape).
 */
export function throttled(
  throttle: FailureThrottle | null | undefined,
  ip: string,
  reply: { header(name: string, value: string): unknown },
): boolean {
  const refusedFor = throttle?.refusedFor(ip) ?? 0;
  if (refusedFor > 0) reply.header("retry-after", String(refusedFor));
  return refusedFor > 0;
}
