import { type Clock, isPermission, RESOURCE_PATTERN, type Verifier, type VerifyOutcome } from "@latchkey/core";
import { credentialOf } from "./credentials.js";
import { type Answer, errorAnswer } from "./errors.js";
import type { FailureThrottle } from "./failure-throttle.js";
import type { RouteMap } from "./route-map.js";

/** The path of forward auth; `/auth/check/<path>` carries the original request itself (Envoy). */
export const FORWARD_AUTH_PATH = "/auth/check";

const NO_PERMISSIONS: readonly string[] = [];
/** Retry-After for a spent quota that never refills: it will not pass again, so ask for a day. */
const NO_REFILL_RETRY_SECONDS = 86_400;

/** What forward auth reads of a request, whichever way it arrived (Fastify or the fast lane). */
export interface ForwardAuthRequest {
  method: string;
  /** The raw URL as received, query string included. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The client address (the proxy's X-Forwarded-For when LATCHKEY_TRUST_PROXY says so). */
  ip: string;
  requestId: string;
}

/** What forward auth needs of the node. */
export interface ForwardAuthDeps {
  verifier: Verifier;
  clock: Clock;
  failureThrottle: FailureThrottle | null;
  routeMap: RouteMap | null;
  /** Told each refused credential (for the info log line). */
  onRefused: (requestId: string, reason: string) => void;
}

const RESOURCE_REGEX = new RegExp(RESOURCE_PATTERN);

function headerOf(headers: ForwardAuthRequest["headers"], name: string): string | undefined {
  const value = headers[name];
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

/** True when `url` is `/auth/check/<something>`: the original request itself (Envoy's `path_prefix`). */
function isPrefixed(url: string): boolean {
  return url.length > FORWARD_AUTH_PATH.length && url.charCodeAt(FORWARD_AUTH_PATH.length) === 47; // "/"
}

/**
 * Forward auth for nginx `auth_request`, Traefik ForwardAuth and Envoy ext_authz (SPEC §5), any
 * method, outside /rest and unversioned. `/auth/check` takes the original request from
 * `X-Original-Method`/`X-Forwarded-Method` and `X-Original-URI`/`X-Forwarded-Uri`;
 * `/auth/check/<path>` is the original request itself. The permissions needed are those of
 * `X-Latchkey-Require` (comma-separated) plus the route map's.
 */
export class ForwardAuth {
  constructor(private readonly deps: ForwardAuthDeps) {}

  /** The permissions the original request needs, or null when `X-Latchkey-Require` is malformed. */
  private requiredPermissions(request: ForwardAuthRequest): readonly string[] | null {
    let fromMap = NO_PERMISSIONS;
    const { routeMap } = this.deps;
    if (routeMap !== null) {
      const prefixed = isPrefixed(request.url);
      const { headers } = request;
      const method = prefixed
        ? request.method
        : (headerOf(headers, "x-original-method") ?? headerOf(headers, "x-forwarded-method") ?? request.method);
      const uri = prefixed
        ? request.url.slice(FORWARD_AUTH_PATH.length)
        : (headerOf(headers, "x-original-uri") ?? headerOf(headers, "x-forwarded-uri") ?? "/");
      fromMap = routeMap.permissionsFor(method, uri);
    }
    const header = headerOf(request.headers, "x-latchkey-require");
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

  /** The 401 every failing credential gets; a presented one counts against the address. */
  private async unauthorized(request: ForwardAuthRequest, reason: string, presented: boolean): Promise<Answer> {
    this.deps.onRefused(request.requestId, reason);
    if (presented) await this.deps.failureThrottle?.fail(request.ip);
    return errorAnswer(request.requestId, "UNAUTHORIZED");
  }

  private tooMany(request: ForwardAuthRequest, outcome: VerifyOutcome, now: Date): Answer {
    const { decision, ratelimit } = outcome;
    const nowMs = now.getTime();
    let limit: number;
    let remaining: number;
    let resetAt: number;
    let detail: string;
    if (decision.code === "RATE_LIMITED" && ratelimit !== null) {
      limit = ratelimit.limit;
      remaining = ratelimit.remaining;
      resetAt = ratelimit.resetAt;
      detail = "The key's rate limit is spent; retry after the time in Retry-After.";
    } else {
      const refill = decision.key?.quota?.refill ?? null;
      limit = refill?.amount ?? 0;
      remaining = 0;
      resetAt = refill === null ? nowMs + NO_REFILL_RETRY_SECONDS * 1000 : nextRefill(refill.interval, now);
      detail =
        refill === null
          ? "The key's quota is spent and does not refill."
          : `The key's quota is spent; it refills at the start of the next UTC ${refill.interval}.`;
    }
    const retryAfter = String(secondsUntil(resetAt, nowMs, 1));
    return errorAnswer(request.requestId, "RATE_LIMITED", detail, undefined, {
      "retry-after": retryAfter,
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": retryAfter,
    });
  }

  /**
   * Answers one forward-auth request: 200 with the key's headers, or 400, 401, 403 or 429; at once
   * when the verification is (see `Verifier.verifyNow`), and a refusal that counts against the
   * address once that is noted.
   */
  check(request: ForwardAuthRequest): Answer | Promise<Answer> {
    const { failureThrottle, verifier } = this.deps;
    if (failureThrottle !== null) {
      const refusedFor = failureThrottle.refusedFor(request.ip);
      if (refusedFor > 0) {
        return errorAnswer(
          request.requestId,
          "RATE_LIMITED",
          "Too many failed credentials from this address; retry later.",
          undefined,
          { "retry-after": String(refusedFor) },
        );
      }
    }
    const secret = credentialOf(request.headers);
    if (secret === null) return this.unauthorized(request, "MISSING", false);
    const permissions = this.requiredPermissions(request);
    if (permissions === null) {
      return errorAnswer(
        request.requestId,
        "BAD_REQUEST",
        "X-Latchkey-Require must be a comma-separated list of resource:action permissions.",
      );
    }
    // Where the permissions are needed: `X-Latchkey-Resource: project:<id>` (absent: the org as a whole).
    const resource = headerOf(request.headers, "x-latchkey-resource")?.trim().toLowerCase();
    if (resource !== undefined && !RESOURCE_REGEX.test(resource)) {
      return errorAnswer(request.requestId, "BAD_REQUEST", "X-Latchkey-Resource must be project:<project id>.");
    }
    const outcome = verifier.verifyNow(secret, { permissions, resource, ip: request.ip, cost: 1 });
    return outcome instanceof Promise
      ? outcome.then((settled) => this.answerFor(request, settled))
      : this.answerFor(request, outcome);
  }

  /** The answer to a verified request. */
  private answerFor(request: ForwardAuthRequest, outcome: VerifyOutcome): Answer | Promise<Answer> {
    const { clock } = this.deps;
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
        return { status: 200, headers, body: "" };
      }
      case "INSUFFICIENT_PERMISSIONS":
        return errorAnswer(request.requestId, "FORBIDDEN", "The key lacks a permission this request needs.");
      case "IP_NOT_ALLOWED":
        return errorAnswer(request.requestId, "FORBIDDEN", "The key may not be used from this address.");
      case "RATE_LIMITED":
      case "USAGE_EXCEEDED":
        return this.tooMany(request, outcome, clock.now());
      default:
        return this.unauthorized(request, decision.code, true);
    }
  }
}
