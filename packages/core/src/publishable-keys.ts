import type { AuditActor } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import { generateKey } from "./key-format.js";
import { checkGracePeriod } from "./key-input.js";
import {
  type ApiKey,
  DEFAULT_KEY_PREFIXES,
  type KeyEvent,
  type KeySecret,
  type Org,
  type PrincipalRef,
  type WrappedDataKey,
} from "./model.js";
import type { Actor, Verifier } from "./verifier.js";

/**
 * A publishable key ready to be written: the key (owner the org, no expiry), its first secret, its value
 * sealed under the org's data key, and its `created` event. Its `permissions` are a placeholder: the
 * store writes the org's publishable permissions as it reads them inside the writing transaction, so
 * that a concurrent catalogue change cannot be missed.
 */
export interface PublishableKeyRecord {
  key: ApiKey;
  secret: KeySecret;
  /** The key's value, sealed for its org (see `publishableKeyAad`). */
  sealed: string;
  event: KeyEvent;
}

/** A live publishable key as stored, with its sealed value. */
export interface StoredPublishableKey {
  key: ApiKey;
  sealed: string;
}

/** A publishable key as its routes show it: with its value, which is public by design. */
export interface PublishableKeyView {
  key: ApiKey;
  value: string;
}

/** What an `ensure` changed, and the org's live publishable keys afterwards (one per environment). */
export interface PublishableKeyChanges {
  keys: StoredPublishableKey[];
  created: string[];
  revoked: string[];
}

/**
 * What a change of an org's environments writes in its own transaction: the candidates of the
 * environments that may need a key, and the event of each key revoked with its environment.
 */
export interface PublishableKeyPlan {
  /** When the change happens (the time of revocations). */
  at: Date;
  candidates: PublishableKeyRecord[];
  revokeEventFor: (key: ApiKey) => KeyEvent;
}

/**
 * Storage of publishable keys: `api_keys` rows of kind `publishable` (at most one live per org and
 * environment, which a unique index enforces) and their sealed values. Every write is one transaction
 * with its key events and audit events; the org row is locked first (PostgreSQL), so racing callers
 * take turns and the second sees the first's keys.
 */
export interface PublishableKeyStore {
  /** The org's live (not revoked) publishable keys with their sealed values, by environment. */
  list(orgId: string): Promise<StoredPublishableKey[]>;
  /**
   * Makes the org's publishable keys match its policy's environments: inserts the candidate of every
   * environment that has no live key, revokes the keys of environments the policy no longer lists, and
   * returns what it did. Racing calls create one key per environment.
   */
  ensure(orgId: string, plan: PublishableKeyPlan): Promise<PublishableKeyChanges>;
  /**
   * Gives a live publishable key a new current secret and sealed value; its other secrets stop at
   * `graceUntil`. Returns the changed key, or null when it is revoked or gone.
   */
  regenerate(
    orgId: string,
    keyId: string,
    secret: KeySecret,
    sealed: string,
    graceUntil: Date,
    event: KeyEvent,
  ): Promise<ApiKey | null>;
}

/** Seals a value under an org's data key, bound to `aad` (the vault's `sealForOrg`). */
export interface OrgSealer {
  sealForOrg(orgId: string, value: string, aad: string): Promise<string>;
  openForOrg(orgId: string, sealedText: string, aad: string): Promise<string>;
}

/** The associated data a publishable key's sealed value is bound to: its org and key. */
function publishableKeyAad(orgId: string, keyId: string): string {
  return `latchkey:publishable_key:${orgId}:${keyId}`;
}

/** Latchkey itself, acting when a publishable key is made or revoked as a consequence of another change. */
const PUBLISHABLE_KEYS_ACTOR: AuditActor = { type: "system", id: "publishable-keys" };

/** Who a key event of a publishable key is by, with the request it came in. */
interface PublishableEventContext {
  actor: AuditActor;
  requestId: string | null;
  ip: string | null;
}

/** The context of a change Latchkey makes on its own (a lazy first creation). */
const SYSTEM_CONTEXT: PublishableEventContext = { actor: PUBLISHABLE_KEYS_ACTOR, requestId: null, ip: null };

/**
 * Prepares the publishable keys of `environments` for `org`: one key each, with its value sealed by
 * `seal` (a data key of the org) and its `created` event. Nothing is written: org creation, a change of
 * the org's environments and the lazy first creation write the records in their own transaction (the
 * store's `createPublishableKeys(trx, org, records)`).
 */
export async function preparePublishableKeys(
  org: Org,
  environments: readonly string[],
  options: {
    clock: Clock;
    random: RandomSource;
    seal: (value: string, aad: string) => string | Promise<string>;
    context?: PublishableEventContext | undefined;
    reason: string;
  },
): Promise<PublishableKeyRecord[]> {
  const { clock, random } = options;
  const context = options.context ?? SYSTEM_CONTEXT;
  const now = clock.now();
  const prefix = org.policy.keyPrefixes.publishable ?? DEFAULT_KEY_PREFIXES.publishable;
  const createdBy: PrincipalRef =
    context.actor.type === "user" || context.actor.type === "service_account"
      ? { type: context.actor.type, id: context.actor.id }
      : { type: "org", id: org.id };
  const records: PublishableKeyRecord[] = [];
  for (const environment of environments) {
    const generated = generateKey(prefix, environment, random);
    const key: ApiKey = {
      id: newId(clock, random),
      orgId: org.id,
      kind: "publishable",
      owner: { type: "org", id: org.id },
      name: `Publishable key (${environment})`,
      description: "The org's public key for client-side use; it carries only the catalogue's publishable permissions.",
      environment,
      permissions: [],
      roles: [],
      labels: [],
      metadata: {},
      expiresAt: null,
      enabled: true,
      revokedAt: null,
      deletedAt: null,
      createdAt: now,
      createdBy,
      lastUsedAt: null,
      lastUsedIp: null,
      hint: generated.hint,
      rotatedAt: null,
      ipAllowlist: [],
      rateLimit: null,
      quota: null,
      leak: null,
    };
    records.push({
      key,
      secret: { hash: generated.hash, keyId: key.id, hint: generated.hint, createdAt: now, expiresAt: null },
      sealed: await options.seal(generated.key, publishableKeyAad(org.id, key.id)),
      event: keyEvent(key, "created", context, { clock, random }, { reason: options.reason }),
    });
  }
  return records;
}

/** A key event of a publishable key. */
function keyEvent(
  key: ApiKey,
  type: KeyEvent["type"],
  context: PublishableEventContext,
  ids: { clock: Clock; random: RandomSource },
  detail: Record<string, unknown>,
): KeyEvent {
  return {
    id: newId(ids.clock, ids.random),
    orgId: key.orgId,
    keyId: key.id,
    type,
    actor: context.actor,
    requestId: context.requestId,
    ip: context.ip,
    createdAt: ids.clock.now(),
    detail,
  };
}

/** A data key made for an org that is being created, and a sealer under it (see `VaultService`). */
export interface NewOrgSealer {
  /** Stored by the org's creation, in its transaction, after the org row. */
  dataKey: WrappedDataKey;
  seal(value: string, aad: string): string;
}

function contextOf(actor: Actor): PublishableEventContext {
  return { actor: actor.principal, requestId: actor.requestId, ip: actor.ip };
}

/**
 * The org's publishable keys (SPEC §2): one per environment of the org's policy, owned by the org,
 * never expiring, carrying exactly the catalogue's publishable permissions. Their values are public, so
 * they are kept sealed under the org's data key and shown again by `list`. Orgs made before publishable
 * keys existed get theirs the first time they are listed or regenerated.
 */
export class PublishableKeyService {
  constructor(
    private readonly store: { orgs: { get(id: string): Promise<Org | null> }; publishableKeys: PublishableKeyStore },
    private readonly verifier: Pick<Verifier, "forgetKey" | "forgetHash">,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly sealer: OrgSealer,
  ) {}

  /** The org's publishable keys with their values, one per environment. Needs `api_keys:read`. */
  async list(actor: Actor, orgId: string): Promise<PublishableKeyView[]> {
    requireOrg(actor, orgId);
    requirePermission(actor, "api_keys:read");
    const keys = await this.current(actor.orgId);
    return Promise.all(keys.map((stored) => this.open(stored)));
  }

  /**
   * Gives the environment's publishable key a new value; the old one stops at once, or after
   * `gracePeriodSeconds`. Needs `api_keys:write`. An environment the org does not have is NOT_FOUND.
   */
  async regenerate(
    actor: Actor,
    orgId: string,
    environment: string,
    gracePeriodSeconds = 0,
  ): Promise<PublishableKeyView> {
    requireOrg(actor, orgId);
    requirePermission(actor, "api_keys:read");
    requirePermission(actor, "api_keys:write");
    checkGracePeriod(gracePeriodSeconds);
    const org = await this.org(actor.orgId);
    const stored = (await this.current(org.id, org)).find((candidate) => candidate.key.environment === environment);
    if (stored === undefined) {
      throw new LatchkeyError("NOT_FOUND", "The org has no such environment.", { parameter: "environment" });
    }
    const now = this.clock.now();
    const key = stored.key;
    const generated = generateKey(
      org.policy.keyPrefixes.publishable ?? DEFAULT_KEY_PREFIXES.publishable,
      environment,
      this.random,
    );
    const secret = { hash: generated.hash, keyId: key.id, hint: generated.hint, createdAt: now, expiresAt: null };
    const sealed = await this.sealer.sealForOrg(org.id, generated.key, publishableKeyAad(org.id, key.id));
    const event = keyEvent(key, "regenerated", contextOf(actor), this.ids(), {
      grace_period_seconds: gracePeriodSeconds,
    });
    const graceUntil = new Date(now.getTime() + gracePeriodSeconds * 1000);
    const updated = await this.store.publishableKeys.regenerate(org.id, key.id, secret, sealed, graceUntil, event);
    this.verifier.forgetKey(key.id);
    this.verifier.forgetHash(secret.hash);
    if (updated === null) {
      throw new LatchkeyError("CONFLICT", "The publishable key changed while this request ran; list the keys again.");
    }
    return { key: updated, value: generated.key };
  }

  /**
   * What a change of the org's environments to `environments` writes with it: candidates for the
   * environments that have no key yet (the store inserts them in the org's transaction) and events for
   * the keys it revokes, whose ids the plan notes. Call `forgetRevoked` once the change is committed.
   */
  async planFor(
    actor: Actor,
    org: Org,
    environments: readonly string[],
  ): Promise<PublishableKeyPlan & { revoked: readonly string[] }> {
    const existing = new Set((await this.store.publishableKeys.list(org.id)).map((stored) => stored.key.environment));
    const plan = await this.plan(
      org,
      environments.filter((environment) => !existing.has(environment)),
      contextOf(actor),
      "environment_added",
    );
    // The store revokes inside the transaction, so what it revoked is exactly what it made events for.
    const revoked: string[] = [];
    return {
      ...plan,
      revoked,
      revokeEventFor: (key) => {
        revoked.push(key.id);
        return plan.revokeEventFor(key);
      },
    };
  }

  /** Drops the keys a committed `planFor` plan revoked from the verifier cache (on every node). */
  forgetRevoked(plan: { revoked: readonly string[] }): void {
    for (const id of plan.revoked) this.verifier.forgetKey(id);
  }

  /**
   * Makes sure the org has its publishable keys (one per environment), creating those missing. For
   * code that makes an org outside `store.bootstrap` and for the lazy first use.
   */
  async ensure(orgId: string): Promise<void> {
    await this.current(orgId);
  }

  /** The org's keys; creates (once, however many race) those the policy's environments lack. */
  private async current(orgId: string, known?: Org): Promise<StoredPublishableKey[]> {
    const org = known ?? (await this.org(orgId));
    const stored = await this.store.publishableKeys.list(org.id);
    const have = new Set(stored.map((entry) => entry.key.environment));
    const missing = org.policy.environments.filter((environment) => !have.has(environment));
    const extra = stored.some((entry) => !org.policy.environments.includes(entry.key.environment));
    if (missing.length === 0 && !extra) return stored;
    const plan = await this.plan(org, missing, SYSTEM_CONTEXT, "first_use");
    const changes = await this.store.publishableKeys.ensure(org.id, plan);
    for (const id of changes.revoked) this.verifier.forgetKey(id);
    return changes.keys;
  }

  private async plan(
    org: Org,
    environments: readonly string[],
    context: PublishableEventContext,
    reason: string,
  ): Promise<PublishableKeyPlan> {
    const candidates = await preparePublishableKeys(org, environments, {
      clock: this.clock,
      random: this.random,
      seal: (value, aad) => this.sealer.sealForOrg(org.id, value, aad),
      context,
      reason,
    });
    return {
      at: this.clock.now(),
      candidates,
      revokeEventFor: (key) => keyEvent(key, "revoked", context, this.ids(), { reason: "environment_removed" }),
    };
  }

  private async open(stored: StoredPublishableKey): Promise<PublishableKeyView> {
    const value = await this.sealer.openForOrg(
      stored.key.orgId,
      stored.sealed,
      publishableKeyAad(stored.key.orgId, stored.key.id),
    );
    return { key: stored.key, value };
  }

  private ids(): { clock: Clock; random: RandomSource } {
    return { clock: this.clock, random: this.random };
  }

  private async org(orgId: string): Promise<Org> {
    const org = await this.store.orgs.get(orgId);
    if (org === null) throw new LatchkeyError("NOT_FOUND", "No such org.", { parameter: "org_id" });
    return org;
  }
}
