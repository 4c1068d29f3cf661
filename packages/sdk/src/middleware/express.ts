import type { NextFunction, Request, Response } from "express";
import type { VerifyResult } from "../verifier.js";
import { createGuard, type GuardOptions, type RouteOptions, requestIdOf } from "./guard.js";

declare global {
  namespace Express {
    interface Locals {
      /** The verification of the request's key, set by the Latchkey middleware once it lets the request through. */
      latchkey?: VerifyResult;
    }
  }
}

/** Options of `latchkeyExpress`. */
export interface LatchkeyExpressOptions extends GuardOptions {
  /**
   * The caller's address to check against keys' IP allowlists: true for `req.ip` (mind Express's
   * `trust proxy`), or a function. Default: none is sent, so keys with an allowlist are refused (403).
   * RemoteVerifier never caches answers for requests with an address.
   */
  ip?: boolean | ((req: Request) => string | undefined);
}

/** An Express middleware that verifies the request's key. */
export interface LatchkeyExpressMiddleware {
  (req: Request, res: Response, next: NextFunction): void;
  /** The same middleware with this route's permissions or cost (`app.get(path, auth.with({…}), handler)`). */
  with(route: RouteOptions): LatchkeyExpressMiddleware;
}

/**
 * Makes an Express middleware that verifies the key of each request (SPEC §4): `Authorization:
 * token|Bearer` or `X-API-Key`; a credential in the query string gets 400, a failing key exactly
 * `{"status":"401","code":"Unauthorized"}`, a missing permission or refused address 403, a spent rate
 * limit or quota 429 with `Retry-After` and `RateLimit-*`. A passing request carries the result in
 * `res.locals.latchkey`. Options are checked here, once; a bad one throws.
 *
 * Behind an app-wide `app.use(auth)`, a route's `auth.with({ permissions })` checks the route's
 * permissions again without spending the key's units twice.
 */
export function latchkeyExpress(options: LatchkeyExpressOptions): LatchkeyExpressMiddleware {
  const guard = createGuard(options);
  const ipOption = options.ip ?? false;
  if (typeof ipOption !== "boolean" && typeof ipOption !== "function") {
    throw new TypeError("latchkey middleware options: `ip` must be a boolean or a function.");
  }
  const ipOf = (req: Request) => (ipOption === false ? undefined : ipOption === true ? req.ip : ipOption(req));
  const onError =
    options.onError ?? ((error: unknown) => console.error("latchkey: the verifier could not answer", error));

  const make = (route: Required<RouteOptions> | undefined): LatchkeyExpressMiddleware => {
    const middleware = function latchkeyExpressMiddleware(req: Request, res: Response, next: NextFunction): void {
      guard
        .check(
          {
            header: (name) => req.get(name),
            url: req.originalUrl,
            ip: ipOf(req),
            requestId: requestIdOf(req.get("x-request-id")),
            previous: res.locals.latchkey,
          },
          route,
        )
        .then((outcome) => {
          if (!outcome.ok) {
            if (outcome.cause !== undefined) onError(outcome.cause);
            res.status(outcome.status).set(outcome.headers).send(outcome.body);
            return;
          }
          res.set(outcome.headers);
          res.locals.latchkey = outcome.result;
          next();
        })
        .catch(next);
    };
    return Object.assign(middleware, {
      with: (overrides: RouteOptions) => make(guard.route({ ...route, ...overrides })),
    });
  };
  return make(undefined);
}
