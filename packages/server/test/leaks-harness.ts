import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApp, type Response, type TestApp } from "./helpers.js";

/** A GitHub-like signer: a P-256 key pair made for the test, and the public keys file GitHub would publish. */
export interface Signer {
  /** The identifier GitHub sends in `Github-Public-Key-Identifier`. */
  keyId: string;
  privateKey: KeyObject;
  /** An older key the file still lists (GitHub keeps rotated-out keys listed). */
  oldKeyId: string;
  oldPrivateKey: KeyObject;
  /** A `{"public_keys": [...]}` file holding this key (and an older one). */
  keysFile: string;
  /** The base64 DER signature of `body` (bytes exactly as given). */
  sign(body: string | Buffer, privateKey?: KeyObject): string;
  /** Removes the temporary folder. */
  cleanUp(): void;
}

function pemOf(key: KeyObject): string {
  return key.export({ type: "spki", format: "pem" }).toString();
}

/** Makes a signer with two P-256 keys in its public keys file (as GitHub lists a current and an old one). */
export function makeSigner(): Signer {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-scanning-"));
  const current = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const old = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const idOf = (key: KeyObject) => createHash("sha256").update(pemOf(key)).digest("hex");
  const keysFile = join(dir, "secret-scanning-keys.json");
  writeFileSync(
    keysFile,
    JSON.stringify({
      public_keys: [
        { key_identifier: idOf(old.publicKey), key: pemOf(old.publicKey), is_current: false },
        { key_identifier: idOf(current.publicKey), key: pemOf(current.publicKey), is_current: true },
      ],
    }),
  );
  return {
    keyId: idOf(current.publicKey),
    privateKey: current.privateKey,
    oldKeyId: idOf(old.publicKey),
    oldPrivateKey: old.privateKey,
    keysFile,
    sign: (body, privateKey = current.privateKey) =>
      sign("sha256", typeof body === "string" ? Buffer.from(body) : body, privateKey).toString("base64"),
    cleanUp: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The backends the suites run on: SQLite always, PostgreSQL when LATCHKEY_TEST_POSTGRES_URL is set. */
export const BACKENDS: readonly string[] = ["sqlite", ...(process.env.LATCHKEY_TEST_POSTGRES_URL ? ["postgres"] : [])];

/**
 * An app on `backend` (in-memory SQLite, or a PostgreSQL schema of its own), with the owner of the
 * first start and extra settings, as `createTestApp` makes it.
 */
export async function createLeakTestApp(
  backend: string,
  env: Record<string, string> = {},
  logStream?: NodeJS.WritableStream,
): Promise<TestApp> {
  if (backend !== "postgres") return createTestApp({ env, ...(logStream ? { logStream } : {}) });
  return createTestApp({
    databaseUrl: process.env.LATCHKEY_TEST_POSTGRES_URL ?? "",
    postgresSchema: `latchkey_leaks_${randomBytes(6).toString("hex")}`,
    env,
    ...(logStream ? { logStream } : {}),
  });
}

/** One match of GitHub's partner format. */
export interface Match {
  token: string;
  type?: string;
  url?: string;
  source?: string;
}

/** The body GitHub sends for these matches, as GitHub serializes it. */
export function reportBody(matches: readonly Match[]): string {
  return JSON.stringify(
    matches.map((match) => ({
      token: match.token,
      type: match.type ?? "latchkey_api_key",
      url: match.url ?? "https://github.com/octo/repo/blob/abc/config.env",
      source: match.source ?? "content",
    })),
  );
}

/** Posts a report: `body` as given, signed by `signature` with `keyId` (either may be left out). */
export function postReport(
  t: TestApp,
  body: string | Buffer,
  headers: { keyId?: string | undefined; signature?: string | undefined } = {},
): Promise<Response> {
  return t.app.inject({
    method: "POST",
    url: "/secret-scanning/github",
    headers: {
      "content-type": "application/json",
      ...(headers.keyId !== undefined ? { "github-public-key-identifier": headers.keyId } : {}),
      ...(headers.signature !== undefined ? { "github-public-key-signature": headers.signature } : {}),
    },
    payload: body,
  });
}

/** Signs `body` with the signer's current key and posts it. */
export function postSigned(t: TestApp, signer: Signer, body: string): Promise<Response> {
  return postReport(t, body, { keyId: signer.keyId, signature: signer.sign(body) });
}

/** The SHA-256 GitHub's `token_hash` holds. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Every audit event of the org with `action`, oldest first. */
export async function auditEvents(t: TestApp, action: string) {
  const rows = await t.store.db
    .selectFrom("audit_events")
    .selectAll()
    .where("action", "=", action)
    .orderBy("seq", "asc")
    .execute();
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}
