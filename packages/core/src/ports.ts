import type { AuditEvent, AuditRecord, ChainCheck } from "./audit.js";
import type {
  ApiKey,
  KeyEvent,
  KeyKind,
  KeySecret,
  KeyStatus,
  Membership,
  Org,
  ServiceAccount,
  User,
  VerifiableKey,
} from "./model.js";
import type { UsageStore } from "./usage.js";
import type { WebhookStore } from "./webhooks.js";

/** A page request: newest first; `startingAfter` / `endingBefore` are ids of the previous page's edges. */
export interface PageRequest {
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

/** A page of items, newest first; `hasMore` tells whether more items lie in the direction of travel. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** Filters of the key list. All given filters must match. */
export interface KeyFilter {
  status?: KeyStatus | undefined;
  label?: string | undefined;
  kind?: KeyKind | undefined;
  environment?: string | undefined;
  /** The owner's id (a user, a service account, or the org for standalone keys). */
  ownerId?: string | undefined;
  /** Case-insensitive substring of the name. */
  name?: string | undefined;
}

/** A change to a key, applied only when the key is in a state that allows it. */
export type KeyChange =
  | {
      type: "update";
      fields: Partial<
        Pick<
          ApiKey,
          "name" | "description" | "labels" | "metadata" | "permissions" | "ipAllowlist" | "rateLimit" | "quota"
        >
      >;
    }
  | { type: "revoke"; at: Date }
  | { type: "disable" }
  | { type: "enable" }
  | { type: "delete"; at: Date };

/** A key found by a secret's hash, with its owner's current role in the key's org. */
export interface StoredKeyLookup {
  key: VerifiableKey;
  secret: KeySecret;
  /** The owner's role now: the membership role of a user, the role of a service account; null when gone. */
  ownerRole: string | null;
}

/**
 * Storage of keys, their secrets and their events.
 * Atomicity: every method that writes does so in one transaction, together with its event(s); a
 * conditional change either applies wholly or not at all. Concurrency: conditional changes re-check
 * their guard inside the write, so two racing revokes produce one `revoked` event.
 */
export interface KeyStore {
  /** Inserts the key, its first secret and its `created` event. A duplicate secret hash is a CONFLICT. */
  create(key: ApiKey, secret: KeySecret, event: KeyEvent): Promise<void>;
  /**
   * Finds the key (deleted or not) that a secret with this SHA-256 belongs to. An adapter that can
   * answer synchronously (an embedded database) may return the value itself: verification then does
   * not wait.
   */
  findBySecretHash(hash: string): Promise<StoredKeyLookup | null> | StoredKeyLookup | null;
  /** A key of the org that is not deleted. */
  get(orgId: string, id: string): Promise<ApiKey | null>;
  /** The org's keys that are not deleted, matching every filter (status evaluated at `now`). */
  list(orgId: string, filter: KeyFilter, page: PageRequest, now: Date): Promise<Page<ApiKey>>;
  /**
   * Applies `change` if the key exists, is not deleted and (for all but update and delete) not revoked;
   * records `event`. Returns the changed key, or null when the guard did not hold.
   */
  change(orgId: string, id: string, change: KeyChange, event: KeyEvent): Promise<ApiKey | null>;
  /**
   * Gives a live key a new current secret; every other secret of the key stops working at `graceUntil`
   * (or earlier, if it already would). Returns the changed key, or null when the key is revoked or gone.
   */
  regenerate(orgId: string, id: string, secret: KeySecret, graceUntil: Date, event: KeyEvent): Promise<ApiKey | null>;
  /** Revokes every live key of the org that matches `filter`, each with its own event. Returns their ids. */
  revokeMatching(orgId: string, filter: KeyFilter, now: Date, eventFor: (key: ApiKey) => KeyEvent): Promise<string[]>;
  /** The key's events, oldest first. */
  listEvents(orgId: string, keyId: string): Promise<KeyEvent[]>;
  /**
   * Spends `cost` units of a key's quota if that many remain, as one conditional write; first, when
   * `refill` is given and the key was last refilled before `refill.periodStart`, resets the remaining
   * units to `refill.amount` (at most once per period, however many nodes race). Returns the units
   * left, or null when the quota is spent (nothing is taken then).
   */
  consumeQuota(
    keyId: string,
    cost: number,
    refill: { amount: number; periodStart: Date } | null,
  ): Promise<number | null>;
}

/** Storage of orgs. */
export interface OrgStore {
  get(id: string): Promise<Org | null>;
}

/** Storage of users and their memberships. */
export interface UserStore {
  get(id: string): Promise<User | null>;
  membership(orgId: string, userId: string): Promise<Membership | null>;
  count(): Promise<number>;
}

/**
 * Storage of service accounts. `delete` marks the account deleted and revokes its live keys, with an
 * event per key, in one transaction.
 */
export interface ServiceAccountStore {
  /** Inserts the account, with its audit event. A duplicate name in the org is a CONFLICT. */
  create(account: ServiceAccount, audit: AuditEvent): Promise<void>;
  get(orgId: string, id: string): Promise<ServiceAccount | null>;
  list(orgId: string, page: PageRequest): Promise<Page<ServiceAccount>>;
  /** Deletes the account and revokes its keys, with their events and the account's audit event. */
  delete(orgId: string, id: string, at: Date, eventFor: (key: ApiKey) => KeyEvent, audit: AuditEvent): Promise<boolean>;
}

/** Everything the first start creates, written in one transaction. */
export interface BootstrapRecords {
  user: User;
  passwordHash: string;
  org: Org;
  membership: Membership;
  key: ApiKey;
  secret: KeySecret;
  event: KeyEvent;
}

/** The whole storage of a Latchkey node. */
export interface Store {
  readonly audit: AuditStore;
  readonly keys: KeyStore;
  readonly orgs: OrgStore;
  readonly users: UserStore;
  readonly serviceAccounts: ServiceAccountStore;
  readonly usage: UsageStore;
  readonly webhooks: WebhookStore;
  /** Writes the first owner, org and token, unless any user exists. Returns whether it wrote. */
  bootstrap(records: BootstrapRecords): Promise<boolean>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Filters of the audit log; `action` may end in `.*` (e.g. `api_key.*`). */
export interface AuditFilter {
  actorId?: string | undefined;
  action?: string | undefined;
  targetId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/**
 * The audit log: append-only and hash-chained. Changes write their events in their own transaction;
 * `append` is for events with no other write (a read of a secret, a refused sign-in).
 */
export interface AuditStore {
  append(events: readonly AuditEvent[]): Promise<void>;
  /** An org's events, newest first. */
  list(orgId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>>;
  /** An org's events, oldest first, in batches (for export). */
  export(orgId: string, filter: AuditFilter): AsyncIterable<AuditRecord>;
  /** Checks the whole log's chain and head. */
  check(): Promise<ChainCheck>;
}
