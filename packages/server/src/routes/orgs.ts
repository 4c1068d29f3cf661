import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  BUILT_IN_ROLES,
  ENVIRONMENT_PATTERN,
  holds,
  type KeyKind,
  MAX_ENVIRONMENTS,
  MAX_IDLE_DISABLE_DAYS,
  MAX_NAME_LENGTH,
  MAX_POLICY_LIFETIME_SECONDS,
  MIN_POLICY_LIFETIME_SECONDS,
  memberGrants,
  PREFIX_PATTERN,
  requirePermission,
  UUID_PATTERN,
} from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { orgResource } from "../http/resources.js";
import {
  ERROR_RESPONSES,
  list,
  Nullable,
  OrgParams,
  PageQuery,
  requestBody,
  StringEnum,
  single,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Orgs"];

/** The attributes of an org's PATCH: the name, and any policy fields to replace. */
const UpdateOrgBody = requestBody(
  "org",
  Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH })),
      policy: Type.Optional(
        Type.Object(
          {
            allow_never_expiring: Type.Optional(Type.Boolean()),
            max_lifetime_seconds: Type.Optional(
              Type.Integer({ minimum: MIN_POLICY_LIFETIME_SECONDS, maximum: MAX_POLICY_LIFETIME_SECONDS }),
            ),
            environments: Type.Optional(
              Type.Array(Type.String({ pattern: ENVIRONMENT_PATTERN }), {
                minItems: 1,
                maxItems: MAX_ENVIRONMENTS,
                uniqueItems: true,
                description:
                  "The environments keys may be made in. An added environment gets its publishable key and a removed one's publishable key is revoked, in the same transaction.",
              }),
            ),
            idle_disable_days: Type.Optional(
              Nullable(
                Type.Integer({
                  minimum: 1,
                  maximum: MAX_IDLE_DISABLE_DAYS,
                  description: "Disable keys unused for this many days; null turns the idle policy off.",
                }),
              ),
            ),
            service_key_creator_roles: Type.Optional(
              Type.Array(StringEnum(BUILT_IN_ROLES), {
                uniqueItems: true,
                description: "The built-in roles that may create service keys.",
              }),
            ),
            key_prefixes: Type.Optional(
              Type.Object(
                {
                  personal: Type.String({ pattern: PREFIX_PATTERN }),
                  service: Type.String({ pattern: PREFIX_PATTERN }),
                  publishable: Type.Optional(
                    Type.String({ pattern: PREFIX_PATTERN, description: "Default lkpk (also when left out)." }),
                  ),
                },
                { additionalProperties: false, description: "The prefix of new keys of each kind." },
              ),
            ),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
);

/** The attributes of a new org: its name, and the group it goes in (default: the caller's org's group). */
const CreateOrgBody = requestBody(
  "org",
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
      group_id: Type.Optional(
        Type.String({ pattern: UUID_PATTERN, description: "The group (default: the group of your org)." }),
      ),
    },
    { additionalProperties: false },
  ),
);

/** Orgs: a key belongs to one org and sees only that one; a signed-in user sees each org they belong to. */
export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, orgs, groups, publishableKeys } = app.services;

  app.get(
    "/orgs",
    {
      schema: {
        tags,
        summary:
          "The orgs this credential can act in: a key's one org; for a session, the orgs the user is a member of (GET /groups/{group_id}/orgs lists a group's)",
        "x-latchkey-permission": "org:read",
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Org")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      requirePermission(actor, "org:read");
      // A key acts in its one org; a signed-in user sees every org they belong to whose role may read it.
      const orgIds: string[] = [];
      if (actor.sessionId === undefined || actor.principal.type !== "user") orgIds.push(actor.orgId);
      else {
        for (const membership of await store.people.memberships(actor.principal.id)) {
          const grants = await memberGrants(store, membership.orgId, membership);
          if (holds(grants.org, "org:read")) orgIds.push(membership.orgId);
        }
      }
      const orgs = [];
      for (const id of orgIds) {
        const org = await store.orgs.get(id);
        if (org !== null) orgs.push(orgResource(org));
      }
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: orgs, links: { self: request.url } });
    },
  );

  app.post(
    "/orgs",
    {
      schema: {
        tags,
        summary: "Create an org in a group (default: your org's) with the default policy; needs org:write in the group",
        "x-latchkey-permission": "org:write",
        "x-latchkey-scope": "group",
        querystring: VersionQuery,
        body: CreateOrgBody,
        response: { 201: single(Type.Ref("Org")), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const { name, group_id } = request.body.data.attributes;
      const org = await groups.createOrg(actorOf(request), { name, groupId: group_id });
      // The new org's publishable keys, one per environment (made on first use too, should this fail).
      await publishableKeys.ensure(org.id);
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/orgs/${org.id}`)
        .send({ jsonapi: { version: "1.0" }, data: orgResource(org) });
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
      const org = await orgs.get(actorOf(request), request.params.org_id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: orgResource(org) });
    },
  );

  app.patch(
    "/orgs/:org_id",
    {
      schema: {
        tags,
        summary: "Change an org's name or policy (fields not given stay as they are); needs org:write",
        "x-latchkey-permission": "org:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: UpdateOrgBody,
        response: { 200: single(Type.Ref("Org")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { name, policy } = request.body.data.attributes;
      const org = await orgs.update(actorOf(request), request.params.org_id, {
        name,
        policy:
          policy === undefined
            ? undefined
            : {
                ...(policy.allow_never_expiring !== undefined && { allowNeverExpiring: policy.allow_never_expiring }),
                ...(policy.max_lifetime_seconds !== undefined && { maxLifetimeSeconds: policy.max_lifetime_seconds }),
                ...(policy.environments !== undefined && { environments: policy.environments }),
                ...(policy.idle_disable_days !== undefined && { idleDisableDays: policy.idle_disable_days }),
                ...(policy.service_key_creator_roles !== undefined && {
                  serviceKeyCreatorRoles: policy.service_key_creator_roles,
                }),
                // Left out, the publishable prefix is the default (see checkPolicyChange).
                ...(policy.key_prefixes !== undefined && {
                  keyPrefixes: policy.key_prefixes as Record<KeyKind, string>,
                }),
              },
      });
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: orgResource(org) });
    },
  );
};
