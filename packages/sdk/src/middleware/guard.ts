import type { KeyVerifier, VerifyResult } from "../verifier.js";

/** Options every verify middleware takes; validated once when the middleware is made. */
export interface GuardOptions {
  /** Where keys are verified: a `RemoteVerifier` or the in-process verifier of `openLocalVerifier`. */
  verifier: KeyVerifier;
  /** Permissions every request must hold (all of them); a route may replace them. Default none. */
  permissions?: string[];
  /** Quota and rate-limit units each request spends (default 1). */
  cost?: number;
  /**
   * Told when the verifier cannot answer (server unreachable, database down); the request gets 503.
   * Default: the framework's logger (Fastify) or `console.error`.
   */
  onError?: (error: unknown) => void;
}

/** What a route may change of the middleware's options. */
export interface RouteOptions {
  /** Permissions this route needs instead of the middleware's. */
  permissions?: string[];
  /** Units this route spends instead of the middleware's. */
  cost?: number;
}

/** A request, as the guard needs to see it. */
export interface GuardRequest {
  /** A request header (lower-case name). */
  header(name: string): string | undefined;
  /** The request URL: a path with its query string, or absolute. */
  url: string;
  /** The caller's address, when the middleware is told to pass it. */
  ip: string | undefined;
  /** The id error bodies carry. */
  requestId: string;
  /** The answer of an earlier Latchkey middleware on this request, if any. */
  previous: VerifyResult | undefined;
}

/** What to answer: go on with the result, or stop with this status, headers and body. */
export type GuardOutcome =
  | { ok: true; result: VerifyResult; headers: Record<string, string> }
  | { ok: false; status: number; headers: Record<string, string>; body: string; cause?: unknown };

/** The one body every failing credential gets, byte for byte (SPEC §4). */
export const UNAUTHORIZED_BODY = '{"status":"401","code":"Unauthorized"}';

const JSON_API = "application/vnd.api+json";

/** Query parameters that look like someone put a credential in the URL (as the server refuses them). */
const CREDENTIAL_PARAMETERS = new Set([
  "token",
  "api_key",
  "apikey",
  "api-key",
  "key",
  "access_token",
  "authorization",
  "x-api-key",
  "secret",
]);

/** A value shaped like a Latchkey key (prefix, optional environment, 49 base62 characters). */
const KEY_SHAPE = /^[a-z][a-z0-9]{1,15}(?:_[a-z][a-z0-9]{0,15})?_[0-9A-Za-z]{49}$/;

const AUTHORIZATION = /^(token|bearer)[ \t]+(\S+)[ \t]*$/i;

/**
 * Checks options once and returns the per-request check the framework adapters share. Throws a
 * TypeError naming the bad option.
 */
export function createGuard(options: GuardOptions): {
  check(request: GuardRequest, route?: Required<RouteOptions>): Promise<GuardOutcome>;
  route(overrides: RouteOptions): Required<RouteOptions>;
} {
  if (typeof options?.verifier?.verify !== "function") {
    throw new TypeError("latchkey middleware: `verifier` must have a verify(key, options) method.");
  }
  const defaults = validateRoute({ permissions: options.permissions ?? [], cost: options.cost ?? 1 }, "options");
  const verifier = options.verifier;

  return {
    route(overrides) {
      return validateRoute({ ...defaults, ...overrides }, "route options");
    },
    async check(request, route = defaults) {
      if (hasCredentialInQuery(request.url)) {
        return error(
          400,
          request.requestId,
          "CREDENTIAL_IN_QUERY",
          "Credential in query string",
          "Send credentials in the Authorization or X-API-Key header, never in the URL.",
          { parameter: "query" },
        );
      }
      const key = credentialOf(request.header);
      if (key === null) return unauthorized();
      // A request an earlier Latchkey middleware let through is checked again for this route's
      // permissions without spending its units twice.
      const cost = request.previous?.valid === true ? 0 : route.cost;
      try {
        const result = await verifier.verify(key, {
          ...(route.permissions.length > 0 ? { permissions: route.permissions } : {}),
          ...(request.ip !== undefined ? { ip: request.ip } : {}),
          cost,
        });
        return answer(result, request.requestId);
      } catch (cause) {
        return { ...unavailable(request.requestId), cause };
      }
    },
  };
}

/** The credential of a request: `Authorization: token|Bearer <key>` (any case) or `X-API-Key`. */
export function credentialOf(header: (name: string) => string | undefined): string | null {
  const authorization = header("authorization");
  if (authorization !== undefined && authorization.length > 0) {
    return AUTHORIZATION.exec(authorization)?.[2] ?? null;
  }
  const apiKey = header("x-api-key")?.trim();
  return apiKey !== undefined && apiKey.length > 0 ? apiKey : null;
}

/** True when the query string carries a credential-named parameter or a key-shaped value. */
export function hasCredentialInQuery(url: string): boolean {
  const at = url.indexOf("?");
  if (at === -1) return false;
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
    if (CREDENTIAL_PARAMETERS.has(name.toLowerCase()) || KEY_SHAPE.test(value)) return true;
  }
  return false;
}

/**
 * The HTTP answer to a verification (SPEC §4), with Latchkey's own error codes: FORBIDDEN for 403 and
 * RATE_LIMITED for 429; the detail says which check failed.
 */
function answer(result: VerifyResult, requestId: string): GuardOutcome {
  const limits = rateLimitHeaders(result);
  switch (result.code) {
    case "VALID":
      return result.valid ? { ok: true, result, headers: limits } : unauthorized();
    case "INSUFFICIENT_PERMISSIONS":
      return error(403, requestId, "FORBIDDEN", "Forbidden", "The key lacks a permission this route needs.");
    case "IP_NOT_ALLOWED":
      return error(403, requestId, "FORBIDDEN", "Forbidden", "The key may not be used from this address.");
    case "RATE_LIMITED":
    case "USAGE_EXCEEDED": {
      const retryAfter = retryAfterSeconds(result);
      const detail =
        result.code === "RATE_LIMITED"
          ? "The key's rate limit is spent; retry after the time in Retry-After."
          : "The key's quota is spent.";
      const outcome = error(429, requestId, "RATE_LIMITED", "Too many requests", detail);
      outcome.headers = {
        ...outcome.headers,
        ...limits,
        "retry-after": String(retryAfter),
        "ratelimit-remaining": String(result.code === "RATE_LIMITED" ? (result.ratelimit?.remaining ?? 0) : 0),
        "ratelimit-reset": String(retryAfter),
      };
      return outcome;
    }
    default:
      return unauthorized();
  }
}

/** `RateLimit-*` headers of a key with a rate limit (reset in seconds from now). */
function rateLimitHeaders(result: VerifyResult): Record<string, string> {
  if (result.ratelimit === null) return {};
  return {
    "ratelimit-limit": String(result.ratelimit.limit),
    "ratelimit-remaining": String(result.ratelimit.remaining),
    "ratelimit-reset": String(Math.max(0, Math.ceil((result.ratelimit.reset - Date.now()) / 1000))),
  };
}

/**
 * Seconds until a retry can pass: the end of the rate-limit window, or for a spent quota the next
 * UTC midnight (the earliest a quota refills), at least 1.
 */
function retryAfterSeconds(result: VerifyResult): number {
  const now = Date.now();
  let until: number;
  if (result.code === "RATE_LIMITED" && result.ratelimit !== null) {
    until = result.ratelimit.reset;
  } else {
    const midnight = new Date(now);
    midnight.setUTCHours(24, 0, 0, 0);
    until = midnight.getTime();
  }
  return Math.max(1, Math.ceil((until - now) / 1000));
}

function unauthorized(): GuardOutcome {
  return { ok: false, status: 401, headers: { "content-type": "application/json" }, body: UNAUTHORIZED_BODY };
}

function error(
  status: number,
  id: string,
  code: string,
  title: string,
  detail: string,
  source?: { parameter: string },
): GuardOutcome & { ok: false } {
  const body = {
    jsonapi: { version: "1.0" },
    errors: [{ id, status: String(status), code, title, detail, ...(source ? { source } : {}) }],
  };
  return { ok: false, status, headers: { "content-type": JSON_API }, body: JSON.stringify(body) };
}

/** The answer when the verifier cannot answer at all: the request is refused, never let through. */
export function unavailable(requestId: string): GuardOutcome & { ok: false } {
  return error(503, requestId, "SERVICE_UNAVAILABLE", "Service unavailable", "Keys cannot be verified right now.");
}

function validateRoute(route: RouteOptions, where: string): Required<RouteOptions> {
  const permissions = route.permissions ?? [];
  if (!Array.isArray(permissions) || permissions.some((p) => typeof p !== "string" || p.length === 0)) {
    throw new TypeError(`latchkey middleware ${where}: \`permissions\` must be an array of resource:action strings.`);
  }
  const cost = route.cost ?? 1;
  if (!Number.isInteger(cost) || cost < 0 || cost > 1_000_000) {
    throw new TypeError(`latchkey middleware ${where}: \`cost\` must be a whole number from 0 to 1,000,000.`);
  }
  return { permissions: [...permissions], cost };
}

/** The id error bodies carry: the caller's `x-request-id` when it is safe to echo, else a new UUID. */
export function requestIdOf(given: string | undefined): string {
  return given !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : globalThis.crypto.randomUUID();
}
