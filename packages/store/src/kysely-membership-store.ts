import type {
  AuditEvent,
  MembershipStore,
  MemberView,
  NewMembership,
  Page,
  PageRequest,
  RoleBinding,
} from "@latchkey/core";
import { LatchkeyError } from "@latchkey/core";
import { type Kysely, PostgresAdapter, type Selectable, sql, type Transaction } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { paginate } from "./pagination.js";
import { holdReferences } from "./role-references.js";
import { membershipToRow, rowToMembership } from "./rows.js";
import type { Database, MembershipsTable } from "./schema.js";

type MemberRow = Selectable<MembershipsTable> & { email: string; name: string };

function rowToMember(row: MemberRow): MemberView {
  return { ...rowToMembership(row), email: row.email, name: row.name };
}

const LAST_OWNER = "An org keeps at least one owner: make someone else owner first.";

/** Memberships in a Kysely database. */
export class KyselyMembershipStore implements MembershipStore {
  constructor(private readonly db: Kysely<Database>) {}

  private members(db: Kysely<Database> | Transaction<Database>, orgId: string) {
    return db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .selectAll("memberships")
      .select(["users.email", "users.name"])
      .where("memberships.org_id", "=", orgId);
  }

  async list(orgId: string, page: PageRequest): Promise<Page<MemberView>> {
    return paginate(this.members(this.db, orgId), "memberships.id", page, rowToMember);
  }

  async get(orgId: string, id: string): Promise<MemberView | null> {
    const row = await this.members(this.db, orgId).where("memberships.id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToMember(row);
  }

  async add(membership: NewMembership, auditFor: (userId: string) => AuditEvent): Promise<MemberView | null> {
    return translateDriverErrors("This user is already a member of the org.", () =>
      this.db.transaction().execute(async (trx) => {
        const user = await trx
          .selectFrom("users")
          .select(["id"])
          .where(sql`lower(email)`, "=", membership.email)
          .executeTakeFirst();
        if (user === undefined) return null;
        await holdReferences(trx, membership.orgId, [membership.role], membership.roles);
        const { email: _email, ...rest } = membership;
        await trx
          .insertInto("memberships")
          .values(membershipToRow({ ...rest, userId: user.id }))
          .execute();
        await appendAudit(trx, [auditFor(user.id)]);
        const row = await this.members(trx, membership.orgId)
          .where("memberships.id", "=", membership.id)
          .executeTakeFirstOrThrow();
        return rowToMember(row);
      }),
    );
  }

  async setRoles(
    orgId: string,
    id: string,
    role: string,
    roles: RoleBinding[],
    audit: AuditEvent,
  ): Promise<MemberView> {
    return this.db.transaction().execute(async (trx) => {
      await lockOrg(trx, orgId);
      const before = await this.members(trx, orgId).where("memberships.id", "=", id).executeTakeFirst();
      if (before === undefined) throw new LatchkeyError("NOT_FOUND", "No such membership.", { parameter: "id" });
      if (before.role === "owner" && role !== "owner") await requireAnotherOwner(trx, orgId, id);
      await holdReferences(trx, orgId, [role], roles);
      const columns = { role, roles: JSON.stringify(roles) };
      await trx.updateTable("memberships").set(columns).where("org_id", "=", orgId).where("id", "=", id).execute();
      await appendAudit(trx, [audit]);
      return rowToMember({ ...before, ...columns });
    });
  }

  async remove(orgId: string, id: string, audit: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockOrg(trx, orgId);
      const before = await trx
        .selectFrom("memberships")
        .select(["role"])
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (before === undefined) throw new LatchkeyError("NOT_FOUND", "No such membership.", { parameter: "id" });
      if (before.role === "owner") await requireAnotherOwner(trx, orgId, id);
      await trx.deleteFrom("memberships").where("org_id", "=", orgId).where("id", "=", id).execute();
      await appendAudit(trx, [audit]);
    });
  }
}

/**
 * Serializes membership changes of one org, so two owners demoting each other at once cannot leave it
 * ownerless (PostgreSQL: the org's row lock; SQLite: transactions already hold the write lock).
 */
export function lockOrg(trx: Transaction<Database>, orgId: string): Promise<void> {
  return lockRow(trx, "orgs", orgId);
}

/** Locks an org's or a group's row until the transaction ends (PostgreSQL; SQLite holds the write lock). */
export async function lockRow(trx: Transaction<Database>, table: "orgs" | "groups", id: string): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  await trx.selectFrom(table).select("id").where("id", "=", id).forUpdate().execute();
}

async function requireAnotherOwner(trx: Transaction<Database>, orgId: string, exceptId: string): Promise<void> {
  const row = await trx
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("org_id", "=", orgId)
    .where("role", "=", "owner")
    .where("id", "!=", exceptId)
    .executeTakeFirstOrThrow();
  if (Number(row.n) === 0) throw new LatchkeyError("CONFLICT", LAST_OWNER);
}
