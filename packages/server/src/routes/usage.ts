import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  LatchkeyError,
  requireOrg,
  requirePermission,
  type UsageGranularity,
  VERIFICATION_CODES,
} from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { ERROR_RESPONSES, OrgItemParams, OrgParams, Version } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Usage"];
const DAY_MS = 24 * 3600 * 1000;
/** The widest range each granularity answers, so that a series stays small. */
const MAX_RANGE_MS: Record<UsageGranularity, number> = { minute: DAY_MS, hour: 92 * DAY_MS, day: 732 * DAY_MS };

const UsageQuery = Type.Object({
  version: Version,
  from: Type.Optional(
    Type.String({ format: "date-time", description: "Start (inclusive); default 24 hours before `to`." }),
  ),
  to: Type.Optional(Type.String({ format: "date-time", description: "End (exclusive); default now." })),
  granularity: Type.Optional(
    Type.Union([Type.Literal("minute"), Type.Literal("hour"), Type.Literal("day")], { default: "hour" }),
  ),
});

const Counts = Type.Object(
  Object.fromEntries(VERIFICATION_CODES.map((code) => [code, Type.Optional(Type.Integer())])),
  { description: "Verifications by outcome code." },
);

const UsageDocument = Type.Object({
  jsonapi: Type.Object({ version: Type.Literal("1.0") }),
  data: Type.Object({
    type: Type.Literal("usage"),
    id: Type.String({ description: "The key's id, or the org's for org-wide usage." }),
    attributes: Type.Object({
      org_id: Type.String(),
      key_id: Type.Union([Type.String(), Type.Null()]),
      from: Type.String({ format: "date-time" }),
      to: Type.String({ format: "date-time" }),
      granularity: Type.String(),
      totals: Counts,
      total: Type.Integer(),
      buckets: Type.Array(
        Type.Object({ start: Type.String({ format: "date-time" }), total: Type.Integer(), counts: Counts }),
        { description: "Buckets with at least one verification, oldest first." },
      ),
    }),
  }),
});

/** Usage per org and per key: verification counts by outcome, by minute, hour or day. */
export const usageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, clock, usage, keys } = app.services;

  async function answer(
    orgId: string,
    keyId: string | null,
    query: { from?: string; to?: string; granularity?: UsageGranularity },
  ) {
    const granularity = query.granularity ?? "hour";
    const to = query.to ? new Date(query.to) : clock.now();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
    if (from.getTime() >= to.getTime()) {
      throw new LatchkeyError("INVALID_PARAMETER", "from must be before to.", { parameter: "from" });
    }
    if (to.getTime() - from.getTime() > MAX_RANGE_MS[granularity]) {
      throw new LatchkeyError(
        "INVALID_PARAMETER",
        `A ${granularity} series covers at most ${MAX_RANGE_MS[granularity] / DAY_MS} days; narrow from/to or use a coarser granularity.`,
        { parameter: "from" },
      );
    }
    // Counts of this node not yet written are written first, so the answer is current.
    await usage.flush();
    const buckets = await store.usage.series(orgId, keyId, from, to, granularity);
    const totals: Record<string, number> = {};
    for (const bucket of buckets) {
      for (const [code, n] of Object.entries(bucket.counts)) totals[code] = (totals[code] ?? 0) + (n ?? 0);
    }
    return {
      jsonapi: { version: "1.0" as const },
      data: {
        type: "usage" as const,
        id: keyId ?? orgId,
        attributes: {
          org_id: orgId,
          key_id: keyId,
          from: from.toISOString(),
          to: to.toISOString(),
          granularity,
          totals,
          total: buckets.reduce((sum, bucket) => sum + bucket.total, 0),
          buckets,
        },
      },
    };
  }

  app.get(
    "/orgs/:org_id/usage",
    {
      schema: {
        tags,
        summary: "The org's verifications by outcome over time (needs usage:read)",
        "x-latchkey-permission": "usage:read",
        params: OrgParams,
        querystring: UsageQuery,
        response: { 200: UsageDocument, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      requireOrg(actor, request.params.org_id);
      requirePermission(actor, "usage:read");
      return reply.type(JSON_API).send(await answer(actor.orgId, null, request.query));
    },
  );

  app.get(
    "/orgs/:org_id/api_keys/:id/usage",
    {
      schema: {
        tags,
        summary: "A key's verifications by outcome over time (needs usage:read, or your own token)",
        "x-latchkey-permission": "usage:read",
        params: OrgItemParams,
        querystring: UsageQuery,
        response: { 200: UsageDocument, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const key = await keys.get(actor, request.params.org_id, request.params.id);
      const own = key.kind === "personal" && key.owner.type === "user" && key.owner.id === actor.principal.id;
      if (!own) requirePermission(actor, "usage:read");
      return reply.type(JSON_API).send(await answer(actor.orgId, key.id, request.query));
    },
  );
};
