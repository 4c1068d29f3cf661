import { actorRole } from "./actor-role.js";
import { requireOrg, requirePermission, requireUser } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { type ExpiresIn, resolveExpiry } from "./expiry.js";
import { newId } from "./ids.js";
import { checkAllowlist } from "./ip-allowlist.js";
import { generateKey } from "./key-format.js";
import {
  checkGracePeriod,
  checkLabels,
  checkMetadata,
  checkName,
  checkPermissions,
  MAX_DESCRIPTION_LENGTH,
} from "./key-input.js";
import {
  type ApiKey,
  DEFAULT_KEY_PREFIXES,
  type KeyEvent,
  type KeyEventType,
  type KeyKind,
  type PrincipalRef,
  type Quota,
  type QuotaRefill,
  type RateLimit,
} from "./model.js";
import { normalizeGrants } from "./permissions.js";
import type { KeyChange, KeyFilter, Page, PageRequest, Store } from "./ports.js";
import { checkGrantedBindings } from "./role-bindings.js";
import type { RoleBinding } from "./roles.js";
import { keyStatus } from "./status.js";
import { checkSecretName, type VaultService } from "./vault-service.js";
import { type Actor, refillPeriodStart, type Verifier, type VerifyOutcome, type VerifyRequest } from "./verifier.js";

const ROLES = "/data/attributes/roles";

/** What a caller asks for when creating a key. */
export interface CreateKeyInput {
  kind: KeyKind;
  name: string;
  description?: string | undefined;
  environment?: string | undefined;
  permissions?: string[] | undefined;
  /** Role/scope pairs, each within what the creator holds at its scope. */
  roles?: RoleBinding[] | undefined;
  labels?: string[] | undefined;
  metadata?: object | undefined;
  expiresIn?: ExpiresIn | undefined;
  expiresAt?: Date | undefined;
  serviceAccountId?: string | undefined;
  ipAllowlist?: string[] | undefined;
  rateLimit?: RateLimit | null | undefined;
  quota?: { remaining: number; refill?: QuotaRefill | null | undefined } | null | undefined;
  /** Saves the new key's secret into the org's vault under this name, in the key's transaction. */
  saveToVault?: { name: string } | undefined;
}

/** The fields a key's PATCH may change. */
export interface UpdateKeyInput {
  name?: string | undefined;
  description?: string | null | undefined;
  labels?: string[] | undefined;
  metadata?: object | undefined;
  permissions?: string[] | undefined;
  roles?: RoleBinding[] | undefined;
  ipAllowlist?: string[] | undefined;
  rateLimit?: RateLimit | null | undefined;
  quota?: { remaining: number; refill?: QuotaRefill | null | undefined } | null | undefined;
}

/** A key together with its secret: the only time a secret leaves Latchkey. */
export interface IssuedKey {
  key: ApiKey;
  secret: string;
}

/** The lifecycle of API keys: create, read, change, regenerate, revoke, delete and verify. */
export class KeyService {
  constructor(
    private readonly store: Store,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly vault: VaultService | null = null,
  ) {}

  /**
   * Creates a key in the actor's org. A personal key belongs to the acting user; a service key belongs
   * to a service account of the org, or to the org itself when no account is named. With `saveToVault`
   * (needs `secrets:write`) the secret is also stored in the vault, in the same transaction: when the
   * name is taken, nothing is created.
   */
  async create(actor: Actor, orgId: string, input: CreateKeyInput): Promise<IssuedKey> {
    requireOrg(actor, orgId);
    if (input.kind === "publishable") {
      throw new LatchkeyError(
        "PUBLISHABLE_KEY_NOT_CREATABLE",
        "Publishable keys come with the org, one per environment: list them with GET /rest/orgs/{org_id}/publishable_keys.",
        { pointer: "/data/attributes/kind" },
      );
    }
    if (input.saveToVault !== undefined) this.requireVaultWrite(actor, input.saveToVault.name);
    const now = this.clock.now();
    const org = await this.store.orgs.get(actor.orgId);
    if (org === null) throw new LatchkeyError("NOT_FOUND", "No such org.");
    const owner = await this.ownerFor(actor, input);
    const environment = input.environment ?? "live";
    if (!org.policy.environments.includes(environment)) {
      throw new LatchkeyError(
        "POLICY_ENVIRONMENT_NOT_ALLOWED",
        `The org's policy allows the environments ${org.policy.environments.join(", ")}.`,
        { pointer: "/data/attributes/environment" },
      );
    }
    if (input.kind === "service") await this.requireServiceKeyCreator(actor, org.policy.serviceKeyCreatorRoles);
    const roles = await checkGrantedBindings(this.store, actor, input.roles ?? [], ROLES);
    const permissions =
      input.permissions !== undefined
        ? checkPermissions(actor, input.permissions)
        : roles.length > 0
          ? []
          : defaultPermissions(actor, owner);
    const expiresAt = resolveExpiry({ expiresIn: input.expiresIn, expiresAt: input.expiresAt }, org.policy, now);
    const generated = generateKey(org.policy.keyPrefixes[input.kind], environment, this.random);
    const key: ApiKey = {
      id: newId(this.clock, this.random),
      orgId: org.id,
      kind: input.kind,
      owner,
      name: checkName(input.name),
      description: checkDescription(input.description),
      environment,
      permissions,
      roles,
      labels: checkLabels(input.labels ?? []),
      metadata: checkMetadata(input.metadata ?? {}),
      expiresAt,
      enabled: true,
      revokedAt: null,
      deletedAt: null,
      createdAt: now,
      createdBy: actor.principal,
      lastUsedAt: null,
      lastUsedIp: null,
      hint: generated.hint,
      rotatedAt: null,
      leak: null,
      ipAllowlist: checkAllowlist(input.ipAllowlist ?? []),
      rateLimit: checkRateLimit(input.rateLimit ?? null),
      quota: checkQuota(input.quota ?? null, now),
    };
    const secret = { hash: generated.hash, keyId: key.id, hint: generated.hint, createdAt: now, expiresAt: null };
    const saved =
      input.saveToVault === undefined || this.vault === null
        ? undefined
        : await this.vault.prepare(actor, input.saveToVault.name, generated.key, { api_key_id: key.id });
    await this.store.keys.create(key, secret, this.event(actor, key, "created", {}), saved);
    this.verifier.forgetHash(secret.hash);
    return { key, secret: generated.key };
  }

  /** The org's keys, filtered and paginated. Needs `api_keys:read`. */
  async list(actor: Actor, orgId: string, filter: KeyFilter, page: PageRequest): Promise<Page<ApiKey>> {
    requireOrg(actor, orgId);
    requirePermission(actor, "api_keys:read");
    return this.store.keys.list(actor.orgId, filter, page, this.clock.now());
  }

  /** The acting user's personal tokens in its org. */
  async listOwnTokens(actor: Actor, filter: KeyFilter, page: PageRequest): Promise<Page<ApiKey>> {
    const userId = requireUser(actor);
    return this.store.keys.list(actor.orgId, { ...filter, kind: "personal", ownerId: userId }, page, this.clock.now());
  }

  /** One key of the org: needs `api_keys:read`, unless it is the actor's own personal token. */
  async get(actor: Actor, orgId: string, id: string): Promise<ApiKey> {
    requireOrg(actor, orgId);
    const key = await this.find(actor, id);
    if (!isOwnToken(actor, key)) requirePermission(actor, "api_keys:read");
    return key;
  }

  /** One of the acting user's personal tokens. */
  async getOwnToken(actor: Actor, id: string): Promise<ApiKey> {
    return this.ownToken(actor, id);
  }

  /** Changes a key's name, description, labels, metadata or permissions. */
  async update(actor: Actor, orgId: string, id: string, input: UpdateKeyInput): Promise<ApiKey> {
    const key = await this.manageable(actor, orgId, id);
    const fields: Extract<KeyChange, { type: "update" }>["fields"] = {};
    if (input.name !== undefined) fields.name = checkName(input.name);
    if (input.description !== undefined) fields.description = checkDescription(input.description);
    if (input.labels !== undefined) fields.labels = checkLabels(input.labels);
    if (input.metadata !== undefined) fields.metadata = checkMetadata(input.metadata);
    if (input.permissions !== undefined) fields.permissions = checkPermissions(actor, input.permissions);
    if (input.roles !== undefined) fields.roles = await checkGrantedBindings(this.store, actor, input.roles, ROLES);
    if (input.ipAllowlist !== undefined) fields.ipAllowlist = checkAllowlist(input.ipAllowlist);
    if (input.rateLimit !== undefined) fields.rateLimit = checkRateLimit(input.rateLimit);
    if (input.quota !== undefined) fields.quota = checkQuota(input.quota, this.clock.now());
    const changed = Object.keys(fields);
    if (changed.length === 0) return key;
    return this.apply(actor, key, { type: "update", fields }, "updated", { fields: changed });
  }

  /** Revokes a key: final and immediate. Revoking a revoked key changes nothing. */
  async revoke(actor: Actor, orgId: string, id: string): Promise<ApiKey> {
    const key = await this.manageable(actor, orgId, id);
    if (key.revokedAt !== null) return key;
    return this.apply(actor, key, { type: "revoke", at: this.clock.now() }, "revoked", {});
  }

  /** Disables a key until it is enabled again. */
  async disable(actor: Actor, orgId: string, id: string): Promise<ApiKey> {
    const key = await this.manageable(actor, orgId, id);
    this.requireNotRevoked(key);
    if (!key.enabled) return key;
    return this.apply(actor, key, { type: "disable" }, "disabled", {});
  }

  /** Enables a disabled key. */
  async enable(actor: Actor, orgId: string, id: string): Promise<ApiKey> {
    const key = await this.manageable(actor, orgId, id);
    this.requireNotRevoked(key);
    if (key.enabled) return key;
    return this.apply(actor, key, { type: "enable" }, "enabled", {});
  }

  /** Deletes a key: it stops working and leaves the lists; its events stay. */
  async delete(actor: Actor, orgId: string, id: string): Promise<void> {
    const key = await this.manageable(actor, orgId, id);
    await this.apply(actor, key, { type: "delete", at: this.clock.now() }, "deleted", {});
  }

  /**
   * Gives a key a new secret, keeping its id, settings and history. The old secret keeps working for
   * `gracePeriodSeconds` (0 = stops at once). With `saveToVault` (needs `secrets:write`) the new secret
   * is also stored in the vault under that name, in the same transaction: a taken name changes nothing.
   */
  async regenerate(
    actor: Actor,
    orgId: string,
    id: string,
    gracePeriodSeconds = 0,
    saveToVault?: { name: string },
  ): Promise<IssuedKey> {
    checkGracePeriod(gracePeriodSeconds);
    const key = await this.manageable(actor, orgId, id);
    this.requireNotRevoked(key);
    if (saveToVault !== undefined) this.requireVaultWrite(actor, saveToVault.name);
    const now = this.clock.now();
    if (keyStatus(key, now) === "expired") {
      throw new LatchkeyError("CONFLICT", "The key has expired; create a new key instead.");
    }
    const org = await this.store.orgs.get(key.orgId);
    const prefixes = org?.policy.keyPrefixes ?? DEFAULT_KEY_PREFIXES;
    const generated = generateKey(prefixes[key.kind], key.environment, this.random);
    const secret = { hash: generated.hash, keyId: key.id, hint: generated.hint, createdAt: now, expiresAt: null };
    const graceUntil = new Date(now.getTime() + gracePeriodSeconds * 1000);
    const event = this.event(actor, key, "regenerated", { grace_period_seconds: gracePeriodSeconds });
    const saved =
      saveToVault === undefined || this.vault === null
        ? undefined
        : await this.vault.prepare(actor, saveToVault.name, generated.key, { api_key_id: key.id });
    const updated = await this.store.keys.regenerate(key.orgId, key.id, secret, graceUntil, event, saved);
    this.verifier.forgetKey(key.id);
    this.verifier.forgetHash(secret.hash);
    if (updated === null) throw await this.stateConflict(actor, id);
    return { key: updated, secret: generated.key };
  }

  /** Revokes every live key of the org that matches the filter (at least one filter is required). */
  async revokeMatching(actor: Actor, orgId: string, filter: KeyFilter): Promise<string[]> {
    requireOrg(actor, orgId);
    requirePermission(actor, "api_keys:write");
    if (Object.values(filter).every((value) => value === undefined)) {
      throw new LatchkeyError("VALIDATION_FAILED", "Give at least one filter, such as filter[label].", {
        pointer: "/data/attributes/filter",
      });
    }
    if (filter.kind === "publishable") {
      throw new LatchkeyError(
        "PUBLISHABLE_KEY_MANAGED",
        "Publishable keys are not revoked in bulk: they live as long as their environment.",
        { pointer: "/data/attributes/filter/kind" },
      );
    }
    const ids = await this.store.keys.revokeMatching(actor.orgId, filter, this.clock.now(), (key) =>
      this.event(actor, key, "revoked", { bulk: true }),
    );
    for (const id of ids) this.verifier.forgetKey(id);
    return ids;
  }

  /** A key's lifecycle events, oldest first. */
  async events(actor: Actor, orgId: string, id: string): Promise<KeyEvent[]> {
    const key = await this.get(actor, orgId, id);
    return this.store.keys.listEvents(key.orgId, key.id);
  }

  /**
   * Verifies a key of the actor's org for the org's own services. Needs `api_keys:verify`. Answers at
   * once when the verifier can (`Verifier.verifyNow`); a refused caller throws.
   */
  verify(actor: Actor, secret: string, request: Omit<VerifyRequest, "orgId">): VerifyOutcome | Promise<VerifyOutcome> {
    requirePermission(actor, "api_keys:verify");
    // Field by field: spreading the request cost a third of a cached verification.
    const { permissions, ip, cost, count } = request;
    const resource = request.resource?.toLowerCase();
    return this.verifier.verifyNow(secret, { permissions, resource, ip, cost, count, orgId: actor.orgId });
  }

  private async ownerFor(actor: Actor, input: CreateKeyInput): Promise<PrincipalRef> {
    if (input.kind === "personal") {
      if (input.serviceAccountId !== undefined) {
        throw new LatchkeyError("VALIDATION_FAILED", "A personal key has no service account.", {
          pointer: "/data/attributes/service_account_id",
        });
      }
      return { type: "user", id: requireUser(actor) };
    }
    requirePermission(actor, "api_keys:write");
    if (input.serviceAccountId === undefined) return { type: "org", id: actor.orgId };
    const accountId = input.serviceAccountId.toLowerCase();
    // An account of the org, or of the org's group (its keys are created in one org of the group each).
    const account =
      (await this.store.serviceAccounts.get(actor.orgId, accountId)) ?? (await this.groupAccountOf(actor, accountId));
    if (account === null) {
      throw new LatchkeyError("NOT_FOUND", "No such service account in this org.", {
        pointer: "/data/attributes/service_account_id",
      });
    }
    return { type: "service_account", id: account.id };
  }

  /** A service account of the group of the actor's org, or null. */
  private async groupAccountOf(actor: Actor, accountId: string): Promise<{ id: string } | null> {
    const group = await this.store.groups.ofOrg(actor.orgId);
    return group === null ? null : this.store.groups.getAccount(group.id, accountId);
  }

  private async find(actor: Actor, id: string): Promise<ApiKey> {
    const key = await this.store.keys.get(actor.orgId, id.toLowerCase());
    if (key === null) throw new LatchkeyError("NOT_FOUND", "No such API key.", { parameter: "id" });
    return key;
  }

  private async ownToken(actor: Actor, id: string): Promise<ApiKey> {
    requireUser(actor);
    const key = await this.find(actor, id);
    if (!isOwnToken(actor, key)) throw new LatchkeyError("NOT_FOUND", "No such personal token.", { parameter: "id" });
    return key;
  }

  /**
   * A key the actor may change: its own personal token, or any org key with `api_keys:write`. A
   * publishable key is managed through its own routes (it lives as long as its environment).
   */
  private async manageable(actor: Actor, orgId: string, id: string): Promise<ApiKey> {
    requireOrg(actor, orgId);
    const key = await this.find(actor, id);
    if (!isOwnToken(actor, key)) {
      requirePermission(actor, "api_keys:read");
      requirePermission(actor, "api_keys:write");
    }
    if (key.kind === "publishable") {
      throw new LatchkeyError(
        "PUBLISHABLE_KEY_MANAGED",
        `A publishable key lives as long as its environment; use POST /rest/orgs/${key.orgId}/publishable_keys/${key.environment}/regenerate.`,
        { parameter: "id" },
      );
    }
    return key;
  }

  /** Checks, before anything is made, that the actor may save into the vault under this name. */
  private requireVaultWrite(actor: Actor, name: string): void {
    if (this.vault === null) throw new LatchkeyError("SERVICE_UNAVAILABLE", "This node has no vault.");
    requirePermission(actor, "secrets:write");
    checkSecretName(name, "/data/attributes/save_to_vault/name");
  }

  /** The org's policy names the roles that may create service keys (Cerby: owners and admins by default). */
  private async requireServiceKeyCreator(actor: Actor, roles: readonly string[]): Promise<void> {
    const role = await actorRole(this.store, actor);
    if (role === null || !roles.includes(role)) {
      throw new LatchkeyError(
        "POLICY_SERVICE_KEY_CREATOR",
        `The org's policy lets only ${roles.join(", ") || "nobody"} create service keys.`,
        { pointer: "/data/attributes/kind" },
      );
    }
  }

  private requireNotRevoked(key: ApiKey): void {
    if (key.revokedAt !== null) throw new LatchkeyError("CONFLICT", "The key is revoked; revocation is final.");
  }

  private async apply(
    actor: Actor,
    key: ApiKey,
    change: KeyChange,
    type: KeyEventType,
    detail: Record<string, unknown>,
  ): Promise<ApiKey> {
    const changed = await this.store.keys.change(key.orgId, key.id, change, this.event(actor, key, type, detail));
    this.verifier.forgetKey(key.id);
    if (changed === null) throw await this.stateConflict(actor, key.id);
    return changed;
  }

  private async stateConflict(actor: Actor, id: string): Promise<LatchkeyError> {
    const now = await this.store.keys.get(actor.orgId, id);
    return now === null
      ? new LatchkeyError("NOT_FOUND", "No such API key.", { parameter: "id" })
      : new LatchkeyError("CONFLICT", "The key changed while this request ran; it is revoked now.");
  }

  private event(actor: Actor, key: ApiKey, type: KeyEventType, detail: Record<string, unknown>): KeyEvent {
    return {
      id: newId(this.clock, this.random),
      orgId: key.orgId,
      keyId: key.id,
      type,
      actor: actor.principal,
      requestId: actor.requestId,
      ip: actor.ip,
      createdAt: this.clock.now(),
      detail,
    };
  }
}

/** The most units a rate limit or quota may hold, and the longest rate-limit window (one day). */
const MAX_LIMIT = 1_000_000_000;
const MAX_WINDOW_SECONDS = 24 * 3600;

function checkRateLimit(rateLimit: RateLimit | null): RateLimit | null {
  if (rateLimit === null) return null;
  const { limit, windowSeconds } = rateLimit;
  if (
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_LIMIT ||
    !Number.isInteger(windowSeconds) ||
    windowSeconds < 1 ||
    windowSeconds > MAX_WINDOW_SECONDS
  ) {
    throw new LatchkeyError(
      "VALIDATION_FAILED",
      `rate_limit needs a whole limit from 1 to ${MAX_LIMIT} and window_seconds from 1 to ${MAX_WINDOW_SECONDS}.`,
      { pointer: "/data/attributes/rate_limit" },
    );
  }
  return { limit, windowSeconds };
}

function checkQuota(
  quota: { remaining: number; refill?: QuotaRefill | null | undefined } | null,
  now: Date,
): Quota | null {
  if (quota === null) return null;
  const refill = quota.refill ?? null;
  const bad =
    !Number.isInteger(quota.remaining) ||
    quota.remaining < 0 ||
    quota.remaining > MAX_LIMIT ||
    (refill !== null &&
      (!Number.isInteger(refill.amount) ||
        refill.amount < 1 ||
        refill.amount > MAX_LIMIT ||
        !["day", "month"].includes(refill.interval)));
  if (bad) {
    throw new LatchkeyError(
      "VALIDATION_FAILED",
      `quota needs whole remaining units from 0 to ${MAX_LIMIT}, and a refill of 1 to ${MAX_LIMIT} units a day or month.`,
      { pointer: "/data/attributes/quota" },
    );
  }
  return {
    remaining: quota.remaining,
    refill,
    refilledAt: refill === null ? null : refillPeriodStart(refill.interval, now),
  };
}

/**
 * What a key holds when its creator names no permissions: a personal token holds all its user holds
 * (capped by the user's role on every request); a service account's key what its creator holds (capped
 * by the account's role on every request); a standalone org key nothing.
 */
function defaultPermissions(actor: Actor, owner: PrincipalRef): string[] {
  if (owner.type === "user") return ["*"];
  if (owner.type === "service_account") return normalizeGrants(actor.grants);
  return [];
}

function isOwnToken(actor: Actor, key: ApiKey): boolean {
  return key.kind === "personal" && actor.principal.type === "user" && key.owner.id === actor.principal.id;
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
