import { BUILT_IN_ROLE_GRANTS, BUILT_IN_ROLES, type BuiltInRole, holds, type LatchkeyPermission } from "@latchkey/core";

/**
 * What a /rest route needs: one of Latchkey's permissions in the org it names, or `self` (any valid
 * credential, acting on its own principal: its user, its tokens). Each route declares it in its schema
 * as `x-latchkey-permission`, so the OpenAPI document publishes it; the role table in the README and
 * the role matrix test are both derived from that document.
 */
export type RoutePermission = LatchkeyPermission | "self";

/** The OpenAPI extension that carries a route's permission. */
export const ROUTE_PERMISSION = "x-latchkey-permission";

declare module "fastify" {
  interface FastifySchema {
    /** What the route needs (see RoutePermission). */
    "x-latchkey-permission"?: RoutePermission;
  }
}

/** One /rest operation of the OpenAPI document and the permission it needs. */
export interface RouteRule {
  method: string;
  path: string;
  permission: RoutePermission;
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
      else rules.push({ method: method.toUpperCase(), path, permission: permission as RoutePermission });
    }
  }
  if (undeclared.length > 0) {
    throw new Error(`routes without ${ROUTE_PERMISSION} in their schema: ${undeclared.join(", ")}`);
  }
  return rules;
}

/** True when a member with built-in `role` may use a route needing `permission`. */
export function roleAllows(role: BuiltInRole, permission: RoutePermission): boolean {
  return permission === "self" || holds(BUILT_IN_ROLE_GRANTS[role], permission);
}

/** The README's table of every /rest route against every built-in role. */
export function roleTable(document: { paths?: object }): string {
  const header = `| route | needs | ${BUILT_IN_ROLES.map((role) => `\`${role}\``).join(" | ")} |`;
  const rule = `|---|---|${BUILT_IN_ROLES.map(() => ":-:").join("|")}|`;
  const rows = routeRules(document).map(({ method, path, permission }) => {
    const cells = BUILT_IN_ROLES.map((role) => (roleAllows(role, permission) ? "yes" : "—"));
    const needs = permission === "self" ? "own principal" : `\`${permission}\``;
    return `| \`${method} ${path}\` | ${needs} | ${cells.join(" | ")} |`;
  });
  return [header, rule, ...rows].join("\n");
}
