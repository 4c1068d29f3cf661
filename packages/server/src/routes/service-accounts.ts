import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  MAX_NAME_LENGTH,
  MIN_ACCESS_TOKEN_TTL_SECONDS,
  ROLE_NAME_PATTERN,
} from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { serviceAccountResource } from "../http/resources.js";
import {
  ERROR_RESPONSES,
  list,
  OrgItemParams,
  OrgParams,
  PageQuery,
  requestBody,
  single,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Service accounts"];

const CreateServiceAccountBody = requestBody(
  "service_account",
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
      role: Type.String({
        pattern: ROLE_NAME_PATTERN,
        description: "A built-in or custom role; it may not hold more than the creator does.",
      }),
      auth_type: Type.Optional(
        Type.Union([Type.Literal("api_key"), Type.Literal("oauth_client_secret")], {
          default: "api_key",
          description:
            "api_key: the account uses its API keys; oauth_client_secret: it is an OAuth2 client (client credentials), and the answer holds client_id and, once, client_secret.",
        }),
      ),
      access_token_ttl_seconds: Type.Optional(
        Type.Integer({
          minimum: MIN_ACCESS_TOKEN_TTL_SECONDS,
          maximum: MAX_ACCESS_TOKEN_TTL_SECONDS,
          description:
            "OAuth accounts: the lifetime of their access tokens (default LATCHKEY_OAUTH_ACCESS_TOKEN_TTL_SECONDS).",
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const UpdateServiceAccountBody = requestBody(
  "service_account",
  Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH })),
      role: Type.Optional(
        Type.String({
          pattern: ROLE_NAME_PATTERN,
          description:
            "A built-in or custom role; neither it nor the account's current role may hold more than you do.",
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

/** Service accounts of an org: create, list, get, change, delete (which revokes their keys). */
export const serviceAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { serviceAccounts } = app.services;

  app.get(
    "/orgs/:org_id/service_accounts",
    {
      schema: {
        tags,
        summary: "List service accounts",
        "x-latchkey-permission": "service_accounts:read",
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await serviceAccounts.list(actorOf(request), request.params.org_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map((account) => serviceAccountResource(account)),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/orgs/:org_id/service_accounts",
    {
      schema: {
        tags,
        summary: "Create a service account",
        "x-latchkey-permission": "service_accounts:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreateServiceAccountBody,
        response: { 201: single(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const { name, role, auth_type, access_token_ttl_seconds } = request.body.data.attributes;
      const { account, clientSecret } = await serviceAccounts.create(actorOf(request), request.params.org_id, {
        name,
        role,
        authType: auth_type,
        accessTokenTtlSeconds: access_token_ttl_seconds,
      });
      return reply
        .code(201)
        .type(JSON_API)
        .header("cache-control", "no-store")
        .header("location", `/rest/orgs/${account.orgId}/service_accounts/${account.id}`)
        .send({ jsonapi: { version: "1.0" }, data: serviceAccountResource(account, clientSecret?.value) });
    },
  );

  app.get(
    "/orgs/:org_id/service_accounts/:id",
    {
      schema: {
        tags,
        summary: "Get a service account",
        "x-latchkey-permission": "service_accounts:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const account = await serviceAccounts.get(actorOf(request), request.params.org_id, request.params.id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: serviceAccountResource(account) });
    },
  );

  app.patch(
    "/orgs/:org_id/service_accounts/:id",
    {
      schema: {
        tags,
        summary: "Rename a service account or give it another role (its keys follow on the next request)",
        "x-latchkey-permission": "service_accounts:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        body: UpdateServiceAccountBody,
        response: { 200: single(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const { org_id, id } = request.params;
      const account = await serviceAccounts.update(actorOf(request), org_id, id, request.body.data.attributes);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: serviceAccountResource(account) });
    },
  );

  app.delete(
    "/orgs/:org_id/service_accounts/:id",
    {
      schema: {
        tags,
        summary: "Delete a service account and revoke its keys",
        "x-latchkey-permission": "service_accounts:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await serviceAccounts.delete(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
