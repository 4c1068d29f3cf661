import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Invitation, ROLE_NAME_PATTERN } from "@latchkey/core";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import {
  ERROR_RESPONSES,
  list,
  OrgItemParams,
  OrgParams,
  PageQuery,
  PrincipalRef,
  requestBody,
  single,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Invitations"];

/** The `invitation` resource; `link` only in the answer to create. */
export const InvitationResource = Type.Object(
  {
    type: Type.Literal("invitation"),
    id: Type.String(),
    attributes: Type.Object({
      email: Type.String(),
      role: Type.String(),
      org_id: Type.String(),
      created_at: Type.String({ format: "date-time" }),
      expires_at: Type.String({ format: "date-time" }),
      created_by: PrincipalRef,
      link: Type.Optional(
        Type.String({ description: "The one-time link for the invitee: in the answer to create only, never again." }),
      ),
    }),
    links: Type.Object({ self: Type.String() }),
  },
  { $id: "Invitation" },
);

const CreateInvitationBody = requestBody(
  "invitation",
  Type.Object(
    {
      email: Type.String({ minLength: 3, maxLength: 254 }),
      role: Type.String({
        pattern: ROLE_NAME_PATTERN,
        description:
          "A built-in or custom role (GET /orgs/{org_id}/roles); it may not hold more, nor rank higher, than the inviter's.",
      }),
    },
    { additionalProperties: false },
  ),
);

function invitationResource(invitation: Invitation, link?: string) {
  return {
    type: "invitation" as const,
    id: invitation.id,
    attributes: {
      email: invitation.email,
      role: invitation.role,
      org_id: invitation.orgId,
      created_at: invitation.createdAt.toISOString(),
      expires_at: invitation.expiresAt.toISOString(),
      created_by: invitation.createdBy,
      ...(link !== undefined ? { link } : {}),
    },
    links: { self: `/rest/orgs/${invitation.orgId}/invitations/${invitation.id}` },
  };
}

/** Invitations of an org: create (with the one-time link), list the open ones, withdraw. */
export const invitationRoutes: FastifyPluginAsyncTypebox<{ publicUrl: string | undefined }> = async (
  app,
  { publicUrl },
) => {
  const { invitations } = app.services;
  const baseUrlOf = (request: FastifyRequest) => publicUrl ?? `${request.protocol}://${request.host}`;

  app.get(
    "/orgs/:org_id/invitations",
    {
      schema: {
        tags,
        summary: "List the org's open invitations (needs members:read)",
        "x-latchkey-permission": "members:read",
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Invitation")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await invitations.list(actorOf(request), request.params.org_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        jsonapi: { version: "1.0" },
        data: page.items.map((invitation) => invitationResource(invitation)),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/orgs/:org_id/invitations",
    {
      schema: {
        tags,
        summary: "Invite someone by email (needs members:write); the answer holds the one-time link, this once",
        "x-latchkey-permission": "members:write",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreateInvitationBody,
        response: { 201: single(Type.Ref("Invitation")), ...ERROR_RESPONSES, 409: Type.Ref("ErrorDocument") },
      },
    },
    async (request, reply) => {
      const { email, role } = request.body.data.attributes;
      const issued = await invitations.create(
        actorOf(request),
        request.params.org_id,
        { email, role },
        baseUrlOf(request),
      );
      return reply
        .code(201)
        .type(JSON_API)
        .header("cache-control", "no-store")
        .header("location", `/rest/orgs/${issued.invitation.orgId}/invitations/${issued.invitation.id}`)
        .send({ jsonapi: { version: "1.0" }, data: invitationResource(issued.invitation, issued.link) });
    },
  );

  app.get(
    "/orgs/:org_id/invitations/:id",
    {
      schema: {
        tags,
        summary: "Get an open invitation (needs members:read; its link is never shown again)",
        "x-latchkey-permission": "members:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Invitation")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const invitation = await invitations.get(actorOf(request), request.params.org_id, request.params.id);
      return reply.type(JSON_API).send({ jsonapi: { version: "1.0" }, data: invitationResource(invitation) });
    },
  );

  app.delete(
    "/orgs/:org_id/invitations/:id",
    {
      schema: {
        tags,
        summary: "Withdraw an open invitation (needs members:write)",
        "x-latchkey-permission": "members:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await invitations.delete(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
