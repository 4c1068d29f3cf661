import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { hashKey } from "@latchkey/core";
import { afterAll, expect, test } from "vitest";
import { createTestApp, type Response, send, type TestApp, verify } from "./helpers.js";
import { basic, createOAuthAccount, issueToken, selfWithBearer, tokenRequest } from "./oauth-helpers.js";

// SPEC §3 for OAuth: client secrets and access tokens are stored as hashes only, shown once, and never
// in a read, a log line or an error.
const dir = mkdtempSync(join(tmpdir(), "latchkey-oauth-no-leak-"));
const dbPath = join(dir, "x.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chunks: Buffer[] = [];
const logStream = new Writable({
  write(chunk, _encoding, callback) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    callback();
  },
});

test("an OAuth client's lifecycle leaves no client secret or access token in the database, the log or any read", async () => {
  const t: TestApp = await createTestApp({
    databaseUrl: `sqlite:${dbPath}`,
    env: { LATCHKEY_LOG_LEVEL: "trace" },
    logStream,
  });
  const orgId = t.owner.orgId;
  const reads: Response[] = [];
  const read = async (url: string, headers: Record<string, string> = { authorization: `token ${t.owner.token}` }) => {
    const res = await send(t.app, { url, headers });
    expect(res.statusCode, res.body).toBe(200);
    reads.push(res);
    return res;
  };

  const account = await createOAuthAccount(t);
  const accountUrl = `/rest/orgs/${orgId}/service_accounts/${account.id}`;
  const issued: string[] = [account.clientSecret];
  const rotated = await send(t.app, {
    method: "POST",
    url: `${accountUrl}/secrets`,
    token: t.owner.token,
    body: { data: { type: "client_secret", attributes: { grace_period_seconds: 600 } } },
  });
  expect(rotated.statusCode).toBe(201);
  const second: string = rotated.json().data.attributes.client_secret;
  issued.push(second);

  const viaBasic = (await issueToken(t, account)).access_token;
  const viaPost = await tokenRequest(
    t,
    { grant_type: "client_credentials", client_id: account.clientId, client_secret: second },
    { json: true },
  );
  expect(viaPost.statusCode).toBe(200);
  const postToken: string = viaPost.json().access_token;
  issued.push(viaBasic, postToken);

  // Refusals that carry a secret somewhere: none of them echoes it.
  const refusals = [
    await tokenRequest(t, `{"grant_type":"client_credentials","client_secret":"${second}"`, { json: true }),
    await tokenRequest(t, { grant_type: "password", client_id: account.clientId, client_secret: second }),
    await tokenRequest(
      t,
      { grant_type: "client_credentials" },
      { headers: { authorization: basic(account.clientId, `${second}x`) } },
    ),
    await tokenRequest(t, "grant_type=client_credentials", { url: `/oauth2/token?client_secret=${second}` }),
    await tokenRequest(t, {
      grant_type: "client_credentials",
      client_id: account.clientId,
      client_secret: second,
      scope: "x",
    }),
  ];
  for (const res of refusals) {
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    reads.push(res);
  }

  await read("/rest/self", { authorization: `Bearer ${viaBasic}` });
  await read("/rest/self", { "x-api-key": postToken });
  expect((await selfWithBearer(t, viaBasic)).statusCode).toBe(200);
  expect((await verify(t, postToken)).code).toBe("VALID");
  await read(`/rest/orgs/${orgId}/service_accounts`);
  await read(accountUrl);
  await read(`${accountUrl}/secrets`);
  await read(`/rest/orgs/${orgId}/audit_logs?limit=100`);
  await read(`/rest/orgs/${orgId}/audit_logs/export`);
  await read(`/rest/orgs/${orgId}/api_keys?limit=100`);

  const listed = await read(`${accountUrl}/secrets`);
  const oldest = listed.json().data.find((secret: { id: string }) => secret.id !== rotated.json().data.id).id;
  expect(
    (await send(t.app, { method: "DELETE", url: `${accountUrl}/secrets/${oldest}`, token: t.owner.token })).statusCode,
  ).toBe(204);
  expect((await selfWithBearer(t, viaBasic)).statusCode).toBe(401);

  await t.close();

  for (const res of reads) {
    for (const secret of issued) expect(res.body.includes(secret), `${res.raw.req.url} holds a secret`).toBe(false);
  }
  const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`].filter((file) => existsSync(file));
  const stored = Buffer.concat(files.map((file) => readFileSync(file)));
  const log = Buffer.concat(chunks).toString("utf8");
  expect(log).toContain("/oauth2/token");
  expect(issued).toHaveLength(4);
  for (const secret of issued) {
    const body = secret.slice(secret.lastIndexOf("_") + 1);
    expect(stored.includes(Buffer.from(hashKey(secret))), "the hash is stored").toBe(true);
    expect(stored.includes(Buffer.from(secret)), "a secret is stored in the database file").toBe(false);
    expect(stored.includes(Buffer.from(body)), "a secret's body is stored in the database file").toBe(false);
    expect(log.includes(secret), "a secret is in the log").toBe(false);
    expect(log.includes(body.slice(0, 20)), "part of a secret is in the log").toBe(false);
  }
});
