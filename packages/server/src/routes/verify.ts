import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { PERMISSION_PATTERN, RESOURCE_PATTERN, VERIFICATION_CODES } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { replayBody } from "../http/fast-lane.js";
import { verificationJson } from "../http/resources.js";
import { ERROR_RESPONSES, Nullable, PrincipalRef, requestBody, StringEnum, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

/** The body of `POST /rest/api_keys/verify` (the fast lane validates it with the same compiler). */
export const VerifyBody = requestBody(
  "key_verification",
  Type.Object(
    {
      key: Type.String({ minLength: 1, maxLength: 512, description: "The key to verify." }),
      permissions: Type.Optional(
        Type.Array(Type.String({ pattern: PERMISSION_PATTERN }), { maxItems: 100, description: "All required." }),
      ),
      resource: Type.Optional(
        Type.String({
          pattern: RESOURCE_PATTERN,
          description:
            "Where the permissions are needed: project:<project id>. Answers INSUFFICIENT_PERMISSIONS unless a role/scope pair covering it (or the key's org-wide permissions) holds them all.",
        }),
      ),
      ip: Type.Optional(
        Type.String({
          anyOf: [{ format: "ipv4" }, { format: "ipv6" }],
          description: "The caller's address, for the key's IP allowlist.",
        }),
      ),
      cost: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 1_000_000,
          default: 1,
          description: "Quota and rate-limit units to spend (default 1).",
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const Time = Nullable(Type.String({ format: "date-time" }));

const VerificationDocument = Type.Object({
  jsonapi: Type.Object({ version: Type.Literal("1.0") }),
  data: Type.Object({
    type: Type.Literal("key_verification"),
    attributes: Type.Object({
      valid: Type.Boolean(),
      code: StringEnum(VERIFICATION_CODES),
      key_id: Nullable(Type.String()),
      org_id: Nullable(Type.String()),
      owner: Nullable(PrincipalRef),
      environment: Nullable(Type.String()),
      permissions: Type.Array(Type.String(), {
        description: "The key's effective permissions (at the resource, when one was given).",
      }),
      labels: Type.Array(Type.String()),
      metadata: Type.Object({}, { additionalProperties: true }),
      expires_at: Time,
      ratelimit: Nullable(
        Type.Object(
          {
            limit: Type.Integer(),
            remaining: Type.Integer(),
            reset: Type.Integer({ description: "When the window ends, epoch milliseconds." }),
          },
          { description: "The key's rate limit after this verification; null without one." },
        ),
      ),
      quota: Nullable(
        Type.Object(
          { remaining: Type.Integer() },
          { description: "The key's quota after this verification; null without one." },
        ),
      ),
    }),
  }),
});

/**
 * `POST /api_keys/verify`: for the org's own services; always 200 with a code. Over a socket the fast
 * lane answers plain requests before Fastify sees them (`http/fast-lane.ts`) and hands it the rest,
 * with a body it already read (`replayBody`).
 */
export const verifyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { keys } = app.services;

  app.post(
    "/api_keys/verify",
    {
      preParsing: replayBody,
      schema: {
        tags: ["Verification"],
        summary: "Verify a key of your org (needs api_keys:verify); always 200 with valid and code",
        "x-latchkey-permission": "api_keys:verify",
        querystring: VersionQuery,
        body: VerifyBody,
        response: { 200: VerificationDocument, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { key: secret, permissions, resource, ip, cost } = request.body.data.attributes;
      const outcome = await keys.verify(actorOf(request), secret, { permissions, resource, ip, cost });
      return reply.type(JSON_API).send(verificationJson(outcome));
    },
  );
};
