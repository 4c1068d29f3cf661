import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyCache } from "./key-cache.js";

let nextSlot = 0;
/**
 * A SHA-256-like hex hash whose doorkeeper slot (its first eight digits, modulo the slots) no other
 * hash of the test shares: sightings are then exact, not subject to chance collisions.
 */
const hashOf = () => `${(nextSlot++).toString(16).padStart(8, "0")}${randomBytes(28).toString("hex")}`;
const NOW = Date.parse("2026-01-01T00:00:00.000Z");

function cacheOf(maxEntries: number): KeyCache {
  return new KeyCache({ maxEntries, ttlMs: 60_000, negativeTtlMs: 60_000 });
}

describe("KeyCache admission", () => {
  it("caches a hash on its first lookup while there is room", () => {
    const cache = cacheOf(3);
    const hashes = [hashOf(), hashOf(), hashOf()];
    for (const hash of hashes) cache.set(hash, null, cache.epoch, NOW);
    for (const hash of hashes) expect(cache.get(hash)).toBeDefined();
  });

  it("once full, caches a new hash on its second lookup only, and only then evicts", () => {
    const cache = cacheOf(3);
    const steady = [hashOf(), hashOf(), hashOf()];
    for (const hash of steady) cache.set(hash, null, cache.epoch, NOW);
    // Keys used once in a while: each is looked up once and evicts nothing.
    const passing = Array.from({ length: 50 }, hashOf);
    for (const hash of passing) cache.set(hash, null, cache.epoch, NOW);
    for (const hash of passing) expect(cache.get(hash)).toBeUndefined();
    for (const hash of steady) expect(cache.get(hash)).toBeDefined();
    // A key looked up again is cached, in place of the least recently used.
    const [returning] = passing;
    cache.set(returning ?? "", null, cache.epoch, NOW);
    expect(cache.get(returning ?? "")).toBeDefined();
    expect(steady.filter((hash) => cache.get(hash) !== undefined)).toHaveLength(2);
  });

  it("refreshes a cached hash whatever the doorkeeper says", () => {
    const cache = cacheOf(2);
    const [a, b] = [hashOf(), hashOf()];
    cache.set(a, null, cache.epoch, NOW);
    cache.set(b, null, cache.epoch, NOW);
    cache.set(a, null, cache.epoch, NOW + 30_000);
    expect(cache.get(a)?.freshUntil).toBe(NOW + 90_000);
  });

  it("forgets its sightings once a quarter of its slots are set, so old sightings do not admit", () => {
    const cache = cacheOf(1);
    cache.set(hashOf(), null, cache.epoch, NOW);
    const once = hashOf();
    cache.set(once, null, cache.epoch, NOW);
    // 1 entry: 1,024 slots, cleared after 256 sightings.
    for (let i = 0; i < 300; i++) cache.set(hashOf(), null, cache.epoch, NOW);
    cache.set(once, null, cache.epoch, NOW);
    expect(cache.get(once)).toBeUndefined();
  });
});
