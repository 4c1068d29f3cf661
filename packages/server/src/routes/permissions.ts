import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type CatalogueEntry, PRODUCT_PERMISSION_PATTERN } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { ERROR_RESPONSES, OrgParams, requestBody, single, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Permissions"];

/** The `permission` resource: an entry of the org's catalogue (its id is its name). */
export const PermissionResource = Type.Object(
  {
    type: Type.Literal("permission"),
    id: Type.String({ description: "The permission itself, resource:action." }),
    attributes: Type.Object({
      name: Type.String(),
      description: Type.String(),
      publishable: Type.Boolean({ description: "Whether publishable keys may carry it." }),
      source: Type.Union([Type.Literal("latchkey"), Type.Literal("org")], {
        description: "latchkey: one of Latchkey's own permissions; org: one of the org's product permissions.",
      }),
    }),
  },
  { $id: "Permission" },
);

const CreatePermissionBody = requestBody(
  "permission",
  Type.Object(
    {
      name: Type.String({ pattern: PRODUCT_PERMISSION_PATTERN, description: "resource:action, no wildcard." }),
      description: Type.String({ minLength: 1, maxLength: 200 }),
      publishable: Type.Optional(Type.Boolean({ default: false })),
    },
    { additionalProperties: false },
  ),
);

function permissionResource(entry: CatalogueEntry) {
  return {
    type: "permission" as const,
    id: entry.name,
    attributes: {
      name: entry.name,
      description: entry.description,
      publishable: entry.publishable,
      source: entry.source,
    },
  };
}

/** Each org's permission catalogue: Latchkey's own permissions and the org's product permissions. */
export const permissionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { permissions } = app.services;

  app.get(
    "/orgs/:org_id/permissions",
    {
      schema: {
        tags,
        summary: "The org's permission catalogue, whole: Latchkey's own, then the org's product permissions",
        "x-latchkey-permission": "org:read",
        params: OrgParams,
        querystring: VersionQuery,
        response: {
          200: Type.Object({
            jsonapi: Type.Object({ version: Type.Literal("1.0") }),
            data: Type.Array(Type.Ref("Permission")),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const entries = await permissions.list(actorOf(request), request.params.org_id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: entries.map(permissionResource) });
    },
  );

  app.post(
    "/orgs/:org_id/permissions",
    {
      schema: {
        tags,
        summary: "Add a product permission to the org's catalogue",
        "x-latchkey-permission": "org:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreatePermissionBody,
        response: { 201: single(Type.Ref("Permission")), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const created = await permissions.create(actorOf(request), request.params.org_id, request.body.data.attributes);
      const entry: CatalogueEntry = { ...created, source: "org" };
      return reply
        .code(201)
        .type(JSON_API)
        .send({ jsonapi: { version: "1.0" }, data: permissionResource(entry) });
    },
  );
};
