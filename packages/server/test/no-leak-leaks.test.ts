import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { generateKey, hashKey } from "@latchkey/core";
import { afterAll, expect, test } from "vitest";
import { createKey, createTestApp, createToken, cryptoRandom, type Response, send, verify } from "./helpers.js";
import { makeSigner, postReport, postSigned, reportBody } from "./leaks-harness.js";

// SPEC §3: a reported or self-revoked key appears in no answer, log line or stored row; only its SHA-256.
const dir = mkdtempSync(join(tmpdir(), "latchkey-no-leak-leaks-"));
const dbPath = join(dir, "x.db");
const signer = makeSigner();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  signer.cleanUp();
});

const chunks: Buffer[] = [];
const logStream = new Writable({
  write(chunk, _encoding, callback) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    callback();
  },
});

test("secret-scanning reports and self-revocation leave no key in the database file, the log or any answer", async () => {
  const t = await createTestApp({
    databaseUrl: `sqlite:${dbPath}`,
    env: { LATCHKEY_LOG_LEVEL: "trace", LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: signer.keysFile },
    logStream,
  });
  const answers: Response[] = [];
  const reported = await createKey(t, { name: "reported" });
  const selfRevoked = await createToken(t, t.owner.token, { name: "self-revoked" });
  const viaHeader = await createKey(t, { name: "via header", environment: "test" });
  const unknown = generateKey("lks", "live", cryptoRandom).key;
  const keys = [reported.key, selfRevoked.key, viaHeader.key, unknown];

  const body = reportBody([{ token: reported.key }, { token: unknown }]);
  answers.push(await postSigned(t, signer, body));
  answers.push(await postReport(t, body, { keyId: signer.keyId, signature: signer.sign(`${body} `) }));
  answers.push(await postReport(t, body, { keyId: "unknown", signature: signer.sign(body) }));
  answers.push(await postSigned(t, signer, `[{"token":"${reported.key}","url":5}]`));
  answers.push(await postSigned(t, signer, `[{"token":"${reported.key}"`));
  const revoke = (payload: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: "POST",
      url: "/revoke",
      headers: { "content-type": "application/json", ...headers },
      payload,
    });
  answers.push(await revoke(JSON.stringify({ key: selfRevoked.key })));
  answers.push(await revoke(JSON.stringify({ key: unknown })));
  answers.push(await revoke(JSON.stringify({ key: selfRevoked.key, extra: selfRevoked.key })));
  answers.push(await revoke(`{"key":"${selfRevoked.key}"`));
  answers.push(await t.app.inject({ method: "POST", url: "/revoke", headers: { "x-api-key": viaHeader.key } }));

  for (const secret of [reported.key, selfRevoked.key, viaHeader.key])
    expect((await verify(t, secret)).code).toBe("REVOKED");
  for (const id of [reported.id, selfRevoked.id, viaHeader.id]) {
    for (const url of [
      `/rest/orgs/${t.owner.orgId}/api_keys/${id}`,
      `/rest/orgs/${t.owner.orgId}/api_keys/${id}/events`,
    ]) {
      const res = await send(t.app, { url, token: t.owner.token });
      expect(res.statusCode, res.body).toBe(200);
      answers.push(res);
    }
  }
  const audit = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100`, token: t.owner.token });
  expect(audit.statusCode, audit.body).toBe(200);
  answers.push(audit);
  await t.close();

  for (const res of answers) {
    for (const secret of keys) expect(res.body.includes(secret), `${res.raw.req.url} holds a key`).toBe(false);
  }
  const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`].filter((file) => existsSync(file));
  const stored = Buffer.concat(files.map((file) => readFileSync(file)));
  const log = Buffer.concat(chunks).toString("utf8");
  expect(log).toContain("/secret-scanning/github");
  expect(log).toContain("/revoke");
  for (const secret of keys) {
    const secretBody = secret.slice(secret.lastIndexOf("_") + 1);
    expect(stored.includes(Buffer.from(secret)), "a key is stored in the database file").toBe(false);
    expect(stored.includes(Buffer.from(secretBody)), "a key's body is stored in the database file").toBe(false);
    expect(log.includes(secret), "a key is in the log").toBe(false);
    expect(log.includes(secretBody.slice(0, 20)), "part of a key is in the log").toBe(false);
  }
  expect(stored.includes(Buffer.from(hashKey(reported.key))), "the hash is stored").toBe(true);
});
