import { MAX_SCOPE_LENGTH } from "@latchkey/core";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import secureJson from "secure-json-parse";
import { handleError } from "../http/errors.js";
import { throttled } from "../http/failure-throttle.js";
import { type OAuthErrorCode, parseForm, readTokenRequest } from "../http/oauth-request.js";

/** The token endpoint's path (RFC 6749 §3.2), outside /rest and unversioned like /auth/check. */
export const TOKEN_PATH = "/oauth2/token";

/** The largest token request body: its parameters are a few hundred bytes. */
const TOKEN_BODY_LIMIT = 16 * 1024;

const FORM = "application/x-www-form-urlencoded";

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  unsupported_grant_type: 400,
  invalid_scope: 400,
};

/** A parse failure, answered as invalid_request without quoting the body (it may hold a secret). */
function malformed(): Error {
  return Object.assign(new Error("malformed token request body"), { statusCode: 400 });
}

/** Answers with a token endpoint's headers: never cached (RFC 6749 §5.1). */
function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("cache-control", "no-store").header("pragma", "no-cache").type("application/json");
}

function sendOAuthError(
  reply: FastifyReply,
  error: OAuthErrorCode | "rate_limited",
  description: string,
  basic = false,
): FastifyReply {
  const status = error === "rate_limited" ? 429 : STATUS[error];
  if (status === 401 && basic) reply.header("www-authenticate", 'Basic realm="latchkey", charset="UTF-8"');
  const code = error === "rate_limited" ? "invalid_request" : error;
  return noStore(reply).code(status).send({ error: code, error_description: description });
}

/**
 * `POST /oauth2/token`: the OAuth2 client credentials grant (RFC 6749 §4.4) for OAuth service accounts.
 * Form or JSON bodies; the client authenticates with HTTP Basic or `client_id` and `client_secret` in
 * the body. Answers `{access_token, token_type: "bearer", expires_in}`, or an RFC 6749 §5.2 error.
 * Failed client authentications count in the failed-credential throttle of the client's address.
 */
export async function oauthTokenRoutes(app: FastifyInstance): Promise<void> {
  const { oauthClients, failureThrottle } = app.services;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(FORM, { parseAs: "string" }, (_request, body, done) => {
    const form = parseForm(body as string);
    if (form === null) done(malformed(), undefined);
    else done(null, form);
  });
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, secureJson.parse(body as string, undefined, { protoAction: "error", constructorAction: "error" }));
    } catch {
      done(malformed(), undefined);
    }
  });
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) return handleError(error, request, reply);
    const description =
      status === 413
        ? "The request body is too large."
        : status === 415
          ? `Send the parameters as ${FORM} or application/json.`
          : "The request body is malformed.";
    return sendOAuthError(reply, "invalid_request", description);
  });

  app.post(TOKEN_PATH, { bodyLimit: TOKEN_BODY_LIMIT, schema: { hide: true } }, async (request, reply) => {
    if (throttled(failureThrottle, request.ip, reply)) {
      return sendOAuthError(reply, "rate_limited", "Too many failed client authentications; retry later.");
    }
    const query = request.query as Record<string, unknown>;
    if (Object.keys(query).some((name) => name === "client_secret" || name === "client_id")) {
      return sendOAuthError(
        reply,
        "invalid_request",
        "Client credentials belong in the body or header, never the URL.",
      );
    }
    const read = readTokenRequest(request.body, request.headers.authorization, MAX_SCOPE_LENGTH);
    if ("error" in read) {
      if (read.error === "invalid_client") await failureThrottle?.fail(request.ip);
      return sendOAuthError(reply, read.error, read.description, read.basic);
    }
    const result = await oauthClients.grantToken({
      clientId: read.clientId,
      clientSecret: read.clientSecret,
      scope: read.scope,
      requestId: request.id,
      ip: request.ip,
    });
    if (!result.ok) {
      if (result.error === "invalid_client") {
        request.log.info({ reqId: request.id }, "oauth: client authentication failed");
        await failureThrottle?.fail(request.ip);
      }
      return sendOAuthError(reply, result.error, result.description, read.basic);
    }
    return noStore(reply).send({
      access_token: result.accessToken,
      token_type: "bearer",
      expires_in: result.expiresIn,
      ...(result.scope !== null ? { scope: result.scope } : {}),
    });
  });
}
