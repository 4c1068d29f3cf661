import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { keyDocument, keyListDocument } from "../http/resources.js";
import { ERROR_RESPONSES, ItemParams, KeyFilterQuery, list, PageQuery, single, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";
import { CreateTokenBody, createKeyInput, keyFilterOf, RegenerateBody } from "./key-bodies.js";

const tags = ["Personal tokens"];
const ApiKeyDoc = single(Type.Ref("ApiKey"));
const { "filter[kind]": _kind, "filter[owner]": _owner, ...TokenFilters } = KeyFilterQuery;

/** The acting user's personal tokens in the credential's org. Any user may manage their own. */
export const selfTokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { keys, clock } = app.services;

  app.get(
    "/self/tokens",
    {
      schema: {
        tags,
        summary: "List your personal tokens",
        "x-latchkey-permission": "self",
        querystring: Type.Object({ ...PageQuery.properties, ...TokenFilters }),
        response: { 200: list(Type.Ref("ApiKey")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await keys.listOwnTokens(
        actorOf(request),
        keyFilterOf(request.query, true),
        pageRequestOf(request.query),
      );
      return reply
        .type(JSON_API)
        .send(keyListDocument(page.items, clock.now(), pageLinks(request, request.query, page)));
    },
  );

  app.post(
    "/self/tokens",
    {
      schema: {
        tags,
        summary: "Create a personal token (the secret is in this answer only)",
        "x-latchkey-permission": "self",
        querystring: VersionQuery,
        body: CreateTokenBody,
        response: { 201: ApiKeyDoc, ...ERROR_RESPONSES, 422: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const issued = await keys.create(actor, actor.orgId, createKeyInput(request.body.data.attributes, "personal"));
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/self/tokens/${issued.key.id}`)
        .send(keyDocument(issued.key, clock.now(), issued.secret));
    },
  );

  app.get(
    "/self/tokens/:id",
    {
      schema: {
        tags,
        summary: "Get one of your personal tokens",
        "x-latchkey-permission": "self",
        params: ItemParams,
        querystring: VersionQuery,
        response: { 200: ApiKeyDoc, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const key = await keys.getOwnToken(actorOf(request), request.params.id);
      return reply.type(JSON_API).send(keyDocument(key, clock.now()));
    },
  );

  app.delete(
    "/self/tokens/:id",
    {
      schema: {
        tags,
        summary: "Delete one of your personal tokens",
        "x-latchkey-permission": "self",
        params: ItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const key = await keys.getOwnToken(actor, request.params.id);
      await keys.delete(actor, key.orgId, key.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/self/tokens/:id/regenerate",
    {
      schema: {
        tags,
        summary: "Revoke & regenerate one of your personal tokens",
        "x-latchkey-permission": "self",
        params: ItemParams,
        querystring: VersionQuery,
        body: RegenerateBody,
        response: { 200: ApiKeyDoc, ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const key = await keys.getOwnToken(actor, request.params.id);
      const grace = request.body?.data.attributes.grace_period_seconds ?? 0;
      const issued = await keys.regenerate(actor, key.orgId, key.id, grace);
      return reply.type(JSON_API).send(keyDocument(issued.key, clock.now(), issued.secret));
    },
  );
};
