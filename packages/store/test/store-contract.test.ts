import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeStoreContract, type StoreHarness, type StoreSeed } from "@latchkey/testkit";
import type { Kysely } from "kysely";
import pg from "pg";
import { describe } from "vitest";
import { type KyselyStore, openStore } from "../src/kysely-store.js";
import { groupMembershipToRow, groupToRow, membershipToRow, orgToRow, toTime } from "../src/rows.js";
import type { Database } from "../src/schema.js";

/** Plain inserts for what the Store port cannot create yet. */
function seedWith(db: Kysely<Database>): StoreSeed {
  return {
    async org(org) {
      const group = await db.selectFrom("groups").select("id").where("id", "=", org.groupId).executeTakeFirst();
      if (group === undefined) {
        await db
          .insertInto("groups")
          .values(groupToRow({ id: org.groupId, name: org.name, slug: `group-${org.slug}`, createdAt: org.createdAt }))
          .execute();
      }
      await db.insertInto("orgs").values(orgToRow(org)).execute();
    },
    async group(group) {
      await db.insertInto("groups").values(groupToRow(group)).execute();
    },
    async groupMembership(membership) {
      await db.insertInto("group_memberships").values(groupMembershipToRow(membership)).execute();
    },
    async user(user) {
      await db
        .insertInto("users")
        .values({
          id: user.id,
          email: user.email,
          name: user.name,
          password_hash: null,
          created_at: toTime(user.createdAt),
        })
        .execute();
    },
    async membership(membership) {
      await db.insertInto("memberships").values(membershipToRow(membership)).execute();
    },
  };
}

async function harnessOf(store: KyselyStore, cleanUp: () => Promise<void> | void): Promise<StoreHarness> {
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await cleanUp();
    throw error;
  }
  return {
    store,
    seed: seedWith(store.db),
    async close() {
      try {
        await store.close();
      } finally {
        await cleanUp();
      }
    },
  };
}

describeStoreContract("sqlite in memory", async () => harnessOf(await openStore("sqlite::memory:"), () => {}));

describeStoreContract("sqlite file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-store-"));
  const store = await openStore(`sqlite:${join(dir, "latchkey.db")}`);
  return harnessOf(store, () => rmSync(dir, { recursive: true, force: true }));
});

const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

describe.skipIf(postgresUrl === undefined)("postgres", () => {
  const url = postgresUrl ?? "";
  describeStoreContract("postgres", async () => {
    const schema = `latchkey_test_${randomBytes(8).toString("hex")}`;
    const store = await openStore(url, { schema });
    return harnessOf(store, () => dropSchema(url, schema));
  });
});
