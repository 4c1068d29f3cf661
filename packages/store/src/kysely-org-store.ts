import type { Org, OrgStore } from "@latchkey/core";
import type { Kysely } from "kysely";
import { rowToOrg } from "./rows.js";
import type { Database } from "./schema.js";

/** Orgs in a Kysely database. */
export class KyselyOrgStore implements OrgStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<Org | null> {
    const row = await this.db.selectFrom("orgs").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToOrg(row);
  }
}
