import { randomUUID } from "node:crypto";
import type { Invalidation } from "@latchkey/core";
import { connectRedis, RedisInvalidationBus, RedisRateLimiter } from "@latchkey/redis";
import type { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";

const url = process.env.LATCHKEY_TEST_REDIS_URL;
const opened: Redis[] = [];

function open(target = url as string): Redis {
  const redis = connectRedis(target);
  opened.push(redis);
  return redis;
}

async function ready(redis: Redis): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Redis did not become ready")), 5000);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

afterEach(() => {
  for (const redis of opened.splice(0)) redis.disconnect();
});

describe.skipIf(url === undefined)("RedisRateLimiter", () => {
  it("never lets nodes together spend more than the limit in a window", async () => {
    const nodes = [open(), open(), open()];
    await Promise.all(nodes.map(ready));
    const limiters = nodes.map((redis) => new RedisRateLimiter(redis));
    const bucket = `test:${randomUUID()}`;
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, i) => (limiters[i % 3] as RedisRateLimiter).consume(bucket, 100, 60_000, 1, now)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    const last = await (limiters[0] as RedisRateLimiter).consume(bucket, 100, 60_000, 1, now);
    expect(last).toMatchObject({ allowed: false, remaining: 0 });
  });

  it("spends cost units, refuses what does not fit, and starts a new window", async () => {
    const redis = open();
    await ready(redis);
    const limiter = new RedisRateLimiter(redis);
    const bucket = `test:${randomUUID()}`;
    const start = 1_700_000_040_000;
    expect(await limiter.consume(bucket, 10, 60_000, 7, start)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await limiter.consume(bucket, 10, 60_000, 4, start + 1)).toMatchObject({ allowed: false, remaining: 3 });
    expect(await limiter.consume(bucket, 10, 60_000, 3, start + 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consume(bucket, 10, 60_000, 10, start + 60_000)).toMatchObject({
      allowed: true,
      remaining: 0,
    });
  });
});

describe("RedisRateLimiter without Redis", () => {
  it("falls back to this node's memory and keeps limiting", async () => {
    const redis = open("redis://127.0.0.1:1");
    const fallbacks: unknown[] = [];
    const limiter = new RedisRateLimiter(redis, (error) => fallbacks.push(error));
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.consume("k", 5, 60_000, 1, Date.now())));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });
});

describe.skipIf(url === undefined)("RedisInvalidationBus", () => {
  it("delivers every node's announcements to every node, itself included", async () => {
    const a = new RedisInvalidationBus(open());
    const b = new RedisInvalidationBus(open());
    const heardA: Invalidation[] = [];
    const heardB: Invalidation[] = [];
    await a.subscribe((message) => heardA.push(message));
    await b.subscribe((message) => heardB.push(message));
    const keyId = randomUUID();
    await a.publish({ kind: "key", keyId });
    await b.publish({ kind: "all" });
    const deadline = Date.now() + 3000;
    while ((heardA.length < 2 || heardB.length < 2) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    for (const heard of [heardA, heardB]) {
      expect(heard).toContainEqual({ kind: "key", keyId });
      expect(heard).toContainEqual({ kind: "all" });
    }
    await a.close();
    await b.close();
  });
});
