import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Invalidation, InvalidationBus } from "@latchkey/core";
import { type KyselyStore, openStore } from "@latchkey/store";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, expect, test } from "vitest";
import { buildApp, loadConfig } from "../src/index.js";
import { createTestApp, expectUnauthorized, send, type TestApp } from "./helpers.js";
import { createOAuthAccount, issueToken, selfWithBearer } from "./oauth-helpers.js";

/** An in-process stand-in for Redis or LISTEN/NOTIFY: every node hears every message, its own too. */
class MemoryBus implements InvalidationBus {
  constructor(private readonly hub: Set<(message: Invalidation) => void>) {}
  async publish(message: Invalidation): Promise<void> {
    for (const handler of this.hub) handler(message);
  }
  async subscribe(handler: (message: Invalidation) => void): Promise<void> {
    this.hub.add(handler);
  }
  async close(): Promise<void> {}
}

let dir: string;
let nodeA: TestApp;
let nodeB: FastifyInstance;
let storeB: KyselyStore;

/** Forward auth on node B: answered by its verifier (and cache) alone. */
function checkOnB(token: string) {
  return nodeB.inject({ url: "/auth/check", headers: { authorization: `Bearer ${token}` } });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "latchkey-oauth-cluster-"));
  const databaseUrl = `sqlite:${join(dir, "shared.db")}`;
  const hub = new Set<(message: Invalidation) => void>();
  // A long cache TTL: only the bus can make node B forget what it verified.
  // Both nodes open one vault, so they share its master key.
  const env = { LATCHKEY_CACHE_TTL_SECONDS: "3600", LATCHKEY_MASTER_KEY: randomBytes(32).toString("base64") };
  nodeA = await createTestApp({ databaseUrl, env, bus: new MemoryBus(hub) });
  storeB = await openStore(databaseUrl);
  nodeB = await buildApp(
    loadConfig({
      LATCHKEY_LOG_LEVEL: "silent",
      LATCHKEY_DATABASE_URL: databaseUrl,
      LATCHKEY_AUTH_FAILURE_LIMIT: "0",
      ...env,
    }),
    { store: storeB, clock: nodeA.clock, random: nodeA.random, bus: new MemoryBus(hub) },
  );
});

afterEach(async () => {
  await nodeB.close();
  await storeB.close();
  await nodeA.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a client secret revoked on one node ends its tokens on the other at the next request", async () => {
  const account = await createOAuthAccount(nodeA);
  const { access_token } = await issueToken(nodeA, account);
  expect((await selfWithBearer({ app: nodeB }, access_token)).statusCode).toBe(200);
  expect((await checkOnB(access_token)).statusCode).toBe(200);
  const url = `/rest/orgs/${nodeA.owner.orgId}/service_accounts/${account.id}/secrets`;
  const listed = await send(nodeA.app, { url, token: nodeA.owner.token });
  const secretId = listed.json().data[0].id;
  const revoked = await send(nodeA.app, { method: "DELETE", url: `${url}/${secretId}`, token: nodeA.owner.token });
  expect(revoked.statusCode).toBe(204);
  expectUnauthorized(await selfWithBearer({ app: nodeB }, access_token));
  expect((await checkOnB(access_token)).statusCode).toBe(401);
});

test("an account deleted on one node ends its tokens on the other at the next request", async () => {
  const account = await createOAuthAccount(nodeA);
  const { access_token } = await issueToken({ app: nodeB }, account);
  expect((await checkOnB(access_token)).statusCode).toBe(200);
  const deleted = await send(nodeA.app, {
    method: "DELETE",
    url: `/rest/orgs/${nodeA.owner.orgId}/service_accounts/${account.id}`,
    token: nodeA.owner.token,
  });
  expect(deleted.statusCode).toBe(204);
  expect((await checkOnB(access_token)).statusCode).toBe(401);
});
