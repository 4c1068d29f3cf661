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

// 0013_groups on a database written before it: each org gets a group named after it, owned by the org's
// owners; service accounts keep their org, and a CHECK then holds each account to one scope. And when it
// fails halfway (after it has created its tables, added a column and written a group per org, it meets
// an index name a table already holds), the schema and data are as before the run, on both dialects:
// the pending migrations and their bookkeeping run in one transaction.

const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;
const at = "2025-06-01T12:00:00.000Z";

async function sqliteFile(): Promise<{ store: KyselyStore; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-upgrade-"));
  const store = await openStore(`sqlite:${join(dir, "latchkey.db")}`);
  return { store, close: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgres(): Promise<{ store: KyselyStore; close: () => Promise<void> }> {
  const url = postgresUrl ?? "";
  const schema = `latchkey_upgrade_${randomBytes(8).toString("hex")}`;
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
] as const)("0013_groups on %s", (_name, open) => {
  test("gives each existing org a group owned by its owners and keeps service accounts and their secrets", async () => {
    const { store, close } = await open();
    cleanUp = async () => {
      await store.close();
      await close();
    };
    const db = store.db as unknown as Kysely<unknown>;
    await migrateUpTo(db, "0010_permission_catalogue");
    const [orgA, orgB, owner, member, account] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const policy = JSON.stringify(DEFAULT_ORG_POLICY);
    await sql`insert into orgs (id, name, slug, policy, created_at) values
      (${orgA}, 'Acme', 'acme', ${policy}, ${at}), (${orgB}, 'Beta', 'beta', ${policy}, ${at})`.execute(db);
    await sql`insert into users (id, email, name, password_hash, created_at) values
      (${owner}, 'o@example.test', 'O', null, ${at}), (${member}, 'm@example.test', 'M', null, ${at})`.execute(db);
    await sql`insert into memberships (id, org_id, user_id, role, created_at) values
      (${randomUUID()}, ${orgA}, ${owner}, 'owner', ${at}), (${randomUUID()}, ${orgA}, ${member}, 'admin', ${at})`.execute(
      db,
    );
    await sql`insert into service_accounts (id, org_id, name, role, auth_type, created_at, created_by_type,
      created_by_id, deleted_at, access_token_ttl_seconds) values
      (${account}, ${orgA}, 'robot', 'viewer', 'oauth_client_secret', ${at}, 'user', ${owner}, null, 3600)`.execute(db);
    await sql`insert into oauth_client_secrets (id, org_id, service_account_id, hash, hint, created_at) values
      (${randomUUID()}, ${orgA}, ${account}, 'h', 'lkcs_…', ${at})`.execute(db);

    await store.migrate();

    const group = await store.groups.ofOrg(orgA);
    expect(group).toMatchObject({ name: "Acme", slug: "acme" });
    expect((await store.groups.ofOrg(orgB))?.name).toBe("Beta");
    expect(group?.id).not.toBe((await store.groups.ofOrg(orgB))?.id);
    expect((await store.groups.membership(group?.id ?? "", owner))?.role).toBe("owner");
    expect(await store.groups.membership(group?.id ?? "", member)).toBeNull();
    expect((await store.orgs.get(orgA))?.groupId).toBe(group?.id);
    expect(await store.serviceAccounts.get(orgA, account)).toMatchObject({
      name: "robot",
      accessTokenTtlSeconds: 3600,
    });
    expect(await store.oauth.listSecrets(orgA, account)).toHaveLength(1);

    // One scope each: neither, or both, is refused.
    const insert = (orgId: string | null, groupId: string | null) =>
      sql`insert into service_accounts (id, org_id, group_id, name, role, auth_type, created_at, created_by_type,
        created_by_id) values (${randomUUID()}, ${orgId}, ${groupId}, ${randomUUID()}, 'viewer', 'api_key', ${at},
        'user', ${owner})`.execute(db);
    await expect(insert(null, null)).rejects.toThrow();
    await expect(insert(orgA, group?.id ?? null)).rejects.toThrow();
    await insert(null, group?.id ?? null);
    await insert(orgB, null);
  });

  test("that fails halfway leaves no table, column, row or record of itself; the next run completes it", async () => {
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
