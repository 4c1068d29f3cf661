import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ORG_POLICY } from "@latchkey/core";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { type KyselyStore, openStore } from "../src/kysely-store.js";
import { migrateUpTo } from "../src/migrations.js";

// A migration that fails halfway leaves the schema and the data as they were before the run, on both
// dialects: the pending migrations and their bookkeeping run in one transaction. Here 0013_groups fails
// after it has created its tables, added a column and written a group per org, when it creates an index
// whose name a table already holds.

const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;
const at = "2025-06-01T12:00:00.000Z";

async function sqliteFile(): Promise<{ store: KyselyStore; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-atomic-"));
  const store = await openStore(`sqlite:${join(dir, "latchkey.db")}`);
  return { store, close: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgres(): Promise<{ store: KyselyStore; close: () => Promise<void> }> {
  const url = postgresUrl ?? "";
  const schema = `latchkey_atomic_${randomBytes(8).toString("hex")}`;
  const store = await openStore(url, { schema });
  return {
    store,
    close: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

let cleanUp: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanUp?.();
  cleanUp = null;
});

async function tableNames(db: Kysely<unknown>): Promise<string[]> {
  return (await db.introspection.getTables()).map((table) => table.name).sort();
}

describe.each([
  ["sqlite file", sqliteFile],
  ...(postgresUrl !== undefined ? [["postgres", postgres] as const] : []),
] as const)("a failed migration on %s", (_name, open) => {
  test("leaves no table, column, row or record of itself, and the next run completes it", async () => {
    const { store, close } = await open();
    cleanUp = async () => {
      await store.close();
      await close();
    };
    const db = store.db as unknown as Kysely<unknown>;
    await migrateUpTo(db, "0012_publishable_keys");
    const org = randomUUID();
    await sql`insert into orgs (id, name, slug, policy, created_at)
      values (${org}, 'Acme', 'acme', ${JSON.stringify(DEFAULT_ORG_POLICY)}, ${at})`.execute(db);
    await sql`create table orgs_group (blocker integer)`.execute(db);
    const tablesBefore = await tableNames(db);
    const orgColumns = async () =>
      (await db.introspection.getTables()).find((table) => table.name === "orgs")?.columns.map((c) => c.name);
    const columnsBefore = await orgColumns();

    await expect(store.migrate()).rejects.toThrow(/orgs_group/);

    expect(await tableNames(db)).toEqual(tablesBefore);
    expect(tablesBefore).not.toContain("groups");
    expect(await orgColumns()).toEqual(columnsBefore);
    const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(recorded.rows.map((row) => row.name).at(-1)).toBe("0012_publishable_keys");
    const orgs = await sql<{ id: string }>`select id from orgs`.execute(db);
    expect(orgs.rows).toEqual([{ id: org }]);

    await sql`drop table orgs_group`.execute(db);
    const ran = await store.migrate();
    expect(ran).toContain("0013_groups");
    expect((await store.groups.ofOrg(org))?.name).toBe("Acme");
  });
});
