import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { BUILT_IN_ROLES, PERMISSION_PATTERN, ROLE_NAME_PATTERN, type RoleView } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { ERROR_RESPONSES, OrgParams, requestBody, StringEnum, single, Uuid, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Roles"];
const conflicts = { 409: Type.Ref("ErrorDocument") };

/** A role of an org: a built-in one by its name, a custom one by its id. */
const RoleParams = Type.Object({
  org_id: Uuid,
  id: Type.Union([Uuid, StringEnum(BUILT_IN_ROLES, { description: "A built-in role's name." })]),
});

/** The `role` resource: a built-in role (its id is its name) or one of the org's custom roles. */
export const RoleResource = Type.Object(
  {
    type: Type.Literal("role"),
    id: Type.String({ description: "The name of a built-in role; the UUID of a custom role." }),
    attributes: Type.Object({
      name: Type.String(),
      description: Type.String(),
      permissions: Type.Array(Type.String(), { description: "What the role grants, wildcards allowed." }),
      built_in: Type.Boolean(),
      created_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    }),
    links: Type.Optional(Type.Object({ self: Type.String() })),
  },
  { $id: "Role" },
);

const Permissions = Type.Array(Type.String({ pattern: PERMISSION_PATTERN }), {
  maxItems: 100,
  description: "resource:action permissions (wildcards allowed), each one you hold yourself.",
});

const CreateRoleBody = requestBody(
  "role",
  Type.Object(
    {
      name: Type.String({ pattern: ROLE_NAME_PATTERN, description: "Unique in the org; not a built-in role's name." }),
      description: Type.Optional(Type.String({ maxLength: 200 })),
      permissions: Permissions,
    },
    { additionalProperties: false },
  ),
);

const UpdateRoleBody = requestBody(
  "role",
  Type.Object(
    { description: Type.Optional(Type.String({ maxLength: 200 })), permissions: Type.Optional(Permissions) },
    { additionalProperties: false },
  ),
);

function roleResource(orgId: string, role: RoleView) {
  return {
    type: "role" as const,
    id: role.id,
    attributes: {
      name: role.name,
      description: role.description,
      permissions: role.permissions,
      built_in: role.builtIn,
      created_at: role.createdAt?.toISOString() ?? null,
    },
    ...(role.builtIn ? {} : { links: { self: `/rest/orgs/${orgId}/roles/${role.id}` } }),
  };
}

/** The org's roles: the built-in ones and its custom roles. */
export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { roles } = app.services;

  app.get(
    "/orgs/:org_id/roles",
    {
      schema: {
        tags,
        summary: "The org's roles: the built-in ones, most powerful first, then its custom roles by name",
        "x-latchkey-permission": "members:read",
        params: OrgParams,
        querystring: VersionQuery,
        response: {
          200: Type.Object({
            jsonapi: Type.Object({ version: Type.Literal("1.0") }),
            data: Type.Array(Type.Ref("Role")),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const { org_id } = request.params;
      const all = await roles.list(actorOf(request), org_id);
      return reply
        .type(JSON_API)
        .send({ jsonapi: { version: "1.0" }, data: all.map((role) => roleResource(org_id, role)) });
    },
  );

  app.post(
    "/orgs/:org_id/roles",
    {
      schema: {
        tags,
        summary: "Create a custom role: a name and permissions, none beyond your own",
        "x-latchkey-permission": "members:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreateRoleBody,
        response: { 201: single(Type.Ref("Role")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const role = await roles.create(actorOf(request), request.params.org_id, request.body.data.attributes);
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/orgs/${request.params.org_id.toLowerCase()}/roles/${role.id}`)
        .send({ jsonapi: { version: "1.0" }, data: roleResource(request.params.org_id.toLowerCase(), role) });
    },
  );

  app.get(
    "/orgs/:org_id/roles/:id",
    {
      schema: {
        tags,
        summary: "Get a role: a built-in one by its name, a custom one by its id",
        "x-latchkey-permission": "members:read",
        params: RoleParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Role")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { org_id, id } = request.params;
      const role = await roles.get(actorOf(request), org_id, id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: roleResource(org_id.toLowerCase(), role) });
    },
  );

  app.patch(
    "/orgs/:org_id/roles/:id",
    {
      schema: {
        tags,
        summary:
          "Change a custom role's description or permissions (its holders' keys follow on the next request; a built-in role is 404)",
        "x-latchkey-permission": "members:write",
        params: RoleParams,
        querystring: VersionQuery,
        body: UpdateRoleBody,
        response: { 200: single(Type.Ref("Role")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { org_id, id } = request.params;
      const role = await roles.update(actorOf(request), org_id, id, request.body.data.attributes);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: roleResource(org_id.toLowerCase(), role) });
    },
  );

  app.delete(
    "/orgs/:org_id/roles/:id",
    {
      schema: {
        tags,
        summary:
          "Delete a custom role nobody holds (409 while a member, account, invitation or live key holds it; a built-in role is 404)",
        "x-latchkey-permission": "members:write",
        params: RoleParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      await roles.delete(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
