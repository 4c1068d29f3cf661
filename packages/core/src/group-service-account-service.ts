import { auditEventOf } from "./audit.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { groupAccess, requireGroupPermission, requireGroupRoleWithinOwn } from "./group-access.js";
import type { GroupServiceAccountChange } from "./group-store.js";
import { newId } from "./ids.js";
import { checkName } from "./key-input.js";
import type { GroupServiceAccount } from "./model.js";
import type { BuiltInRole } from "./permissions.js";
import type { Page, PageRequest, Store } from "./ports.js";
import type { Actor, Verifier } from "./verifier.js";

/** What a caller asks for when creating a group service account. */
export interface CreateGroupServiceAccountInput {
  name: string;
  role: BuiltInRole;
  authType?: string | undefined;
}

/**
 * Service accounts of a group: one account owns keys in any org of the group (each key is created in
 * one org, with `service_account_id`), where its role is its grants. Permissions are checked at group
 * scope (`service_accounts:read|write`). Changes are audited in the acting org; a role change or a
 * deletion drops the verified-key cache on every node, and a deletion revokes the account's keys in
 * every org, in the same transaction.
 */
export class GroupServiceAccountService {
  constructor(
    private readonly store: Store,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Creates an account whose role holds no more than the creator holds at group scope. */
  async create(actor: Actor, groupId: string, input: CreateGroupServiceAccountInput): Promise<GroupServiceAccount> {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "service_accounts:write");
    await requireGroupRoleWithinOwn(this.store, actor, access, input.role);
    if ((input.authType ?? "api_key") !== "api_key") {
      throw new LatchkeyError("VALIDATION_FAILED", "Group service accounts authenticate with API keys only.", {
        pointer: "/data/attributes/auth_type",
      });
    }
    const account: GroupServiceAccount = {
      id: newId(this.clock, this.random),
      groupId: access.group.id,
      name: checkName(input.name),
      role: input.role,
      authType: "api_key",
      accessTokenTtlSeconds: null,
      createdAt: this.clock.now(),
      createdBy: actor.principal,
    };
    await this.store.groups.createAccount(account, [
      auditEventOf(
        actor,
        actor.orgId,
        "service_account.created",
        { type: "service_account", id: account.id },
        {
          id: newId(this.clock, this.random),
          at: account.createdAt,
          detail: { name: account.name, role: account.role, auth_type: account.authType, group_id: account.groupId },
        },
      ),
    ]);
    return account;
  }

  /** The group's accounts, newest first. */
  async list(actor: Actor, groupId: string, page: PageRequest): Promise<Page<GroupServiceAccount>> {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "service_accounts:read");
    return this.store.groups.listAccounts(access.group.id, page);
  }

  /** One account of the group. */
  async get(actor: Actor, groupId: string, id: string): Promise<GroupServiceAccount> {
    return (await this.readable(actor, groupId, id)).account;
  }

  /** The actor's access to the group and one of its accounts, which the actor may read. */
  private async readable(actor: Actor, groupId: string, id: string) {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "service_accounts:read");
    const account = await this.store.groups.getAccount(access.group.id, id.toLowerCase());
    if (account === null) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
    return { access, account };
  }

  /** As `readable`, for an actor that may also change the group's accounts. */
  private async manageable(actor: Actor, groupId: string, id: string) {
    const found = await this.readable(actor, groupId, id);
    requireGroupPermission(found.access, "service_accounts:write");
    return found;
  }

  /** Renames an account or changes its role (its keys follow on the next request). */
  async update(
    actor: Actor,
    groupId: string,
    id: string,
    input: GroupServiceAccountChange,
  ): Promise<GroupServiceAccount> {
    const { access, account } = await this.manageable(actor, groupId, id);
    const change: GroupServiceAccountChange = {};
    if (input.name !== undefined) change.name = checkName(input.name);
    if (input.role !== undefined) {
      await requireGroupRoleWithinOwn(this.store, actor, access, account.role);
      await requireGroupRoleWithinOwn(this.store, actor, access, input.role);
      change.role = input.role;
    }
    const fields = Object.keys(change);
    if (fields.length === 0) return account;
    const updated = await this.store.groups.updateAccount(
      account.groupId,
      account.id,
      change,
      auditEventOf(
        actor,
        actor.orgId,
        "service_account.updated",
        { type: "service_account", id: account.id },
        {
          id: newId(this.clock, this.random),
          at: this.clock.now(),
          detail: { fields, group_id: account.groupId, ...(change.role && { from: account.role, to: change.role }) },
        },
      ),
    );
    if (updated === null) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
    if (change.role !== undefined) this.verifier.forgetAll();
    return updated;
  }

  /** Deletes an account; its keys in every org of the group are revoked in the same transaction. */
  async delete(actor: Actor, groupId: string, id: string): Promise<void> {
    const { account } = await this.manageable(actor, groupId, id);
    const now = this.clock.now();
    const deleted = await this.store.groups.deleteAccount(
      account.groupId,
      account.id,
      now,
      (key) => ({
        id: newId(this.clock, this.random),
        orgId: key.orgId,
        keyId: key.id,
        type: "revoked",
        actor: actor.principal,
        requestId: actor.requestId,
        ip: actor.ip,
        createdAt: now,
        detail: { reason: "service_account_deleted" },
      }),
      auditEventOf(
        actor,
        actor.orgId,
        "service_account.deleted",
        { type: "service_account", id: account.id },
        { id: newId(this.clock, this.random), at: now, detail: { name: account.name, group_id: account.groupId } },
      ),
    );
    this.verifier.forgetAll();
    if (!deleted) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
  }
}
