import type { Membership, User, UserStore } from "@latchkey/core";
import type { Kysely } from "kysely";
import { rowToMembership, rowToUser } from "./rows.js";
import type { Database } from "./schema.js";

/** Users and memberships in a Kysely database. Password hashes never leave this class. */
export class KyselyUserStore implements UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<User | null> {
    const row = await this.db
      .selectFrom("users")
      .select(["id", "email", "name", "created_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : rowToUser(row);
  }

  async membership(orgId: string, userId: string): Promise<Membership | null> {
    const row = await this.db
      .selectFrom("memberships")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row === undefined ? null : rowToMembership(row);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
