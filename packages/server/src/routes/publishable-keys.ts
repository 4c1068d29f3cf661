import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ENVIRONMENT_PATTERN } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { apiKeyResource, keyDocument } from "../http/resources.js";
import { ERROR_RESPONSES, OrgParams, single, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";
import { RegenerateBody } from "./key-bodies.js";

const tags = ["Publishable keys"];

const EnvironmentParams = Type.Object({
  org_id: OrgParams.properties.org_id,
  environment: Type.String({ pattern: ENVIRONMENT_PATTERN, description: "An environment of the org's policy." }),
});

/**
 * The org's publishable keys (SPEC §2, §5): one per environment, made with the org and its
 * environments, carrying only the catalogue's publishable permissions. Their values are public, so
 * the list shows them (as `attributes.key`); the generic api_keys routes never do.
 */
export const publishableKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { publishableKeys, clock } = app.services;

  app.get(
    "/orgs/:org_id/publishable_keys",
    {
      schema: {
        tags,
        summary: "List the org's publishable keys, one per environment, with their values",
        description:
          "Each environment of the org's policy has one publishable key (`lkpk_…`, `lkpk_<env>_…`), owned by the org, never expiring, carrying exactly the permissions the org's catalogue marks publishable. Its value is meant for public clients, so it is shown here as `attributes.key` (never by the api_keys routes). Orgs made before publishable keys existed get theirs on the first call.",
        "x-latchkey-permission": "api_keys:read",
        params: OrgParams,
        querystring: VersionQuery,
        response: {
          200: Type.Object({
            jsonapi: Type.Object({ version: Type.Literal("1.0") }),
            data: Type.Array(Type.Ref("ApiKey")),
            links: Type.Object({ self: Type.String() }),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const views = await publishableKeys.list(actorOf(request), request.params.org_id);
      const now = clock.now();
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: views.map((view) => apiKeyResource(view.key, now, view.value)),
        links: { self: `/rest/orgs/${request.params.org_id}/publishable_keys` },
      });
    },
  );

  app.post(
    "/orgs/:org_id/publishable_keys/:environment/regenerate",
    {
      schema: {
        tags,
        summary: "Give an environment's publishable key a new value (the old one stops at once by default)",
        description:
          "Keeps the key's id and history; the old value keeps working for `grace_period_seconds` (default 0: it fails on the very next request). Audited as `api_key.regenerated`. An environment the org's policy does not list is 404.",
        "x-latchkey-permission": "api_keys:write",
        params: EnvironmentParams,
        querystring: VersionQuery,
        body: RegenerateBody,
        response: { 200: single(Type.Ref("ApiKey")), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const view = await publishableKeys.regenerate(
        actorOf(request),
        request.params.org_id,
        request.params.environment,
        request.body?.data.attributes.grace_period_seconds ?? 0,
      );
      return reply.type(JSON_API).send(keyDocument(view.key, clock.now(), view.value));
    },
  );
};
