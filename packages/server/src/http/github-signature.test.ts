import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.js";
import { checkGithubSignature, loadScannerKeys, ScannerKeysError } from "./github-signature.js";

const dir = mkdtempSync(join(tmpdir(), "latchkey-scanner-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pem = (key: { export(options: { type: "spki"; format: "pem" }): string | Buffer }) =>
  key.export({ type: "spki", format: "pem" }).toString();
let files = 0;

function file(content: unknown): string {
  const path = join(dir, `keys-${files++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function fault(content: unknown): string {
  const path = file(content);
  try {
    loadScannerKeys(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ScannerKeysError);
    expect((error as Error).message).toContain("LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS");
    return (error as ScannerKeysError).fault;
  }
  throw new Error("the file was accepted");
}

describe("loadScannerKeys", () => {
  it("reads GitHub's public keys format", () => {
    const keys = loadScannerKeys(
      file({ public_keys: [{ key_identifier: "abc", key: pem(p256.publicKey), is_current: true }] }),
    );
    expect(keys.size).toBe(1);
    expect(keys.get("abc")?.asymmetricKeyType).toBe("ec");
    expect(keys.get("other")).toBeUndefined();
  });

  it("names the fault of a bad file", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey;
    expect(fault("not json")).toBe("not valid JSON");
    expect(fault([])).toMatch(/public_keys/);
    expect(fault({ public_keys: [] })).toMatch(/empty/);
    expect(fault({ public_keys: [{ key: pem(p256.publicKey) }] })).toMatch(/public_keys\[0\]\.key_identifier/);
    expect(fault({ public_keys: [{ key_identifier: "a", key: "nope" }] })).toMatch(/not a PEM public key/);
    expect(fault({ public_keys: [{ key_identifier: "a", key: pem(rsa) }] })).toMatch(/P-256/);
    expect(fault({ public_keys: [{ key_identifier: "a", key: pem(p384) }] })).toMatch(/P-256/);
    expect(
      fault({
        public_keys: [
          { key_identifier: "a", key: pem(p256.publicKey) },
          { key_identifier: "a", key: pem(p256.publicKey) },
        ],
      }),
    ).toMatch(/repeats/);
    expect(() => loadScannerKeys(join(dir, "missing.json"))).toThrow(/cannot read/);
  });

  it("stops the start naming the setting when the file is bad, and accepts a good one", () => {
    let error: unknown;
    try {
      loadConfig({ LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: file({ public_keys: "x" }) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: .*public_keys/);
    const good = file({ public_keys: [{ key_identifier: "a", key: pem(p256.publicKey), is_current: true }] });
    expect(loadConfig({ LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: good }).secretScanningPublicKeys).toBe(good);
  });
});

describe("checkGithubSignature", () => {
  const keys = loadScannerKeys(file({ public_keys: [{ key_identifier: "k1", key: pem(p256.publicKey) }] }));
  const body = Buffer.from('[{"token":"x","type":"t","url":"","source":"content"}]');
  const signature = sign("sha256", body, p256.privateKey).toString("base64");

  it("accepts the signature of the exact bytes and nothing else", () => {
    expect(checkGithubSignature(keys, "k1", signature, body)).toBe("valid");
    expect(checkGithubSignature(keys, undefined, signature, body)).toBe("missing");
    expect(checkGithubSignature(keys, "k1", "", body)).toBe("missing");
    expect(checkGithubSignature(keys, "k2", signature, body)).toBe("unknown_key");
    expect(checkGithubSignature(keys, "k1", signature, Buffer.concat([body, Buffer.from(" ")]))).toBe("bad_signature");
    expect(checkGithubSignature(keys, "k1", "AAAA", body)).toBe("bad_signature");
    expect(checkGithubSignature(keys, "k1", "%%%", body)).toBe("bad_signature");
    expect(checkGithubSignature(keys, "k1", "A".repeat(500), body)).toBe("bad_signature");
    const p1363 = sign("sha256", body, { key: p256.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64");
    expect(checkGithubSignature(keys, "k1", p1363, body)).toBe("bad_signature");
  });
});
