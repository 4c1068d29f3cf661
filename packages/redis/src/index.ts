export { connectRedis } from "./connect.js";
export { INVALIDATION_CHANNEL, RedisInvalidationBus } from "./redis-invalidation-bus.js";
export { RedisRateLimiter } from "./redis-rate-limiter.js";
