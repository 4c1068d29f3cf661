import type { InvalidationBus, RateLimiter } from "@latchkey/core";
import { connectRedis, RedisInvalidationBus, RedisRateLimiter } from "@latchkey/redis";
import type { KyselyStore } from "@latchkey/store";
import type { Config } from "./config.js";

/** What a node shares with the others of its cluster. */
export interface ClusterDeps {
  rateLimiter: RateLimiter | undefined;
  bus: InvalidationBus | null;
  close(): Promise<void>;
}

/**
 * With LATCHKEY_REDIS_URL: rate limits and invalidations through Redis. Without it, on PostgreSQL:
 * invalidations through LISTEN/NOTIFY and rate limits per node. On SQLite: a single node, nothing shared.
 */
export function openClusterDeps(
  config: Config,
  store: KyselyStore,
  warn: (error: unknown, message: string) => void,
): ClusterDeps {
  if (config.redisUrl === undefined) {
    return { rateLimiter: undefined, bus: store.invalidationBus(), close: async () => {} };
  }
  const redis = connectRedis(config.redisUrl);
  let warned = false;
  return {
    rateLimiter: new RedisRateLimiter(redis, (error) => {
      // Once per outage is enough in the log; limits fall back to this node's memory meanwhile.
      if (!warned) warn(error, "Redis unreachable: rate limits fall back to this node until it answers");
      warned = true;
    }),
    bus: new RedisInvalidationBus(redis),
    close: async () => {
      redis.disconnect();
    },
  };
}
