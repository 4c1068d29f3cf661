import { isPermission, type VerifyOutcome } from "@latchkey/core";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { credentialOf } from "../http/credentials.js";
import { sendError } from "../http/errors.js";
import { loadRouteMap, type RouteMap } from "../http/route-map.js";

/** Options of the forward-auth routes. */
export interface AuthCheckOptions {
  /** The route map file (`LATCHKEY_AUTH_ROUTES`); none: only `X-Latchkey-Require` asks for permissions. */
  routesFile?: string | undefined;
}

const PREFIX = "/auth/check";
const NO_PERMISSIONS: readonly string[] = [];
/** Retry-After for a spent quota that never refills: it will not pass again, so ask for a day. */
const NO_REFILL_RETRY_SECONDS = 86_400;

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === "" ? undefined : first;
}

/** Seconds from `nowMs` to `untilMs`, at least 1 (for Retry-After) or 0 (for RateLimit-Reset). */
function secondsUntil(untilMs: number, nowMs: number, least: number): number {
  return Math.max(least, Math.ceil((untilMs - nowMs) / 1000));
}

/** The start of the next UTC day or month after `now`. */
function nextRefill(interval: "day" | "month", now: Date): number {
  return interval === "day"
    ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)
    : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
}

/**
 * Forward auth for nginx `auth_request`, Traefik ForwardAuth and Envoy ext_authz (SPEC §5), any
 * method, outside /rest and unversioned. `/auth/check` takes the original request from
 * `X-Original-Method`/`X-Forwarded-Method` and `X-Original-URI`/`X-Forwarded-Uri`;
 * `/auth/check/<path>` (Envoy's `path_prefix`) is the original request itself. The permissions
 * needed are those of `X-Latchkey-Require` (comma-separated) plus the route map's. The client address
 * is `request.ip`: set LATCHKEY_TRUST_PROXY=true so that it is the proxy's `X-Forwarded-For`.
 */
export const authCheckRoutes: FastifyPluginAsync<AuthCheckOptions> = async (app, options) => {
  const routeMap: RouteMap | null =
    options.routesFile === undefined || options.routesFile === "" ? null : loadRouteMap(options.routesFile);
  const { verifier, failureThrottle, clock } = app.services;

  // A proxy may pass the original request's body and content type along; they do not matter here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, _body, done) => done(null, undefined));

  /** Sends the 401 every failing credential gets; a presented one counts against the address. */
  async function unauthorized(request: FastifyRequest, reply: FastifyReply, reason: string, presented: boolean) {
    request.log.info({ reqId: request.id, reason }, "forward auth: credential refused");
    if (presented) await failureThrottle?.fail(request.ip);
    return sendError(request, reply, "UNAUTHORIZED");
  }

  /** The permissions the original request needs, or null when `X-Latchkey-Require` is malformed. */
  function requiredPermissions(request: FastifyRequest, prefixed: boolean): readonly string[] | null {
    let fromMap = NO_PERMISSIONS;
    if (routeMap !== null) {
      const method = prefixed
        ? request.method
        : (headerOf(request, "x-original-method") ?? headerOf(request, "x-forwarded-method") ?? request.method);
      const uri = prefixed
        ? request.url.slice(PREFIX.length)
        : (headerOf(request, "x-original-uri") ?? headerOf(request, "x-forwarded-uri") ?? "/");
      fromMap = routeMap.permissionsFor(method, uri);
    }
    const header = headerOf(request, "x-latchkey-require");
    if (header === undefined) return fromMap;
    const required = [...fromMap];
    for (const part of header.split(",")) {
      const permission = part.trim();
      if (permission === "") continue;
      if (!isPermission(permission)) return null;
      required.push(permission);
    }
    return required;
  }

  function tooMany(request: FastifyRequest, reply: FastifyReply, outcome: VerifyOutcome, now: Date) {
    const { decision, ratelimit } = outcome;
    const nowMs = now.getTime();
    let limit: number;
    let remaining: number;
    let resetAt: number;
    let retryAfter: number;
    let detail: string;
    if (decision.code === "RATE_LIMITED" && ratelimit !== null) {
      limit = ratelimit.limit;
      remaining = ratelimit.remaining;
      resetAt = ratelimit.resetAt;
      retryAfter = secondsUntil(resetAt, nowMs, 1);
      detail = "The key's rate limit is spent; retry after the time in Retry-After.";
    } else {
      const refill = decision.key?.quota?.refill ?? null;
      limit = refill?.amount ?? 0;
      remaining = 0;
      resetAt = refill === null ? nowMs + NO_REFILL_RETRY_SECONDS * 1000 : nextRefill(refill.interval, now);
      retryAfter = secondsUntil(resetAt, nowMs, 1);
      detail =
        refill === null
          ? "The key's quota is spent and does not refill."
          : `The key's quota is spent; it refills at the start of the next UTC ${refill.interval}.`;
    }
    reply.headers({
      "retry-after": String(retryAfter),
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": String(retryAfter),
    });
    return sendError(request, reply, "RATE_LIMITED", detail);
  }

  async function check(request: FastifyRequest, reply: FastifyReply, prefixed: boolean) {
    if (failureThrottle !== null) {
      const refusedFor = failureThrottle.refusedFor(request.ip);
      if (refusedFor > 0) {
        reply.header("retry-after", String(refusedFor));
        return sendError(request, reply, "RATE_LIMITED", "Too many failed credentials from this address; retry later.");
      }
    }
    const secret = credentialOf(request.headers);
    if (secret === null) return unauthorized(request, reply, "MISSING", false);
    const permissions = requiredPermissions(request, prefixed);
    if (permissions === null) {
      return sendError(
        request,
        reply,
        "BAD_REQUEST",
        "X-Latchkey-Require must be a comma-separated list of resource:action permissions.",
      );
    }
    const outcome = await verifier.verify(secret, { permissions, ip: request.ip, cost: 1 });
    const { decision, ratelimit } = outcome;
    switch (decision.code) {
      case "VALID": {
        const key = decision.key;
        const headers: Record<string, string> = {
          "x-latchkey-key-id": key.id,
          "x-latchkey-org-id": key.orgId,
          "x-latchkey-owner": `${key.owner.type}:${key.owner.id}`,
          "x-latchkey-permissions": decision.permissions.join(","),
        };
        if (ratelimit !== null) {
          headers["ratelimit-limit"] = String(ratelimit.limit);
          headers["ratelimit-remaining"] = String(ratelimit.remaining);
          headers["ratelimit-reset"] = String(secondsUntil(ratelimit.resetAt, clock.now().getTime(), 0));
        }
        // No body: proxies only read the status and headers, and every byte counts at this rate.
        return reply.code(200).headers(headers).send();
      }
      case "INSUFFICIENT_PERMISSIONS":
        return sendError(request, reply, "FORBIDDEN", "The key lacks a permission this request needs.");
      case "IP_NOT_ALLOWED":
        return sendError(request, reply, "FORBIDDEN", "The key may not be used from this address.");
      case "RATE_LIMITED":
      case "USAGE_EXCEEDED":
        return tooMany(request, reply, outcome, clock.now());
      default:
        return unauthorized(request, reply, decision.code, true);
    }
  }

  app.all(PREFIX, { schema: { hide: true } }, (request, reply) => check(request, reply, false));
  app.all(`${PREFIX}/*`, { schema: { hide: true } }, (request, reply) => check(request, reply, true));
};
