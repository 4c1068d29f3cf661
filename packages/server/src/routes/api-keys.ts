import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { keyDocument, keyEventResource, keyListDocument } from "../http/resources.js";
import {
  ERROR_RESPONSES,
  KeyFilterQuery,
  list,
  OrgItemParams,
  OrgParams,
  PageQuery,
  single,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";
import {
  BulkRevokeBody,
  CreateKeyBody,
  createKeyInput,
  keyFilterOf,
  limitInput,
  RegenerateKeyBody,
  UpdateKeyBody,
} from "./key-bodies.js";

const tags = ["API keys"];
const ApiKeyDoc = single(Type.Ref("ApiKey"));
const lifecycle = ["revoke", "disable", "enable"] as const;
const PUBLISHABLE_MANAGED =
  "A publishable key answers 409 PUBLISHABLE_KEY_MANAGED: it is replaced with POST /orgs/{org_id}/publishable_keys/{environment}/regenerate.";

/** The org's API keys: list, create, read, change, regenerate, revoke, disable, enable, delete. */
export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { keys, clock } = app.services;

  app.get(
    "/orgs/:org_id/api_keys",
    {
      schema: {
        tags,
        summary: "List the org's API keys",
        "x-latchkey-permission": "api_keys:read",
        params: OrgParams,
        querystring: Type.Object({ ...PageQuery.properties, ...KeyFilterQuery }),
        response: { 200: list(Type.Ref("ApiKey")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await keys.list(
        actorOf(request),
        request.params.org_id,
        keyFilterOf(request.query, true),
        pageRequestOf(request.query),
      );
      return reply
        .type(JSON_API)
        .send(keyListDocument(page.items, clock.now(), pageLinks(request, request.query, page)));
    },
  );

  app.post(
    "/orgs/:org_id/api_keys",
    {
      schema: {
        tags,
        summary: "Create an API key (the secret is in this answer only)",
        "x-latchkey-permission": "api_keys:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreateKeyBody,
        response: {
          201: ApiKeyDoc,
          ...ERROR_RESPONSES,
          409: Type.Ref("ErrorDocument"),
          422: Type.Ref("ErrorDocument"),
        },
      },
    },
    async (request, reply) => {
      const attributes = request.body.data.attributes;
      const input = createKeyInput(attributes, attributes.kind ?? "service");
      const issued = await keys.create(actorOf(request), request.params.org_id, input);
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/orgs/${issued.key.orgId}/api_keys/${issued.key.id}`)
        .send(keyDocument(issued.key, clock.now(), issued.secret));
    },
  );

  app.post(
    "/orgs/:org_id/api_keys/revoke",
    {
      schema: {
        tags,
        summary: "Revoke every key that matches a filter (for example a label)",
        description:
          "Publishable keys are never revoked in bulk: other filters skip them, and `filter[kind]=publishable` answers 409 PUBLISHABLE_KEY_MANAGED.",
        "x-latchkey-permission": "api_keys:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: BulkRevokeBody,
        response: {
          200: single(
            Type.Object({
              type: Type.Literal("api_key_revocation"),
              attributes: Type.Object({ revoked: Type.Integer(), key_ids: Type.Array(Type.String()) }),
            }),
          ),
          ...ERROR_RESPONSES,
          409: Type.Ref("ErrorDocument"),
        },
      },
    },
    async (request, reply) => {
      const ids = await keys.revokeMatching(
        actorOf(request),
        request.params.org_id,
        keyFilterOf(request.body.data.attributes.filter, false),
      );
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: { type: "api_key_revocation", attributes: { revoked: ids.length, key_ids: ids } },
      });
    },
  );

  app.get(
    "/orgs/:org_id/api_keys/:id",
    {
      schema: {
        tags,
        summary: "Get an API key",
        "x-latchkey-permission": "api_keys:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 200: ApiKeyDoc, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const key = await keys.get(actorOf(request), request.params.org_id, request.params.id);
      return reply.type(JSON_API).send(keyDocument(key, clock.now()));
    },
  );

  app.patch(
    "/orgs/:org_id/api_keys/:id",
    {
      schema: {
        tags,
        summary:
          "Change a key's name, description, labels, metadata, permissions, role/scope pairs, IP allowlist, rate limit or quota",
        description: PUBLISHABLE_MANAGED,
        "x-latchkey-permission": "api_keys:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        body: UpdateKeyBody,
        response: { 200: ApiKeyDoc, ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const attributes = request.body.data.attributes;
      const key = await keys.update(actorOf(request), request.params.org_id, request.params.id, {
        ...attributes,
        ...limitInput(attributes),
      });
      return reply.type(JSON_API).send(keyDocument(key, clock.now()));
    },
  );

  app.delete(
    "/orgs/:org_id/api_keys/:id",
    {
      schema: {
        tags,
        summary: "Delete a key: it stops working and leaves the lists; its events stay",
        description: PUBLISHABLE_MANAGED,
        "x-latchkey-permission": "api_keys:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      await keys.delete(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );

  for (const action of lifecycle) {
    app.post(
      `/orgs/:org_id/api_keys/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a key`,
          description: PUBLISHABLE_MANAGED,
          "x-latchkey-permission": "api_keys:write",
          params: OrgItemParams,
          querystring: VersionQuery,
          response: { 200: ApiKeyDoc, ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
        },
      },
      async (request, reply) => {
        const key = await keys[action](actorOf(request), request.params.org_id, request.params.id);
        return reply.type(JSON_API).send(keyDocument(key, clock.now()));
      },
    );
  }

  app.post(
    "/orgs/:org_id/api_keys/:id/regenerate",
    {
      schema: {
        tags,
        summary: "Give a key a new secret, keeping its id (the old one works for the grace period)",
        description: PUBLISHABLE_MANAGED,
        "x-latchkey-permission": "api_keys:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        body: RegenerateKeyBody,
        response: { 200: ApiKeyDoc, ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const attributes = request.body?.data.attributes;
      const issued = await keys.regenerate(
        actorOf(request),
        request.params.org_id,
        request.params.id,
        attributes?.grace_period_seconds ?? 0,
        attributes?.save_to_vault,
      );
      return reply.type(JSON_API).send(keyDocument(issued.key, clock.now(), issued.secret));
    },
  );

  app.get(
    "/orgs/:org_id/api_keys/:id/events",
    {
      schema: {
        tags,
        summary: "A key's lifecycle events, oldest first",
        "x-latchkey-permission": "api_keys:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: {
          200: Type.Object({
            jsonapi: Type.Object({ version: Type.Literal("1.0") }),
            data: Type.Array(Type.Ref("ApiKeyEvent")),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const events = await keys.events(actorOf(request), request.params.org_id, request.params.id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: events.map(keyEventResource) });
    },
  );
};
