import { createHash, randomBytes } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { RandomSource } from "./clock.js";
import {
  crc32,
  ENVIRONMENT_PATTERN,
  generateKey,
  hashKey,
  hintOf,
  KEY_SCAN_PATTERN,
  keyPrefix,
  PREFIX_PATTERN,
  parseKey,
  toBase62,
} from "./key-format.js";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Deterministic random source: each call returns consecutive byte values, continuing where it stopped. */
function countingRandom(start = 0): RandomSource {
  let next = start;
  return { bytes: (n) => Uint8Array.from({ length: n }, () => next++ & 0xff) };
}

function constantRandom(value: number): RandomSource {
  return { bytes: (n) => new Uint8Array(n).fill(value) };
}

const cryptoRandom: RandomSource = { bytes: (n) => new Uint8Array(randomBytes(n)) };

function fromBase62(text: string): bigint {
  let value = 0n;
  for (const ch of text) value = value * 62n + BigInt(ALPHABET.indexOf(ch));
  return value;
}

/** Appends a correct checksum computed with an independent CRC32 (node:zlib). */
function withChecksum(head: string): string {
  let out = "";
  let rest = BigInt(zlibCrc32(head));
  while (rest > 0n) {
    out = ALPHABET[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return head + out.padStart(6, "0");
}

/** Replaces the character at `index` with a different base62 character. */
function flip(key: string, index: number): string {
  const replacement = key[index] === "A" ? "B" : "A";
  return key.slice(0, index) + replacement + key.slice(index + 1);
}

const BODY_ZEROS = "0".repeat(43);

describe("crc32", () => {
  it("matches the standard check value", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it("is 0 for the empty string and agrees with node:zlib", () => {
    expect(crc32("")).toBe(0);
    for (const text of ["a", "lks_abc", "The quick brown fox jumps over the lazy dog", BODY_ZEROS]) {
      expect(crc32(text)).toBe(zlibCrc32(text));
    }
  });

  it("returns an unsigned 32-bit integer", () => {
    const value = crc32("lks_test_zzzz");
    expect(Number.isInteger(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(0xffffffff);
  });
});

describe("toBase62", () => {
  it("writes small values and pads with zeros", () => {
    expect(toBase62(0n, 3)).toBe("000");
    expect(toBase62(61n, 1)).toBe("z");
    expect(toBase62(62n, 1)).toBe("10");
    expect(toBase62(62n * 62n - 1n, 4)).toBe("00zz");
  });

  it("round-trips 2^32-1 in 6 characters", () => {
    const text = toBase62(0xffffffffn, 6);
    expect(text).toHaveLength(6);
    expect(fromBase62(text)).toBe(0xffffffffn);
  });

  it("fits the largest 32-byte value in 43 characters", () => {
    const max = (1n << 256n) - 1n;
    const text = toBase62(max, 43);
    expect(text).toHaveLength(43);
    expect(fromBase62(text)).toBe(max);
  });
});

describe("keyPrefix", () => {
  it("adds _<env> only outside live", () => {
    expect(keyPrefix("lks", "live")).toBe("lks");
    expect(keyPrefix("lks", "test")).toBe("lks_test");
    expect(keyPrefix("acme", "staging")).toBe("acme_staging");
  });

  it("publishes prefix and environment patterns", () => {
    const prefix = new RegExp(PREFIX_PATTERN);
    const env = new RegExp(ENVIRONMENT_PATTERN);
    expect(["lks", "lkp", "acme", "a1", "a".repeat(16)].every((p) => prefix.test(p))).toBe(true);
    expect(["l", "1ks", "LKS", "a".repeat(17), "lk_s"].some((p) => prefix.test(p))).toBe(false);
    expect(["live", "test", "t", "staging", "dev2"].every((e) => env.test(e))).toBe(true);
    expect(["", "Test", "2dev", "a".repeat(17)].some((e) => env.test(e))).toBe(false);
  });
});

describe("generateKey", () => {
  it("has the live shape: prefix, 43-char body, 6-char checksum", () => {
    const { key } = generateKey("lks", "live", countingRandom());
    expect(key).toMatch(/^lks_[0-9A-Za-z]{49}$/);
    expect(key).toHaveLength(4 + 43 + 6);
    expect(key.startsWith("lks_test_")).toBe(false);
  });

  it("adds the _<env> segment for non-live environments", () => {
    const test = generateKey("lks", "test", countingRandom()).key;
    expect(test).toMatch(/^lks_test_[0-9A-Za-z]{49}$/);
    expect(test).toHaveLength(9 + 49);
    const staging = generateKey("acme", "staging", countingRandom()).key;
    expect(staging).toMatch(/^acme_staging_[0-9A-Za-z]{49}$/);
  });

  it("encodes the random bytes as the base62 body", () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    const { key } = generateKey("lkp", "live", countingRandom());
    const body = key.slice(4, 4 + 43);
    expect(fromBase62(body)).toBe(BigInt(`0x${Buffer.from(bytes).toString("hex")}`));
  });

  it("zero-pads the body: all-zero bytes give 43 zeros", () => {
    const { key } = generateKey("lks", "live", constantRandom(0));
    expect(key.slice(4, 47)).toBe(BODY_ZEROS);
    expect(key).toBe(withChecksum(`lks_${BODY_ZEROS}`));
    expect(key).toHaveLength(53);
  });

  it("all-0xff bytes still give a 43-char body", () => {
    const { key } = generateKey("lks", "live", constantRandom(0xff));
    const body = key.slice(4, 47);
    expect(body).toHaveLength(43);
    expect(fromBase62(body)).toBe((1n << 256n) - 1n);
    expect(key).toHaveLength(53);
    expect(parseKey(key)).toEqual({ prefix: "lks" });
  });

  it("ends with the base62 CRC32 of <prefix>_<body>", () => {
    const { key } = generateKey("lks", "test", countingRandom(7));
    const head = key.slice(0, -6);
    expect(fromBase62(key.slice(-6))).toBe(BigInt(zlibCrc32(head)));
    expect(key).toBe(withChecksum(head));
  });

  it("returns the hex SHA-256 and the hint of the key", () => {
    const generated = generateKey("lks", "live", countingRandom());
    expect(generated.hash).toBe(createHash("sha256").update(generated.key).digest("hex"));
    expect(generated.hint).toBe(hintOf(generated.key));
  });

  it("asks for exactly 32 bytes and refuses a short answer", () => {
    const asked: number[] = [];
    generateKey("lks", "live", {
      bytes: (n) => {
        asked.push(n);
        return new Uint8Array(n);
      },
    });
    expect(asked).toEqual([32]);
    expect(() => generateKey("lks", "live", { bytes: () => new Uint8Array(31) })).toThrow();
  });

  it("gives distinct, parseable keys from node:crypto", () => {
    const keys = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { key } = generateKey("lks", i % 2 === 0 ? "live" : "test", cryptoRandom);
      expect(key).toHaveLength(i % 2 === 0 ? 53 : 58);
      expect(parseKey(key)).not.toBeNull();
      keys.add(key);
    }
    expect(keys.size).toBe(200);
  });

  it("supports the longest prefix and environment", () => {
    const prefix = `a${"b".repeat(15)}`;
    const env = `e${"9".repeat(15)}`;
    const { key } = generateKey(prefix, env, cryptoRandom);
    expect(key).toHaveLength(16 + 1 + 16 + 1 + 49);
    expect(parseKey(key)).toEqual({ prefix: `${prefix}_${env}` });
  });
});

describe("KEY_SCAN_PATTERN", () => {
  it("matches generated keys exactly", () => {
    const whole = new RegExp(`^(?:${KEY_SCAN_PATTERN})$`);
    for (const env of ["live", "test", "staging"]) {
      for (const prefix of ["lks", "lkp", "acme"]) {
        expect(whole.test(generateKey(prefix, env, cryptoRandom).key)).toBe(true);
      }
    }
  });

  it("finds keys inside text", () => {
    const a = generateKey("lks", "live", cryptoRandom).key;
    const b = generateKey("lkp", "test", cryptoRandom).key;
    const text = `export LATCHKEY_TOKEN=${a}\n{"key":"${b}"} curl -H 'Authorization: token ${a}'`;
    const found = [...text.matchAll(new RegExp(KEY_SCAN_PATTERN, "g"))].map((m) => m[0]);
    expect(found).toEqual([a, b, a]);
  });

  it("does not match a body of the wrong length", () => {
    const scan = new RegExp(KEY_SCAN_PATTERN);
    expect(scan.test(`lks_${"a".repeat(48)}`)).toBe(false);
    expect(scan.test(`lks_${"a".repeat(50)}`)).toBe(false);
  });
});

describe("parseKey", () => {
  it("accepts generated keys and returns the full prefix", () => {
    expect(parseKey(generateKey("lks", "live", countingRandom()).key)).toEqual({ prefix: "lks" });
    expect(parseKey(generateKey("lks", "test", countingRandom()).key)).toEqual({ prefix: "lks_test" });
    expect(parseKey(generateKey("acme", "dev", cryptoRandom).key)).toEqual({ prefix: "acme_dev" });
  });

  it("rejects a key with any one character changed", () => {
    const { key } = generateKey("lks", "test", cryptoRandom);
    const positions = [9, 10, 30, 50, key.length - 6, key.length - 3, key.length - 1];
    for (const index of positions) expect(parseKey(flip(key, index))).toBeNull();
  });

  it("rejects a key whose checksum belongs to another prefix", () => {
    const { key } = generateKey("lks", "live", cryptoRandom);
    expect(parseKey(`lkp${key.slice(3)}`)).toBeNull();
  });

  it("rejects wrong lengths", () => {
    const { key } = generateKey("lks", "live", cryptoRandom);
    expect(parseKey(key.slice(0, -1))).toBeNull();
    expect(parseKey(`${key}A`)).toBeNull();
    expect(parseKey(withChecksum(`lks_${"a".repeat(42)}`))).toBeNull();
    expect(parseKey(withChecksum(`lks_${"a".repeat(44)}`))).toBeNull();
    expect(parseKey("")).toBeNull();
    expect(parseKey(` ${key}`)).toBeNull();
    expect(parseKey(`${key}\n`)).toBeNull();
  });

  it("rejects bad prefixes even with a correct checksum", () => {
    for (const prefix of ["l", "1ks", "a".repeat(17), "lk-s", "lks_", "lks_Test", "lks_1x"]) {
      expect(parseKey(withChecksum(`${prefix}_${BODY_ZEROS}`))).toBeNull();
    }
    expect(parseKey(withChecksum(`_${BODY_ZEROS}`))).toBeNull();
  });

  it("rejects an upper-case prefix", () => {
    expect(parseKey(withChecksum(`LKS_${BODY_ZEROS}`))).toBeNull();
    const { key } = generateKey("lks", "live", cryptoRandom);
    expect(parseKey(key.toUpperCase())).toBeNull();
    expect(parseKey(`LKS${key.slice(3)}`)).toBeNull();
  });

  it("rejects non-base62 characters", () => {
    for (const ch of ["-", "_", "+", "/", "=", " ", "é"]) {
      const body = `${ch}${"a".repeat(42)}`;
      expect(parseKey(withChecksum(`lks_${body}`))).toBeNull();
    }
  });

  it("rejects very long input quickly", () => {
    const started = performance.now();
    expect(parseKey(`lks_${"a".repeat(1_000_000)}`)).toBeNull();
    expect(parseKey(`lks_test_${"a".repeat(90)}`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("accepts a hand-built key with a correct checksum", () => {
    expect(parseKey(withChecksum(`lks_${BODY_ZEROS}`))).toEqual({ prefix: "lks" });
    expect(parseKey(withChecksum(`ab_cd_${"z".repeat(43)}`))).toEqual({ prefix: "ab_cd" });
  });
});

describe("hashKey", () => {
  it("is the lower-case hex SHA-256", () => {
    expect(hashKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const { key } = generateKey("lks", "live", cryptoRandom);
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey(key)).toBe(createHash("sha256").update(key).digest("hex"));
    expect(hashKey(key)).not.toBe(hashKey(flip(key, 10)));
  });
});

describe("hintOf", () => {
  it("is <prefix>_<first4>…<last4>", () => {
    const key = withChecksum(`lks_ABCD${"x".repeat(35)}WXYZ`);
    expect(hintOf(key)).toBe(`lks_ABCD…${key.slice(-4)}`);
  });

  it("keeps the environment in the prefix", () => {
    const { key } = generateKey("lks", "test", cryptoRandom);
    const body = key.slice("lks_test_".length);
    expect(hintOf(key)).toBe(`lks_test_${body.slice(0, 4)}…${body.slice(-4)}`);
    expect(hintOf(key)).toHaveLength("lks_test_".length + 9);
  });

  it("never contains the secret body", () => {
    const { key } = generateKey("lks", "live", cryptoRandom);
    expect(hintOf(key)).not.toContain(key.slice(8, 20));
    expect(hintOf(key)).toMatch(/^lks_[0-9A-Za-z]{4}…[0-9A-Za-z]{4}$/);
  });
});

describe("parseKey's hand-written shape check", () => {
  const SHAPE = /^[a-z][a-z0-9]{1,15}(?:_[a-z][a-z0-9]{0,15})?_[0-9A-Za-z]{49}$/;
  const ALPHABET = "abcz09_AZ-.";

  function randomText(length: number): string {
    return Array.from({ length }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join("");
  }

  it("agrees with the published regular expression on thousands of prefixes", () => {
    const body = generateKey("lks", "live", { bytes: (n) => new Uint8Array(randomBytes(n)) }).key.slice(-49, -6);
    for (let n = 0; n < 5000; n++) {
      const head = `${randomText(1 + Math.floor(Math.random() * 36))}_${body}`;
      const checksum = toBase62(BigInt(crc32(head)), 6);
      const candidate = `${head}${checksum}`;
      expect(parseKey(candidate) !== null, candidate).toBe(SHAPE.test(candidate));
    }
  });
});
