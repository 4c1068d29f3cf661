import { createCipheriv, createDecipheriv } from "node:crypto";
import type { RandomSource } from "./clock.js";

/**
 * The vault's envelope encryption: every secret is sealed with AES-256-GCM under its org's data key;
 * each data key is itself sealed under the master key. A fresh random 96-bit nonce is drawn for every
 * seal, and the associated data binds each ciphertext to its place (org, secret id and name; or org
 * and data-key version), so a ciphertext copied into another row does not open.
 */

/** Length of the master key and of every data key: 32 bytes (AES-256). */
export const VAULT_KEY_BYTES = 32;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = "aes-256-gcm";

/** A sealed value: nonce, ciphertext and GCM authentication tag, each base64. */
export interface Sealed {
  nonce: string;
  ciphertext: string;
  tag: string;
}

/**
 * Reads a master key written as 64 hexadecimal characters or as base64 (standard or URL-safe, with or
 * without padding) of exactly 32 bytes. Anything else is null.
 */
export function parseMasterKey(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return new Uint8Array(Buffer.from(trimmed, "hex"));
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === VAULT_KEY_BYTES ? new Uint8Array(bytes) : null;
}

/** A master key as base64, the form the generated key file holds. */
export function formatMasterKey(key: Uint8Array): string {
  return Buffer.from(key).toString("base64");
}

function requireKey(key: Uint8Array): void {
  if (key.length !== VAULT_KEY_BYTES) throw new Error("a vault key must be 32 bytes");
}

/** Seals `plaintext` under `key` with a fresh nonce, binding it to `aad`. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string, random: RandomSource): Sealed {
  requireKey(key);
  const nonce = random.bytes(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new Error("the random source returned too few bytes");
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    nonce: Buffer.from(nonce).toString("base64"),
    ciphertext: ciphertext.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

/** Opens a sealed value; null when the key, the associated data or any byte is wrong. */
export function open(key: Uint8Array, sealed: Sealed, aad: string): Uint8Array | null {
  requireKey(key);
  const nonce = Buffer.from(sealed.nonce, "base64");
  const tag = Buffer.from(sealed.tag, "base64");
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]);
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}

/** Packs a sealed value into one text column: `v1.<nonce>.<ciphertext>.<tag>`. */
export function packSealed(sealed: Sealed): string {
  return `v1.${sealed.nonce}.${sealed.ciphertext}.${sealed.tag}`;
}

/** Unpacks `packSealed`'s text; null when it is not in that form. */
export function unpackSealed(text: string): Sealed | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts[0] !== "v1") return null;
  return { nonce: parts[1] as string, ciphertext: parts[2] as string, tag: parts[3] as string };
}

/** The associated data of a secret's ciphertext. */
export function secretAad(orgId: string, secretId: string, name: string): string {
  return JSON.stringify(["latchkey.secret", orgId, secretId, name]);
}

function dataKeyAad(orgId: string, version: number): string {
  return JSON.stringify(["latchkey.data_key", orgId, version]);
}

const CHECK_AAD = JSON.stringify(["latchkey.master_check"]);
const CHECK_PLAINTEXT = "latchkey vault master key check";

/** Seals an org's data key under the master key, as one text value. */
export function wrapDataKey(
  master: Uint8Array,
  dataKey: Uint8Array,
  orgId: string,
  version: number,
  random: RandomSource,
): string {
  return packSealed(seal(master, dataKey, dataKeyAad(orgId, version), random));
}

/** Opens a wrapped data key; null when the master key (or anything else) is wrong. */
export function unwrapDataKey(master: Uint8Array, wrapped: string, orgId: string, version: number): Uint8Array | null {
  const sealed = unpackSealed(wrapped);
  if (sealed === null) return null;
  const key = open(master, sealed, dataKeyAad(orgId, version));
  return key !== null && key.length === VAULT_KEY_BYTES ? key : null;
}

/**
 * A check value for the master key: a known text sealed under it. Stored on the first start, it lets
 * every later start tell a wrong master key before any secret is touched.
 */
export function masterKeyCheck(master: Uint8Array, random: RandomSource): string {
  return packSealed(seal(master, Buffer.from(CHECK_PLAINTEXT, "utf8"), CHECK_AAD, random));
}

/** True when `master` opens the stored check value. */
export function matchesMasterKeyCheck(master: Uint8Array, check: string): boolean {
  const sealed = unpackSealed(check);
  if (sealed === null) return false;
  const plain = open(master, sealed, CHECK_AAD);
  return plain !== null && Buffer.from(plain).toString("utf8") === CHECK_PLAINTEXT;
}
