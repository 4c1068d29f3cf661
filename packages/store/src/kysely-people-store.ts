import type { AuditEvent, Membership, PeopleStore, UserCredentials } from "@latchkey/core";
import type { Kysely } from "kysely";
import { appendAudit } from "./kysely-audit-store.js";
import { rowToMembership, rowToUser } from "./rows.js";
import type { Database } from "./schema.js";

/** Users' sign-in data in a Kysely database. Only the sign-in check reads password hashes. */
export class KyselyPeopleStore implements PeopleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async credentialsByEmail(email: string): Promise<UserCredentials | null> {
    const row = await this.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
    return row === undefined ? null : { user: rowToUser(row), passwordHash: row.password_hash };
  }

  async credentialsOf(userId: string): Promise<UserCredentials | null> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
    return row === undefined ? null : { user: rowToUser(row), passwordHash: row.password_hash };
  }

  async memberships(userId: string): Promise<Membership[]> {
    const rows = await this.db
      .selectFrom("memberships")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .execute();
    return rows.map(rowToMembership);
  }

  async changePassword(
    userId: string,
    passwordHash: string,
    keepSessionId: string | null,
    audit: readonly AuditEvent[],
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", userId).execute();
      let others = trx.deleteFrom("sessions").where("user_id", "=", userId);
      if (keepSessionId !== null) others = others.where("id", "!=", keepSessionId);
      await others.execute();
      await appendAudit(trx, audit);
    });
  }
}
