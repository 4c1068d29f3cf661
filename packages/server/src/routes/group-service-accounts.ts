import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { BUILT_IN_ROLES, MAX_NAME_LENGTH } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { groupServiceAccountResource } from "../http/resources.js";
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

const tags = ["Service accounts"];
const Role = StringEnum(BUILT_IN_ROLES, {
  description: "A built-in role: the account's grants in every org of the group. It may not hold more than you do.",
});

const CreateGroupServiceAccountBody = requestBody(
  "service_account",
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
      role: Role,
      auth_type: Type.Optional(
        StringEnum(["api_key"], {
          default: "api_key",
          description: "Group accounts use API keys (created in an org of the group with service_account_id).",
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const UpdateGroupServiceAccountBody = requestBody(
  "service_account",
  Type.Object(
    { name: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH })), role: Type.Optional(Role) },
    { additionalProperties: false },
  ),
);

const conflicts = { 409: Type.Ref("ErrorDocument") };

/**
 * Service accounts of a group: one account owns keys in any org of the group. Permissions
 * (`service_accounts:read|write`) are checked at group scope.
 */
export const groupServiceAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { groupServiceAccounts } = app.services;

  app.get(
    "/groups/:group_id/service_accounts",
    {
      schema: {
        tags,
        summary: "List the group's service accounts",
        "x-latchkey-permission": "service_accounts:read",
        "x-latchkey-scope": "group",
        params: GroupParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await groupServiceAccounts.list(
        actorOf(request),
        request.params.group_id,
        pageRequestOf(request.query),
      );
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map(groupServiceAccountResource),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/groups/:group_id/service_accounts",
    {
      schema: {
        tags,
        summary:
          "Create a group service account (its keys are created in an org of the group, with service_account_id)",
        "x-latchkey-permission": "service_accounts:write",
        "x-latchkey-scope": "group",
        params: GroupParams,
        querystring: VersionQuery,
        body: CreateGroupServiceAccountBody,
        response: { 201: single(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const { name, role, auth_type } = request.body.data.attributes;
      const account = await groupServiceAccounts.create(actorOf(request), request.params.group_id, {
        name,
        role,
        authType: auth_type,
      });
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/groups/${account.groupId}/service_accounts/${account.id}`)
        .send({ jsonapi: { version: "1.0" }, data: groupServiceAccountResource(account) });
    },
  );

  app.get(
    "/groups/:group_id/service_accounts/:id",
    {
      schema: {
        tags,
        summary: "Get a group service account",
        "x-latchkey-permission": "service_accounts:read",
        "x-latchkey-scope": "group",
        params: GroupItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { group_id, id } = request.params;
      const account = await groupServiceAccounts.get(actorOf(request), group_id, id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: groupServiceAccountResource(account) });
    },
  );

  app.patch(
    "/groups/:group_id/service_accounts/:id",
    {
      schema: {
        tags,
        summary: "Rename a group service account or change its role (its keys follow on the next request)",
        "x-latchkey-permission": "service_accounts:write",
        "x-latchkey-scope": "group",
        params: GroupItemParams,
        querystring: VersionQuery,
        body: UpdateGroupServiceAccountBody,
        response: { 200: single(Type.Ref("ServiceAccount")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const { group_id, id } = request.params;
      const account = await groupServiceAccounts.update(actorOf(request), group_id, id, request.body.data.attributes);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: groupServiceAccountResource(account) });
    },
  );

  app.delete(
    "/groups/:group_id/service_accounts/:id",
    {
      schema: {
        tags,
        summary: "Delete a group service account and revoke its keys in every org of the group",
        "x-latchkey-permission": "service_accounts:write",
        "x-latchkey-scope": "group",
        params: GroupItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await groupServiceAccounts.delete(actorOf(request), request.params.group_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
