import type { AuditEvent, Invitation, InvitationAcceptance, InvitationStore, Page, PageRequest } from "@latchkey/core";
import type { Kysely } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { paginate } from "./pagination.js";
import { invitationToRow, rowToInvitation, sessionToRow } from "./people-rows.js";
import { holdReferences } from "./role-references.js";
import { membershipToRow, toTime } from "./rows.js";
import type { Database } from "./schema.js";

const COLUMNS = [
  "invitations.id",
  "invitations.org_id",
  "invitations.email",
  "invitations.role",
  "invitations.created_by_type",
  "invitations.created_by_id",
  "invitations.created_at",
  "invitations.expires_at",
  "invitations.accepted_at",
] as const;

/** Invitations in a Kysely database; tokens only as their SHA-256. */
export class KyselyInvitationStore implements InvitationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(invitation: Invitation, tokenHash: string, audit: readonly AuditEvent[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await holdReferences(trx, invitation.orgId, [invitation.role]);
      await trx.insertInto("invitations").values(invitationToRow(invitation, tokenHash)).execute();
      await appendAudit(trx, audit);
    });
  }

  async list(orgId: string, page: PageRequest): Promise<Page<Invitation>> {
    const query = this.db
      .selectFrom("invitations")
      .select(COLUMNS)
      .where("invitations.org_id", "=", orgId)
      .where("invitations.accepted_at", "is", null);
    return paginate(query, "invitations.id", page, rowToInvitation);
  }

  async get(orgId: string, id: string): Promise<Invitation | null> {
    const row = await this.db
      .selectFrom("invitations")
      .select(COLUMNS)
      .where("invitations.org_id", "=", orgId)
      .where("invitations.id", "=", id)
      .where("invitations.accepted_at", "is", null)
      .executeTakeFirst();
    return row === undefined ? null : rowToInvitation(row);
  }

  async findByTokenHash(tokenHash: string): Promise<Invitation | null> {
    const row = await this.db
      .selectFrom("invitations")
      .select(COLUMNS)
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row === undefined ? null : rowToInvitation(row);
  }

  async delete(orgId: string, id: string, audit: readonly AuditEvent[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom("invitations")
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .where("accepted_at", "is", null)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await appendAudit(trx, audit);
      return true;
    });
  }

  async accept(acceptance: InvitationAcceptance): Promise<boolean> {
    const { invitation, at, newUser, membership, session, audit } = acceptance;
    return translateDriverErrors("The invitee is a member of this org already.", () =>
      this.db.transaction().execute(async (trx) => {
        const used = await trx
          .updateTable("invitations")
          .set({ accepted_at: toTime(at) })
          .where("id", "=", invitation.id)
          .where("accepted_at", "is", null)
          .where("expires_at", ">", toTime(at))
          .executeTakeFirst();
        if (used.numUpdatedRows === 0n) return false;
        if (newUser !== null) {
          await trx
            .insertInto("users")
            .values({
              id: newUser.user.id,
              email: newUser.user.email,
              name: newUser.user.name,
              password_hash: newUser.passwordHash,
              created_at: toTime(newUser.user.createdAt),
            })
            .execute();
        }
        await trx.insertInto("memberships").values(membershipToRow(membership)).execute();
        await trx.insertInto("sessions").values(sessionToRow(session)).execute();
        await appendAudit(trx, audit);
        return true;
      }),
    );
  }
}
