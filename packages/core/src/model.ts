import type { AuditActor } from "./audit.js";
import type { BuiltInRole } from "./permissions.js";
import type { RoleBinding } from "./roles.js";
import type { Sealed } from "./vault-crypto.js";

/** The kinds of key this release issues (`publishable`: the org's public keys, one per environment). */
export const KEY_KINDS = ["personal", "service", "publishable"] as const;

/** A key kind. */
export type KeyKind = (typeof KEY_KINDS)[number];

/** The default prefix of each kind (SPEC §2). */
export const DEFAULT_KEY_PREFIXES: Readonly<Record<KeyKind, string>> = {
  personal: "lkp",
  service: "lks",
  publishable: "lkpk",
};

/** Who owns a key or acted on one. */
export type PrincipalRef =
  | { type: "user"; id: string }
  | { type: "service_account"; id: string }
  | { type: "org"; id: string };

/** A key's derived status. */
export type KeyStatus = "active" | "expired" | "revoked" | "disabled";

/** The statuses, for filters and docs. */
export const KEY_STATUSES: readonly KeyStatus[] = ["active", "expired", "revoked", "disabled"];

/** A key's rate limit: at most `limit` units of cost per window of `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** How a quota refills: back to `amount` at the start of every UTC day or month. */
export interface QuotaRefill {
  amount: number;
  interval: "day" | "month";
}

/** A key's quota: units left, and how it refills (null: never). */
export interface Quota {
  remaining: number;
  refill: QuotaRefill | null;
  /** The start of the refill period the remaining units belong to. */
  refilledAt: Date | null;
}

/** An API key as stored: everything but its secret, which is never kept. */
export interface ApiKey {
  id: string;
  orgId: string;
  kind: KeyKind;
  owner: PrincipalRef;
  name: string;
  description: string | null;
  environment: string;
  permissions: string[];
  /** Role/scope pairs: each role's permissions at its scope, on top of `permissions` (which hold org-wide). */
  roles: RoleBinding[];
  labels: string[];
  metadata: Record<string, unknown>;
  expiresAt: Date | null;
  enabled: boolean;
  revokedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  createdBy: PrincipalRef;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  hint: string;
  rotatedAt: Date | null;
  /** CIDRs the key may be used from; empty: anywhere. */
  ipAllowlist: string[];
  rateLimit: RateLimit | null;
  quota: Quota | null;
  /** Where and when a secret scanner found one of the key's secrets in public; null if never reported. */
  leak: KeyLeak | null;
}

/** A leak of a key, as a secret scanner reported it. */
export interface KeyLeak {
  /** When Latchkey was told. */
  reportedAt: Date;
  /** Who told it: `github` (GitHub secret scanning). */
  source: string;
  /** The public URL where the secret was found (may be empty). */
  url: string;
}

/** The fields of a key that verification reads: what a lookup by secret hash returns and caches. */
export const VERIFIABLE_KEY_FIELDS = [
  "id",
  "orgId",
  "kind",
  "owner",
  "environment",
  "permissions",
  "roles",
  "labels",
  "metadata",
  "expiresAt",
  "enabled",
  "revokedAt",
  "deletedAt",
  "ipAllowlist",
  "rateLimit",
  "quota",
] as const;

/**
 * What a verified credential is: an API key of a kind above, or an OAuth2 access token (`lkat_`) of a
 * service account, which verification treats like a key of that account.
 */
export type CredentialKind = KeyKind | "access_token";

/** A key as verification sees it (an access token is seen through the same fields). */
export type VerifiableKey = Omit<Pick<ApiKey, (typeof VERIFIABLE_KEY_FIELDS)[number]>, "kind"> & {
  kind: CredentialKind;
};

/** The verifiable part of a key. */
export function toVerifiableKey(key: VerifiableKey): VerifiableKey {
  const out: Partial<Record<keyof VerifiableKey, unknown>> = {};
  for (const field of VERIFIABLE_KEY_FIELDS) out[field] = key[field];
  return out as VerifiableKey;
}

/** One secret of a key: the current one, or a regenerated-away one inside (or past) its grace period. */
export interface KeySecret {
  hash: string;
  keyId: string;
  hint: string;
  createdAt: Date;
  /** When this secret stops working although the key lives on; null for the current secret. */
  expiresAt: Date | null;
}

/** What happened to a key, kept in an append-only table. */
export type KeyEventType =
  | "created"
  | "updated"
  | "regenerated"
  | "revoked"
  | "disabled"
  | "enabled"
  | "deleted"
  | "leaked";

/** Latchkey itself acting, as a scheduled job (`idle-policy`, `alerts`). */
export interface SystemActor {
  type: "system";
  id: string;
}

/** A row of the key events table. */
export interface KeyEvent {
  id: string;
  orgId: string;
  keyId: string;
  type: KeyEventType;
  /** A principal, Latchkey itself (`system`, e.g. a secret-scanning report) or someone holding only the key. */
  actor: AuditActor;
  requestId: string | null;
  /** The address the change came from: recorded in the audit log (not in the key's own events). */
  ip?: string | null | undefined;
  createdAt: Date;
  detail: Record<string, unknown>;
}

/** An org's policy for its keys. */
export interface OrgPolicy {
  /** Whether keys may be created without an expiry. */
  allowNeverExpiring: boolean;
  /** The longest lifetime a key may be given, in seconds. */
  maxLifetimeSeconds: number;
  /** The environments keys may be created in. */
  environments: string[];
  /** Keys unused for this many days are disabled by the idle policy; null turns the policy off. */
  idleDisableDays: number | null;
  /** The built-in roles whose members (and service accounts) may create service keys. */
  serviceKeyCreatorRoles: BuiltInRole[];
  /** The prefix new keys of each kind get (SPEC §3); existing keys keep theirs. */
  keyPrefixes: Record<KeyKind, string>;
}

/** The policy every new org starts with: expiry required, at most one year, `live` and `test`. */
export const DEFAULT_ORG_POLICY: Readonly<OrgPolicy> = Object.freeze({
  allowNeverExpiring: false,
  maxLifetimeSeconds: 365 * 24 * 3600,
  environments: ["live", "test"],
  idleDisableDays: null,
  serviceKeyCreatorRoles: ["owner", "super_admin", "admin"] as BuiltInRole[],
  keyPrefixes: { ...DEFAULT_KEY_PREFIXES },
});

/** An organization. */
export interface Org {
  id: string;
  /** The group the org belongs to: roles bound in the group cover the org. */
  groupId: string;
  name: string;
  slug: string;
  policy: OrgPolicy;
  createdAt: Date;
}

/** A group of orgs: the widest scope a role can be bound at. */
export interface Group {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
}

/** A user's membership in a group: its built-in role covers every org of the group. */
export interface GroupMembership {
  id: string;
  groupId: string;
  userId: string;
  role: BuiltInRole;
  createdAt: Date;
}

/** A group membership with the user's email and name, as lists show it. */
export interface GroupMemberView extends GroupMembership {
  email: string;
  name: string;
}

/** A person. The password hash never leaves the store except to the sign-in check. */
export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

/** A user's membership in an org: a role in the whole org (built-in or custom), and role/scope pairs. */
export interface Membership {
  id: string;
  orgId: string;
  userId: string;
  role: string;
  /** Further roles at narrower scopes (`project:<id>`), or at the org. */
  roles: RoleBinding[];
  createdAt: Date;
}

/** A membership as the memberships API shows it: with the user's email and name. */
export interface MemberView extends Membership {
  email: string;
  name: string;
}

/** The ways a service account authenticates (Snyk's names). */
export const SERVICE_ACCOUNT_AUTH_TYPES = ["api_key", "oauth_client_secret"] as const;

/** How a service account authenticates: with its API keys, or as an OAuth2 client (client credentials). */
export type ServiceAccountAuthType = (typeof SERVICE_ACCOUNT_AUTH_TYPES)[number];

/** A non-human principal of an org that owns service keys. */
export interface ServiceAccount {
  id: string;
  orgId: string;
  name: string;
  /** A built-in role or one of the org's custom roles. */
  role: string;
  authType: ServiceAccountAuthType;
  /** The lifetime of the access tokens it is issued (OAuth clients only; null for `api_key`). */
  accessTokenTtlSeconds: number | null;
  createdAt: Date;
  createdBy: PrincipalRef;
}

/**
 * A service account of a group: it owns keys in any org of the group, where its role is its grants.
 * Its keys are created in one org each, like any service key.
 */
export interface GroupServiceAccount extends Omit<ServiceAccount, "orgId"> {
  groupId: string;
}

/**
 * A client secret of an OAuth service account, stored as its SHA-256 only. Its client id is the
 * account's id. A secret stops working when revoked, or at `expiresAt` when a newer one replaced it.
 */
export interface ClientSecret {
  id: string;
  orgId: string;
  serviceAccountId: string;
  hash: string;
  hint: string;
  createdAt: Date;
  /** The end of its grace period after a rotation; null while it is the current secret. */
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/**
 * An OAuth2 access token issued to a service account by the client credentials grant, stored as its
 * SHA-256 only. It works until `expiresAt`, and ends with the client secret it was issued with (when
 * that is revoked or its grace period ends) or with its account.
 */
export interface AccessToken {
  id: string;
  orgId: string;
  serviceAccountId: string;
  clientSecretId: string;
  hash: string;
  hint: string;
  /** What the token may do (`*`: everything its account's role holds), always capped by the role. */
  permissions: string[];
  createdAt: Date;
  expiresAt: Date;
}

/** A secret of an org's vault, as lists and reads show it: never its value. */
export interface VaultSecret {
  id: string;
  orgId: string;
  /** Unique in the org. */
  name: string;
  createdAt: Date;
  updatedAt: Date;
  createdBy: PrincipalRef;
}

/** A secret as stored: its value sealed under version `keyVersion` of its org's data key. */
export interface SealedSecret extends VaultSecret {
  keyVersion: number;
  sealed: Sealed;
}

/** An org's data key, sealed under the master key (`v1.<nonce>.<ciphertext>.<tag>`). */
export interface WrappedDataKey {
  orgId: string;
  version: number;
  wrapped: string;
  createdAt: Date;
}
