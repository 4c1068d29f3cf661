import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { sendAnswer } from "../http/errors.js";
import { FORWARD_AUTH_PATH, type ForwardAuth } from "../http/forward-auth.js";

/** Options of the forward-auth routes. */
export interface AuthCheckOptions {
  forwardAuth: ForwardAuth;
}

/**
 * `/auth/check` and `/auth/check/<path>` through Fastify. Over a socket the fast lane answers them
 * before Fastify sees them (`http/fast-lane.ts`); both ask the same `ForwardAuth`.
 */
export const authCheckRoutes: FastifyPluginAsync<AuthCheckOptions> = async (app, { forwardAuth }) => {
  // A proxy may pass the original request's body and content type along; they do not matter here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, _body, done) => done(null, undefined));

  async function check(request: FastifyRequest, reply: FastifyReply) {
    const answer = await forwardAuth.check({
      method: request.method,
      url: request.url,
      headers: request.headers,
      ip: request.ip,
      requestId: request.id,
    });
    return sendAnswer(reply, answer);
  }

  app.all(FORWARD_AUTH_PATH, { schema: { hide: true } }, check);
  app.all(`${FORWARD_AUTH_PATH}/*`, { schema: { hide: true } }, check);
};
