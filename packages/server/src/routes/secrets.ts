import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { MAX_SECRET_VALUE_BYTES, SECRET_NAME_PATTERN } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { secretResource } from "../http/resources.js";
import {
  ERROR_RESPONSES,
  list,
  OrgItemParams,
  OrgParams,
  PageQuery,
  requestBody,
  single,
  Version,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Vault"];
const SecretDoc = single(Type.Ref("Secret"));

/** The body of a secret's creation: a name and a value. */
export const CreateSecretBody = requestBody(
  "secret",
  Type.Object(
    {
      name: Type.String({
        pattern: SECRET_NAME_PATTERN,
        description: "1–128 letters, digits and _ . - /, starting with a letter or digit; unique in the org.",
      }),
      value: Type.String({
        minLength: 1,
        maxLength: MAX_SECRET_VALUE_BYTES,
        description: `The value, at most ${MAX_SECRET_VALUE_BYTES} bytes of UTF-8. Stored encrypted; never in this answer.`,
      }),
    },
    { additionalProperties: false },
  ),
);

/** The org's vault: list, store, read (the value only on request, with secrets:read), delete. */
export const secretRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { vault } = app.services;

  app.get(
    "/orgs/:org_id/secrets",
    {
      schema: {
        tags,
        summary: "List the org's vault secrets, newest first, without values (needs secrets:list)",
        "x-latchkey-permission": "secrets:list",
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Secret")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await vault.list(actorOf(request), request.params.org_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map((secret) => secretResource(secret)),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/orgs/:org_id/secrets",
    {
      schema: {
        tags,
        summary: "Store a secret in the vault, encrypted (needs secrets:write); the answer holds no value",
        "x-latchkey-permission": "secrets:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreateSecretBody,
        response: { 201: SecretDoc, ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const secret = await vault.create(actorOf(request), request.params.org_id, request.body.data.attributes);
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/orgs/${secret.orgId}/secrets/${secret.id}`)
        .send({ jsonapi: { version: "1.0" }, data: secretResource(secret) });
    },
  );

  app.get(
    "/orgs/:org_id/secrets/:id",
    {
      schema: {
        tags,
        summary: "Get a secret; with reveal=true its value too (needs secrets:read; every reveal is audited)",
        "x-latchkey-permission": "secrets:list",
        params: OrgItemParams,
        querystring: Type.Object({
          version: Version,
          reveal: Type.Optional(
            Type.Boolean({
              default: false,
              description: "true: include attributes.value (needs secrets:read; recorded as secret.read).",
            }),
          ),
        }),
        response: { 200: SecretDoc, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { org_id: orgId, id } = request.params;
      if (request.query.reveal === true) {
        const revealed = await vault.reveal(actor, orgId, id);
        // A value must not linger in any cache between Latchkey and the caller.
        reply.header("cache-control", "no-store");
        return reply
          .type(JSON_API)
          .send({ jsonapi: { version: "1.0" }, data: secretResource(revealed.secret, revealed.value) });
      }
      const secret = await vault.get(actor, orgId, id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: secretResource(secret) });
    },
  );

  app.delete(
    "/orgs/:org_id/secrets/:id",
    {
      schema: {
        tags,
        summary: "Delete a secret: its encrypted value is removed; its audit events stay (needs secrets:write)",
        "x-latchkey-permission": "secrets:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await vault.delete(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
