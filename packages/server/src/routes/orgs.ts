import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { LatchkeyError, requireOrg, requirePermission } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { orgResource } from "../http/resources.js";
import { ERROR_RESPONSES, list, OrgParams, PageQuery, single, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Orgs"];

/** Orgs: a credential belongs to one org and sees only that one. */
export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.services;

  app.get(
    "/orgs",
    {
      schema: {
        tags,
        summary: "The orgs this credential can act in (a key belongs to exactly one org)",
        "x-latchkey-permission": "org:read",
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Org")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      requirePermission(actor, "org:read");
      const org = await store.orgs.get(actor.orgId);
      return reply
        .type(JSON_API)
        .send({ jsonapi: { version: "1.0" }, data: org ? [orgResource(org)] : [], links: { self: request.url } });
    },
  );

  app.get(
    "/orgs/:org_id",
    {
      schema: {
        tags,
        summary: "Get an org",
        "x-latchkey-permission": "org:read",
        params: OrgParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Org")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      requireOrg(actor, request.params.org_id);
      requirePermission(actor, "org:read");
      const org = await store.orgs.get(actor.orgId);
      if (org === null) throw new LatchkeyError("NOT_FOUND", "No such org.", { parameter: "org_id" });
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: orgResource(org) });
    },
  );
};
