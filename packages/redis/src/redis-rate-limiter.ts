import { MemoryRateLimiter, type RateLimiter, type RateLimitState } from "@latchkey/core";
import type { Redis } from "ioredis";

/**
 * Takes `cost` units from a fixed window if they all fit, as one script: concurrent calls from any
 * number of nodes never spend more than the limit. Returns {allowed, used}.
 */
const CONSUME = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if used + cost > limit then return {0, used} end
used = redis.call('INCRBY', KEYS[1], cost)
if used == cost then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, used}
`;

/** The few ioredis methods the limiter uses. */
type RedisClient = Pick<Redis, "defineCommand" | "status"> & {
  latchkeyConsume?(key: string, cost: number, limit: number, ttlMs: number): Promise<[number, number]>;
};

/**
 * Rate limits shared by every node through Redis. While Redis is unreachable each node falls back to
 * its own memory (limits then hold per node, not across them) and returns to Redis when it answers.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly local = new MemoryRateLimiter();

  constructor(
    private readonly redis: RedisClient,
    private readonly onFallback: (error: unknown) => void = () => {},
    private readonly prefix = "latchkey:rl:",
  ) {
    redis.defineCommand("latchkeyConsume", { numberOfKeys: 1, lua: CONSUME });
  }

  async consume(bucket: string, limit: number, windowMs: number, cost: number, nowMs: number): Promise<RateLimitState> {
    const start = nowMs - (nowMs % windowMs);
    const resetAt = start + windowMs;
    if (this.redis.status !== "ready" || this.redis.latchkeyConsume === undefined) {
      return this.local.consume(bucket, limit, windowMs, cost, nowMs);
    }
    try {
      const [allowed, used] = await this.redis.latchkeyConsume(
        `${this.prefix}${bucket}:${start}`,
        cost,
        limit,
        windowMs + 1000,
      );
      return { allowed: allowed === 1, limit, remaining: Math.max(0, limit - used), resetAt };
    } catch (error) {
      this.onFallback(error);
      return this.local.consume(bucket, limit, windowMs, cost, nowMs);
    }
  }
}
