import type { Clock } from "./clock.js";
import type { Invalidation, InvalidationBus } from "./invalidation.js";
import { compileAllowlist } from "./ip-allowlist.js";
import type { KeyCache } from "./key-cache.js";
import { hashKey, hasKeyLength, hasKeyShape, hasValidChecksum } from "./key-format.js";
import type { CredentialKind, PrincipalRef, VerifiableKey } from "./model.js";
import type { KeyStore, StoredKeyLookup } from "./ports.js";
import type { QuotaWatch } from "./quota-watch.js";
import type { RateLimiter, RateLimitState } from "./rate-limiter.js";
import { effectiveGrants, type Rights, type RoleBinding } from "./roles.js";
import type { UsageRecorder } from "./usage.js";
import {
  decideVerification,
  type KeyLookup,
  type VerificationDecision,
  type VerificationRequest,
} from "./verify-key.js";

/** Who is acting, as established from a verified credential. */
export interface Actor {
  principal: PrincipalRef;
  /** The org the credential belongs to; a credential acts in no other org. */
  orgId: string;
  /** The key (or access token) that authenticated the request; empty when a session cookie did (see `sessionId`). */
  keyId: string;
  /** What that credential is (absent: an API key). */
  credentialKind?: CredentialKind | undefined;
  /** The session that authenticated the request (its id, the token's hash), when a cookie did. */
  sessionId?: string | undefined;
  /** The key's effective permissions in the org as a whole: its own, capped by what its owner holds now. */
  grants: string[];
  /**
   * The effective permissions at each project (`project:<id>`) where a role/scope pair of the key or its
   * owner adds to `grants`; any other project has `grants`. Absent or null: none.
   */
  projectGrants?: ReadonlyMap<string, string[]> | null | undefined;
  requestId: string | null;
  /** The address the request came from, for the audit log. */
  ip: string | null;
}

/** A verification request: the decision's inputs plus what it spends. */
export interface VerifyRequest extends VerificationRequest {
  /** Quota units and rate-limit units this verification spends (default 1; 0 spends nothing). */
  cost?: number | undefined;
  /** Whether the outcome counts in usage (default true); last use is kept either way. */
  count?: boolean | undefined;
}

/** A verification's outcome: the decision, and the key's limits after it. */
export interface VerifyOutcome {
  decision: VerificationDecision;
  ratelimit: RateLimitState | null;
  quota: { remaining: number } | null;
}

/** What a verifier works with besides storage and the clock. */
export interface VerifierDeps {
  cache: KeyCache;
  rateLimiter: RateLimiter;
  /** Where outcomes are counted; null counts nothing. */
  usage: UsageRecorder | null;
  /** Where changes are announced to other nodes, and heard from them; null on a single node. */
  bus?: InvalidationBus | null | undefined;
  /** Told when announcing a change fails (the change itself stands; other nodes see it after their TTL). */
  onBusError?: ((error: unknown) => void) | undefined;
  /** Told the units a verification left of a key's quota (for `api_key.quota_low`); null: nobody. */
  quotaWatch?: QuotaWatch | null | undefined;
  /** Told every outcome and how long it took, in seconds (for metrics). */
  observe?: ((code: VerificationDecision["code"], seconds: number) => void) | undefined;
}

/**
 * What an owner holds now: a user's membership role, their role in the org's group (which covers the
 * org) and their role/scope pairs; a service account's role; an org's everything. Null when gone.
 */
export function ownerRights(stored: StoredKeyLookup): Rights | null {
  if (stored.key.owner.type === "org") return { grants: ["*"], bindings: [] };
  if (stored.ownerRole === null && stored.groupRole === null) return null;
  const bindings: RoleBinding[] = [...stored.ownerBindings];
  if (stored.ownerRole !== null) bindings.push({ role: stored.ownerRole, scope: "org" });
  if (stored.groupRole !== null) bindings.push({ role: stored.groupRole, scope: "group" });
  return { grants: [], bindings };
}

/** Prepares a stored lookup for deciding: effective permissions and the compiled allowlist. */
export function prepareLookup(stored: StoredKeyLookup): KeyLookup {
  const owner = ownerRights(stored);
  const effective =
    owner === null
      ? { org: [], projects: null }
      : effectiveGrants({ grants: stored.key.permissions, bindings: stored.key.roles }, owner, stored.customRoles);
  return {
    key: stored.key,
    secret: stored.secret,
    ownerFound: owner !== null,
    permissions: effective.org,
    projectPermissions: effective.projects,
    allowlist: compileAllowlist(stored.key.ipAllowlist),
  };
}

/** A decision that passed. */
type ValidDecision = Extract<VerificationDecision, { valid: true }>;

/** What a credential authenticates as: an actor, or the code its verification failed with. */
export type Authentication = { actor: Actor; code: "VALID" } | { actor: null; code: VerificationDecision["code"] };

function authenticationOf({ decision }: VerifyOutcome, requestId: string | null, ip?: string): Authentication {
  if (!decision.valid) return { actor: null, code: decision.code };
  const { key } = decision;
  return {
    actor: {
      principal: key.owner,
      orgId: key.orgId,
      keyId: key.id,
      credentialKind: key.kind,
      grants: decision.permissions,
      projectGrants: decision.projectPermissions,
      requestId,
      ip: ip ?? null,
    },
    code: "VALID",
  };
}

/** The start of the quota period `now` falls in, for a refill interval. */
export function refillPeriodStart(interval: "day" | "month", now: Date): Date {
  return interval === "day"
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * Verifies presented secrets: rejects secrets of no key's length at once, and malformed keys and bad
 * checksums before any storage lookup, finds the key by SHA-256 (from the cache when it can),
 * decides, then spends rate limit and quota and counts the outcome. It never writes to storage
 * except to spend a quota.
 */
export class Verifier {
  constructor(
    private readonly keys: Pick<KeyStore, "findBySecretHash" | "consumeQuota">,
    private readonly clock: Clock,
    private readonly deps: VerifierDeps,
  ) {}

  /**
   * A fresh cache entry answers at once; otherwise storage is asked (synchronously when it can
   * answer so). When storage fails, a stale entry still answers, within the cache's stale window.
   */
  private find(secret: string, nowMs: number): Promise<KeyLookup | null> | KeyLookup | null {
    const hash = hashKey(secret);
    const entry = this.deps.cache.get(hash);
    // Only stored keys and well-formed unknown ones are cached, so a fresh entry needs no shape or
    // checksum check: another string with the same SHA-256 is not to be found.
    if (entry !== undefined && entry.freshUntil > nowMs) return entry.lookup;
    if (!hasKeyShape(secret) || !hasValidChecksum(secret)) return null;
    const cached = entry !== undefined && entry.staleUntil > nowMs ? entry : undefined;
    const epoch = this.deps.cache.epoch;
    let stored: ReturnType<Verifier["keys"]["findBySecretHash"]>;
    try {
      stored = this.keys.findBySecretHash(hash);
    } catch (error) {
      if (cached !== undefined) return cached.lookup;
      throw error;
    }
    if (stored instanceof Promise) {
      return stored.then(
        (value) => this.remember(hash, value, epoch, nowMs),
        (error: unknown) => {
          if (cached !== undefined) return cached.lookup;
          throw error;
        },
      );
    }
    return this.remember(hash, stored, epoch, nowMs);
  }

  private remember(hash: string, stored: StoredKeyLookup | null, epoch: number, nowMs: number): KeyLookup | null {
    const lookup = stored === null ? null : prepareLookup(stored);
    this.deps.cache.set(hash, lookup, epoch, nowMs);
    return lookup;
  }

  /** Starts hearing other nodes' announcements. */
  async listen(): Promise<void> {
    await this.deps.bus?.subscribe((message) => {
      if (message.kind === "key") this.deps.cache.forgetKey(message.keyId);
      else if (message.kind === "hash") this.deps.cache.forgetHash(message.hash);
      else this.deps.cache.clear();
    });
  }

  /** Verifies a secret: decision, then rate limit and quota when it passes; the outcome is counted. */
  async verify(secret: string, request: VerifyRequest): Promise<VerifyOutcome> {
    return this.verifyNow(secret, request);
  }

  /**
   * `verify`, answered at once, without a promise, when nothing has to be waited for: a cached key
   * (or a malformed one) that spends no quota and whose rate limiter answers synchronously. This is
   * the hot path of a busy node, where each promise hop costs as much as the decision. Storage
   * failures on a cache miss may throw rather than reject.
   */
  verifyNow(secret: string, request: VerifyRequest): VerifyOutcome | Promise<VerifyOutcome> {
    const started = this.deps.observe ? performance.now() : 0;
    const now = this.clock.now();
    // The length check bounds what is hashed; a bad shape or checksum is refused before storage is asked.
    const found = hasKeyLength(secret) ? this.find(secret, now.getTime()) : null;
    return found instanceof Promise
      ? found.then((lookup) => this.decide(lookup, request, now, started))
      : this.decide(found, request, now, started);
  }

  /** Decides, spends what a valid key spends (waiting only when a limiter or the quota must), and counts. */
  private decide(
    found: KeyLookup | null,
    request: VerifyRequest,
    now: Date,
    started: number,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    const decision = decideVerification(found, request, now);
    const cost = request.cost ?? 1;
    if (!decision.valid || cost <= 0)
      return this.count({ decision, ratelimit: null, quota: null }, request, now, started);
    const { rateLimit } = decision.key;
    if (rateLimit === null) return this.spendQuotaOf(decision, null, cost, request, now, started);
    const state = this.deps.rateLimiter.consume(
      `key:${decision.key.id}`,
      rateLimit.limit,
      rateLimit.windowSeconds * 1000,
      cost,
      now.getTime(),
    );
    return state instanceof Promise
      ? state.then((ratelimit) => this.spendQuotaOf(decision, ratelimit, cost, request, now, started))
      : this.spendQuotaOf(decision, state, cost, request, now, started);
  }

  /** After the rate limit of a key that passed: spends its quota if it has one, then counts the outcome. */
  private spendQuotaOf(
    passed: ValidDecision,
    ratelimit: RateLimitState | null,
    cost: number,
    request: VerifyRequest,
    now: Date,
    started: number,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    const { key, permissions } = passed;
    if (ratelimit !== null && !ratelimit.allowed) {
      const decision: VerificationDecision = { valid: false, code: "RATE_LIMITED", key, permissions };
      return this.count({ decision, ratelimit, quota: null }, request, now, started);
    }
    if (key.quota === null) return this.count({ decision: passed, ratelimit, quota: null }, request, now, started);
    return this.spendQuota(key, cost, now).then((remaining) => {
      if (remaining !== null) this.deps.quotaWatch?.observe(key, remaining, now);
      const decision: VerificationDecision =
        remaining === null ? { valid: false, code: "USAGE_EXCEEDED", key, permissions } : passed;
      return this.count({ decision, ratelimit, quota: { remaining: remaining ?? 0 } }, request, now, started);
    });
  }

  /** Counts an outcome in usage and metrics. */
  private count(outcome: VerifyOutcome, request: VerifyRequest, now: Date, started: number): VerifyOutcome {
    const { decision } = outcome;
    const key = decision.key;
    const orgId = key?.orgId ?? request.orgId;
    if (request.count === false) {
      if (decision.valid) this.deps.usage?.touch(decision.key.orgId, decision.key.id, now, request.ip ?? null);
    } else if (orgId !== undefined) {
      this.deps.usage?.record(orgId, key?.id ?? null, decision.code, now, request.ip ?? null);
    }
    this.deps.observe?.(decision.code, (performance.now() - started) / 1000);
    return outcome;
  }

  /**
   * The actor a credential stands for, or the failing decision's code; at once when the credential's
   * verification is (see `verifyNow`). Calls to Latchkey's own API spend no quota and are not counted
   * as usage of the org's keys; the key's last use is kept.
   */
  authenticate(secret: string, requestId: string | null, ip?: string): Authentication | Promise<Authentication> {
    const outcome = this.verifyNow(secret, { cost: 0, count: false, ip });
    return outcome instanceof Promise
      ? outcome.then((settled) => authenticationOf(settled, requestId, ip))
      : authenticationOf(outcome, requestId, ip);
  }

  /** Drops a key's cached records: called after every change to the key in this process. */
  forgetKey(keyId: string): void {
    this.deps.cache.forgetKey(keyId);
    this.announce({ kind: "key", keyId });
  }

  /** Drops a secret hash that may be remembered as unknown (a new secret). */
  forgetHash(hash: string): void {
    this.deps.cache.forgetHash(hash);
    this.announce({ kind: "hash", hash });
  }

  /** Drops every cached record (a role, owner or policy change). */
  forgetAll(): void {
    this.deps.cache.clear();
    this.announce({ kind: "all" });
  }

  private announce(message: Invalidation): void {
    this.deps.bus?.publish(message).catch((error: unknown) => this.deps.onBusError?.(error));
  }

  private async spendQuota(key: VerifiableKey, cost: number, now: Date): Promise<number | null> {
    const quota = key.quota;
    if (quota === null) return null;
    const refill =
      quota.refill === null
        ? null
        : { amount: quota.refill.amount, periodStart: refillPeriodStart(quota.refill.interval, now) };
    // The cached record may say the period was refilled already; refilledAt only moves forward.
    const due = refill !== null && (quota.refilledAt === null || quota.refilledAt < refill.periodStart) ? refill : null;
    return this.keys.consumeQuota(key.id, cost, due);
  }
}
