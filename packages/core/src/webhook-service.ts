import { type AuditEvent, auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import { MAX_DESCRIPTION_LENGTH } from "./key-input.js";
import type { Page, PageRequest, Store } from "./ports.js";
import type { Actor } from "./verifier.js";
import { isWebhookEventType, type WebhookSubscription } from "./webhook-events.js";
import { checkWebhookUrl } from "./webhook-url.js";
import {
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointChange,
  type WebhookSecretSealer,
  webhookSecretAad,
} from "./webhooks.js";

/** What a caller gives to create an endpoint. */
export interface CreateWebhookInput {
  url: string;
  description?: string | null | undefined;
  eventTypes: string[];
  enabled?: boolean | undefined;
}

/** What a caller may change on an endpoint. */
export interface UpdateWebhookInput {
  url?: string | undefined;
  description?: string | null | undefined;
  eventTypes?: string[] | undefined;
  enabled?: boolean | undefined;
}

/** An endpoint with its signing secret: only the answers to create and rotate hold it. */
export interface WebhookWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/** Options of the webhook service. */
export interface WebhookServiceOptions {
  /** Accept endpoints on loopback, private and link-local addresses (tests, trusted networks). */
  allowPrivateUrls: boolean;
  /** Seals signing secrets before they are stored. */
  sealer: WebhookSecretSealer;
}

function checkEventTypes(types: readonly string[]): WebhookSubscription[] {
  if (types.length === 0) {
    throw new LatchkeyError("VALIDATION_FAILED", "Subscribe to at least one event type (or *).", {
      pointer: "/data/attributes/event_types",
    });
  }
  types.forEach((type, index) => {
    if (type !== "*" && !isWebhookEventType(type)) {
      throw new LatchkeyError("VALIDATION_FAILED", `${type} is not a webhook event type.`, {
        pointer: `/data/attributes/event_types/${index}`,
      });
    }
  });
  return [...new Set(types)].sort() as WebhookSubscription[];
}

function checkDescription(description: string | null | undefined): string | null {
  if (description === undefined || description === null) return null;
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new LatchkeyError("VALIDATION_FAILED", `description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`, {
      pointer: "/data/attributes/description",
    });
  }
  return description;
}

/**
 * An org's webhook endpoints and their deliveries: reading needs `webhooks:read`, changing
 * `webhooks:write`. Secrets are generated here (`whsec_` and 32 random bytes) and returned only by
 * create and rotate.
 */
export class WebhookService {
  constructor(
    private readonly store: Pick<Store, "webhooks">,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly options: WebhookServiceOptions,
  ) {}

  private sealed(endpoint: WebhookEndpoint, secret: string): Promise<string> {
    return this.options.sealer.sealForOrg(endpoint.orgId, secret, webhookSecretAad(endpoint.orgId, endpoint.id));
  }

  private newSecret(): string {
    return `whsec_${Buffer.from(this.random.bytes(32)).toString("base64url")}`;
  }

  private audit(actor: Actor, action: string, endpoint: WebhookEndpoint, detail: Record<string, unknown>): AuditEvent {
    return auditEventOf(
      actor,
      endpoint.orgId,
      action,
      { type: "webhook", id: endpoint.id },
      { id: newId(this.clock, this.random), at: this.clock.now(), detail },
    );
  }

  /** Creates an endpoint; the answer holds its signing secret, shown this once. */
  async create(actor: Actor, orgId: string, input: CreateWebhookInput): Promise<WebhookWithSecret> {
    requireOrg(actor, orgId);
    requirePermission(actor, "webhooks:write");
    const now = this.clock.now();
    const endpoint: WebhookEndpoint = {
      id: newId(this.clock, this.random),
      orgId: actor.orgId,
      url: checkWebhookUrl(input.url, this.options.allowPrivateUrls),
      description: checkDescription(input.description),
      eventTypes: checkEventTypes(input.eventTypes),
      enabled: input.enabled ?? true,
      createdAt: now,
      createdBy: actor.principal,
      updatedAt: now,
    };
    const secret = this.newSecret();
    const detail = { url: endpoint.url, event_types: endpoint.eventTypes, enabled: endpoint.enabled };
    const sealed = await this.sealed(endpoint, secret);
    await this.store.webhooks.create(endpoint, sealed, this.audit(actor, "webhook.created", endpoint, detail));
    return { endpoint, secret };
  }

  /** The org's endpoints, newest first. */
  async list(actor: Actor, orgId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    requireOrg(actor, orgId);
    requirePermission(actor, "webhooks:read");
    return this.store.webhooks.list(actor.orgId, page);
  }

  /** One endpoint of the org. */
  async get(actor: Actor, orgId: string, id: string): Promise<WebhookEndpoint> {
    requireOrg(actor, orgId);
    requirePermission(actor, "webhooks:read");
    const endpoint = await this.store.webhooks.get(actor.orgId, id.toLowerCase());
    if (endpoint === null) throw new LatchkeyError("NOT_FOUND", "No such webhook.", { parameter: "id" });
    return endpoint;
  }

  /** Changes an endpoint's URL, description, event types or enabled flag. */
  async update(actor: Actor, orgId: string, id: string, input: UpdateWebhookInput): Promise<WebhookEndpoint> {
    const endpoint = await this.get(actor, orgId, id);
    requirePermission(actor, "webhooks:write");
    const change: WebhookEndpointChange = {};
    if (input.url !== undefined) change.url = checkWebhookUrl(input.url, this.options.allowPrivateUrls);
    if (input.description !== undefined) change.description = checkDescription(input.description);
    if (input.eventTypes !== undefined) change.eventTypes = checkEventTypes(input.eventTypes);
    if (input.enabled !== undefined) change.enabled = input.enabled;
    const detail = {
      ...(change.url !== undefined ? { url: change.url } : {}),
      ...(change.eventTypes !== undefined ? { event_types: change.eventTypes } : {}),
      ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
      ...(change.description !== undefined ? { description_changed: true } : {}),
    };
    const audit = this.audit(actor, "webhook.updated", endpoint, detail);
    const updated = await this.store.webhooks.update(endpoint.orgId, endpoint.id, change, audit.createdAt, audit);
    if (updated === null) throw new LatchkeyError("NOT_FOUND", "No such webhook.", { parameter: "id" });
    return updated;
  }

  /** Gives the endpoint a new signing secret (returned this once); the old one stops signing at once. */
  async rotateSecret(actor: Actor, orgId: string, id: string): Promise<WebhookWithSecret> {
    const endpoint = await this.get(actor, orgId, id);
    requirePermission(actor, "webhooks:write");
    const secret = this.newSecret();
    const audit = this.audit(actor, "webhook.updated", endpoint, { secret_rotated: true });
    const sealed = await this.sealed(endpoint, secret);
    const updated = await this.store.webhooks.update(endpoint.orgId, endpoint.id, {}, audit.createdAt, audit, sealed);
    if (updated === null) throw new LatchkeyError("NOT_FOUND", "No such webhook.", { parameter: "id" });
    return { endpoint: updated, secret };
  }

  /** Deletes an endpoint and its deliveries (pending ones are not sent). */
  async delete(actor: Actor, orgId: string, id: string): Promise<void> {
    const endpoint = await this.get(actor, orgId, id);
    requirePermission(actor, "webhooks:write");
    const audit = this.audit(actor, "webhook.deleted", endpoint, { url: endpoint.url });
    if (!(await this.store.webhooks.delete(endpoint.orgId, endpoint.id, audit))) {
      throw new LatchkeyError("NOT_FOUND", "No such webhook.", { parameter: "id" });
    }
  }

  /** The endpoint's deliveries, newest first, each with its attempts. */
  async listDeliveries(actor: Actor, orgId: string, id: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    const endpoint = await this.get(actor, orgId, id);
    return this.store.webhooks.listDeliveries(endpoint.orgId, endpoint.id, page);
  }

  /** Queues the event of a delivery again, as a new delivery with the same event id, due now. */
  async redeliver(actor: Actor, orgId: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(actor, orgId, id);
    requirePermission(actor, "webhooks:write");
    const delivery = await this.store.webhooks.redeliver(
      endpoint.orgId,
      endpoint.id,
      deliveryId.toLowerCase(),
      newId(this.clock, this.random),
      this.clock.now(),
    );
    if (delivery === null) {
      throw new LatchkeyError("NOT_FOUND", "No such delivery.", { parameter: "delivery_id" });
    }
    return delivery;
  }
}
