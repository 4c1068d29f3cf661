import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * GitHub's secret-scanning public keys (`LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS`): a file in the format
 * of `https://api.github.com/meta/public_keys/secret_scanning`,
 *
 *   {"public_keys": [{"key_identifier": "…", "key": "-----BEGIN PUBLIC KEY-----…", "is_current": true}]}
 *
 * Every key must be an ECDSA P-256 public key in PEM; identifiers must be unique. GitHub signs each
 * report with one of them and names it in `Github-Public-Key-Identifier`.
 */
export interface ScannerKeys {
  /** The public key of an identifier, or undefined for an identifier the file does not hold. */
  get(identifier: string): KeyObject | undefined;
  readonly size: number;
}

/** The environment variable that names the public keys file. */
export const SCANNER_KEYS_VARIABLE = "LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS";

/** A public keys file that cannot be used; the message names the setting, the file and the fault. */
export class ScannerKeysError extends Error {
  constructor(
    readonly source: string,
    readonly fault: string,
  ) {
    super(`${SCANNER_KEYS_VARIABLE} (${source}): ${fault}`);
    this.name = "ScannerKeysError";
  }
}

/** Reads and checks a public keys file; throws ScannerKeysError naming the first fault. */
export function loadScannerKeys(path: string): ScannerKeys {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ScannerKeysError(path, "cannot read the file");
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ScannerKeysError(path, "not valid JSON");
  }
  const list = (document as { public_keys?: unknown } | null)?.public_keys;
  if (typeof document !== "object" || document === null || !Array.isArray(list)) {
    throw new ScannerKeysError(path, 'expected an object with a "public_keys" array');
  }
  if (list.length === 0) throw new ScannerKeysError(path, '"public_keys" is empty');
  const keys = new Map<string, KeyObject>();
  list.forEach((entry: unknown, i) => {
    const where = `public_keys[${i}]`;
    const { key_identifier: id, key: pem } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    if (typeof id !== "string" || id.length === 0 || id.length > 200) {
      throw new ScannerKeysError(path, `${where}.key_identifier must be a non-empty string`);
    }
    if (keys.has(id)) throw new ScannerKeysError(path, `${where}.key_identifier repeats "${id}"`);
    if (typeof pem !== "string") throw new ScannerKeysError(path, `${where}.key must be a PEM public key`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: pem, format: "pem" });
    } catch {
      throw new ScannerKeysError(path, `${where}.key is not a PEM public key`);
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new ScannerKeysError(path, `${where}.key must be an ECDSA P-256 key`);
    }
    keys.set(id, key);
  });
  return { get: (identifier) => keys.get(identifier), size: keys.size };
}

/** Why a report's signature was refused, or `valid`. */
export type SignatureCheck = "valid" | "missing" | "unknown_key" | "bad_signature";

/** The most a base64 DER ECDSA P-256 signature can take (72 bytes of DER); anything longer is refused. */
const MAX_SIGNATURE_LENGTH = 200;

/**
 * Checks GitHub's signature: `signature` is the base64 DER ECDSA signature (SHA-256) of the body's
 * bytes exactly as received, made with the key named by `identifier`.
 */
export function checkGithubSignature(
  keys: ScannerKeys,
  identifier: string | undefined,
  signature: string | undefined,
  body: Buffer,
): SignatureCheck {
  if (identifier === undefined || signature === undefined || identifier === "" || signature === "") return "missing";
  const key = keys.get(identifier);
  if (key === undefined) return "unknown_key";
  if (signature.length > MAX_SIGNATURE_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return "bad_signature";
  try {
    return verify("sha256", body, { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"))
      ? "valid"
      : "bad_signature";
  } catch {
    return "bad_signature";
  }
}
