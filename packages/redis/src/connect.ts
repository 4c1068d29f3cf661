import { Redis } from "ioredis";

/**
 * Opens a Redis connection that never gives up: while Redis is down, commands fail at once (no
 * offline queue) so callers can fall back, and the client keeps reconnecting in the background.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Connection errors are expected while Redis is down; the limiter and bus report what matters.
  redis.on("error", () => {});
  return redis;
}
