import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RandomSource } from "./clock.js";
import { generateKey, hasKeyShape, KEY_SCAN_PATTERN } from "./key-format.js";
import { DEFAULT_KEY_PREFIXES, KEY_KINDS } from "./model.js";

const cryptoRandom: RandomSource = { bytes: (n) => new Uint8Array(randomBytes(n)) };
const whole = new RegExp(`^(?:${KEY_SCAN_PATTERN})$`);

/** The published pattern and the shape check verification runs must agree on every candidate. */
function expectSameVerdict(candidate: string, expected: boolean): void {
  expect(whole.test(candidate), candidate).toBe(expected);
  expect(hasKeyShape(candidate), candidate).toBe(expected);
}

describe("the published key regular expression (KEY_SCAN_PATTERN)", () => {
  it("matches keys of every kind and environment, and of org prefixes of every allowed length", () => {
    const prefixes = [...KEY_KINDS.map((kind) => DEFAULT_KEY_PREFIXES[kind]), "ab", "acme", "a234567890123456"];
    const environments = ["live", "test", "staging", "d", "e234567890123456"];
    for (const prefix of prefixes) {
      for (const environment of environments) {
        for (let i = 0; i < 5; i++) expectSameVerdict(generateKey(prefix, environment, cryptoRandom).key, true);
      }
    }
  });

  it("matches no near miss that verification would refuse by shape", () => {
    const { key } = generateKey("lks", "test", cryptoRandom);
    const tail = key.slice("lks_test_".length);
    const misses = [
      `LKS_test_${tail}`,
      `l_test_${tail}`,
      `a2345678901234567_${tail}`,
      `lks_1test_${tail}`,
      `lks_e2345678901234567_${tail}`,
      `lks__${tail}`,
      `lks_test_${tail.slice(1)}`,
      `lks_test_${tail}A`,
      `lks_test_${tail.slice(0, 20)}-${tail.slice(21)}`,
      `lks_test_${tail.slice(0, 20)}_${tail.slice(21)}`,
      `lkstest${tail}`,
      `lks-test_${tail}`,
      `lks_test_dev_${tail}`,
      `1ks_test_${tail}`,
    ];
    for (const miss of misses) expectSameVerdict(miss, false);
  });

  it("finds a key in text only with a boundary on either side", () => {
    const { key } = generateKey("lkp", "live", cryptoRandom);
    const scan = new RegExp(KEY_SCAN_PATTERN, "g");
    expect([...`token=${key};`.matchAll(scan)].map((m) => m[0])).toEqual([key]);
    expect([...`"${key}"`.matchAll(scan)].map((m) => m[0])).toEqual([key]);
    expect(`${key}x`.match(scan)).toBeNull();
    expect(`9${key}`.match(scan)).toBeNull();
    expect(`${"a".repeat(14)}${key}`.match(scan)).toBeNull();
  });
});
