import type { Context, MiddlewareHandler } from "hono";
import type { VerifyResult } from "../verifier.js";
import { createGuard, type GuardOptions, type RouteOptions, requestIdOf } from "./guard.js";

/** The Hono environment the middleware sets: `c.get("latchkey")` is the verification. */
export type LatchkeyEnv = { Variables: { latchkey: VerifyResult } };

/** Options of `latchkeyHono`. */
export interface LatchkeyHonoOptions extends GuardOptions {
  /**
   * The caller's address to check against keys' IP allowlists. Hono has no runtime-neutral address,
   * so pass a function (e.g. with `getConnInfo` of your adapter). Default: none is sent, so keys
   * with an allowlist are refused (403). RemoteVerifier never caches answers for requests with an address.
   */
  ip?: (c: Context) => string | undefined;
}

/** A Hono middleware that verifies the request's key. */
export type LatchkeyHonoMiddleware = MiddlewareHandler<LatchkeyEnv> & {
  /** The same middleware with this route's permissions or cost (`app.get(path, auth.with({…}), handler)`). */
  with(route: RouteOptions): LatchkeyHonoMiddleware;
};

/**
 * Makes a Hono middleware that verifies the key of each request (SPEC §4): `Authorization:
 * token|Bearer` or `X-API-Key`; a credential in the query string gets 400, a failing key exactly
 * `{"status":"401","code":"Unauthorized"}`, a missing permission or refused address 403, a spent rate
 * limit or quota 429 with `Retry-After` and `RateLimit-*`. A passing request carries the result in
 * `c.get("latchkey")`. Options are checked here, once; a bad one throws.
 *
 * Behind an app-wide `app.use(auth)`, a route's `auth.with({ permissions })` checks the route's
 * permissions again without spending the key's units twice.
 */
export function latchkeyHono(options: LatchkeyHonoOptions): LatchkeyHonoMiddleware {
  const guard = createGuard(options);
  if (options.ip !== undefined && typeof options.ip !== "function") {
    throw new TypeError("latchkey middleware options: `ip` must be a function.");
  }
  const ipOf = options.ip;
  const onError =
    options.onError ?? ((error: unknown) => console.error("latchkey: the verifier could not answer", error));

  const make = (route: Required<RouteOptions> | undefined): LatchkeyHonoMiddleware => {
    const middleware: MiddlewareHandler<LatchkeyEnv> = async function latchkeyHonoMiddleware(c, next) {
      const outcome = await guard.check(
        {
          header: (name) => c.req.header(name),
          url: c.req.url,
          ip: ipOf?.(c),
          requestId: requestIdOf(c.req.header("x-request-id")),
          previous: c.get("latchkey"),
        },
        route,
      );
      if (!outcome.ok) {
        if (outcome.cause !== undefined) onError(outcome.cause);
        return new Response(outcome.body, { status: outcome.status, headers: outcome.headers });
      }
      for (const [name, value] of Object.entries(outcome.headers)) c.header(name, value);
      c.set("latchkey", outcome.result);
      await next();
      return undefined;
    };
    return Object.assign(middleware, {
      with: (overrides: RouteOptions) => make(guard.route({ ...route, ...overrides })),
    });
  };
  return make(undefined);
}
