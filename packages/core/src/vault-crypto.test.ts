import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RandomSource } from "./clock.js";
import {
  formatMasterKey,
  masterKeyCheck,
  matchesMasterKeyCheck,
  open,
  packSealed,
  parseMasterKey,
  seal,
  secretAad,
  unpackSealed,
  unwrapDataKey,
  wrapDataKey,
} from "./vault-crypto.js";

const random: RandomSource = { bytes: (n) => new Uint8Array(randomBytes(n)) };
const key = () => random.bytes(32);

describe("parseMasterKey", () => {
  it("reads 32 bytes as hex or base64 (standard or URL-safe, padded or not)", () => {
    const bytes = key();
    const b64 = Buffer.from(bytes).toString("base64");
    for (const text of [
      Buffer.from(bytes).toString("hex"),
      Buffer.from(bytes).toString("hex").toUpperCase(),
      b64,
      b64.replace(/=$/, ""),
      Buffer.from(bytes).toString("base64url"),
      ` ${b64}\n`,
    ]) {
      expect(Buffer.from(parseMasterKey(text) ?? []).equals(Buffer.from(bytes)), text).toBe(true);
    }
    expect(parseMasterKey(formatMasterKey(bytes))).toEqual(bytes);
  });

  it("refuses anything that is not exactly 32 bytes", () => {
    for (const text of [
      "",
      "secret",
      "a".repeat(63),
      "g".repeat(64),
      Buffer.from(random.bytes(16)).toString("base64"),
      Buffer.from(random.bytes(33)).toString("base64"),
      Buffer.from(random.bytes(31)).toString("hex"),
    ]) {
      expect(parseMasterKey(text), text).toBeNull();
    }
  });
});

describe("seal and open", () => {
  it("round-trips, with a fresh nonce each time", () => {
    const k = key();
    const a = seal(k, Buffer.from("hello"), "aad", random);
    const b = seal(k, Buffer.from("hello"), "aad", random);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(Buffer.from(open(k, a, "aad") ?? []).toString()).toBe("hello");
    expect(Buffer.from(a.nonce, "base64")).toHaveLength(12);
    expect(Buffer.from(a.tag, "base64")).toHaveLength(16);
  });

  it("refuses another key, other associated data, or any changed byte", () => {
    const k = key();
    const sealed = seal(k, Buffer.from("hello"), secretAad("org", "id", "name"), random);
    expect(open(key(), sealed, secretAad("org", "id", "name"))).toBeNull();
    expect(open(k, sealed, secretAad("org", "other", "name"))).toBeNull();
    expect(open(k, sealed, secretAad("other", "id", "name"))).toBeNull();
    const flipped = Buffer.from(sealed.ciphertext, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(open(k, { ...sealed, ciphertext: flipped.toString("base64") }, secretAad("org", "id", "name"))).toBeNull();
    expect(open(k, { ...sealed, tag: "AAAA" }, secretAad("org", "id", "name"))).toBeNull();
  });

  it("packs into one text and back", () => {
    const sealed = seal(key(), Buffer.from("x"), "a", random);
    expect(unpackSealed(packSealed(sealed))).toEqual(sealed);
    expect(unpackSealed("v2.a.b.c")).toBeNull();
    expect(unpackSealed("nonsense")).toBeNull();
  });
});

describe("data keys and the master check", () => {
  it("wraps a data key bound to its org and version", () => {
    const master = key();
    const dataKey = key();
    const wrapped = wrapDataKey(master, dataKey, "org-a", 1, random);
    expect(unwrapDataKey(master, wrapped, "org-a", 1)).toEqual(dataKey);
    expect(unwrapDataKey(master, wrapped, "org-b", 1)).toBeNull();
    expect(unwrapDataKey(master, wrapped, "org-a", 2)).toBeNull();
    expect(unwrapDataKey(key(), wrapped, "org-a", 1)).toBeNull();
  });

  it("tells the right master key from a wrong one", () => {
    const master = key();
    const check = masterKeyCheck(master, random);
    expect(matchesMasterKeyCheck(master, check)).toBe(true);
    expect(matchesMasterKeyCheck(key(), check)).toBe(false);
    expect(matchesMasterKeyCheck(master, "garbage")).toBe(false);
  });
});
