import type { AlertStore } from "./alerts.js";
import type { AuditEvent, AuditRecord, ChainCheck } from "./audit.js";
import type { GroupStore } from "./group-store.js";
import type {
  AccessToken,
  ApiKey,
  ClientSecret,
  Group,
  GroupMembership,
  KeyEvent,
  KeyKind,
  KeySecret,
  KeyStatus,
  Membership,
  MemberView,
  Org,
  OrgPolicy,
  SealedSecret,
  ServiceAccount,
  User,
  VaultSecret,
  VerifiableKey,
  WrappedDataKey,
} from "./model.js";
import type { InvitationStore, PeopleStore, SessionStore } from "./people.js";
import type { PermissionCatalogueStore } from "./permission-catalogue.js";
import type { Project } from "./projects.js";
import type { PublishableKeyPlan, PublishableKeyRecord, PublishableKeyStore } from "./publishable-keys.js";
import type { CustomRole, CustomRoleGrants, RoleBinding } from "./roles.js";
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
          | "name"
          | "description"
          | "labels"
          | "metadata"
          | "permissions"
          | "roles"
          | "ipAllowlist"
          | "rateLimit"
          | "quota"
        >
      >;
    }
  | { type: "revoke"; at: Date }
  | { type: "disable" }
  | { type: "enable" }
  | { type: "delete"; at: Date };

/** A secret a scanner reported, by its SHA-256, with where it was found. */
export interface LeakReport {
  hash: string;
  /** Who reported it: `github`. */
  source: string;
  /** The public URL where it was found (may be empty). */
  url: string;
}

/** A reported hash that belongs to a stored secret, and what `recordLeaks` did about it. */
export interface LeakMatch {
  hash: string;
  keyId: string;
  orgId: string;
  /** Whether this call recorded the key's leak (false: recorded before, or the secret no longer worked). */
  recorded: boolean;
  /** Whether this call revoked the key. */
  revoked: boolean;
}

/** A key found by a secret's hash, with its owner's current role in the key's org. */
export interface StoredKeyLookup {
  key: VerifiableKey;
  secret: KeySecret;
  /** The owner's role now: the membership role of a user, the role of a service account; null when gone. */
  ownerRole: string | null;
  /** A user owner's further role/scope pairs in the org (none for other owners). */
  ownerBindings: RoleBinding[];
  /** The org's custom roles' grants, when the key or its owner holds a custom role (else empty). */
  customRoles: CustomRoleGrants;
  /** A user owner's role in the group of the key's org now (it covers the org too); null when none. */
  groupRole: string | null;
}

/**
 * Storage of keys, their secrets and their events.
 * Atomicity: every method that writes does so in one transaction, together with its event(s); a
 * conditional change either applies wholly or not at all. Concurrency: conditional changes re-check
 * their guard inside the write, so two racing revokes produce one `revoked` event.
 */
export interface KeyStore {
  /**
   * Inserts the key, its first secret and its `created` event; with `vault`, also that vault secret and
   * its audit event, in the same transaction. A duplicate secret hash, or a vault name the org already
   * uses, is a CONFLICT and nothing is written.
   */
  create(key: ApiKey, secret: KeySecret, event: KeyEvent, vault?: VaultWrite): Promise<void>;
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
   * (or earlier, if it already would); with `vault`, also stores that vault secret and its audit event in
   * the same transaction (a vault name the org uses already is a CONFLICT, and nothing changes). Returns
   * the changed key, or null when the key is revoked or gone.
   */
  regenerate(
    orgId: string,
    id: string,
    secret: KeySecret,
    graceUntil: Date,
    event: KeyEvent,
    vault?: VaultWrite,
  ): Promise<ApiKey | null>;
  /** Revokes every live key of the org that matches `filter`, each with its own event. Returns their ids. */
  revokeMatching(orgId: string, filter: KeyFilter, now: Date, eventFor: (key: ApiKey) => KeyEvent): Promise<string[]>;
  /** The key's events, oldest first. */
  listEvents(orgId: string, keyId: string): Promise<KeyEvent[]>;
  /**
   * Records secrets a scanner found in public, in one transaction: every reported hash that belongs
   * to a stored secret is returned. A key whose secret still worked (current, or in its grace period),
   * that is not deleted and has no leak recorded yet, gets its leak recorded (the first report of it
   * in the batch) and, unless already revoked, is revoked; its events are `eventsFor(key, report,
   * revokedNow)`. A key with a leak recorded already is left alone, so a replayed report writes nothing.
   * Concurrency: the guards are re-checked in the write, so racing reports record each leak once.
   */
  recordLeaks(
    reports: readonly LeakReport[],
    at: Date,
    eventsFor: (key: ApiKey, report: LeakReport, revokedNow: boolean) => KeyEvent[],
  ): Promise<LeakMatch[]>;
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

/** A change to an org: a new name, and policy fields to replace. */
export interface OrgUpdate {
  name?: string | undefined;
  policy?: Partial<OrgPolicy> | undefined;
}

/** A vault secret written together with another change, and its audit event. */
export interface VaultWrite {
  secret: SealedSecret;
  audit: AuditEvent;
}

/**
 * Storage of the vault: the master key's check value, each org's wrapped data keys, and the sealed
 * secrets. Values are stored only sealed; metadata reads never return them. Atomicity: every write is
 * one transaction with its audit event (written last). Concurrency: racing first writes of the check
 * value or of an org's data key all end with the one that was stored, which each caller gets back.
 */
export interface VaultStore {
  /** Stores `check` as the master key's check value unless one exists; returns the stored one. */
  initMasterCheck(check: string, at: Date): Promise<string>;
  /** The org's newest data key; when it has none, `candidate` is stored first. Returns what is stored. */
  ensureDataKey(candidate: WrappedDataKey): Promise<WrappedDataKey>;
  /** One data key of an org. */
  dataKey(orgId: string, version: number): Promise<WrappedDataKey | null>;
  /** Every data key of every org (for master-key rotation). */
  listDataKeys(): Promise<WrappedDataKey[]>;
  /** Inserts a secret with its audit event. A name the org already uses is a CONFLICT. */
  create(write: VaultWrite): Promise<void>;
  /** A secret's metadata. */
  get(orgId: string, id: string): Promise<VaultSecret | null>;
  /** The org's secrets' metadata, newest first. */
  list(orgId: string, page: PageRequest): Promise<Page<VaultSecret>>;
  /** A sealed secret, read in one transaction with the audit event `auditFor` makes of it. */
  reveal(orgId: string, id: string, auditFor: (secret: VaultSecret) => AuditEvent): Promise<SealedSecret | null>;
  /** Deletes a secret (its sealed value is gone), with its audit event. Returns what was deleted. */
  delete(orgId: string, id: string, auditFor: (secret: VaultSecret) => AuditEvent): Promise<VaultSecret | null>;
  /**
   * Replaces the master key: in one transaction, checks that the stored check value is still
   * `expectedCheck` and that the data keys are exactly those of `rewrapped` (same orgs and versions),
   * writes each re-wrapped data key and the new check value, then `events`. Secrets are not touched.
   * CONFLICT when the check value or the set of data keys changed meanwhile.
   */
  replaceMasterKey(
    expectedCheck: string,
    newCheck: string,
    rewrapped: readonly WrappedDataKey[],
    events: readonly AuditEvent[],
    at: Date,
  ): Promise<void>;
}

/** Storage of orgs. */
export interface OrgStore {
  get(id: string): Promise<Org | null>;
  /**
   * Applies the change and appends its audit event in one transaction; concurrent changes to
   * different policy fields both apply. With `publishable` (a change of the environments), the org's
   * publishable keys are made to match the new environments in the same transaction (see
   * `PublishableKeyStore.ensure`). Returns the changed org, or null when there is no such org.
   */
  update(id: string, update: OrgUpdate, audit: AuditEvent, publishable?: PublishableKeyPlan): Promise<Org | null>;
}

/** Storage of users and their memberships. */
export interface UserStore {
  get(id: string): Promise<User | null>;
  membership(orgId: string, userId: string): Promise<Membership | null>;
  count(): Promise<number>;
}

/** What adding a member writes: the membership of the user who has `email`. */
export interface NewMembership {
  id: string;
  orgId: string;
  email: string;
  role: string;
  roles: RoleBinding[];
  createdAt: Date;
}

/**
 * Storage of memberships. Each change is one transaction with its audit event. An org never loses its
 * last owner: a change that would leave none is a CONFLICT, decided inside the transaction.
 */
export interface MembershipStore {
  list(orgId: string, page: PageRequest): Promise<Page<MemberView>>;
  get(orgId: string, id: string): Promise<MemberView | null>;
  /** Adds the user who has this email; null when nobody has it; CONFLICT when already a member. */
  add(membership: NewMembership, auditFor: (userId: string) => AuditEvent): Promise<MemberView | null>;
  /** Gives the member another role and role/scope pairs; CONFLICT when it would leave the org without an owner. */
  setRoles(orgId: string, id: string, role: string, roles: RoleBinding[], audit: AuditEvent): Promise<MemberView>;
  /** Removes the member; CONFLICT when it would leave the org without an owner. */
  remove(orgId: string, id: string, audit: AuditEvent): Promise<void>;
}

/**
 * Storage of service accounts. `delete` marks the account deleted and revokes its live keys, with an
 * event per key, in one transaction.
 */
export interface ServiceAccountStore {
  /**
   * Inserts the account, with its audit events, and for an OAuth account its first client secret, in
   * one transaction. A duplicate name in the org is a CONFLICT.
   */
  create(
    account: ServiceAccount,
    audit: AuditEvent | readonly AuditEvent[],
    clientSecret?: ClientSecret | null,
  ): Promise<void>;
  get(orgId: string, id: string): Promise<ServiceAccount | null>;
  list(orgId: string, page: PageRequest): Promise<Page<ServiceAccount>>;
  /** Renames the account or changes its role, with the audit event; null when it is gone. A taken name is a CONFLICT. */
  update(
    orgId: string,
    id: string,
    change: { name?: string; role?: string },
    audit: AuditEvent,
  ): Promise<ServiceAccount | null>;
  /** Deletes the account and revokes its keys, with their events and the account's audit event. */
  delete(orgId: string, id: string, at: Date, eventFor: (key: ApiKey) => KeyEvent, audit: AuditEvent): Promise<boolean>;
}

/** An OAuth client as the token endpoint sees it: a live OAuth account and its unrevoked secrets. */
export interface OAuthClient {
  account: ServiceAccount;
  /** Secrets not revoked (some may be past their grace period: check `expiresAt`). */
  secrets: ClientSecret[];
}

/**
 * Storage of OAuth client secrets and access tokens. Access tokens are found for verification by the
 * key store's `findBySecretHash`, which joins them with their secret and account, so that revoking
 * either ends them without touching the tokens.
 * Atomicity: every write is one transaction with its audit events (appended last). Concurrency: the
 * guards (account live and OAuth, secret unrevoked) are re-checked inside the write.
 */
export interface OAuthStore {
  /** A live OAuth account by client id (its account id), with its unrevoked secrets; null otherwise. */
  findClient(clientId: string): Promise<OAuthClient | null>;
  /**
   * Adds a secret to a live OAuth account of the org; the account's other live secrets stop working at
   * `graceUntil` (or earlier, if they already would). Returns false when the account is gone or not OAuth.
   */
  addSecret(secret: ClientSecret, graceUntil: Date, audit: readonly AuditEvent[]): Promise<boolean>;
  /** The account's secrets, revoked ones included, newest first. */
  listSecrets(orgId: string, serviceAccountId: string): Promise<ClientSecret[]>;
  /** Revokes one secret of a live account unless it is revoked already; returns it, or null. */
  revokeSecret(
    orgId: string,
    serviceAccountId: string,
    secretId: string,
    at: Date,
    audit: readonly AuditEvent[],
  ): Promise<ClientSecret | null>;
  /**
   * Inserts an issued access token with its audit event; the account's tokens that expired more than a
   * day before it was issued are deleted in the same transaction.
   */
  insertToken(token: AccessToken, audit: readonly AuditEvent[]): Promise<void>;
  /** An access token of the org by id (expired ones included). */
  getToken(orgId: string, id: string): Promise<AccessToken | null>;
}

/** Everything the first start creates, written in one transaction. */
export interface BootstrapRecords {
  user: User;
  passwordHash: string;
  group: Group;
  /** The owner's membership (role owner) in the first group. */
  groupMembership: GroupMembership;
  org: Org;
  membership: Membership;
  key: ApiKey;
  secret: KeySecret;
  event: KeyEvent;
  /**
   * The org's publishable keys (one per environment) and the org's data key their values are sealed
   * under (new, like the org): stored after the org row, in the same transaction.
   */
  publishable?: { dataKey: WrappedDataKey; keys: PublishableKeyRecord[] } | undefined;
}

/** The whole storage of a Latchkey node. */
export interface Store {
  readonly alerts: AlertStore;
  readonly audit: AuditStore;
  readonly keys: KeyStore;
  /** The orgs' publishable keys (kind `publishable`) and their sealed values. */
  readonly publishableKeys: PublishableKeyStore;
  readonly orgs: OrgStore;
  readonly groups: GroupStore;
  readonly users: UserStore;
  readonly memberships: MembershipStore;
  /** The orgs' product permissions (their catalogues). */
  readonly permissions: PermissionCatalogueStore;
  /** The orgs' custom roles. */
  readonly roles: RoleStore;
  /** The orgs' projects (scopes of role/scope pairs). */
  readonly projects: ProjectStore;
  readonly serviceAccounts: ServiceAccountStore;
  readonly oauth: OAuthStore;
  readonly usage: UsageStore;
  /** Users' passwords and memberships, for sign-in. */
  readonly people: PeopleStore;
  readonly sessions: SessionStore;
  readonly invitations: InvitationStore;
  readonly vault: VaultStore;
  readonly webhooks: WebhookStore;
  /** Writes the first owner, org and token, unless any user exists. Returns whether it wrote. */
  bootstrap(records: BootstrapRecords): Promise<boolean>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Storage of custom roles. Each change is one transaction with its audit event; a name the org already
 * uses is a CONFLICT; deleting a role that a membership, service account, invitation or live key still
 * holds is a CONFLICT, decided inside the transaction.
 */
export interface RoleStore {
  list(orgId: string): Promise<CustomRole[]>;
  get(orgId: string, id: string): Promise<CustomRole | null>;
  /** The org's custom roles' grants by name. */
  grants(orgId: string): Promise<CustomRoleGrants>;
  create(role: CustomRole, audit: AuditEvent): Promise<void>;
  update(role: CustomRole, audit: AuditEvent): Promise<void>;
  delete(orgId: string, id: string, audit: AuditEvent): Promise<void>;
}

/** Storage of projects; a name the org already uses is a CONFLICT. */
export interface ProjectStore {
  list(orgId: string, page: PageRequest): Promise<Page<Project>>;
  get(orgId: string, id: string): Promise<Project | null>;
  /** Which of these project ids the org has. */
  existing(orgId: string, ids: readonly string[]): Promise<Set<string>>;
  create(project: Project, audit: AuditEvent): Promise<void>;
  delete(orgId: string, id: string, audit: AuditEvent): Promise<void>;
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
