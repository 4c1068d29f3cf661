import { rmSync } from "node:fs";
import { type Clock, systemClock, systemRandom } from "@latchkey/core";
import { type KyselyStore, openStore } from "@latchkey/store";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import { bootstrapOwner } from "./bootstrap-owner.js";
import { openClusterDeps } from "./cluster.js";
import { type Config, ConfigError } from "./config.js";
import { openVault, resolveMasterKey } from "./master-key.js";
import { tuneHeapForServing } from "./runtime.js";

/** A node that is listening. */
export interface RunningServer {
  app: FastifyInstance;
  store: KyselyStore;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

/**
 * Resolves the vault's master key (a PostgreSQL database without LATCHKEY_MASTER_KEY stops here), then
 * migrates, bootstraps an empty database (printing the owner's login and token once through `print`),
 * checks the master key against the database's vault (a wrong one stops the start), and listens.
 */
export async function startServer(
  config: Config,
  options: { print: (line: string) => void; clock?: Clock; logStream?: NodeJS.WritableStream },
): Promise<RunningServer> {
  tuneHeapForServing();
  const clock = options.clock ?? systemClock;
  const random = systemRandom;
  const masterKey = resolveMasterKey(config, random);
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    // A wrong master key stops the start before anything is written or connected.
    const vault = await openVault(store, masterKey, clock, random).catch((error: unknown) => {
      if (!masterKey.generated || masterKey.file === null) throw error;
      // The key file was missing, not wrong: a key made now cannot open a vault made before.
      rmSync(masterKey.file, { force: true });
      throw new ConfigError([
        `LATCHKEY_MASTER_KEY: ${masterKey.file} is missing and this database's vault was created with another key; restore the file from your backup (or set LATCHKEY_MASTER_KEY)`,
      ]);
    });
    if (masterKey.generated) {
      options.print(
        `vault master key generated in ${masterKey.file} (mode 0600): back it up apart from the database; secrets cannot be read without it.`,
      );
    }
    const owner = await bootstrapOwner(
      store,
      { email: config.ownerEmail, password: config.ownerPassword },
      clock,
      random,
      vault,
    );
    // Printed as soon as they are stored: if listening fails below, they must not be lost.
    if (owner) {
      options.print(`owner email: ${owner.email}`);
      if (owner.password !== null) options.print(`owner password: ${owner.password}`);
      options.print(`owner token: ${owner.token}`);
      options.print("These are shown once. Keep the token: it is your first personal token (expires in 90 days).");
    }
    let log: ((error: unknown, message: string) => void) | null = null;
    const cluster = openClusterDeps(config, store, (error, message) => log?.(error, message));
    const app = await buildApp(config, {
      store,
      clock,
      random,
      logStream: options.logStream,
      rateLimiter: cluster.rateLimiter,
      bus: cluster.bus,
      masterKey,
    });
    log = (error, message) => app.log.warn({ err: error }, message);
    app.addHook("onClose", () => cluster.close());
    const url = await app.listen({ host: config.host, port: config.port });
    if (config.webhooksDeliver) app.services.webhookWorker.start();
    return {
      app,
      store,
      url,
      async close() {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
