import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Clock, RandomSource } from "./clock.js";
import { isUuid, newId, UUID_PATTERN } from "./ids.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function fixedClock(iso: string): Clock {
  return { now: () => new Date(iso) };
}

function countingRandom(start = 0): RandomSource {
  let next = start;
  return { bytes: (n) => Uint8Array.from({ length: n }, () => next++ & 0xff) };
}

function constantRandom(value: number): RandomSource {
  return { bytes: (n) => new Uint8Array(n).fill(value) };
}

const cryptoRandom: RandomSource = { bytes: (n) => new Uint8Array(randomBytes(n)) };

describe("newId", () => {
  it("is a lower-case UUID version 7 with the RFC variant", () => {
    for (const random of [countingRandom(), constantRandom(0), constantRandom(0xff), cryptoRandom]) {
      const id = newId(fixedClock("2025-03-01T12:00:00.000Z"), random);
      expect(id).toMatch(UUID_V7);
      expect(isUuid(id)).toBe(true);
    }
  });

  it("puts the clock's milliseconds in the first 48 bits", () => {
    const at = new Date("2025-03-01T12:00:00.123Z");
    const id = newId({ now: () => at }, constantRandom(0));
    const ms = Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);
    expect(ms).toBe(at.getTime());
  });

  it("is deterministic for a given clock and random source", () => {
    const clock = fixedClock("2025-03-01T12:00:00.000Z");
    expect(newId(clock, countingRandom())).toBe(newId(clock, countingRandom()));
  });

  it("has a known value for zero randomness", () => {
    const id = newId({ now: () => new Date(0x0195518c1234) }, constantRandom(0));
    expect(id).toBe("0195518c-1234-7000-8000-000000000000");
    const ones = newId({ now: () => new Date(0x0195518c1234) }, constantRandom(0xff));
    expect(ones).toBe("0195518c-1234-7fff-bfff-ffffffffffff");
  });

  it("keeps the random bytes after the timestamp, except version and variant bits", () => {
    const id = newId(fixedClock("2025-03-01T12:00:00.000Z"), countingRandom());
    const hex = id.replaceAll("-", "");
    // bytes 6..15 of the counting source are 06..0f; byte 6 gets version 7, byte 8 the 10xx variant.
    expect(hex.slice(12)).toBe("760788090a0b0c0d0e0f");
  });

  it("asks the random source for 16 bytes", () => {
    const asked: number[] = [];
    newId(fixedClock("2025-03-01T12:00:00.000Z"), {
      bytes: (n) => {
        asked.push(n);
        return new Uint8Array(n);
      },
    });
    expect(asked).toEqual([16]);
  });

  it("sorts by creation time", () => {
    const times = [
      "2024-01-01T00:00:00.000Z",
      "2024-01-01T00:00:00.001Z",
      "2025-03-01T12:00:00.000Z",
      "2031-12-31T23:59:59.999Z",
    ];
    const ids = times.map((t) => newId(fixedClock(t), constantRandom(0xff)));
    const later = times.map((t) => newId(fixedClock(t), constantRandom(0)));
    expect([...ids].sort()).toEqual(ids);
    for (let i = 1; i < times.length; i++) expect((ids[i - 1] as string) < (later[i] as string)).toBe(true);
  });

  it("is unique with node:crypto in the same millisecond", () => {
    const clock = fixedClock("2025-03-01T12:00:00.000Z");
    const ids = new Set(Array.from({ length: 1000 }, () => newId(clock, cryptoRandom)));
    expect(ids.size).toBe(1000);
  });
});

describe("isUuid", () => {
  it("accepts UUIDs of any version and case", () => {
    expect(isUuid("00000000-0000-0000-0000-000000000000")).toBe(true);
    expect(isUuid("123e4567-e89b-42d3-a456-426614174000")).toBe(true);
    expect(isUuid("0195518C-1234-7ABC-8DEF-0123456789AB")).toBe(true);
    expect(new RegExp(UUID_PATTERN).test("0195518c-1234-7abc-8def-0123456789ab")).toBe(true);
  });

  it("rejects anything else", () => {
    for (const value of [
      "",
      "0195518c12347abc8def0123456789ab",
      "0195518c-1234-7abc-8def-0123456789a",
      "0195518c-1234-7abc-8def-0123456789abc",
      "0195518g-1234-7abc-8def-0123456789ab",
      "{0195518c-1234-7abc-8def-0123456789ab}",
      " 0195518c-1234-7abc-8def-0123456789ab",
      "0195518c-1234-7abc-8def-0123456789ab\n",
    ]) {
      expect(isUuid(value), JSON.stringify(value)).toBe(false);
    }
  });
});
