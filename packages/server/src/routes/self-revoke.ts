import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { LeakService } from "@latchkey/core";
import { Type } from "typebox";
import { credentialOf } from "../http/credentials.js";
import { JSON_API, sendError } from "../http/errors.js";
import { type FailureThrottle, throttled } from "../http/failure-throttle.js";

/** Options of `POST /revoke`. */
export interface SelfRevokeOptions {
  leaks: LeakService;
  failureThrottle: FailureThrottle | null;
}

const SelfRevokeBody = Type.Union([
  Type.Null(),
  Type.Object(
    { key: Type.String({ minLength: 1, maxLength: 512, description: "The key to revoke." }) },
    { additionalProperties: false },
  ),
]);

const Accepted = Type.Object(
  { status: Type.Literal("accepted") },
  { description: "The same answer whether or not the key existed; a live key is revoked before it is sent." },
);

/**
 * `POST /revoke`: whoever holds a key may revoke it, with no other credential (a key found in a log,
 * a paste or a public repository). The answer is the same whatever the key, so it tells nothing.
 */
export const selfRevokeRoutes: FastifyPluginAsyncTypebox<SelfRevokeOptions> = async (
  app,
  { leaks, failureThrottle },
) => {
  // The SDK and JSON:API clients send their media type; the body is the same plain object.
  app.addContentTypeParser(JSON_API, { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));

  app.post(
    "/revoke",
    {
      schema: {
        tags: ["Leaked keys"],
        summary: "Revoke a key you hold (no other credential needed)",
        description:
          'Send the key as `{"key": "…"}` (`Content-Type: application/json` or `application/vnd.api+json`) or in a credential header (`Authorization: token <key>`, `Authorization: Bearer <key>` or `X-API-Key`). Always 202 with `{"status":"accepted"}` for any key, known or not; when the key was live it is revoked before the answer. Addresses sending many unknown keys are slowed down, then refused (429).',
        security: [],
        body: SelfRevokeBody,
        response: {
          202: Accepted,
          400: Type.Ref("ErrorDocument"),
          413: Type.Ref("ErrorDocument"),
          429: Type.Ref("ErrorDocument"),
        },
      },
    },
    async (request, reply) => {
      if (throttled(failureThrottle, request.ip, reply)) return sendError(request, reply, "RATE_LIMITED");
      const secret = request.body?.key ?? credentialOf(request.headers);
      if (secret === null) {
        return sendError(
          request,
          reply,
          "VALIDATION_FAILED",
          'Send the key as {"key": "…"} or in an Authorization or X-API-Key header.',
          { pointer: "/key" },
        );
      }
      const revoked = await leaks.revokeBySecret(secret, { requestId: request.id, ip: request.ip });
      if (!revoked) await failureThrottle?.fail(request.ip);
      return reply.code(202).send({ status: "accepted" as const });
    },
  );
};
