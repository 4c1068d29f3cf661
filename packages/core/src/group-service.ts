import { auditEventOf } from "./audit.js";
import { requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { groupAccess, requireGroupPermission, requireGroupRoleWithinOwn } from "./group-access.js";
import { newId } from "./ids.js";
import { checkName } from "./key-input.js";
import { DEFAULT_ORG_POLICY, type Group, type GroupMemberView, type Org } from "./model.js";
import type { Page, PageRequest, Store } from "./ports.js";
import type { Actor, Verifier } from "./verifier.js";

/** A slug for an org's name: lower-case words joined by `-`, made unique by a piece of the org's id. */
function slugOf(name: string, id: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  return `${base || "org"}-${id.replace(/-/g, "").slice(-8)}`;
}

/**
 * Groups: their orgs and memberships. A credential reaches only the group of its own org; a role held
 * in the group covers each of its orgs (see `groupAccess`). Group changes are audited in the acting
 * org (an org of the group), in the same transaction; changing or removing a membership drops the
 * verified-key cache on every node, so keys follow on the next request.
 */
export class GroupService {
  constructor(
    private readonly store: Store,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /**
   * The groups the caller can see: a credential acts in one org, so at most the group of that org.
   * Needs `org:read` in the org.
   */
  async list(actor: Actor): Promise<Group[]> {
    requirePermission(actor, "org:read");
    const group = await this.store.groups.ofOrg(actor.orgId);
    return group === null ? [] : [group];
  }

  /** The caller's group. Needs `org:read` at group scope. */
  async get(actor: Actor, groupId: string): Promise<Group> {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "org:read");
    return access.group;
  }

  /** The group's orgs. Needs `org:read` at group scope. */
  async orgs(actor: Actor, groupId: string, page: PageRequest): Promise<Page<Org>> {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "org:read");
    return this.store.groups.orgs(access.group.id, page);
  }

  /**
   * Creates an org in a group (default: the caller's), with the default policy. Needs `org:write` at
   * group scope; the creator gets no membership of the org: their group role already covers it.
   * Audited as `org.created` in the new org and in the acting org.
   */
  async createOrg(actor: Actor, input: { name: string; groupId?: string | undefined }): Promise<Org> {
    const own = await this.store.groups.ofOrg(actor.orgId);
    const access = await groupAccess(this.store, actor, input.groupId ?? own?.id ?? "");
    requireGroupPermission(access, "org:write");
    const id = newId(this.clock, this.random);
    const name = checkName(input.name);
    const at = this.clock.now();
    const org: Org = {
      id,
      groupId: access.group.id,
      name,
      slug: slugOf(name, id),
      policy: structuredClone({ ...DEFAULT_ORG_POLICY }),
      createdAt: at,
    };
    const detail = { name, group_id: access.group.id };
    const audit = [org.id, actor.orgId].map((orgId) =>
      auditEventOf(
        actor,
        orgId,
        "org.created",
        { type: "org", id },
        { id: newId(this.clock, this.random), at, detail },
      ),
    );
    await this.store.groups.createOrg(org, audit);
    return org;
  }

  /** The group's members, newest first. Needs `members:read` at group scope. */
  async listMembers(actor: Actor, groupId: string, page: PageRequest): Promise<Page<GroupMemberView>> {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "members:read");
    return this.store.groups.listMembers(access.group.id, page);
  }

  /** One membership of the group. Needs `members:read` at group scope. */
  async getMember(actor: Actor, groupId: string, id: string): Promise<GroupMemberView> {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "members:read");
    const member = await this.store.groups.getMember(access.group.id, id.toLowerCase());
    if (member === null) throw new LatchkeyError("NOT_FOUND", "No such membership.", { parameter: "id" });
    return member;
  }

  /**
   * Adds an existing user (by email) to the group. Needs `members:write` at group scope and a group
   * role at or above the one given (as for org memberships: `requireRoleWithinOwn`).
   */
  async addMember(actor: Actor, groupId: string, input: { email: string; role: string }): Promise<GroupMemberView> {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "members:write");
    const role = await requireGroupRoleWithinOwn(this.store, actor, access, input.role);
    const email = input.email.trim().toLowerCase();
    const id = newId(this.clock, this.random);
    const at = this.clock.now();
    const added = await this.store.groups.addMember(
      { id, groupId: access.group.id, email, role, createdAt: at },
      (userId) =>
        auditEventOf(
          actor,
          actor.orgId,
          "group_membership.created",
          { type: "group_membership", id },
          { id: newId(this.clock, this.random), at, detail: { group_id: access.group.id, user_id: userId, role } },
        ),
    );
    if (added === null) {
      throw new LatchkeyError("NOT_FOUND", "No user has this email address.", { pointer: "/data/attributes/email" });
    }
    this.verifier.forgetAll();
    return added;
  }

  /** Gives a group member another role. Needs `members:write` and a group role at or above both roles. */
  async setMemberRole(actor: Actor, groupId: string, id: string, newRole: string): Promise<GroupMemberView> {
    const { access, member } = await this.manageable(actor, groupId, id);
    const role = await requireGroupRoleWithinOwn(this.store, actor, access, newRole);
    if (member.role === role) return member;
    const updated = await this.store.groups.setMemberRole(
      access.group.id,
      member.id,
      role,
      auditEventOf(
        actor,
        actor.orgId,
        "group_membership.updated",
        { type: "group_membership", id: member.id },
        {
          id: newId(this.clock, this.random),
          at: this.clock.now(),
          detail: { group_id: access.group.id, user_id: member.userId, from: member.role, to: role },
        },
      ),
    );
    this.verifier.forgetAll();
    return updated;
  }

  /** Removes a group member: the rights their group role gave stop on the next request. */
  async removeMember(actor: Actor, groupId: string, id: string): Promise<void> {
    const { access, member } = await this.manageable(actor, groupId, id);
    await this.store.groups.removeMember(
      access.group.id,
      member.id,
      auditEventOf(
        actor,
        actor.orgId,
        "group_membership.deleted",
        { type: "group_membership", id: member.id },
        {
          id: newId(this.clock, this.random),
          at: this.clock.now(),
          detail: { group_id: access.group.id, user_id: member.userId, role: member.role },
        },
      ),
    );
    this.verifier.forgetAll();
  }

  private async manageable(actor: Actor, groupId: string, id: string) {
    const access = await groupAccess(this.store, actor, groupId);
    requireGroupPermission(access, "members:read");
    const member = await this.store.groups.getMember(access.group.id, id.toLowerCase());
    if (member === null) throw new LatchkeyError("NOT_FOUND", "No such membership.", { parameter: "id" });
    requireGroupPermission(access, "members:write");
    await requireGroupRoleWithinOwn(this.store, actor, access, member.role);
    return { access, member };
  }
}
