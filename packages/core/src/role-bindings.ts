import { LatchkeyError } from "./errors.js";
import { isBuiltInRole, missingPermissions } from "./permissions.js";
import type { Store } from "./ports.js";
import {
  type CustomRoleGrants,
  checkBindings,
  type EffectiveGrants,
  effectiveGrants,
  grantsAt,
  NO_CUSTOM_ROLES,
  projectOf,
  type RoleBinding,
  roleGrants,
} from "./roles.js";
import type { Actor } from "./verifier.js";

/** The org's custom roles, read only when one of `roles` is not built in (built-in grants need no query). */
export async function customRolesFor(
  store: Pick<Store, "roles">,
  orgId: string,
  roles: readonly string[],
): Promise<CustomRoleGrants> {
  return roles.every(isBuiltInRole) ? NO_CUSTOM_ROLES : store.roles.grants(orgId);
}

/** The grants of a role the org has, or VALIDATION_FAILED naming the field. */
export function requireRole(role: string, custom: CustomRoleGrants, pointer: string): readonly string[] {
  const grants = roleGrants(role, custom);
  if (grants === null) {
    throw new LatchkeyError("VALIDATION_FAILED", `The org has no role named ${role}; see GET /orgs/{org_id}/roles.`, {
      pointer,
    });
  }
  return grants;
}

/**
 * Checks role/scope pairs that the actor hands out (to a key or a membership): well-formed, naming roles
 * and projects the actor's org has, and each role within what the actor holds at that scope
 * (403 PERMISSION_ESCALATION otherwise). Returns them normalized.
 */
export async function checkGrantedBindings(
  store: Pick<Store, "roles" | "projects">,
  actor: Actor,
  bindings: readonly RoleBinding[],
  pointer: string,
): Promise<RoleBinding[]> {
  const checked = checkBindings(bindings, pointer);
  if (checked.length === 0) return checked;
  const custom = await customRolesFor(
    store,
    actor.orgId,
    checked.map((binding) => binding.role),
  );
  const projectIds = checked.map((binding) => projectOf(binding.scope)).filter((id) => id !== null);
  const existing = projectIds.length > 0 ? await store.projects.existing(actor.orgId, projectIds) : new Set<string>();
  checked.forEach((binding, i) => {
    const grants = requireRole(binding.role, custom, `${pointer}/${i}/role`);
    const project = projectOf(binding.scope);
    if (project !== null && !existing.has(project)) {
      throw new LatchkeyError("VALIDATION_FAILED", "The org has no such project; see GET /orgs/{org_id}/projects.", {
        pointer: `${pointer}/${i}/scope`,
      });
    }
    const missing = missingPermissions(grantsAt(actor.grants, actor.projectGrants, binding.scope), grants);
    if (missing.length > 0) {
      throw new LatchkeyError(
        "PERMISSION_ESCALATION",
        `The role ${binding.role} at ${binding.scope} holds permissions you do not there: ${missing.join(", ")}.`,
        { pointer: `${pointer}/${i}` },
      );
    }
  });
  return checked;
}

/**
 * What a member holds in an org: their org role's grants everywhere in it, their role in the org's group
 * (which covers the org too), and their role/scope pairs.
 */
export async function memberGrants(
  store: Pick<Store, "roles">,
  orgId: string,
  membership: { role: string; roles: readonly RoleBinding[] } | null,
  groupRole: string | null = null,
): Promise<EffectiveGrants> {
  const bindings: RoleBinding[] = [];
  if (membership !== null) bindings.push({ role: membership.role, scope: "org" }, ...membership.roles);
  if (groupRole !== null) bindings.push({ role: groupRole, scope: "group" });
  const custom = await customRolesFor(
    store,
    orgId,
    bindings.map((binding) => binding.role),
  );
  return effectiveGrants({ grants: ["*"], bindings: [] }, { grants: [], bindings }, custom);
}

/**
 * Refuses (403 PERMISSION_ESCALATION) a role that holds permissions the actor does not, as when the
 * actor gives a service account a role or takes a secret for it; an unknown role is VALIDATION_FAILED.
 */
export async function requireRoleGrantsHeld(
  store: Pick<Store, "roles">,
  actor: Actor,
  role: string,
  pointer?: string,
): Promise<readonly string[]> {
  const grants = requireRole(
    role,
    await customRolesFor(store, actor.orgId, [role]),
    pointer ?? "/data/attributes/role",
  );
  const missing = missingPermissions(actor.grants, grants);
  if (missing.length > 0) {
    throw new LatchkeyError(
      "PERMISSION_ESCALATION",
      `The role ${role} holds permissions you do not: ${missing.join(", ")}.`,
      pointer === undefined ? undefined : { pointer },
    );
  }
  return grants;
}
