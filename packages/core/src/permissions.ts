/**
 * Permissions are `resource:action` strings. A grant may use `*` for the resource, the action or both
 * (`api_keys:*`, `*:read`, `*`), and covers every permission it matches.
 */

/** Latchkey's own permissions, with the descriptions the docs and the catalogue publish. */
export const LATCHKEY_PERMISSIONS = {
  "org:read": "See the org and its settings",
  "org:write": "Change the org's name and policy",
  "api_keys:read": "List and see the org's API keys (never their secrets)",
  "api_keys:write": "Create, change, regenerate, disable, revoke and delete the org's API keys",
  "api_keys:verify": "Verify keys of the org through POST /rest/api_keys/verify",
  "service_accounts:read": "List and see service accounts",
  "service_accounts:write": "Create, change and delete service accounts",
  "secrets:list": "List vault secrets and see their names and dates (never their values)",
  "secrets:read": "Read secret values from the vault (every read is audited)",
  "secrets:write": "Store and delete vault secrets, and save new keys into the vault",
  "members:read": "List the org's members and roles",
  "members:write": "Invite, change and remove members and roles",
  "audit:read": "Read and export the audit log",
  "usage:read": "Read usage figures",
  "webhooks:read": "List webhooks and their deliveries",
  "webhooks:write": "Create, change and delete webhooks",
} as const satisfies Record<string, string>;

/** One of Latchkey's own permissions. */
export type LatchkeyPermission = keyof typeof LATCHKEY_PERMISSIONS;

/** A permission or grant: `resource:action` where either part may be `*`, or `*` alone. */
export const PERMISSION_PATTERN = "^(\\*|(\\*|[a-z][a-z0-9_.-]{0,49}):(\\*|[a-z][a-z0-9_.-]{0,49}))$";

const permissionRegex = new RegExp(PERMISSION_PATTERN);

/** True when `value` is a well-formed permission or grant. */
export function isPermission(value: string): boolean {
  return permissionRegex.test(value);
}

function split(grant: string): [string, string] {
  if (grant === "*") return ["*", "*"];
  const at = grant.indexOf(":");
  // A string without a colon is no permission: it matches nothing but itself.
  return at === -1 ? [grant, ""] : [grant.slice(0, at), grant.slice(at + 1)];
}

function join(resource: string, action: string): string {
  return resource === "*" && action === "*" ? "*" : `${resource}:${action}`;
}

function partCovers(grant: string, wanted: string): boolean {
  return grant === "*" || grant === wanted;
}

/** True when `grant` covers `wanted` (itself a permission or a grant). */
export function grantCovers(grant: string, wanted: string): boolean {
  // The usual cases without building strings: the same permission, the `*` grant, or two permissions
  // with a colon and no wildcard in the grant, which cover each other only when they are the same.
  if (grant === wanted || grant === "*") return true;
  if (!grant.includes("*") && grant.includes(":") && wanted.includes(":")) return false;
  const [gr, ga] = split(grant);
  const [wr, wa] = split(wanted);
  return partCovers(gr, wr) && partCovers(ga, wa);
}

/** True when some grant of `grants` covers `wanted`. */
export function holds(grants: readonly string[], wanted: string): boolean {
  return grants.some((grant) => grantCovers(grant, wanted));
}

/** The permissions of `wanted` that `grants` does not cover. */
export function missingPermissions(grants: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((permission) => !holds(grants, permission));
}

function intersectPart(a: string, b: string): string | null {
  if (a === "*") return b;
  if (b === "*" || a === b) return a;
  return null;
}

/**
 * The grants that both sets hold: what a key may do when its own permissions are capped by what its
 * owner holds now. Redundant entries are dropped and the result is sorted.
 */
export function intersectGrants(a: readonly string[], b: readonly string[]): string[] {
  if (a.length === 1 && a[0] === "*") return normalizeGrants(b);
  if (b.length === 1 && b[0] === "*") return normalizeGrants(a);
  const out = new Set<string>();
  for (const x of a) {
    const [xr, xa] = split(x);
    for (const y of b) {
      const [yr, ya] = split(y);
      const resource = intersectPart(xr, yr);
      const action = intersectPart(xa, ya);
      if (resource !== null && action !== null) out.add(join(resource, action));
    }
  }
  return normalizeGrants([...out]);
}

/** Drops duplicates and grants covered by another one; sorts the rest. */
export function normalizeGrants(grants: readonly string[]): string[] {
  if (grants.length === 0) return [];
  if (grants.length === 1) return [join(...split(grants[0] as string))];
  const unique = [...new Set(grants.map((grant) => join(...split(grant))))];
  return unique.filter((g) => !unique.some((other) => other !== g && grantCovers(other, g))).sort();
}

/** The built-in roles, most powerful first. */
export const BUILT_IN_ROLES = ["owner", "super_admin", "admin", "member", "viewer"] as const;

/** A built-in role name. */
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

const VIEWER_GRANTS = [
  "org:read",
  "api_keys:read",
  "service_accounts:read",
  "members:read",
  "usage:read",
  "webhooks:read",
  "secrets:list",
];

/**
 * What each built-in role holds in its org. Owners, super admins and admins hold every permission
 * (Latchkey's and the org's product permissions); members may also verify keys; viewers only read.
 * Everyone, whatever their role, manages their own personal tokens.
 */
export const BUILT_IN_ROLE_GRANTS: Readonly<Record<BuiltInRole, readonly string[]>> = {
  owner: ["*"],
  super_admin: ["*"],
  admin: ["*"],
  member: [...VIEWER_GRANTS, "api_keys:verify"],
  viewer: VIEWER_GRANTS,
};

/** True when `role` is a built-in role name. */
export function isBuiltInRole(role: string): role is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(role);
}

/** The grants of a role, or none for an unknown role. */
export function grantsOfRole(role: string | null): readonly string[] {
  return role !== null && isBuiltInRole(role) ? BUILT_IN_ROLE_GRANTS[role] : [];
}
