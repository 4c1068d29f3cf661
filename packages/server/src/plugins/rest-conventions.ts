import type { Actor, Clock, Verifier } from "@latchkey/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import secureJson from "secure-json-parse";
import { credentialOf, hasCredentialInQuery } from "../http/credentials.js";
import { JSON_API, sendError } from "../http/errors.js";
import { type FailureThrottle, throttled } from "../http/failure-throttle.js";
import { type ResolvedVersion, resolveVersion } from "../http/versions.js";
import { CSRF_HEADER, csrfMatches, isSameOrigin, isUnsafeMethod, sessionTokenOf } from "../people/session-cookie.js";
import type { SignInService } from "../people/sign-in-service.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is acting; set by the authentication hook on every non-public /rest route. */
    actor: Actor | null;
    /** The API version this request is served with. */
    apiVersion: ResolvedVersion | null;
  }
  interface FastifyContextConfig {
    /** A route that needs no credential (it still needs ?version=). */
    public?: boolean;
  }
}

/** The actor of an authenticated request. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null) throw new Error("route is not authenticated");
  return request.actor;
}

/**
 * SPEC §4 for everything under /rest: JSON:API bodies only, no credentials in the URL, `?version=`
 * resolved with its headers, and the credential checked before the body is even read.
 */
export function restConventions(
  app: FastifyInstance,
  deps: {
    verifier: Verifier;
    clock: Clock;
    failureThrottle: FailureThrottle | null;
    signIn: SignInService;
    publicUrl: string | undefined;
  },
): void {
  // Routes registered after this point document JSON:API as their request and response media type.
  app.addHook("onRoute", (route) => {
    if (route.schema) route.schema = { consumes: [JSON_API], produces: [JSON_API], ...route.schema };
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_API, { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, secureJson.parse(body as string, undefined, { protoAction: "error", constructorAction: "error" }));
    } catch {
      done(
        Object.assign(new Error("invalid JSON"), { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 }),
        undefined,
      );
    }
  });

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (hasCredentialInQuery(request.query)) {
      return sendError(
        request,
        reply,
        "CREDENTIAL_IN_QUERY",
        "Send credentials in the Authorization or X-API-Key header, never in the URL.",
        {
          parameter: "query",
        },
      );
    }
    const version = resolveVersion((request.query as Record<string, string | undefined>).version, deps.clock);
    request.apiVersion = version;
    reply.headers(version.headers);
    if (request.routeOptions.config.public === true) return;
    if (throttled(deps.failureThrottle, request.ip, reply)) {
      return sendError(request, reply, "RATE_LIMITED", "Too many failed credentials from this address; retry later.");
    }
    // A credential header wins over the session cookie; the cookie is read only when neither header is sent.
    const { headers } = request;
    const sessionToken =
      headers.authorization === undefined && headers["x-api-key"] === undefined ? sessionTokenOf(headers.cookie) : null;
    if (sessionToken !== null) {
      const signedIn = await deps.signIn.resume(sessionToken);
      const pathOrgId = (request.params as { org_id?: string } | undefined)?.org_id;
      const actor = signedIn && (await deps.signIn.actorOf(signedIn, pathOrgId, request.id, request.ip));
      if (!actor) {
        request.log.info({ reqId: request.id, reason: "SESSION" }, "credential refused");
        await deps.failureThrottle?.fail(request.ip);
        return sendError(request, reply, "UNAUTHORIZED");
      }
      if (
        isUnsafeMethod(request.method) &&
        (!csrfMatches(sessionToken, headers[CSRF_HEADER]) || !isSameOrigin(request, deps.publicUrl))
      ) {
        return sendError(request, reply, "CSRF_FAILED");
      }
      request.actor = actor;
      return;
    }
    const secret = credentialOf(request.headers);
    const result = secret === null ? null : await deps.verifier.authenticate(secret, request.id, request.ip);
    if (result === null || result.actor === null) {
      request.log.info({ reqId: request.id, reason: result?.code ?? "MISSING" }, "credential refused");
      await deps.failureThrottle?.fail(request.ip);
      return sendError(request, reply, "UNAUTHORIZED");
    }
    request.actor = result.actor;
  });
}
