import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ROLE_NAME_PATTERN } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { membershipResource } from "../http/resources.js";
import {
  ERROR_RESPONSES,
  list,
  OrgItemParams,
  OrgParams,
  PageQuery,
  RoleBindings,
  requestBody,
  single,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Members"];
const Role = Type.String({
  pattern: ROLE_NAME_PATTERN,
  description:
    "A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles, at most your own (only owners make owners); it holds in the whole org.",
});

const AddMemberBody = requestBody(
  "membership",
  Type.Object(
    {
      email: Type.String({ minLength: 3, maxLength: 320, description: "The email address of an existing user." }),
      role: Role,
      roles: Type.Optional(RoleBindings),
    },
    { additionalProperties: false },
  ),
);

const UpdateMemberBody = requestBody(
  "membership",
  Type.Object({ role: Type.Optional(Role), roles: Type.Optional(RoleBindings) }, { additionalProperties: false }),
);

const conflicts = { 409: Type.Ref("ErrorDocument") };

/** Who belongs to an org: list, add an existing user, change a role, remove. */
export const membershipRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { memberships } = app.services;

  app.get(
    "/orgs/:org_id/memberships",
    {
      schema: {
        tags,
        summary: "List the org's members and their roles",
        "x-latchkey-permission": "members:read",
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Membership")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await memberships.list(actorOf(request), request.params.org_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map(membershipResource),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/orgs/:org_id/memberships",
    {
      schema: {
        tags,
        summary: "Add an existing user to the org with a role (invite new people instead)",
        "x-latchkey-permission": "members:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: AddMemberBody,
        response: { 201: single(Type.Ref("Membership")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const member = await memberships.add(actorOf(request), request.params.org_id, request.body.data.attributes);
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/orgs/${member.orgId}/memberships/${member.id}`)
        .send({ jsonapi: { version: "1.0" }, data: membershipResource(member) });
    },
  );

  app.get(
    "/orgs/:org_id/memberships/:id",
    {
      schema: {
        tags,
        summary: "Get a membership",
        "x-latchkey-permission": "members:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Membership")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const member = await memberships.get(actorOf(request), request.params.org_id, request.params.id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: membershipResource(member) });
    },
  );

  app.patch(
    "/orgs/:org_id/memberships/:id",
    {
      schema: {
        tags,
        summary: "Change a member's role or role/scope pairs (their keys follow on the next request)",
        "x-latchkey-permission": "members:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        body: UpdateMemberBody,
        response: { 200: single(Type.Ref("Membership")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const { org_id, id } = request.params;
      const member = await memberships.update(actorOf(request), org_id, id, request.body.data.attributes);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: membershipResource(member) });
    },
  );

  app.delete(
    "/orgs/:org_id/memberships/:id",
    {
      schema: {
        tags,
        summary: "Remove a member (their personal keys stop working in this org at once)",
        "x-latchkey-permission": "members:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      await memberships.remove(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
