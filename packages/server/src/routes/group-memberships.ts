import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { BUILT_IN_ROLES } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { groupMembershipResource } from "../http/resources.js";
import {
  ERROR_RESPONSES,
  GroupItemParams,
  GroupParams,
  list,
  PageQuery,
  requestBody,
  StringEnum,
  single,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Groups"];
const Role = StringEnum(BUILT_IN_ROLES, {
  description:
    "A built-in role, at most your own in the group (only owners make owners). It covers every org of the group.",
});

const AddGroupMemberBody = requestBody(
  "group_membership",
  Type.Object(
    {
      email: Type.String({ minLength: 3, maxLength: 320, description: "The email address of an existing user." }),
      role: Role,
    },
    { additionalProperties: false },
  ),
);

const UpdateGroupMemberBody = requestBody(
  "group_membership",
  Type.Object({ role: Role }, { additionalProperties: false }),
);

const conflicts = { 409: Type.Ref("ErrorDocument") };

/** Who belongs to a group: list, add an existing user, change a role, remove (checked at group scope). */
export const groupMembershipRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { groups } = app.services;

  app.get(
    "/groups/:group_id/memberships",
    {
      schema: {
        tags,
        summary: "List the group's members and their roles (needs members:read in the group)",
        "x-latchkey-permission": "members:read",
        "x-latchkey-scope": "group",
        params: GroupParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("GroupMembership")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await groups.listMembers(actorOf(request), request.params.group_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map(groupMembershipResource),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/groups/:group_id/memberships",
    {
      schema: {
        tags,
        summary: "Add an existing user to the group with a role that covers each of its orgs",
        "x-latchkey-permission": "members:write",
        "x-latchkey-scope": "group",
        params: GroupParams,
        querystring: VersionQuery,
        body: AddGroupMemberBody,
        response: { 201: single(Type.Ref("GroupMembership")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const member = await groups.addMember(actorOf(request), request.params.group_id, request.body.data.attributes);
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/groups/${member.groupId}/memberships/${member.id}`)
        .send({ jsonapi: { version: "1.0" }, data: groupMembershipResource(member) });
    },
  );

  app.get(
    "/groups/:group_id/memberships/:id",
    {
      schema: {
        tags,
        summary: "Get a group membership",
        "x-latchkey-permission": "members:read",
        "x-latchkey-scope": "group",
        params: GroupItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("GroupMembership")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { group_id, id } = request.params;
      const member = await groups.getMember(actorOf(request), group_id, id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: groupMembershipResource(member) });
    },
  );

  app.patch(
    "/groups/:group_id/memberships/:id",
    {
      schema: {
        tags,
        summary: "Change a group member's role (their keys in every org of the group follow on the next request)",
        "x-latchkey-permission": "members:write",
        "x-latchkey-scope": "group",
        params: GroupItemParams,
        querystring: VersionQuery,
        body: UpdateGroupMemberBody,
        response: { 200: single(Type.Ref("GroupMembership")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const { group_id, id } = request.params;
      const member = await groups.setMemberRole(actorOf(request), group_id, id, request.body.data.attributes.role);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: groupMembershipResource(member) });
    },
  );

  app.delete(
    "/groups/:group_id/memberships/:id",
    {
      schema: {
        tags,
        summary: "Remove a group member (the rights their group role gave stop on the next request)",
        "x-latchkey-permission": "members:write",
        "x-latchkey-scope": "group",
        params: GroupItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      await groups.removeMember(actorOf(request), request.params.group_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
