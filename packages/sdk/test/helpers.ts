import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@latchkey/core";
import { bootstrapOwner, buildApp, loadConfig } from "@latchkey/server";
import { type KyselyStore, openStore } from "@latchkey/store";
import type { FastifyInstance } from "fastify";
import { type CreateKeyAttributes, LatchkeyClient } from "../src/index.js";

/** The one body every refused credential gets. */
export const UNAUTHORIZED_BODY = '{"status":"401","code":"Unauthorized"}';

/** A Latchkey server listening on loopback, with its owner's client and a token for verifying. */
export interface Latchkey {
  app: FastifyInstance;
  store: KyselyStore;
  url: string;
  databaseUrl: string;
  /** A client with the owner's personal token. */
  client: LatchkeyClient;
  ownerToken: string;
  orgId: string;
  /** A standalone org key holding only `api_keys:verify`. */
  verifyToken: string;
  close(): Promise<void>;
}

/** Options of `startLatchkey`. */
export interface StartOptions {
  /** Use a temporary SQLite file (another connection can open it) instead of memory. */
  file?: boolean;
  /** Called with the app before it listens, to add hooks. */
  beforeListen?: (app: FastifyInstance) => void;
}

/** Starts a real Latchkey server in this process (in-memory SQLite, or a temp file). */
export async function startLatchkey(options: StartOptions = {}): Promise<Latchkey> {
  const dir = options.file ? mkdtempSync(join(tmpdir(), "latchkey-sdk-")) : null;
  const databaseUrl = dir === null ? "sqlite::memory:" : `sqlite:${join(dir, "latchkey.db")}`;
  const store = await openStore(databaseUrl);
  await store.migrate();
  // Suites send bad credentials on purpose; the failure throttle has its own tests in the server.
  const config = loadConfig({
    LATCHKEY_LOG_LEVEL: "silent",
    LATCHKEY_DATABASE_URL: databaseUrl,
    LATCHKEY_AUTH_FAILURE_LIMIT: "0",
  });
  const app = await buildApp(config, { store });
  const random = { bytes: (n: number) => new Uint8Array(randomBytes(n)) };
  const owner = await bootstrapOwner(store, {}, systemClock, random);
  if (owner === null) throw new Error("bootstrap did not run on an empty database");
  options.beforeListen?.(app);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = new LatchkeyClient({ url, token: owner.token });
  const orgId = (await client.self()).meta.api_key?.attributes.org_id as string;
  const verifyKey = await client.createKey(orgId, {
    name: "verifier",
    permissions: ["api_keys:verify"],
    expires_in: "1d",
  });
  return {
    app,
    store,
    url,
    databaseUrl,
    client,
    ownerToken: owner.token,
    orgId,
    verifyToken: secretOf(verifyKey),
    async close() {
      await app.close();
      await store.close();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a standalone org key and returns its id and secret. */
export async function issueKey(
  latchkey: Latchkey,
  attributes: Partial<CreateKeyAttributes> = {},
): Promise<{ id: string; secret: string }> {
  const key = await latchkey.client.createKey(latchkey.orgId, { name: "test key", expires_in: "1d", ...attributes });
  return { id: key.id, secret: secretOf(key) };
}

function secretOf(key: { attributes: { key?: string } }): string {
  if (key.attributes.key === undefined) throw new Error("the answer carries no secret");
  return key.attributes.key;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
