import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";
import pg from "pg";
import { SchemaScopedPostgresDialect } from "./postgres-dialect.js";
import type { Database } from "./schema.js";

/** The database engines Latchkey runs on: a closed set. */
export type DatabaseKind = "sqlite" | "postgres";

/** Where a database URL points. */
export type DatabaseTarget = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/**
 * Reads `sqlite:<path>`, `sqlite::memory:`, `postgres://…` or `postgresql://…`. Anything else is an
 * error naming the accepted forms, never a silent fallback.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path.length === 0) throw new Error("a sqlite: URL needs a file path, e.g. sqlite:./data/latchkey.db");
    return { kind: "sqlite", path };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    try {
      new URL(url);
    } catch {
      throw new Error("the postgres URL is malformed");
    }
    return { kind: "postgres", url };
  }
  throw new Error("must start with sqlite: (e.g. sqlite:./data/latchkey.db) or postgres://");
}

/**
 * SQLite transactions that take the write lock when they begin (`BEGIN IMMEDIATE`). A deferred
 * transaction that reads, then writes, fails at once with "database is locked" when another process
 * committed in between; an immediate one waits its turn (busy_timeout) and then reads fresh rows.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/**
 * SQLite runs DDL inside transactions, so Kysely's migrator may run all pending migrations and their
 * bookkeeping in one (it does not by default on SQLite): a migration that fails or a process that dies
 * halfway leaves the schema as it was, never half-migrated.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** Options for opening a database. */
export interface ConnectOptions {
  /** PostgreSQL only: the schema to create and use (tests isolate themselves this way). */
  schema?: string | undefined;
  /** PostgreSQL only: the pool size (default 10). */
  poolSize?: number | undefined;
}

/** An open database: the Kysely instance, and for an SQLite file a way to open read-only connections. */
export interface Connection {
  db: Kysely<Database>;
  openReader: (() => SQLite.Database) | null;
}

/** Opens a Kysely instance on the target. SQLite files get WAL mode; their folder is created. */
export async function connect(target: DatabaseTarget, options: ConnectOptions = {}): Promise<Connection> {
  if (target.kind === "sqlite") {
    const inMemory = target.path === ":memory:";
    if (!inMemory) mkdirSync(dirname(resolve(target.path)), { recursive: true });
    const database = new SQLite(target.path);
    if (!inMemory) database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 5000");
    const openReader = () => {
      const reader = new SQLite(target.path, { readonly: true, fileMustExist: true });
      reader.pragma("busy_timeout = 5000");
      // Lookups hit random pages of large B-trees: the first GiB of the file is mapped, so a page is read
      // without a copy or a page-cache search, and a 128 MiB page cache serves what lies beyond. What is
      // left of the cost at a million keys is CPU cache misses (README, "Verification speed").
      reader.pragma("mmap_size = 1073741824");
      reader.pragma("cache_size = -131072");
      return reader;
    };
    return {
      db: new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) }),
      openReader: inMemory ? null : openReader,
    };
  }
  const schema = options.schema;
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error("invalid schema name");
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  return { db: new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) }), openReader: null };
}
