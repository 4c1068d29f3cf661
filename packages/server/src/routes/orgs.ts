import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { grantsOfRole, holds, LatchkeyError, requireOrg, requirePermission } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { orgResource } from "../http/resources.js";
import { ERROR_RESPONSES, list, OrgParams, PageQuery, single, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Orgs"];

/** Orgs: a key belongs to one org and sees only that one; a signed-in user sees each org they belong to. */
export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.services;

  app.get(
    "/orgs",
    {
      schema: {
        tags,
        summary: "The orgs this credential can act in (a key belongs to exactly one org)",
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Org")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      requirePermission(actor, "org:read");
      // A key acts in its one org; a signed-in user sees every org they belong to whose role may read it.
      const orgIds =
        actor.sessionId === undefined || actor.principal.type !== "user"
          ? [actor.orgId]
          : (await store.people.memberships(actor.principal.id))
              .filter((membership) => holds(grantsOfRole(membership.role), "org:read"))
              .map((membership) => membership.orgId);
      const orgs = [];
      for (const id of orgIds) {
        const org = await store.orgs.get(id);
        if (org !== null) orgs.push(orgResource(org));
      }
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: orgs, links: { self: request.url } });
    },
  );

  app.get(
    "/orgs/:org_id",
    {
      schema: {
        tags,
        summary: "Get an org",
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
