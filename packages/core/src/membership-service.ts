import { actorRole, requireRank, requireRoleWithinOwn } from "./actor-role.js";
import { auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import type { MemberView } from "./model.js";
import type { Page, PageRequest, Store } from "./ports.js";
import { checkGrantedBindings } from "./role-bindings.js";
import type { RoleBinding } from "./roles.js";
import type { Actor, Verifier } from "./verifier.js";

const ROLE = "/data/attributes/role";
const ROLES = "/data/attributes/roles";

function sameBindings(a: readonly RoleBinding[], b: readonly RoleBinding[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Who belongs to an org and with which role. Changing or removing a membership changes, on the next
 * request, what that person's personal keys may do (the verified-key cache is dropped on every node).
 */
export class MembershipService {
  constructor(
    private readonly store: Store,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** The org's members, newest first. Needs `members:read`. */
  async list(actor: Actor, orgId: string, page: PageRequest): Promise<Page<MemberView>> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:read");
    return this.store.memberships.list(actor.orgId, page);
  }

  /** One membership of the org. Needs `members:read`. */
  async get(actor: Actor, orgId: string, id: string): Promise<MemberView> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:read");
    const member = await this.store.memberships.get(actor.orgId, id.toLowerCase());
    if (member === null) throw new LatchkeyError("NOT_FOUND", "No such membership.", { parameter: "id" });
    return member;
  }

  /**
   * Adds an existing user (by email) with a role. New people are invited instead. Needs `members:write`
   * and a role at or above the one given.
   */
  async add(
    actor: Actor,
    orgId: string,
    input: { email: string; role: string; roles?: RoleBinding[] | undefined },
  ): Promise<MemberView> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:write");
    const role = input.role;
    await requireRoleWithinOwn(this.store, actor, role, ROLE);
    const roles = await this.checkBindings(actor, input.roles ?? []);
    const email = input.email.trim().toLowerCase();
    const id = newId(this.clock, this.random);
    const at = this.clock.now();
    const added = await this.store.memberships.add(
      { id, orgId: actor.orgId, email, role, roles, createdAt: at },
      (userId) =>
        auditEventOf(
          actor,
          actor.orgId,
          "membership.created",
          { type: "membership", id },
          { id: newId(this.clock, this.random), at, detail: { user_id: userId, role, roles } },
        ),
    );
    if (added === null) {
      throw new LatchkeyError("NOT_FOUND", "No user has this email address; invite them instead.", {
        pointer: "/data/attributes/email",
      });
    }
    return added;
  }

  /**
   * Gives a member another role, or other role/scope pairs. Needs `members:write`, a role at or above
   * both roles, and every pair within what the actor holds at its scope.
   */
  async update(
    actor: Actor,
    orgId: string,
    id: string,
    input: { role?: string | undefined; roles?: RoleBinding[] | undefined },
  ): Promise<MemberView> {
    const member = await this.manageable(actor, orgId, id);
    const role = input.role ?? member.role;
    await requireRoleWithinOwn(this.store, actor, role, ROLE);
    const roles = input.roles === undefined ? member.roles : await this.checkBindings(actor, input.roles);
    if (member.role === role && sameBindings(member.roles, roles)) return member;
    const at = this.clock.now();
    const updated = await this.store.memberships.setRoles(
      member.orgId,
      member.id,
      role,
      roles,
      auditEventOf(
        actor,
        member.orgId,
        "membership.updated",
        { type: "membership", id: member.id },
        {
          id: newId(this.clock, this.random),
          at,
          detail: { user_id: member.userId, from: member.role, to: role, roles },
        },
      ),
    );
    this.verifier.forgetAll();
    return updated;
  }

  /** Removes a member; their personal keys stop working in this org at once. Needs `members:write`. */
  async remove(actor: Actor, orgId: string, id: string): Promise<void> {
    const member = await this.manageable(actor, orgId, id);
    await this.store.memberships.remove(
      member.orgId,
      member.id,
      auditEventOf(
        actor,
        member.orgId,
        "membership.deleted",
        { type: "membership", id: member.id },
        {
          id: newId(this.clock, this.random),
          at: this.clock.now(),
          detail: { user_id: member.userId, role: member.role },
        },
      ),
    );
    this.verifier.forgetAll();
  }

  private async manageable(actor: Actor, orgId: string, id: string): Promise<MemberView> {
    const member = await this.get(actor, orgId, id);
    requirePermission(actor, "members:write");
    await requireRoleWithinOwn(this.store, actor, member.role, ROLE);
    // Nobody manages a member whose role/scope pairs hold more than they do.
    await this.checkBindings(actor, member.roles);
    return member;
  }

  /** Role/scope pairs the actor may hand out: each within its rights at the scope, and ranked at most its own. */
  private async checkBindings(actor: Actor, bindings: RoleBinding[]): Promise<RoleBinding[]> {
    const checked = await checkGrantedBindings(this.store, actor, bindings, ROLES);
    if (checked.length === 0) return checked;
    const own = await actorRole(this.store, actor);
    for (const [i, binding] of checked.entries()) {
      await requireRank(this.store, actor, binding.role, `${ROLES}/${i}`, own);
    }
    return checked;
  }
}
