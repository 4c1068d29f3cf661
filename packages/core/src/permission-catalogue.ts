import { type AuditEvent, auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import type { ApiKey, KeyEvent } from "./model.js";
import { LATCHKEY_PERMISSIONS } from "./permissions.js";
import type { Store } from "./ports.js";
import type { Actor } from "./verifier.js";

/** One of an org's own product permissions (Cerby's `jobs:write`), as its catalogue keeps it. */
export interface ProductPermission {
  orgId: string;
  name: string;
  description: string;
  /** Whether publishable keys may carry it (public, low-privilege client use). */
  publishable: boolean;
  createdAt: Date;
}

/** An entry of an org's catalogue: Latchkey's own permissions, then the org's product permissions. */
export interface CatalogueEntry {
  name: string;
  description: string;
  publishable: boolean;
  source: "latchkey" | "org";
}

/** A product permission: `resource:action`, no wildcard. */
export const PRODUCT_PERMISSION_PATTERN = "^[a-z][a-z0-9_.-]{0,49}:[a-z][a-z0-9_.-]{0,49}$";

/** At most this many product permissions per org: the catalogue is read whole. */
export const MAX_PRODUCT_PERMISSIONS = 500;

/** Latchkey's own permissions as catalogue entries, sorted by name (the same for every org). */
const LATCHKEY_ENTRIES: readonly CatalogueEntry[] = Object.entries(LATCHKEY_PERMISSIONS)
  .map(([name, description]) => ({ name, description, publishable: false, source: "latchkey" as const }))
  .sort((a, b) => a.name.localeCompare(b.name));

const LATCHKEY_RESOURCES = new Set(Object.keys(LATCHKEY_PERMISSIONS).map((name) => name.split(":")[0]));

/**
 * Storage of the org's product permissions. `create` is one transaction with its audit event; a name
 * the org already has is a CONFLICT, and so is a catalogue already holding `MAX_PRODUCT_PERMISSIONS`.
 * A publishable permission is also given, in the same transaction, to the org's live publishable keys
 * (each with its `updated` event from `keyEventFor`); `create` returns the ids of the keys it changed.
 */
export interface PermissionCatalogueStore {
  list(orgId: string): Promise<ProductPermission[]>;
  create(permission: ProductPermission, audit: AuditEvent, keyEventFor?: (key: ApiKey) => KeyEvent): Promise<string[]>;
}

/** What a caller gives to add a product permission. */
export interface CreateProductPermissionInput {
  name: string;
  description: string;
  publishable?: boolean | undefined;
}

function invalid(message: string, field: string): never {
  throw new LatchkeyError("VALIDATION_FAILED", message, { pointer: `/data/attributes/${field}` });
}

/**
 * Each org's permission catalogue: Latchkey's own permissions (with the descriptions the docs publish)
 * and the org's product permissions, which its keys carry and its services check at verify time.
 * Reading needs `org:read`; adding needs `org:write`.
 */
export class PermissionCatalogueService {
  constructor(
    private readonly store: Pick<Store, "permissions">,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    /** Told, after the commit, which keys a change updated (the verifier forgets them). */
    private readonly onKeysChanged: (keyIds: readonly string[]) => void = () => {},
  ) {}

  /** The whole catalogue, Latchkey's permissions first, each part sorted by name. */
  async list(actor: Actor, orgId: string): Promise<CatalogueEntry[]> {
    requireOrg(actor, orgId);
    requirePermission(actor, "org:read");
    const product = (await this.store.permissions.list(actor.orgId)).map((permission) => ({
      name: permission.name,
      description: permission.description,
      publishable: permission.publishable,
      source: "org" as const,
    }));
    return [...LATCHKEY_ENTRIES, ...product];
  }

  /** Adds a product permission to the org's catalogue (audited as `permission.created`). */
  async create(actor: Actor, orgId: string, input: CreateProductPermissionInput): Promise<ProductPermission> {
    requireOrg(actor, orgId);
    requirePermission(actor, "org:write");
    if (!new RegExp(PRODUCT_PERMISSION_PATTERN).test(input.name)) {
      invalid(`must be resource:action matching ${PRODUCT_PERMISSION_PATTERN}, without wildcards.`, "name");
    }
    if (LATCHKEY_RESOURCES.has(input.name.split(":")[0])) {
      invalid("names a resource of Latchkey's own permissions; choose your product's resource.", "name");
    }
    const description = input.description.trim();
    if (description.length < 1 || description.length > 200) invalid("must have 1 to 200 characters.", "description");
    const permission: ProductPermission = {
      orgId: actor.orgId,
      name: input.name,
      description,
      publishable: input.publishable ?? false,
      createdAt: this.clock.now(),
    };
    const audit = auditEventOf(
      actor,
      actor.orgId,
      "permission.created",
      { type: "permission", id: permission.name },
      {
        id: newId(this.clock, this.random),
        at: permission.createdAt,
        detail: { description, publishable: permission.publishable },
      },
    );
    const changed = await this.store.permissions.create(permission, audit, (key) => ({
      id: newId(this.clock, this.random),
      orgId: key.orgId,
      keyId: key.id,
      type: "updated",
      actor: actor.principal,
      requestId: actor.requestId,
      ip: actor.ip,
      createdAt: permission.createdAt,
      detail: { fields: ["permissions"], reason: "permission_catalogue", permission: permission.name },
    }));
    // Publishable keys now carry the new permission: the next request sees it on every node.
    this.onKeysChanged(changed);
    return permission;
  }
}
