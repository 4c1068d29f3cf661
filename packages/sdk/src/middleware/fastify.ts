import type { FastifyReply, FastifyRequest } from "fastify";
import type { VerifyResult } from "../verifier.js";
import { createGuard, type GuardOptions, type RouteOptions } from "./guard.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verification of the request's key, set by the Latchkey hook once it lets the request through. */
    latchkey?: VerifyResult | null;
  }
  interface FastifyContextConfig {
    /** This route's Latchkey requirements (replacing the hook's), or false for a route that needs no key. */
    latchkey?: RouteOptions | false;
  }
}

/** Options of `latchkeyFastify`. */
export interface LatchkeyFastifyOptions extends GuardOptions {
  /**
   * The caller's address to check against keys' IP allowlists: true for `request.ip` (mind Fastify's
   * `trustProxy`), or a function. Default: none is sent, so keys with an allowlist are refused (403).
   * RemoteVerifier never caches answers for requests with an address.
   */
  ip?: boolean | ((request: FastifyRequest) => string | undefined);
}

/** An `onRequest` or `preHandler` hook that verifies the request's key. */
export interface LatchkeyFastifyHook {
  (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  /** The same hook with this route's permissions or cost, for a route's own `onRequest`. */
  with(route: RouteOptions): LatchkeyFastifyHook;
}

/**
 * Makes a Fastify hook that verifies the key of each request (SPEC §4): `Authorization: token|Bearer`
 * or `X-API-Key`; a credential in the query string gets 400, a failing key exactly
 * `{"status":"401","code":"Unauthorized"}`, a missing permission or refused address 403, a spent rate
 * limit or quota 429 with `Retry-After` and `RateLimit-*`. A passing request carries the result in
 * `request.latchkey`. Options are checked here, once; a bad one throws.
 *
 * A route replaces the hook's permissions or cost with `config: { latchkey: { permissions } }`, or
 * opts out with `config: { latchkey: false }`. Call `app.decorateRequest("latchkey", null)` once so
 * every request has the same shape.
 */
export function latchkeyFastify(options: LatchkeyFastifyOptions): LatchkeyFastifyHook {
  const guard = createGuard(options);
  const ipOption = options.ip ?? false;
  if (typeof ipOption !== "boolean" && typeof ipOption !== "function") {
    throw new TypeError("latchkey middleware options: `ip` must be a boolean or a function.");
  }
  const ipOf = (request: FastifyRequest) =>
    ipOption === false ? undefined : ipOption === true ? request.ip : ipOption(request);
  const routes = new WeakMap<RouteOptions, Required<RouteOptions>>();
  const routeOf = (config: RouteOptions) => {
    let route = routes.get(config);
    if (route === undefined) {
      route = guard.route(config);
      routes.set(config, route);
    }
    return route;
  };

  const make = (fixed: Required<RouteOptions> | undefined): LatchkeyFastifyHook => {
    const hook = async function latchkeyFastifyHook(request: FastifyRequest, reply: FastifyReply) {
      const config = request.routeOptions.config.latchkey;
      if (fixed === undefined && config === false) return undefined;
      const route = fixed ?? (config ? routeOf(config) : undefined);
      const outcome = await guard.check(
        {
          header: (name) => headerOf(request.headers[name]),
          url: request.url,
          ip: ipOf(request),
          requestId: request.id,
          previous: request.latchkey ?? undefined,
        },
        route,
      );
      if (!outcome.ok) {
        if (outcome.cause !== undefined) {
          if (options.onError) options.onError(outcome.cause);
          else request.log.error({ err: outcome.cause }, "latchkey: the verifier could not answer");
        }
        return reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
      }
      reply.headers(outcome.headers);
      request.latchkey = outcome.result;
      return undefined;
    };
    return Object.assign(hook, { with: (overrides: RouteOptions) => make(guard.route({ ...fixed, ...overrides })) });
  };
  return make(undefined);
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
