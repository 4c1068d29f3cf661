import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  type Clock,
  formatMasterKey,
  parseMasterKey,
  type RandomSource,
  type Store,
  VAULT_KEY_BYTES,
  VaultService,
} from "@latchkey/core";
import { parseDatabaseUrl } from "@latchkey/store";
import { type Config, ConfigError } from "./config.js";

/** The file name of the generated master key, in the folder of the embedded SQLite database. */
export const MASTER_KEY_FILE = "master.key";

/** The vault's master key and where it came from. */
export interface MasterKey {
  key: Uint8Array;
  /** The generated key file that holds it; null when it came from LATCHKEY_MASTER_KEY (or is ephemeral). */
  file: string | null;
  /** Where it came from, for messages: the setting or the file. Never the key. */
  source: string;
  /** True when this call generated the key file. */
  generated: boolean;
}

/** Where the generated master key of an SQLite database file lives: `master.key` beside it. */
export function masterKeyFileFor(sqlitePath: string): string {
  return join(dirname(resolve(sqlitePath)), MASTER_KEY_FILE);
}

/** Reads a key file; a ConfigError naming the file when it holds no 32-byte key. */
export function readMasterKeyFile(file: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError([`LATCHKEY_MASTER_KEY: cannot read the key file ${file}`]);
  }
  const key = parseMasterKey(text);
  if (key === null) {
    throw new ConfigError([
      `LATCHKEY_MASTER_KEY: the key file ${file} does not hold a 32-byte key (base64 or hex); restore it from your backup`,
    ]);
  }
  return key;
}

/**
 * Writes a key file readable by its owner only (0600). With `exclusive`, an existing file is left as it
 * is and false is returned (another process made it first).
 */
export function writeMasterKeyFile(file: string, key: Uint8Array, exclusive: boolean): boolean {
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${formatMasterKey(key)}\n`, { mode: 0o600, flag: exclusive ? "wx" : "w" });
    return true;
  } catch (error) {
    if (exclusive && (error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/**
 * The master key a node starts with: LATCHKEY_MASTER_KEY when given; else, on an embedded SQLite file,
 * the key in `master.key` beside the database, generated (mode 0600) on the first start; else, on an
 * in-memory database, a key that lives as long as the process. On PostgreSQL the setting is required:
 * every node must hold the same key, so none is generated.
 */
export function resolveMasterKey(config: Config, random: RandomSource): MasterKey {
  if (config.masterKey !== undefined) {
    const key = parseMasterKey(config.masterKey);
    if (key === null) throw new ConfigError(["LATCHKEY_MASTER_KEY: must be 32 bytes as base64 or hex"]);
    return { key, file: null, source: "LATCHKEY_MASTER_KEY", generated: false };
  }
  const target = parseDatabaseUrl(config.databaseUrl);
  if (target.kind === "postgres") {
    throw new ConfigError([
      "LATCHKEY_MASTER_KEY: is required with a PostgreSQL database (every node must hold the same key, so none is generated); generate one with `openssl rand -base64 32`, keep it safe, and give it to every node",
    ]);
  }
  if (target.path === ":memory:") {
    return {
      key: random.bytes(VAULT_KEY_BYTES),
      file: null,
      source: "an in-memory key (in-memory database)",
      generated: false,
    };
  }
  const file = masterKeyFileFor(target.path);
  const generated = writeMasterKeyFile(file, random.bytes(VAULT_KEY_BYTES), true);
  return { key: readMasterKeyFile(file), file, source: `the key file ${file}`, generated };
}

/**
 * The vault of a node, once its master key is known to open the database's vault (the first start
 * records a check value). A ConfigError naming LATCHKEY_MASTER_KEY when it does not.
 */
export async function openVault(
  store: Store,
  masterKey: Pick<MasterKey, "key" | "source">,
  clock: Clock,
  random: RandomSource,
): Promise<VaultService> {
  const vault = new VaultService(store, masterKey.key, clock, random);
  if (!(await vault.matchesDatabase())) {
    throw new ConfigError([
      `LATCHKEY_MASTER_KEY: the master key (from ${masterKey.source}) does not open this database's vault: it is not the key the vault was created with. Start with that key, or with the new one if \`latchkey vault rotate-master-key\` replaced it`,
    ]);
  }
  return vault;
}
