import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { hashKey } from "@latchkey/core";
import { afterAll, expect, test } from "vitest";
import {
  createKey,
  createServiceAccount,
  createTestApp,
  createToken,
  type Response,
  send,
  type TestApp,
  verify,
} from "./helpers.js";

// SPEC §3: no read or list endpoint, log line or stored row ever contains a key; only its SHA-256.
// The vault: no stored row or log line holds a secret's value, only its ciphertext.
const dir = mkdtempSync(join(tmpdir(), "latchkey-no-leak-"));
const dbPath = join(dir, "x.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const masterKey = randomBytes(32).toString("base64");
const chunks: Buffer[] = [];
const logStream = new Writable({
  write(chunk, _encoding, callback) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    callback();
  },
});

test("a full lifecycle leaves no key in the database file, the log or any read", async () => {
  const t: TestApp = await createTestApp({
    databaseUrl: `sqlite:${dbPath}`,
    env: { LATCHKEY_LOG_LEVEL: "trace", LATCHKEY_MASTER_KEY: masterKey },
    logStream,
  });
  expect(t.app.log.level).toBe("trace");
  const issued: string[] = [t.owner.token];
  const reads: Response[] = [];
  const orgId = t.owner.orgId;
  const keysUrl = `/rest/orgs/${orgId}/api_keys`;
  const read = async (url: string, token = t.owner.token) => {
    const res = await send(t.app, { url, token });
    expect(res.statusCode, res.body).toBe(200);
    reads.push(res);
    return res;
  };

  const accountId = await createServiceAccount(t, "admin");
  const standalone = await createKey(t, { name: "standalone", labels: ["leak-check"], metadata: { a: 1 } });
  const robot = await createKey(t, { name: "robot", service_account_id: accountId, environment: "test" });
  const personal = await createToken(t, t.owner.token, { name: "laptop", permissions: ["api_keys:read"] });
  issued.push(standalone.key, robot.key, personal.key);

  const regenerated = await send(t.app, {
    method: "POST",
    url: `${keysUrl}/${standalone.id}/regenerate`,
    token: t.owner.token,
    body: { data: { type: "api_key", attributes: { grace_period_seconds: 60 } } },
  });
  expect(regenerated.statusCode).toBe(200);
  const rotated: string = regenerated.json().data.attributes.key;
  const tokenRegenerated = await send(t.app, {
    method: "POST",
    url: `/rest/self/tokens/${personal.id}/regenerate`,
    token: t.owner.token,
  });
  expect(tokenRegenerated.statusCode).toBe(200);
  const rotatedToken: string = tokenRegenerated.json().data.attributes.key;
  issued.push(rotated, rotatedToken);

  for (const secret of [standalone.key, rotated, robot.key, rotatedToken]) {
    expect((await verify(t, secret)).code).toBe("VALID");
  }
  expect((await verify(t, robot.key, { token: robot.key, permissions: ["api_keys:read"] })).code).toBe("VALID");
  expect((await verify(t, personal.key)).code).toBe("REVOKED");

  // Credentials in every accepted header, and in places where they do not belong.
  await read("/rest/self", rotatedToken);
  await read("/rest/self", robot.key);
  expect((await send(t.app, { url: "/rest/self", headers: { "x-api-key": rotated } })).statusCode).toBe(200);
  expect((await send(t.app, { url: `/rest/self?api_key=${rotated}` })).statusCode).toBe(400);
  expect((await send(t.app, { url: `/rest/self?anything=${robot.key}` })).statusCode).toBe(400);
  expect((await send(t.app, { url: "/rest/self", token: personal.key })).statusCode).toBe(401);
  const badBody = await send(t.app, {
    method: "POST",
    url: "/rest/api_keys/verify",
    token: t.owner.token,
    body: { data: { type: "key_verification", attributes: { key: rotated, extra: rotated } } },
  });
  expect(badBody.statusCode).toBe(400);
  expect(badBody.body).not.toContain(rotated);
  const badJson = await send(t.app, {
    method: "POST",
    url: "/rest/api_keys/verify",
    token: t.owner.token,
    payload: `{"data":{"type":"key_verification","attributes":{"key":"${rotated}"`,
  });
  expect(badJson.statusCode).toBe(400);
  expect(badJson.body).not.toContain(rotated);

  // Every read endpoint.
  await read(`${keysUrl}?limit=100`);
  await read(`${keysUrl}?limit=100&filter[label]=leak-check`);
  for (const id of [standalone.id, robot.id, personal.id, t.owner.tokenId]) {
    await read(`${keysUrl}/${id}`);
    await read(`${keysUrl}/${id}/events`);
  }
  await read("/rest/self/tokens?limit=100");
  await read(`/rest/self/tokens/${personal.id}`);
  await read(`/rest/orgs/${orgId}/service_accounts`);
  await read(`/rest/orgs/${orgId}/service_accounts/${accountId}`);
  await read("/rest/orgs");
  await read(`/rest/orgs/${orgId}`);
  await read("/rest/openapi");

  // The vault: values stored directly and a key saved into it on creation; revealed, then deleted one.
  const vaultValues = ["vault-plaintext-ALPHA-7f3c9e", "vault plaintext béta 42 ✓", "x".repeat(5000)];
  const secretsUrl = `/rest/orgs/${orgId}/secrets`;
  const secretIds: string[] = [];
  for (const [i, value] of vaultValues.entries()) {
    const created = await send(t.app, {
      method: "POST",
      url: secretsUrl,
      token: t.owner.token,
      body: { data: { type: "secret", attributes: { name: `leak-check-${i}`, value } } },
    });
    expect(created.statusCode, created.body).toBe(201);
    reads.push(created);
    secretIds.push(created.json().data.id);
  }
  const saved = await send(t.app, {
    method: "POST",
    url: keysUrl,
    token: t.owner.token,
    body: {
      data: {
        type: "api_key",
        attributes: { name: "vaulted", expires_in: "30d", save_to_vault: { name: "vaulted-key" } },
      },
    },
  });
  expect(saved.statusCode, saved.body).toBe(201);
  const vaultedKey: string = saved.json().data.attributes.key;
  vaultValues.push(vaultedKey);
  const vaultedSecret = (await read(`${secretsUrl}?limit=100`)).json().data[0].id as string;
  for (const id of [...secretIds, vaultedSecret]) {
    await read(`${secretsUrl}/${id}`);
    const revealed = await send(t.app, { url: `${secretsUrl}/${id}?reveal=true`, token: t.owner.token });
    expect(revealed.statusCode).toBe(200);
    expect(vaultValues).toContain(revealed.json().data.attributes.value);
  }
  await read(`/rest/orgs/${orgId}/audit_logs?limit=100`);
  const deleted = await send(t.app, { method: "DELETE", url: `${secretsUrl}/${secretIds[0]}`, token: t.owner.token });
  expect(deleted.statusCode).toBe(204);
  await read(`${secretsUrl}?limit=100`);

  const revoked = await send(t.app, { method: "POST", url: `${keysUrl}/${robot.id}/revoke`, token: t.owner.token });
  expect(revoked.statusCode).toBe(200);
  const bulk = await send(t.app, {
    method: "POST",
    url: `${keysUrl}/revoke`,
    token: t.owner.token,
    body: { data: { type: "api_key_revocation", attributes: { filter: { label: "leak-check" } } } },
  });
  expect(bulk.statusCode).toBe(200);
  expect((await verify(t, robot.key)).code).toBe("REVOKED");
  reads.push(revoked, bulk);
  await read(`${keysUrl}?limit=100`);
  await read(`${keysUrl}?limit=100&filter[status]=revoked`);

  await t.close();

  for (const res of reads) {
    for (const secret of issued) expect(res.body.includes(secret), `${res.raw.req.url} holds a key`).toBe(false);
  }

  const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`].filter((file) => existsSync(file));
  expect(files).toContain(dbPath);
  const stored = Buffer.concat(files.map((file) => readFileSync(file)));
  expect(stored.length).toBeGreaterThan(0);
  const log = Buffer.concat(chunks).toString("utf8");
  expect(log).toContain("incoming request");
  expect(log).toContain("/rest/self");
  expect(log).toContain("credential refused");

  for (const res of reads) {
    for (const value of vaultValues) expect(res.body.includes(value), `${res.raw.req.url} holds a value`).toBe(false);
  }
  expect(stored.includes(Buffer.from(hashKey(vaultedKey))), "the vaulted key's hash is stored").toBe(true);
  for (const value of vaultValues) {
    expect(stored.includes(Buffer.from(value)), "a vault value is stored in clear").toBe(false);
    expect(stored.includes(Buffer.from(value.slice(0, 16))), "part of a vault value is stored in clear").toBe(false);
    expect(stored.includes(Buffer.from(value, "utf16le")), "a vault value is stored as UTF-16").toBe(false);
    expect(stored.includes(Buffer.from(Buffer.from(value).toString("base64"))), "a value is stored as base64").toBe(
      false,
    );
    expect(log.includes(value.slice(0, 16)), "a vault value is in the log").toBe(false);
  }
  // The master key is in neither the database nor the log.
  expect(stored.includes(Buffer.from(masterKey))).toBe(false);
  expect(stored.includes(Buffer.from(masterKey, "base64"))).toBe(false);
  expect(log.includes(masterKey)).toBe(false);

  expect(issued).toHaveLength(6);
  for (const secret of issued) {
    const body = secret.slice(secret.lastIndexOf("_") + 1);
    // The hash is stored (so the file is the real database) but neither the key nor its secret part.
    expect(stored.includes(Buffer.from(hashKey(secret))), "the hash is stored").toBe(true);
    expect(stored.includes(Buffer.from(secret)), "a key is stored in the database file").toBe(false);
    expect(stored.includes(Buffer.from(body)), "a key's body is stored in the database file").toBe(false);
    expect(stored.includes(Buffer.from(secret, "utf16le")), "a key is stored as UTF-16").toBe(false);
    expect(log.includes(secret), "a key is in the log").toBe(false);
    expect(log.includes(body.slice(0, 20)), "part of a key is in the log").toBe(false);
  }
});
