import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { AuditFilter, AuditRecord } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { auditAttributes, auditLogResource } from "../http/resources.js";
import { ERROR_RESPONSES, list, OrgParams, PageQuery, VersionQuery } from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Audit log"];

/** The audit log's filters (`filter[...]`). */
const AuditFilterQuery = {
  "filter[actor]": Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "The actor's id." })),
  "filter[action]": Type.Optional(
    Type.String({
      pattern: "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?$",
      description: "An action (api_key.revoked) or every action of a resource (api_key.*).",
    }),
  ),
  "filter[target]": Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "The target's id." })),
  "filter[from]": Type.Optional(Type.String({ format: "date-time", description: "From this time (inclusive)." })),
  "filter[to]": Type.Optional(Type.String({ format: "date-time", description: "Until this time (exclusive)." })),
};

type FilterQuery = { [K in keyof typeof AuditFilterQuery]?: string };

function filterOf(query: FilterQuery): AuditFilter {
  return {
    actorId: query["filter[actor]"]?.toLowerCase(),
    action: query["filter[action]"],
    targetId: query["filter[target]"]?.toLowerCase(),
    from: query["filter[from]"] === undefined ? undefined : new Date(query["filter[from]"]),
    to: query["filter[to]"] === undefined ? undefined : new Date(query["filter[to]"]),
  };
}

/** NDJSON lines, one event each, oldest first. */
async function* ndjson(records: AsyncIterable<AuditRecord>): AsyncIterable<string> {
  for await (const record of records) yield `${JSON.stringify({ id: record.id, ...auditAttributes(record) })}\n`;
}

/** The org's audit log: list with filters and cursors, and the NDJSON export. */
export const auditLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { audit } = app.services;

  app.get(
    "/orgs/:org_id/audit_logs",
    {
      schema: {
        tags,
        summary: "List the org's audit log, newest first (needs audit:read)",
        "x-latchkey-permission": "audit:read",
        params: OrgParams,
        querystring: Type.Object({ ...PageQuery.properties, ...AuditFilterQuery }),
        response: { 200: list(Type.Ref("AuditLog")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await audit.list(
        actorOf(request),
        request.params.org_id,
        filterOf(request.query),
        pageRequestOf(request.query),
      );
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map(auditLogResource),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.get(
    "/orgs/:org_id/audit_logs/export",
    {
      schema: {
        tags,
        summary: "Export the org's audit log as NDJSON, oldest first (needs audit:read)",
        "x-latchkey-permission": "audit:read",
        description:
          "One JSON object per line: the event's id and the attributes of the audit_log resource, hashes included, so that the chain can be checked outside Latchkey.",
        params: OrgParams,
        querystring: Type.Object({ ...VersionQuery.properties, ...AuditFilterQuery }),
        produces: ["application/x-ndjson"],
        response: {
          200: Type.String({ description: "NDJSON, one event per line." }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const records = audit.export(actorOf(request), request.params.org_id, filterOf(request.query));
      return reply
        .type("application/x-ndjson; charset=utf-8")
        .header("content-disposition", `attachment; filename="audit-${request.params.org_id}.ndjson"`)
        .send(Readable.from(ndjson(records)));
    },
  );
};
