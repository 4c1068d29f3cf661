import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { LatchkeyError } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { apiKeyResource, orgResource, serviceAccountResource, userResource } from "../http/resources.js";
import { ERROR_RESPONSES, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

/** `GET /self`: who the credential belongs to, and the credential's own attributes. */
export const selfRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, clock } = app.services;

  app.get(
    "/self",
    {
      schema: {
        tags: ["Self"],
        summary: "Who the credential belongs to (user, service account or org) and the key itself (null for a session)",
        "x-latchkey-permission": "self",
        querystring: VersionQuery,
        response: {
          200: Type.Object({
            jsonapi: Type.Object({ version: Type.Literal("1.0") }),
            data: Type.Object(
              { type: Type.String(), id: Type.String(), attributes: Type.Object({}, { additionalProperties: true }) },
              { additionalProperties: true },
            ),
            meta: Type.Object({
              api_key: Type.Union([Type.Ref("ApiKey"), Type.Null()], {
                description: "The key of the request; null when the session cookie authenticated it.",
              }),
              permissions: Type.Array(Type.String()),
            }),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const key = actor.sessionId === undefined ? await store.keys.get(actor.orgId, actor.keyId) : null;
      if (key === null && actor.sessionId === undefined) throw new LatchkeyError("UNAUTHORIZED");
      let data: { type: string; id: string; attributes: Record<string, unknown> } | null = null;
      if (actor.principal.type === "user") {
        const user = await store.users.get(actor.principal.id);
        if (user) data = userResource(user, actor.orgId);
      } else if (actor.principal.type === "service_account") {
        const account = await store.serviceAccounts.get(actor.orgId, actor.principal.id);
        if (account) data = serviceAccountResource(account);
      } else {
        const org = await store.orgs.get(actor.orgId);
        if (org) data = orgResource(org);
      }
      if (data === null) throw new LatchkeyError("UNAUTHORIZED");
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data,
        meta: { api_key: key === null ? null : apiKeyResource(key, clock.now()), permissions: actor.grants },
      });
    },
  );
};
