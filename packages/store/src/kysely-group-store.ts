import type {
  ApiKey,
  AuditEvent,
  BuiltInRole,
  Group,
  GroupMembership,
  GroupMemberView,
  GroupServiceAccount,
  GroupServiceAccountChange,
  GroupStore,
  KeyEvent,
  NewGroupMembership,
  Org,
  Page,
  PageRequest,
} from "@latchkey/core";
import { LatchkeyError } from "@latchkey/core";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { lockRow } from "./kysely-membership-store.js";
import { changeServiceAccount, retireServiceAccount } from "./kysely-service-account-store.js";
import { paginate } from "./pagination.js";
import {
  groupMembershipToRow,
  groupServiceAccountToRow,
  orgToRow,
  rowToGroup,
  rowToGroupMembership,
  rowToGroupServiceAccount,
  rowToOrg,
} from "./rows.js";
import type { Database, GroupMembershipsTable } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;
type MemberRow = Selectable<GroupMembershipsTable> & { email: string; name: string };

function rowToMember(row: MemberRow): GroupMemberView {
  return { ...rowToGroupMembership(row), email: row.email, name: row.name };
}

const LAST_OWNER = "A group keeps at least one owner: make someone else owner first.";

/** Groups, their orgs, memberships and service accounts in a Kysely database. */
export class KyselyGroupStore implements GroupStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<Group | null> {
    const row = await this.db.selectFrom("groups").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToGroup(row);
  }

  async ofOrg(orgId: string): Promise<Group | null> {
    const row = await this.db
      .selectFrom("orgs")
      .innerJoin("groups", "groups.id", "orgs.group_id")
      .selectAll("groups")
      .where("orgs.id", "=", orgId)
      .executeTakeFirst();
    return row === undefined ? null : rowToGroup(row);
  }

  async listForUser(userId: string): Promise<Group[]> {
    const rows = await this.db
      .selectFrom("group_memberships")
      .innerJoin("groups", "groups.id", "group_memberships.group_id")
      .selectAll("groups")
      .where("group_memberships.user_id", "=", userId)
      .orderBy("groups.id")
      .execute();
    return rows.map(rowToGroup);
  }

  async orgs(groupId: string, page: PageRequest): Promise<Page<Org>> {
    const query = this.db.selectFrom("orgs").selectAll("orgs").where("orgs.group_id", "=", groupId);
    return paginate(query, "orgs.id", page, rowToOrg);
  }

  async createOrg(org: Org, audit: readonly AuditEvent[]): Promise<void> {
    await translateDriverErrors("An org with this slug exists.", () =>
      this.db.transaction().execute(async (trx) => {
        await trx.insertInto("orgs").values(orgToRow(org)).execute();
        await appendAudit(trx, audit);
      }),
    );
  }

  async membership(groupId: string, userId: string): Promise<GroupMembership | null> {
    const row = await this.db
      .selectFrom("group_memberships")
      .selectAll()
      .where("group_id", "=", groupId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row === undefined ? null : rowToGroupMembership(row);
  }

  private members(db: Db, groupId: string) {
    return db
      .selectFrom("group_memberships")
      .innerJoin("users", "users.id", "group_memberships.user_id")
      .selectAll("group_memberships")
      .select(["users.email", "users.name"])
      .where("group_memberships.group_id", "=", groupId);
  }

  async listMembers(groupId: string, page: PageRequest): Promise<Page<GroupMemberView>> {
    return paginate(this.members(this.db, groupId), "group_memberships.id", page, rowToMember);
  }

  async getMember(groupId: string, id: string): Promise<GroupMemberView | null> {
    const row = await this.members(this.db, groupId).where("group_memberships.id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToMember(row);
  }

  async addMember(
    membership: NewGroupMembership,
    auditFor: (userId: string) => AuditEvent,
  ): Promise<GroupMemberView | null> {
    return translateDriverErrors("This user is already a member of the group.", () =>
      this.db.transaction().execute(async (trx) => {
        const user = await trx
          .selectFrom("users")
          .select(["id"])
          .where(sql`lower(email)`, "=", membership.email)
          .executeTakeFirst();
        if (user === undefined) return null;
        const { email: _email, ...rest } = membership;
        await trx
          .insertInto("group_memberships")
          .values(groupMembershipToRow({ ...rest, userId: user.id }))
          .execute();
        await appendAudit(trx, [auditFor(user.id)]);
        const row = await this.members(trx, membership.groupId)
          .where("group_memberships.id", "=", membership.id)
          .executeTakeFirstOrThrow();
        return rowToMember(row);
      }),
    );
  }

  async setMemberRole(groupId: string, id: string, role: BuiltInRole, audit: AuditEvent): Promise<GroupMemberView> {
    return this.db.transaction().execute(async (trx) => {
      await lockRow(trx, "groups", groupId); // membership changes of one group take turns
      const before = await this.members(trx, groupId).where("group_memberships.id", "=", id).executeTakeFirst();
      if (before === undefined) throw new LatchkeyError("NOT_FOUND", "No such membership.", { parameter: "id" });
      if (before.role === "owner" && role !== "owner") await requireAnotherOwner(trx, groupId, id);
      await trx
        .updateTable("group_memberships")
        .set({ role })
        .where("group_id", "=", groupId)
        .where("id", "=", id)
        .execute();
      await appendAudit(trx, [audit]);
      return rowToMember({ ...before, role });
    });
  }

  async removeMember(groupId: string, id: string, audit: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockRow(trx, "groups", groupId); // membership changes of one group take turns
      const before = await trx
        .selectFrom("group_memberships")
        .select(["role"])
        .where("group_id", "=", groupId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (before === undefined) throw new LatchkeyError("NOT_FOUND", "No such membership.", { parameter: "id" });
      if (before.role === "owner") await requireAnotherOwner(trx, groupId, id);
      await trx.deleteFrom("group_memberships").where("group_id", "=", groupId).where("id", "=", id).execute();
      await appendAudit(trx, [audit]);
    });
  }

  async createAccount(account: GroupServiceAccount, audit: readonly AuditEvent[]): Promise<void> {
    await translateDriverErrors("A service account with this name exists in the group.", () =>
      this.db.transaction().execute(async (trx) => {
        await trx.insertInto("service_accounts").values(groupServiceAccountToRow(account)).execute();
        await appendAudit(trx, audit);
      }),
    );
  }

  private accounts(db: Db, groupId: string) {
    return db
      .selectFrom("service_accounts")
      .selectAll("service_accounts")
      .where("service_accounts.group_id", "=", groupId)
      .where("service_accounts.deleted_at", "is", null);
  }

  async getAccount(groupId: string, id: string): Promise<GroupServiceAccount | null> {
    const row = await this.accounts(this.db, groupId).where("service_accounts.id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToGroupServiceAccount(row);
  }

  async listAccounts(groupId: string, page: PageRequest): Promise<Page<GroupServiceAccount>> {
    return paginate(this.accounts(this.db, groupId), "service_accounts.id", page, rowToGroupServiceAccount);
  }

  async updateAccount(
    groupId: string,
    id: string,
    change: GroupServiceAccountChange,
    audit: AuditEvent,
  ): Promise<GroupServiceAccount | null> {
    return translateDriverErrors("A service account with this name exists in the group.", () =>
      this.db.transaction().execute(async (trx) => {
        if (!(await changeServiceAccount(trx, { column: "group_id", id: groupId }, id, change, audit))) return null;
        const row = await this.accounts(trx, groupId).where("service_accounts.id", "=", id).executeTakeFirstOrThrow();
        return rowToGroupServiceAccount(row);
      }),
    );
  }

  async deleteAccount(
    groupId: string,
    id: string,
    at: Date,
    eventFor: (key: ApiKey) => KeyEvent,
    audit: AuditEvent,
  ): Promise<boolean> {
    return this.db
      .transaction()
      .execute((trx) => retireServiceAccount(trx, { column: "group_id", id: groupId }, id, at, eventFor, audit));
  }
}

async function requireAnotherOwner(trx: Transaction<Database>, groupId: string, exceptId: string): Promise<void> {
  const row = await trx
    .selectFrom("group_memberships")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("group_id", "=", groupId)
    .where("role", "=", "owner")
    .where("id", "!=", exceptId)
    .executeTakeFirstOrThrow();
  if (Number(row.n) === 0) throw new LatchkeyError("CONFLICT", LAST_OWNER);
}
