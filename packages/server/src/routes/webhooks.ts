import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { MAX_DESCRIPTION_LENGTH, MAX_WEBHOOK_URL_LENGTH, WEBHOOK_EVENT_TYPES } from "@latchkey/core";
import { Type } from "typebox";
import { JSON_API } from "../http/errors.js";
import { pageLinks, pageRequestOf } from "../http/pagination.js";
import { webhookDeliveryResource, webhookResource } from "../http/resources.js";
import {
  ERROR_RESPONSES,
  list,
  OrgItemParams,
  OrgParams,
  PageQuery,
  requestBody,
  StringEnum,
  single,
  Uuid,
  VersionQuery,
} from "../http/schemas.js";
import { actorOf } from "../plugins/rest-conventions.js";

const tags = ["Webhooks"];

const EventTypes = Type.Array(
  StringEnum(["*", ...WEBHOOK_EVENT_TYPES], { description: "An event type, or * for every one." }),
  { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length + 1 },
);
const Url = Type.String({
  minLength: 1,
  maxLength: MAX_WEBHOOK_URL_LENGTH,
  description: "An http(s) URL; loopback and private addresses only with LATCHKEY_WEBHOOKS_ALLOW_PRIVATE=true.",
});
const Description = Type.String({ maxLength: MAX_DESCRIPTION_LENGTH });

const CreateWebhookBody = requestBody(
  "webhook",
  Type.Object(
    {
      url: Url,
      event_types: EventTypes,
      description: Type.Optional(Description),
      enabled: Type.Optional(Type.Boolean({ default: true })),
    },
    { additionalProperties: false },
  ),
);

const UpdateWebhookBody = requestBody(
  "webhook",
  Type.Object(
    {
      url: Type.Optional(Url),
      event_types: Type.Optional(EventTypes),
      description: Type.Optional(Description),
      enabled: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
);

const DeliveryParams = Type.Object({ org_id: Uuid, id: Uuid, delivery_id: Uuid });

function document(data: unknown) {
  return { jsonapi: { version: "1.0" as const }, data };
}

/** An org's webhook endpoints, their deliveries log and manual redelivery. */
export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { webhooks } = app.services;

  app.get(
    "/orgs/:org_id/webhooks",
    {
      schema: {
        tags,
        summary: "List webhook endpoints (needs webhooks:read)",
        "x-latchkey-permission": "webhooks:read",
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("Webhook")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await webhooks.list(actorOf(request), request.params.org_id, pageRequestOf(request.query));
      return reply.type(JSON_API).send({
        ...document(page.items.map((endpoint) => webhookResource(endpoint))),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/orgs/:org_id/webhooks",
    {
      schema: {
        tags,
        summary: "Create a webhook endpoint (needs webhooks:write)",
        "x-latchkey-permission": "webhooks:write",
        description: "The answer holds the signing secret (attributes.secret), shown this once.",
        params: OrgParams,
        querystring: VersionQuery,
        body: CreateWebhookBody,
        response: { 201: single(Type.Ref("Webhook")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { url, event_types, description, enabled } = request.body.data.attributes;
      const { endpoint, secret } = await webhooks.create(actorOf(request), request.params.org_id, {
        url,
        eventTypes: event_types,
        description,
        enabled,
      });
      return reply
        .code(201)
        .type(JSON_API)
        .header("cache-control", "no-store")
        .header("location", `/rest/orgs/${endpoint.orgId}/webhooks/${endpoint.id}`)
        .send(document(webhookResource(endpoint, secret)));
    },
  );

  app.get(
    "/orgs/:org_id/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Get a webhook endpoint (needs webhooks:read)",
        "x-latchkey-permission": "webhooks:read",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Webhook")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const endpoint = await webhooks.get(actorOf(request), request.params.org_id, request.params.id);
      return reply.type(JSON_API).send(document(webhookResource(endpoint)));
    },
  );

  app.patch(
    "/orgs/:org_id/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Change a webhook endpoint's URL, event types, description or enabled flag (needs webhooks:write)",
        "x-latchkey-permission": "webhooks:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        body: UpdateWebhookBody,
        response: { 200: single(Type.Ref("Webhook")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { url, event_types, description, enabled } = request.body.data.attributes;
      const endpoint = await webhooks.update(actorOf(request), request.params.org_id, request.params.id, {
        url,
        eventTypes: event_types,
        description,
        enabled,
      });
      return reply.type(JSON_API).send(document(webhookResource(endpoint)));
    },
  );

  app.delete(
    "/orgs/:org_id/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Delete a webhook endpoint and its deliveries (needs webhooks:write)",
        "x-latchkey-permission": "webhooks:write",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await webhooks.delete(actorOf(request), request.params.org_id, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/orgs/:org_id/webhooks/:id/rotate_secret",
    {
      schema: {
        tags,
        summary: "Give a webhook endpoint a new signing secret (needs webhooks:write)",
        "x-latchkey-permission": "webhooks:write",
        description: "The answer holds the new secret, shown this once; the old one stops signing at once.",
        params: OrgItemParams,
        querystring: VersionQuery,
        response: { 200: single(Type.Ref("Webhook")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await webhooks.rotateSecret(
        actorOf(request),
        request.params.org_id,
        request.params.id,
      );
      return reply
        .type(JSON_API)
        .header("cache-control", "no-store")
        .send(document(webhookResource(endpoint, secret)));
    },
  );

  app.get(
    "/orgs/:org_id/webhooks/:id/deliveries",
    {
      schema: {
        tags,
        summary: "List a webhook endpoint's deliveries, newest first, with every attempt (needs webhooks:read)",
        "x-latchkey-permission": "webhooks:read",
        params: OrgItemParams,
        querystring: PageQuery,
        response: { 200: list(Type.Ref("WebhookDelivery")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await webhooks.listDeliveries(
        actorOf(request),
        request.params.org_id,
        request.params.id,
        pageRequestOf(request.query),
      );
      return reply.type(JSON_API).send({
        ...document(page.items.map(webhookDeliveryResource)),
        links: pageLinks(request, request.query, page),
      });
    },
  );

  app.post(
    "/orgs/:org_id/webhooks/:id/deliveries/:delivery_id/redeliver",
    {
      schema: {
        tags,
        summary: "Send a delivery's event again, as a new delivery with the same event id (needs webhooks:write)",
        "x-latchkey-permission": "webhooks:write",
        params: DeliveryParams,
        querystring: VersionQuery,
        response: { 202: single(Type.Ref("WebhookDelivery")), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.redeliver(
        actorOf(request),
        request.params.org_id,
        request.params.id,
        request.params.delivery_id,
      );
      return reply
        .code(202)
        .type(JSON_API)
        .send(document(webhookDeliveryResource(delivery)));
    },
  );
};
