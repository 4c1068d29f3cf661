import { LatchkeyError } from "./errors.js";
import { BUILT_IN_ROLE_GRANTS, intersectGrants, isBuiltInRole, normalizeGrants } from "./permissions.js";

/** A custom role of an org: a name and the permissions it grants. */
export interface CustomRole {
  id: string;
  orgId: string;
  name: string;
  description: string;
  permissions: string[];
  createdAt: Date;
}

/** A custom role's name: lower case, not a built-in role's. */
export const ROLE_NAME_PATTERN = "^[a-z][a-z0-9_-]{0,49}$";

/** A binding's scope: the whole group, the whole org, or one project of the org. */
export const ROLE_SCOPE_PATTERN =
  "^(group|org|project:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$";

/** A verification's `resource`: one project of the org. */
export const RESOURCE_PATTERN = "^project:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/** The most role/scope pairs a key or membership holds. */
export const MAX_ROLE_BINDINGS = 20;

/** A role bound at a scope (SPEC §1): a wider scope covers narrower ones. */
export interface RoleBinding {
  role: string;
  /** `group`, `org` or `project:<id>`. */
  scope: string;
}

/** The org's custom roles' grants by name, as the key lookup and sessions read them. */
export type CustomRoleGrants = Readonly<Record<string, readonly string[]>>;

/** No custom roles. */
export const NO_CUSTOM_ROLES: CustomRoleGrants = Object.freeze({});

/** The grants of a built-in or custom role; null for a role the org does not have (any more). */
export function roleGrants(role: string, custom: CustomRoleGrants): readonly string[] | null {
  if (isBuiltInRole(role)) return BUILT_IN_ROLE_GRANTS[role];
  return Object.hasOwn(custom, role) ? (custom[role] as readonly string[]) : null;
}

/** The project a scope or resource names, or null for `group` and `org`. */
export function projectOf(scope: string): string | null {
  return scope.startsWith("project:") ? scope.slice("project:".length) : null;
}

/** Whether a binding at `scope` covers `resource` (null: the org as a whole). */
function scopeCovers(scope: string, resource: string | null): boolean {
  return scope === "org" || scope === "group" || scope === resource;
}

/** Someone's rights in an org: grants that hold everywhere in it, and role/scope pairs. */
export interface Rights {
  grants: readonly string[];
  bindings: readonly RoleBinding[];
}

/** What `rights` hold at `resource` (null: the org as a whole): their grants and the covering bindings'. */
function rightsAt(rights: Rights, resource: string | null, custom: CustomRoleGrants): string[] {
  const out = [...rights.grants];
  for (const binding of rights.bindings) {
    if (!scopeCovers(binding.scope, resource)) continue;
    const grants = roleGrants(binding.role, custom);
    if (grants !== null) out.push(...grants);
  }
  return normalizeGrants(out);
}

/**
 * A key's effective permissions: what the key holds at each place, capped by what its owner holds
 * there now. `org` is the org as a whole; `projects` has an entry for each project some binding of the
 * key or the owner names (any other project has the org-wide figure).
 */
export interface EffectiveGrants {
  org: string[];
  projects: ReadonlyMap<string, string[]> | null;
}

/** The key's effective permissions at every place it or its owner has a binding for. */
export function effectiveGrants(key: Rights, owner: Rights, custom: CustomRoleGrants): EffectiveGrants {
  const org = intersectGrants(rightsAt(key, null, custom), rightsAt(owner, null, custom));
  const scopes = new Set<string>();
  for (const binding of [...key.bindings, ...owner.bindings]) {
    if (projectOf(binding.scope) !== null) scopes.add(binding.scope);
  }
  if (scopes.size === 0) return { org, projects: null };
  const projects = new Map<string, string[]>();
  for (const scope of scopes) {
    projects.set(scope, intersectGrants(rightsAt(key, scope, custom), rightsAt(owner, scope, custom)));
  }
  return { org, projects };
}

/**
 * The effective permissions at `resource` (`project:<id>`; any other scope or none: the org as a whole),
 * from the org-wide figure and the per-project ones of `EffectiveGrants`.
 */
export function grantsAt(
  org: string[],
  projects: ReadonlyMap<string, string[]> | null | undefined,
  resource: string | null | undefined,
): string[] {
  return (resource === null || resource === undefined ? undefined : projects?.get(resource)) ?? org;
}

function invalid(message: string, pointer: string): never {
  throw new LatchkeyError("VALIDATION_FAILED", message, { pointer });
}

const scopeRegex = new RegExp(ROLE_SCOPE_PATTERN);

/** Well-formed role/scope pairs, without duplicates, ids lower-cased; the roles and projects are checked by the caller. */
export function checkBindings(bindings: readonly RoleBinding[], pointer: string): RoleBinding[] {
  if (bindings.length > MAX_ROLE_BINDINGS) invalid(`At most ${MAX_ROLE_BINDINGS} role/scope pairs.`, pointer);
  const seen = new Set<string>();
  const out: RoleBinding[] = [];
  bindings.forEach((binding, i) => {
    const scope = typeof binding.scope === "string" ? binding.scope.toLowerCase() : "";
    if (!scopeRegex.test(scope)) invalid("scope must be group, org or project:<project id>.", `${pointer}/${i}/scope`);
    if (typeof binding.role !== "string" || binding.role.length === 0)
      invalid("role is required.", `${pointer}/${i}/role`);
    const id = `${binding.role} ${scope}`;
    if (!seen.has(id)) out.push({ role: binding.role, scope });
    seen.add(id);
  });
  return out;
}
