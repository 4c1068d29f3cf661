import { BUILT_IN_ROLE_GRANTS, BUILT_IN_ROLES, holds, type LatchkeyPermission } from "@latchkey/core";

/**
 * What a /rest route needs: one of Latchkey's permissions in the org it names, or `self` (any valid
 * credential, acting on its own principal: its user, its tokens). Each route declares it in its schema
 * as `x-latchkey-permission`, so the OpenAPI document publishes it; the role table in the README and
 * the role matrix test are both derived from that document.
 */
export type RoutePermission = LatchkeyPermission | "self";

/** The OpenAPI extension that carries a route's permission. */
export const ROUTE_PERMISSION = "x-latchkey-permission";
/**
 * The OpenAPI extension that marks a route whose permission is checked at group scope: against the
 * role the caller's principal holds in the group of the caller's org (an org role gives nothing there).
 */
export const ROUTE_SCOPE = "x-latchkey-scope";

declare module "fastify" {
  interface FastifySchema {
    /** What the route needs (see RoutePermission). */
    "x-latchkey-permission"?: RoutePermission;
    /** `group`: the permission is needed in the group (see ROUTE_SCOPE); absent: in the org. */
    "x-latchkey-scope"?: "group";
  }
}

/** One /rest operation of the OpenAPI document and the permission it needs. */
export interface RouteRule {
  method: string;
  path: string;
  permission: RoutePermission;
  /** Where the permission is needed: the org the route names (or the credential's), or its group. */
  scope: "org" | "group";
}

type Operations = Record<string, Record<string, Record<string, unknown>>>;

/** The /rest operations of an OpenAPI document with their permissions; a route without one is an error. */
export function routeRules(document: { paths?: object }): RouteRule[] {
  const rules: RouteRule[] = [];
  const undeclared: string[] = [];
  for (const [path, operations] of Object.entries((document.paths ?? {}) as Operations)) {
    if (!path.startsWith("/rest/")) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const permission = operation[ROUTE_PERMISSION];
      if (typeof permission !== "string") undeclared.push(`${method.toUpperCase()} ${path}`);
      else {
        const scope = operation[ROUTE_SCOPE] === "group" ? "group" : "org";
        rules.push({ method: method.toUpperCase(), path, permission: permission as RoutePermission, scope });
      }
    }
  }
  if (undeclared.length > 0) {
    throw new Error(`routes without ${ROUTE_PERMISSION} in their schema: ${undeclared.join(", ")}`);
  }
  return rules;
}

/**
 * The custom role the published table (and the role matrix test) shows beside the built-in ones: an
 * example of what an org may define with `POST /rest/orgs/{org_id}/roles`.
 */
export const EXAMPLE_CUSTOM_ROLE = {
  name: "auditor",
  description: "Reads keys, usage and the audit log; verifies keys",
  permissions: ["org:read", "api_keys:read", "api_keys:verify", "audit:read", "usage:read", "webhooks:read"],
} as const;

/** The roles of the table: the built-in ones and the example custom role, with their grants. */
export const TABLE_ROLES: readonly { name: string; label: string; grants: readonly string[] }[] = [
  ...BUILT_IN_ROLES.map((role) => ({ name: role, label: `\`${role}\``, grants: BUILT_IN_ROLE_GRANTS[role] })),
  {
    name: EXAMPLE_CUSTOM_ROLE.name,
    label: `custom \`${EXAMPLE_CUSTOM_ROLE.name}\`¹`,
    grants: EXAMPLE_CUSTOM_ROLE.permissions,
  },
];

/** What the table says of a role and a route: a group-scope route is open to built-in (group) roles only. */
export function tableAllows(role: (typeof TABLE_ROLES)[number], route: RouteRule): boolean {
  if (route.scope === "group" && role.name === EXAMPLE_CUSTOM_ROLE.name) return false;
  return roleAllows(role.grants, route.permission);
}

/** True when a member whose role grants `grants` may use a route needing `permission`. */
export function roleAllows(grants: readonly string[], permission: RoutePermission): boolean {
  return permission === "self" || holds(grants, permission);
}

/**
 * The README's table of every /rest route against every built-in role and the example custom role. For
 * a route needed "in the group", the role is the one held in the group (a group membership, built-in
 * roles only), not in the org.
 */
export function roleTable(document: { paths?: object }): string {
  const header = `| route | needs | ${TABLE_ROLES.map((role) => role.label).join(" | ")} |`;
  const rule = `|---|---|${TABLE_ROLES.map(() => ":-:").join("|")}|`;
  const rows = routeRules(document).map((route) => {
    const { method, path, permission, scope } = route;
    const cells = TABLE_ROLES.map((role) => (tableAllows(role, route) ? "yes" : "—"));
    const needs =
      permission === "self" ? "own principal" : `\`${permission}\`${scope === "group" ? " in the group" : ""}`;
    return `| \`${method} ${path}\` | ${needs} | ${cells.join(" | ")} |`;
  });
  const note = `¹ A custom role, as an org may define one: ${EXAMPLE_CUSTOM_ROLE.permissions.map((p) => `\`${p}\``).join(", ")}.`;
  return [header, rule, ...rows, "", note].join("\n");
}
