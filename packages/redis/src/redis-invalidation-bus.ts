import { type Invalidation, type InvalidationBus, parseInvalidation } from "@latchkey/core";
import type { Redis } from "ioredis";

/** The channel every node publishes and hears invalidations on. */
export const INVALIDATION_CHANNEL = "latchkey:invalidate";

/**
 * Invalidations over Redis pub/sub: one connection publishes, a second (duplicated) one subscribes.
 * ioredis resubscribes by itself after a reconnect.
 */
export class RedisInvalidationBus implements InvalidationBus {
  private subscriber: Redis | null = null;

  constructor(private readonly redis: Redis) {}

  async publish(message: Invalidation): Promise<void> {
    await this.redis.publish(INVALIDATION_CHANNEL, JSON.stringify(message));
  }

  async subscribe(handler: (message: Invalidation) => void): Promise<void> {
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true });
    this.subscriber = subscriber;
    subscriber.on("error", () => {});
    subscriber.on("message", (channel: string, text: string) => {
      if (channel !== INVALIDATION_CHANNEL) return;
      const message = parseInvalidation(text);
      if (message !== null) handler(message);
    });
    await subscriber.subscribe(INVALIDATION_CHANNEL);
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
