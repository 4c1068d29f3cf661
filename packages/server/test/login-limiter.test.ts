import { randomUUID } from "node:crypto";
import { MemoryRateLimiter, type RateLimiter } from "@latchkey/core";
import { connectRedis, RedisRateLimiter } from "@latchkey/redis";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { LoginLimiter } from "../src/people/login-limiter.js";
import { FakeClock } from "./helpers.js";

const redisUrl = process.env.LATCHKEY_TEST_REDIS_URL;
const opened: Redis[] = [];
afterAll(() => {
  for (const redis of opened) redis.disconnect();
});

async function redisLimiter(): Promise<RateLimiter> {
  const redis = connectRedis(redisUrl as string);
  opened.push(redis);
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
  return new RedisRateLimiter(redis, () => {}, `latchkey:test:${randomUUID()}:`);
}

function describeLimiter(name: string, make: () => Promise<RateLimiter>) {
  describe(`LoginLimiter on ${name}`, () => {
    test("refuses the pair after its limit until the window ends; successes give their unit back", async () => {
      const clock = new FakeClock();
      const limiter = new LoginLimiter(await make(), clock, { perAccount: 3, perAddress: 5, windowSeconds: 60 });
      for (let i = 0; i < 10; i++) {
        expect(await limiter.attempt("a@example.test", "192.0.2.1")).toBe(0);
        await limiter.succeeded("a@example.test", "192.0.2.1");
      }
      for (let i = 0; i < 3; i++) expect(await limiter.attempt("a@example.test", "192.0.2.1")).toBe(0);
      expect(await limiter.attempt("a@example.test", "192.0.2.1")).toBe(60);
      expect(await limiter.attempt("a@example.test", "192.0.2.2")).toBe(0);
      clock.advance(15);
      expect(await limiter.attempt("a@example.test", "192.0.2.1")).toBe(45);
      // The address's own limit counts every account.
      expect(await limiter.attempt("b@example.test", "192.0.2.1")).toBe(0);
      expect(await limiter.attempt("c@example.test", "192.0.2.1")).toBe(0);
      expect(await limiter.attempt("d@example.test", "192.0.2.1")).toBe(45);
      clock.advance(45);
      expect(await limiter.attempt("a@example.test", "192.0.2.1")).toBe(0);
    });

    test("parallel attempts take no more than the limit", async () => {
      const limiter = new LoginLimiter(await make(), new FakeClock(), {
        perAccount: 5,
        perAddress: 100,
        windowSeconds: 60,
      });
      const waits = await Promise.all(Array.from({ length: 40 }, () => limiter.attempt("p@example.test", "192.0.2.9")));
      expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    });
  });
}

describeLimiter("memory", async () => new MemoryRateLimiter());
describe.skipIf(redisUrl === undefined)("with Redis", () => describeLimiter("Redis", redisLimiter));
