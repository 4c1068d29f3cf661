import type { BuiltInRole } from "./permissions.js";
import type { Sealed } from "./vault-crypto.js";

/** The kinds of key this release issues. */
export const KEY_KINDS = ["personal", "service"] as const;

/** A key kind. */
export type KeyKind = (typeof KEY_KINDS)[number];

/** The default prefix of each kind (SPEC §2). */
export const DEFAULT_KEY_PREFIXES: Readonly<Record<KeyKind, string>> = { personal: "lkp", service: "lks" };

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
}

/** The fields of a key that verification reads: what a lookup by secret hash returns and caches. */
export const VERIFIABLE_KEY_FIELDS = [
  "id",
  "orgId",
  "kind",
  "owner",
  "environment",
  "permissions",
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

/** A key as verification sees it. */
export type VerifiableKey = Pick<ApiKey, (typeof VERIFIABLE_KEY_FIELDS)[number]>;

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
export type KeyEventType = "created" | "updated" | "regenerated" | "revoked" | "disabled" | "enabled" | "deleted";

/** A row of the key events table. */
export interface KeyEvent {
  id: string;
  orgId: string;
  keyId: string;
  type: KeyEventType;
  actor: PrincipalRef;
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
}

/** The policy every new org starts with: expiry required, at most one year, `live` and `test`. */
export const DEFAULT_ORG_POLICY: Readonly<OrgPolicy> = Object.freeze({
  allowNeverExpiring: false,
  maxLifetimeSeconds: 365 * 24 * 3600,
  environments: ["live", "test"],
});

/** An organization. */
export interface Org {
  id: string;
  name: string;
  slug: string;
  policy: OrgPolicy;
  createdAt: Date;
}

/** A person. The password hash never leaves the store except to the sign-in check. */
export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

/** A user's membership in an org, with a built-in role. */
export interface Membership {
  id: string;
  orgId: string;
  userId: string;
  role: BuiltInRole;
  createdAt: Date;
}

/** How a service account authenticates. */
export type ServiceAccountAuthType = "api_key";

/** A non-human principal of an org that owns service keys. */
export interface ServiceAccount {
  id: string;
  orgId: string;
  name: string;
  role: BuiltInRole;
  authType: ServiceAccountAuthType;
  createdAt: Date;
  createdBy: PrincipalRef;
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
