import { existsSync, renameSync, rmSync } from "node:fs";
import { parseMasterKey, rotateMasterKey, systemClock, systemRandom, VAULT_KEY_BYTES } from "@latchkey/core";
import {
  type Config,
  ConfigError,
  loadConfig,
  masterKeyFileFor,
  readMasterKeyFile,
  resolveMasterKey,
  writeMasterKeyFile,
} from "@latchkey/server";
import { openStore, parseDatabaseUrl } from "@latchkey/store";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson } from "../output.js";
import { CliError } from "../remote.js";

interface RotateOptions {
  newKeyFile?: string;
  generate?: boolean;
  json?: boolean;
}

/** The current key: LATCHKEY_MASTER_KEY, or the generated key file (which must exist). */
function currentKey(config: Config): { key: Uint8Array; file: string | null } {
  if (config.masterKey === undefined) {
    const target = parseDatabaseUrl(config.databaseUrl);
    if (target.kind === "sqlite" && target.path !== ":memory:") {
      const file = masterKeyFileFor(target.path);
      if (!existsSync(file))
        throw new CliError(`No master key: LATCHKEY_MASTER_KEY is not set and ${file} does not exist.`);
      return { key: readMasterKeyFile(file), file };
    }
  }
  const resolved = resolveMasterKey(config, systemRandom);
  return { key: resolved.key, file: resolved.file };
}

/** The new key: LATCHKEY_NEW_MASTER_KEY, --new-key-file, or --generate (exactly one). */
function newKey(io: Io, options: RotateOptions, heldInFile: boolean): Uint8Array {
  const fromEnv = io.env.LATCHKEY_NEW_MASTER_KEY;
  const given = [fromEnv !== undefined && fromEnv !== "", options.newKeyFile !== undefined, options.generate === true];
  if (given.filter(Boolean).length !== 1) {
    throw new CliError(
      "Give the new key with exactly one of LATCHKEY_NEW_MASTER_KEY, --new-key-file <path> or --generate.",
    );
  }
  if (options.generate) {
    if (!heldInFile) {
      throw new CliError(
        "--generate only works when the key is held in the generated key file; with LATCHKEY_MASTER_KEY, give the new key in LATCHKEY_NEW_MASTER_KEY or --new-key-file.",
      );
    }
    return systemRandom.bytes(VAULT_KEY_BYTES);
  }
  if (options.newKeyFile !== undefined) {
    try {
      return readMasterKeyFile(options.newKeyFile);
    } catch (error) {
      if (error instanceof ConfigError)
        throw new CliError(`--new-key-file: ${options.newKeyFile} does not hold a 32-byte key (base64 or hex).`);
      throw error;
    }
  }
  const parsed = parseMasterKey(fromEnv as string);
  if (parsed === null) {
    throw new CliError(
      "LATCHKEY_NEW_MASTER_KEY must be 32 random bytes written as base64 or hex (openssl rand -base64 32).",
    );
  }
  return parsed;
}

/**
 * `latchkey vault rotate-master-key`: on the database itself (LATCHKEY_DATABASE_URL), re-wraps every
 * org's data key under a new master key in one transaction; secrets are not touched. Stop every node
 * first. When the key was held in the generated key file, the file is replaced: the new key is written
 * beside it first and moved over it only once the database has committed.
 */
export function registerVaultRotate(vault: Command, io: Io): void {
  vault
    .command("rotate-master-key")
    .description("re-wrap every data key under a new master key (stop the servers first; secrets are not touched)")
    .option("--new-key-file <path>", "read the new key (base64 or hex) from this file")
    .option("--generate", "generate the new key (only when the key is held in the generated key file)")
    .option("--json", "print the outcome as JSON")
    .action(async (options: RotateOptions) => {
      let config: Config;
      let current: { key: Uint8Array; file: string | null };
      try {
        config = loadConfig(io.env);
        current = currentKey(config);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      const replacement = newKey(io, options, current.file !== null);
      const pending = current.file === null ? null : `${current.file}.new`;
      if (pending !== null) writeMasterKeyFile(pending, replacement, false);
      const store = await openStore(config.databaseUrl);
      let outcome: Awaited<ReturnType<typeof rotateMasterKey>>;
      try {
        await store.migrate();
        outcome = await rotateMasterKey(store, current.key, replacement, systemClock, systemRandom);
      } catch (error) {
        if (pending !== null) rmSync(pending, { force: true });
        throw error;
      } finally {
        await store.close();
      }
      if (pending !== null && current.file !== null) renameSync(pending, current.file);
      if (options.json) {
        return printJson(io, { data: { ...outcome, key_file: current.file } });
      }
      io.out(
        `re-wrapped ${outcome.dataKeys} data keys of ${outcome.orgs} orgs under the new master key; secrets untouched`,
      );
      io.out(
        current.file === null
          ? "Set LATCHKEY_MASTER_KEY to the new key on every node before starting them again."
          : `The new key is in ${current.file}; back it up.`,
      );
    });
}
