import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { MAX_GRACE_PERIOD_SECONDS } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { clientSecretResource } from "../http/resources.js";
import { ERROR_RESPONSES, OrgItemParams, requestBody, single, Uuid, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Service accounts"];

const IssueSecretBody = Type.Union([
  Type.Null(),
  requestBody(
    "client_secret",
    Type.Object(
      {
        grace_period_seconds: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: MAX_GRACE_PERIOD_SECONDS,
            default: 0,
            description:
              "How long the older secrets, and the access tokens issued with them, keep working (0 = they stop at once; at most 7 days).",
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
]);

const SecretParams = Type.Object({ ...OrgItemParams.properties, secret_id: Uuid });

/** The OAuth client secrets of a service account: list, issue (rotate), revoke. */
export const serviceAccountSecretRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { oauthClients, clock } = app.services;

  app.get(
    "/orgs/:org_id/service_accounts/:id/secrets",
    {
      schema: {
        tags,
        summary: "List an OAuth service account's client secrets (never their values)",
        "x-latchkey-permission": "service_accounts:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: {
          200: Type.Object({
            jsonapi: Type.Object({ version: Type.Literal("1.0") }),
            data: Type.Array(Type.Ref("ClientSecret")),
          }),
          ...ERROR_RESPONSES,
          409: Type.Ref("ErrorDocument"),
        },
      },
    },
    async (request, reply) => {
      const secrets = await oauthClients.listSecrets(actorOf(request), request.params.org_id, request.params.id);
      const now = clock.now();
      return reply
        .type(JSON_API)
        .send({ jsonapi: { version: "1.0" }, data: secrets.map((secret) => clientSecretResource(secret, now)) });
    },
  );

  app.post(
    "/orgs/:org_id/service_accounts/:id/secrets",
    {
      schema: {
        tags,
        summary: "Issue a new client secret (shown once); the older ones work for the grace period",
        "x-latchkey-permission": "service_accounts:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        body: IssueSecretBody,
        response: { 201: single(Type.Ref("ClientSecret")), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const grace = request.body?.data.attributes.grace_period_seconds ?? 0;
      const issued = await oauthClients.issueSecret(actorOf(request), request.params.org_id, request.params.id, grace);
      return reply
        .code(201)
        .type(JSON_API)
        .header("cache-control", "no-store")
        .send({ jsonapi: { version: "1.0" }, data: clientSecretResource(issued.secret, clock.now(), issued.value) });
    },
  );

  app.delete(
    "/orgs/:org_id/service_accounts/:id/secrets/:secret_id",
    {
      schema: {
        tags,
        summary: "Revoke a client secret: it and every access token issued with it stop working at once",
        "x-latchkey-permission": "service_accounts:write",
        params: SecretParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const { org_id, id, secret_id } = request.params;
      await oauthClients.revokeSecret(actorOf(request), org_id, id, secret_id);
      return reply.code(204).send(null);
    },
  );
};
