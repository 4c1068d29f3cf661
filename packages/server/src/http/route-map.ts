import { readFileSync } from "node:fs";
import { isPermission } from "@latchkey/core";

/**
 * The route map of forward auth (`LATCHKEY_AUTH_ROUTES`): which permissions a request to the protected
 * service needs, by method and path. A JSON array of rules, tried in order; the first match wins:
 *
 *   [{"method": "GET", "path": "/jobs/:id", "permissions": ["jobs:read"]},
 *    {"method": "*", "path": "/admin/*", "permissions": ["admin:write"]}]
 *
 * `method` is an HTTP method or `*` (any); a `GET` rule also covers `HEAD`. `path` starts with `/`; a
 * segment `:name` matches one non-empty segment, and a last segment `*` matches the rest of the path,
 * including nothing (`/jobs/*` matches `/jobs`, `/jobs/1` and `/jobs/1/logs`). Paths are compared
 * after dropping the query string, decoding percent-escapes and resolving `.`, `..` and repeated
 * slashes, as nginx does, so `/jobs/%2e%2e/admin` is checked as `/admin`.
 */
export interface RouteRule {
  method: string;
  path: string;
  permissions: string[];
}

/** A loaded route map: what a request needs. */
export interface RouteMap {
  readonly rules: readonly RouteRule[];
  /** The permissions of the first rule matching `method` and `path` (a raw URI); none when no rule does. */
  permissionsFor(method: string, uri: string): readonly string[];
}

/** The environment variable that names the route map file. */
export const ROUTE_MAP_VARIABLE = "LATCHKEY_AUTH_ROUTES";

/** A route map that cannot be used; the message names `LATCHKEY_AUTH_ROUTES`, the file and the fault. */
export class RouteMapError extends Error {
  constructor(
    /** The file (or other source) the route map came from. */
    readonly source: string,
    /** What is wrong with it. */
    readonly fault: string,
  ) {
    super(`${ROUTE_MAP_VARIABLE} (${source}): ${fault}`);
    this.name = "RouteMapError";
  }
}

const METHOD = /^[A-Z]{1,20}$/;
const PARAMETER = /^:[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_RULES = 10_000;
const MAX_PERMISSIONS = 100;

interface CompiledRule {
  rule: RouteRule;
  pattern: RegExp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A rule's path as a regular expression over normalized paths; throws a message on a bad pattern. */
function compilePath(path: string): RegExp {
  if (!path.startsWith("/")) throw new Error("must start with /");
  if (/[?#\s]/.test(path)) throw new Error("must be a path without query, fragment or spaces");
  const segments = normalizePath(path) === "/" ? [] : path.slice(1).replace(/\/$/, "").split("/");
  let source = "";
  segments.forEach((segment, index) => {
    if (segment === "*") {
      if (index !== segments.length - 1) throw new Error("may have * only as its last segment");
      source += "(?:/.*)?";
    } else if (segment.startsWith(":")) {
      if (!PARAMETER.test(segment)) throw new Error(`has a bad parameter "${segment}" (use :name)`);
      source += "/[^/]+";
    } else if (segment.includes("*")) {
      throw new Error("may have * only as a whole last segment");
    } else if (segment === "" || segment === "." || segment === "..") {
      throw new Error("may not have empty, . or .. segments");
    } else {
      source += `/${escapeRegExp(decodeEscapes(segment))}`;
    }
  });
  return new RegExp(`^${source === "" ? "/" : `${source}/?`}$`);
}

/** Decodes every run of valid percent-escapes; a run that is not UTF-8, or a malformed escape, stays as it is. */
function decodeEscapes(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * The path of a raw request URI as the protected service sees it: no query or fragment, percent-escapes
 * decoded, `.` and `..` resolved, repeated slashes merged. An absolute URI keeps only its path.
 */
export function normalizePath(uri: string): string {
  let path = uri;
  const cut = path.search(/[?#]/);
  if (cut !== -1) path = path.slice(0, cut);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  // Escapes are decoded before splitting, as nginx does: `%2F` is a slash and `%2e%2e` is `..`.
  const out: string[] = [];
  for (const segment of decodeEscapes(path).split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `/${out.join("/")}`;
}

/** Parses and checks a route map's text; throws RouteMapError naming `source` and the fault. */
export function parseRouteMap(text: string, source: string): RouteMap {
  const fail = (fault: string): never => {
    throw new RouteMapError(source, fault);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) return fail('must be a JSON array of {"method", "path", "permissions"} rules');
  if (parsed.length > MAX_RULES) return fail(`has more than ${MAX_RULES} rules`);
  const compiled: CompiledRule[] = parsed.map((entry: unknown, index): CompiledRule => {
    const where = `rule ${index + 1}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return fail(`${where} is not an object`);
    const { method, path, permissions, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) return fail(`${where} has unknown field "${unknown[0]}"`);
    if (typeof method !== "string" || !(method === "*" || METHOD.test(method.toUpperCase()))) {
      return fail(`${where}: "method" must be an HTTP method such as "GET", or "*"`);
    }
    if (typeof path !== "string") return fail(`${where}: "path" must be a string such as "/jobs/:id"`);
    let pattern: RegExp;
    try {
      pattern = compilePath(path);
    } catch (error) {
      return fail(`${where}: "path" ${(error as Error).message}`);
    }
    if (!Array.isArray(permissions) || permissions.length > MAX_PERMISSIONS) {
      return fail(`${where}: "permissions" must be an array of up to ${MAX_PERMISSIONS} permissions`);
    }
    for (const permission of permissions) {
      if (typeof permission !== "string" || !isPermission(permission)) {
        return fail(`${where}: "permissions" holds ${JSON.stringify(permission)}, which is not resource:action`);
      }
    }
    return {
      rule: { method: method.toUpperCase(), path, permissions: [...(permissions as string[])] },
      pattern,
    };
  });
  return {
    rules: compiled.map(({ rule }) => rule),
    permissionsFor(method, uri) {
      if (compiled.length === 0) return [];
      const wanted = method.toUpperCase();
      const path = normalizePath(uri);
      for (const { rule, pattern } of compiled) {
        const methodMatches =
          rule.method === "*" || rule.method === wanted || (rule.method === "GET" && wanted === "HEAD");
        if (methodMatches && pattern.test(path)) return rule.permissions;
      }
      return [];
    },
  };
}

/** Reads and checks the route map file at `path`; throws RouteMapError naming it and the fault. */
export function loadRouteMap(path: string): RouteMap {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RouteMapError(path, `cannot read the file${code ? ` (${code})` : ""}`);
  }
  return parseRouteMap(text, path);
}
