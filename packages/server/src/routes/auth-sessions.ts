import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Membership, User } from "@latchkey/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { sendError } from "../http/errors.js";
import { MAX_PASSWORD_LENGTH } from "../people/passwords.js";
import {
  CSRF_HEADER,
  clearedSessionCookie,
  csrfMatches,
  csrfTokenOf,
  isSameOrigin,
  isSecureContext,
  sessionCookie,
  sessionTokenOf,
} from "../people/session-cookie.js";
import type { RequestContext, SignedIn } from "../people/sign-in-service.js";

const tags = ["Sign-in"];

const SessionUser = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() });
const SessionOrg = Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() });
/** The answer of sign-in, session and invitation acceptance: plain JSON, not JSON:API. */
const SessionAnswer = Type.Object({
  user: SessionUser,
  orgs: Type.Array(SessionOrg),
  csrf_token: Type.String({ description: "Send it as X-CSRF-Token with every cookie-authenticated write." }),
  expires_at: Type.String({ format: "date-time" }),
});
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });
const ERRORS = {
  400: Type.Ref("ErrorDocument"),
  401: Type.Ref("Unauthorized"),
  403: Type.Ref("ErrorDocument"),
  429: Type.Ref("ErrorDocument"),
};

const LoginBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Password },
  { additionalProperties: false },
);
const PasswordBody = Type.Object(
  { current_password: Password, new_password: Password },
  { additionalProperties: false },
);
const AcceptBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    password: Password,
    name: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

/** Where a request came from. */
export function contextOf(request: FastifyRequest): RequestContext {
  const agent = request.headers["user-agent"];
  return { ip: request.ip, requestId: request.id, userAgent: typeof agent === "string" ? agent : null };
}

/**
 * Sign-in, session, sign-out, password change and invitation acceptance, outside /rest and
 * unversioned, in plain JSON for the dashboard (SPEC §5). Errors keep the documented shapes.
 */
export const authSessionRoutes: FastifyPluginAsyncTypebox<{
  publicUrl: string | undefined;
  maxAgeSeconds: number;
}> = async (app, { publicUrl, maxAgeSeconds }) => {
  const { signIn, invitations, store } = app.services;

  async function answer(
    reply: FastifyReply,
    started: { user: User; memberships: Membership[]; csrfToken: string; session: { expiresAt: Date } },
  ) {
    const orgs = [];
    for (const membership of started.memberships) {
      const org = await store.orgs.get(membership.orgId);
      if (org !== null) orgs.push({ id: org.id, name: org.name, role: membership.role });
    }
    return reply.header("cache-control", "no-store").send({
      user: { id: started.user.id, email: started.user.email, name: started.user.name },
      orgs,
      csrf_token: started.csrfToken,
      expires_at: started.session.expiresAt.toISOString(),
    });
  }

  function limited(request: FastifyRequest, reply: FastifyReply, seconds: number) {
    reply.header("retry-after", String(seconds));
    return sendError(request, reply, "RATE_LIMITED", "Too many failed sign-ins; retry after the time in Retry-After.");
  }

  /** The request's session, after the CSRF checks when `write`; null once an error was sent. */
  async function sessionOf(request: FastifyRequest, reply: FastifyReply, write: boolean): Promise<SignedIn | null> {
    const token = sessionTokenOf(request.headers.cookie);
    const signedIn = token === null ? null : await signIn.resume(token);
    if (token === null || signedIn === null) {
      sendError(request, reply, "UNAUTHORIZED");
      return null;
    }
    if (write && (!csrfMatches(token, request.headers[CSRF_HEADER]) || !isSameOrigin(request, publicUrl))) {
      sendError(request, reply, "CSRF_FAILED");
      return null;
    }
    return signedIn;
  }

  function crossOrigin(request: FastifyRequest, reply: FastifyReply): boolean {
    if (isSameOrigin(request, publicUrl)) return false;
    sendError(request, reply, "CSRF_FAILED", "Sign-in is accepted only from Latchkey's own origin.");
    return true;
  }

  app.post(
    "/auth/login",
    {
      schema: {
        tags,
        summary: "Sign in with email and password: sets the HttpOnly session cookie",
        security: [],
        body: LoginBody,
        response: { 200: SessionAnswer, ...ERRORS },
      },
    },
    async (request, reply) => {
      if (crossOrigin(request, reply)) return reply;
      const outcome = await signIn.signIn(request.body.email, request.body.password, contextOf(request));
      if (!outcome.ok) {
        request.log.info({ reqId: request.id, reason: outcome.reason }, "sign-in refused");
        return outcome.reason === "limited"
          ? limited(request, reply, outcome.retryAfterSeconds)
          : sendError(request, reply, "UNAUTHORIZED");
      }
      reply.header("set-cookie", sessionCookie(outcome.token, maxAgeSeconds, isSecureContext(request, publicUrl)));
      return answer(reply, outcome);
    },
  );

  app.get(
    "/auth/session",
    {
      schema: {
        tags,
        summary: "The signed-in user, their orgs and the session's CSRF token",
        response: { 200: SessionAnswer, 401: Type.Ref("Unauthorized") },
      },
    },
    async (request, reply) => {
      const signedIn = await sessionOf(request, reply, false);
      if (signedIn === null) return reply;
      return answer(reply, { ...signedIn, csrfToken: csrfTokenOf(signedIn.token) });
    },
  );

  app.post(
    "/auth/logout",
    {
      schema: {
        tags,
        summary: "Sign out: ends the session and clears the cookie (needs X-CSRF-Token)",
        response: { 204: Type.Null(), 401: Type.Ref("Unauthorized"), 403: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const signedIn = await sessionOf(request, reply, true);
      if (signedIn === null) return reply;
      await signIn.signOut(signedIn, contextOf(request));
      return reply
        .code(204)
        .header("set-cookie", clearedSessionCookie(isSecureContext(request, publicUrl)))
        .send(null);
    },
  );

  app.post(
    "/auth/password",
    {
      schema: {
        tags,
        summary: "Change your password (needs X-CSRF-Token); your other sessions end",
        body: PasswordBody,
        response: { 204: Type.Null(), ...ERRORS },
      },
    },
    async (request, reply) => {
      const signedIn = await sessionOf(request, reply, true);
      if (signedIn === null) return reply;
      const { current_password, new_password } = request.body;
      const outcome = await signIn.changePassword(signedIn, current_password, new_password, contextOf(request));
      if (!outcome.ok) return limited(request, reply, outcome.retryAfterSeconds);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/invitations/accept",
    {
      schema: {
        tags,
        summary: "Accept an invitation: a new user sets a password, an existing one gives theirs; signs in",
        security: [],
        body: AcceptBody,
        response: { 200: SessionAnswer, ...ERRORS, 404: Type.Ref("ErrorDocument"), 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      if (crossOrigin(request, reply)) return reply;
      const { token, password, name } = request.body;
      const outcome = await invitations.accept(token, password, name, contextOf(request));
      if (!outcome.ok) return limited(request, reply, outcome.retryAfterSeconds);
      reply.header("set-cookie", sessionCookie(outcome.token, maxAgeSeconds, isSecureContext(request, publicUrl)));
      return answer(reply, outcome);
    },
  );
};
