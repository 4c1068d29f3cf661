import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { groupResource, orgResource } from "../http/resources.js";
import { ERROR_RESPONSES, GroupParams, list, PageQuery, single, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Groups"];

/**
 * Groups: an org belongs to one group, and roles held in the group cover each of its orgs. A credential
 * acts in one org, and reaches only that org's group: any other group answers 404.
 */
export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { groups } = app.services;

  app.get(
    "/groups",
    {
      schema: {
        tags,
        summary: "The groups this credential can see: the group of its org",
        "x-latchkey-permission": "org:read",
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Group")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const found = await groups.list(actorOf(request));
      return reply
        .type(JSON_API)
        .send({ jsonapi: { version: "1.0" }, data: found.map(groupResource), links: { self: request.url } });
    },
  );

  app.get(
    "/groups/:group_id",
    {
      schema: {
        tags,
        summary: "Get a group (needs org:read in the group: a role held in the group, not the org)",
        "x-latchkey-permission": "org:read",
        "x-latchkey-scope": "group",
        params: GroupParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Group")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const group = await groups.get(actorOf(request), request.params.group_id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: groupResource(group) });
    },
  );

  app.get(
    "/groups/:group_id/orgs",
    {
      schema: {
        tags,
        summary: "List the group's orgs (needs org:read in the group)",
        "x-latchkey-permission": "org:read",
        "x-latchkey-scope": "group",
        params: GroupParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Org")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await groups.orgs(actorOf(request), request.params.group_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map(orgResource),
        links: pageLinks(request, request.query, page),
      });
    },
  );
};
