import type { AuditEvent, Session, SessionStore } from "@latchkey/core";
import type { Kysely } from "kysely";
import { appendAudit } from "./kysely-audit-store.js";
import { rowToSession, sessionToRow } from "./people-rows.js";
import { toTime } from "./rows.js";
import type { Database } from "./schema.js";

/** Sessions in a Kysely database, keyed by the SHA-256 of their token. */
export class KyselySessionStore implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(session: Session, audit: readonly AuditEvent[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("sessions").values(sessionToRow(session)).execute();
      await appendAudit(trx, audit);
    });
  }

  async find(id: string): Promise<Session | null> {
    const row = await this.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToSession(row);
  }

  async touch(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ last_seen_at: toTime(lastSeenAt), expires_at: toTime(expiresAt) })
      .where("id", "=", id)
      .where("last_seen_at", "<", toTime(lastSeenAt))
      // An ended session stays ended: touching it cannot move its end forward.
      .where("expires_at", ">", toTime(lastSeenAt))
      .execute();
  }

  async delete(id: string, audit: readonly AuditEvent[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom("sessions").where("id", "=", id).executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await appendAudit(trx, audit);
      return true;
    });
  }

  async deleteEnded(now: Date): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<=", toTime(now)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
