import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { LatchkeyError } from "@latchkey/core";
import { type Static, Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import {
  apiKeyResource,
  groupServiceAccountResource,
  orgResource,
  serviceAccountResource,
  userResource,
} from "../http/resources.js";
import { ERROR_RESPONSES, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

/** The OAuth2 access token a request was made with (never its value). */
const AccessTokenMeta = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    hint: Type.String({ description: "lkat_<first 4>…<last 4>" }),
    client_id: Type.String(),
    client_secret_id: Type.String({ format: "uuid" }),
    created_at: Type.String({ format: "date-time" }),
    expires_at: Type.String({ format: "date-time" }),
  },
  { description: "The OAuth2 access token the request was made with (absent for an API key)." },
);

type AccessTokenMetaValue = Static<typeof AccessTokenMeta>;

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
              api_key: Type.Optional(
                Type.Union([Type.Ref("ApiKey"), Type.Null()], {
                  description: "The API key of the request: null for a session cookie, absent for an access token.",
                }),
              ),
              access_token: Type.Optional(AccessTokenMeta),
              permissions: Type.Array(Type.String()),
            }),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      let credential: { api_key: ReturnType<typeof apiKeyResource> | null } | { access_token: AccessTokenMetaValue };
      if (actor.sessionId !== undefined) {
        credential = { api_key: null };
      } else if (actor.credentialKind === "access_token") {
        const token = await store.oauth.getToken(actor.orgId, actor.keyId);
        if (token === null) throw new LatchkeyError("UNAUTHORIZED");
        credential = {
          access_token: {
            id: token.id,
            hint: token.hint,
            client_id: token.serviceAccountId,
            client_secret_id: token.clientSecretId,
            created_at: token.createdAt.toISOString(),
            expires_at: token.expiresAt.toISOString(),
          },
        };
      } else {
        const key = await store.keys.get(actor.orgId, actor.keyId);
        if (key === null) throw new LatchkeyError("UNAUTHORIZED");
        credential = { api_key: apiKeyResource(key, clock.now()) };
      }
      let data: { type: string; id: string; attributes: Record<string, unknown> } | null = null;
      if (actor.principal.type === "user") {
        const user = await store.users.get(actor.principal.id);
        if (user) data = userResource(user, actor.orgId);
      } else if (actor.principal.type === "service_account") {
        const account = await store.serviceAccounts.get(actor.orgId, actor.principal.id);
        if (account) data = serviceAccountResource(account);
        else {
          // A service account of the org's group.
          const group = await store.groups.ofOrg(actor.orgId);
          const groupAccount = group && (await store.groups.getAccount(group.id, actor.principal.id));
          if (groupAccount) data = groupServiceAccountResource(groupAccount);
        }
      } else {
        const org = await store.orgs.get(actor.orgId);
        if (org) data = orgResource(org);
      }
      if (data === null) throw new LatchkeyError("UNAUTHORIZED");
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data,
        meta: { ...credential, permissions: actor.grants },
      });
    },
  );
};
