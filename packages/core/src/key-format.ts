import { createHash, hash as oneShotHash } from "node:crypto";
import type { RandomSource } from "./clock.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;

/** The prefix of a kind (`lks`) or an org's own (`acme`): a letter, then 1 to 15 letters or digits. */
export const PREFIX_PATTERN = "^[a-z][a-z0-9]{1,15}$";

/** An environment name: a letter, then up to 15 letters or digits (`live`, `test`, `staging`). */
export const ENVIRONMENT_PATTERN = "^[a-z][a-z0-9]{0,15}$";

/** The environment whose keys carry no `_<env>` part. */
export const LIVE_ENVIRONMENT = "live";

/**
 * The regular expression secret scanners use to find Latchkey keys in text: a prefix, an optional
 * environment, then 49 base62 characters (43 of secret, 6 of CRC32 checksum).
 */
export const KEY_SCAN_PATTERN = "\\b[a-z][a-z0-9]{1,15}(?:_[a-z][a-z0-9]{0,15})?_[0-9A-Za-z]{49}\\b";

const TAIL_LENGTH = BODY_LENGTH + CHECKSUM_LENGTH;

/** The value of each base62 digit, by character code (only base62 characters reach the lookup). */
const BASE62_VALUE = Int8Array.from({ length: 128 }, (_, code) => BASE62.indexOf(String.fromCharCode(code)));

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3) of an ASCII string, or of its first `length` characters. */
export function crc32(text: string, length = text.length): number {
  let crc = 0xffffffff;
  for (let i = 0; i < length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Writes a non-negative integer in base62, left-padded with zeros to `width` characters. */
export function toBase62(value: bigint, width: number): string {
  let out = "";
  let rest = value;
  while (rest > 0n) {
    out = BASE62[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(width, "0");
}

function checksumOf(prefixAndBody: string): string {
  // A CRC-32 fits a double exactly, so plain arithmetic does here what BigInt does for the body.
  let rest = crc32(prefixAndBody);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** The full prefix of a key: the kind's or org's prefix, then `_<env>` unless the environment is `live`. */
export function keyPrefix(prefix: string, environment: string): string {
  return environment === LIVE_ENVIRONMENT ? prefix : `${prefix}_${environment}`;
}

/** A freshly generated key: the secret (shown once), its SHA-256 and its display hint. */
export interface GeneratedKey {
  key: string;
  hash: string;
  hint: string;
}

/** Generates a key `<prefix>[_<env>]_<43 base62 chars of 32 random bytes><6 chars of CRC32>`. */
export function generateKey(prefix: string, environment: string, random: RandomSource): GeneratedKey {
  if (!new RegExp(PREFIX_PATTERN).test(prefix)) throw new Error(`invalid key prefix; must match ${PREFIX_PATTERN}`);
  if (!new RegExp(ENVIRONMENT_PATTERN).test(environment)) {
    throw new Error(`invalid environment; must match ${ENVIRONMENT_PATTERN}`);
  }
  const bytes = random.bytes(32);
  if (bytes.length !== 32) throw new Error("random source returned the wrong number of bytes");
  const body = toBase62(BigInt(`0x${Buffer.from(bytes).toString("hex")}`), BODY_LENGTH);
  const head = `${keyPrefix(prefix, environment)}_${body}`;
  const key = `${head}${checksumOf(head)}`;
  return { key, hash: hashKey(key), hint: hintOf(key) };
}

/** The parts of a well-formed key. */
export interface ParsedKey {
  /** The full prefix, including `_<env>` when present. */
  prefix: string;
}

/**
 * Checks a candidate key's shape and checksum without any lookup. Returns null for anything that
 * cannot be a Latchkey key, so that garbage never reaches storage.
 */
export function parseKey(candidate: string): ParsedKey | null {
  if (!hasKeyShape(candidate) || !hasValidChecksum(candidate)) return null;
  return { prefix: candidate.slice(0, candidate.length - TAIL_LENGTH - 1) };
}

/**
 * True when a key-shaped candidate's last 6 characters are the CRC32 of the rest. Verification runs
 * this before every storage lookup: it compares numbers and builds no strings.
 */
export function hasValidChecksum(candidate: string): boolean {
  const checksumAt = candidate.length - CHECKSUM_LENGTH;
  let checksum = 0;
  for (let i = checksumAt; i < candidate.length; i++)
    checksum = checksum * 62 + (BASE62_VALUE[candidate.charCodeAt(i)] as number);
  return crc32(candidate, checksumAt) === checksum;
}

const isLower = (code: number) => code >= 97 && code <= 122;
const isLowerOrDigit = (code: number) => isLower(code) || (code >= 48 && code <= 57);

/** The shortest and longest a key can be (prefix of 2–16, environment of 1–16, underscores, tail). */
const MIN_KEY_LENGTH = TAIL_LENGTH + 3;
const MAX_KEY_LENGTH = TAIL_LENGTH + 1 + 16 + 1 + 16;

/** True when a candidate is as long as a key can be: a bound on what a lookup hashes. */
export function hasKeyLength(candidate: string): boolean {
  return candidate.length >= MIN_KEY_LENGTH && candidate.length <= MAX_KEY_LENGTH;
}

/**
 * The key regular expression's test, written out by hand: `^[a-z][a-z0-9]{1,15}(?:_[a-z][a-z0-9]{0,15})?_`
 * then 49 base62 characters.
 */
export function hasKeyShape(candidate: string): boolean {
  const length = candidate.length;
  if (!hasKeyLength(candidate)) return false;
  const tailAt = length - TAIL_LENGTH;
  for (let i = tailAt; i < length; i++) {
    const code = candidate.charCodeAt(i);
    if (code > 127 || (BASE62_VALUE[code] as number) < 0) return false;
  }
  if (candidate.charCodeAt(tailAt - 1) !== 95) return false;
  // The prefix: a letter and 1–15 letters or digits, then optionally `_`, a letter and 0–15 more.
  const prefixEnd = tailAt - 1;
  let i = 0;
  if (!isLower(candidate.charCodeAt(0))) return false;
  i = 1;
  while (i < prefixEnd && isLowerOrDigit(candidate.charCodeAt(i))) i++;
  if (i - 1 < 1 || i - 1 > 15) return false;
  if (i === prefixEnd) return true;
  if (candidate.charCodeAt(i) !== 95 || !isLower(candidate.charCodeAt(i + 1))) return false;
  const envStart = i + 1;
  i = envStart + 1;
  while (i < prefixEnd && isLowerOrDigit(candidate.charCodeAt(i))) i++;
  return i === prefixEnd && i - envStart <= 16;
}

/** SHA-256 of the whole key, lower-case hex: the only form in which a key is stored. */
export function hashKey(key: string): string {
  return typeof oneShotHash === "function"
    ? oneShotHash("sha256", key, "hex")
    : createHash("sha256").update(key).digest("hex");
}

/** The display hint `<prefix>_<first 4>…<last 4>`: enough to recognise a key, useless to use it. */
export function hintOf(key: string): string {
  const cut = key.lastIndexOf("_");
  const rest = key.slice(cut + 1);
  return `${key.slice(0, cut)}_${rest.slice(0, 4)}…${rest.slice(-4)}`;
}
