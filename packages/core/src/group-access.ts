import { requireRoleWithinOwn, roleInGroup } from "./actor-role.js";
import { LatchkeyError } from "./errors.js";
import type { Group } from "./model.js";
import {
  BUILT_IN_ROLES,
  type BuiltInRole,
  grantsOfRole,
  holds,
  intersectGrants,
  isBuiltInRole,
  normalizeGrants,
} from "./permissions.js";
import type { Store } from "./ports.js";
import type { Actor } from "./verifier.js";

/** What an actor may do in a group: its role there and its grants at group scope. */
export interface GroupAccess {
  group: Group;
  /** The principal's role in the group (null: none, so no rights at group scope). */
  role: string | null;
  /**
   * The actor's grants at group scope: the credential's own, capped by the principal's group role (a
   * key's grants are already capped by its owner's roles, so intersecting them with the group role's
   * leaves what the key holds of it). A session is not narrowed by a key: its group role's grants.
   * An org role alone gives nothing here, and a standalone org key holds nothing.
   */
  grants: string[];
}

/**
 * The actor's access to a group. A credential acts in one org; the group is reachable only when that
 * org belongs to it: any other group answers 404, exactly as a group that does not exist.
 */
export async function groupAccess(store: Pick<Store, "groups">, actor: Actor, groupId: string): Promise<GroupAccess> {
  const group = await store.groups.ofOrg(actor.orgId);
  if (group === null || group.id !== groupId.toLowerCase()) {
    throw new LatchkeyError("NOT_FOUND", "No such group.", { parameter: "group_id" });
  }
  const role = await roleInGroup(store, group.id, actor);
  // No role in the group: no grants (grantsOfRole(null) is empty).
  const roleGrants = grantsOfRole(role);
  const grants =
    actor.sessionId !== undefined ? normalizeGrants(roleGrants) : intersectGrants(actor.grants, roleGrants);
  return { group, role, grants };
}

/** Throws FORBIDDEN unless the access holds `permission` at group scope. */
export function requireGroupPermission(access: GroupAccess, permission: string): void {
  if (!holds(access.grants, permission)) {
    throw new LatchkeyError("FORBIDDEN", `This request needs the permission ${permission} in the group.`);
  }
}

/**
 * Refuses a role a group cannot give (groups have the built-in roles only: VALIDATION_FAILED) or one
 * beyond what the actor holds and ranks at group scope (PERMISSION_ESCALATION: `requireRoleWithinOwn`,
 * with the actor's group grants and group role). One rule for group memberships and group service accounts.
 */
export async function requireGroupRoleWithinOwn(
  store: Pick<Store, "users" | "serviceAccounts" | "roles" | "groups">,
  actor: Actor,
  access: GroupAccess,
  role: string,
): Promise<BuiltInRole> {
  const pointer = "/data/attributes/role";
  if (!isBuiltInRole(role)) {
    throw new LatchkeyError("VALIDATION_FAILED", `role must be one of ${BUILT_IN_ROLES.join(", ")}.`, { pointer });
  }
  await requireRoleWithinOwn(store, { ...actor, grants: access.grants }, role, pointer, access.role);
  return role;
}
