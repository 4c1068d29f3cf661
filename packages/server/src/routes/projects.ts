import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Project } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import {
  ERROR_RESPONSES,
  list,
  Nullable,
  OrgItemParams,
  OrgParams,
  PageQuery,
  PrincipalRef,
  requestBody,
  single,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Projects"];
const conflicts = { 409: Type.Ref("ErrorDocument") };

/** The `project` resource: a named sub-resource of an org, the scope `project:<id>` of role/scope pairs. */
export const ProjectResource = Type.Object(
  {
    type: Type.Literal("project"),
    id: Type.String({ format: "uuid" }),
    attributes: Type.Object({
      name: Type.String(),
      description: Nullable(Type.String()),
      scope: Type.String({ description: "The scope that binds roles to this project: project:<id>." }),
      org_id: Type.String(),
      created_at: Type.String({ format: "date-time" }),
      created_by: PrincipalRef,
    }),
    links: Type.Object({ self: Type.String() }),
  },
  { $id: "Project" },
);

const CreateProjectBody = requestBody(
  "project",
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 100, description: "Unique in the org." }),
      description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    },
    { additionalProperties: false },
  ),
);

function projectResource(project: Project) {
  return {
    type: "project" as const,
    id: project.id,
    attributes: {
      name: project.name,
      description: project.description,
      scope: `project:${project.id}`,
      org_id: project.orgId,
      created_at: project.createdAt.toISOString(),
      created_by: project.createdBy,
    },
    links: { self: `/rest/orgs/${project.orgId}/projects/${project.id}` },
  };
}

/** The org's projects: list, create, get, delete. */
export const projectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { projects } = app.services;

  app.get(
    "/orgs/:org_id/projects",
    {
      schema: {
        tags,
        summary: "List the org's projects",
        "x-latchkey-permission": "org:read",
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Project")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await projects.list(actorOf(request), request.params.org_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map(projectResource),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/orgs/:org_id/projects",
    {
      schema: {
        tags,
        summary: "Create a project (a scope for role/scope pairs: project:<id>)",
        "x-latchkey-permission": "org:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreateProjectBody,
        response: { 201: single(Type.Ref("Project")), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      const project = await projects.create(actorOf(request), request.params.org_id, request.body.data.attributes);
      return reply
        .code(201)
        .type(JSON_API)
        .header("location", `/rest/orgs/${project.orgId}/projects/${project.id}`)
        .send({ jsonapi: { version: "1.0" }, data: projectResource(project) });
    },
  );

  app.get(
    "/orgs/:org_id/projects/:id",
    {
      schema: {
        tags,
        summary: "Get a project",
        "x-latchkey-permission": "org:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Project")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const project = await projects.get(actorOf(request), request.params.org_id, request.params.id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: projectResource(project) });
    },
  );

  app.delete(
    "/orgs/:org_id/projects/:id",
    {
      schema: {
        tags,
        summary: "Delete a project no role/scope pair names (409 while a member or live key has one)",
        "x-latchkey-permission": "org:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES, ...conflicts },
      },
    },
    async (request, reply) => {
      await projects.delete(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
