import type { AllowlistMatcher } from "./ip-allowlist.js";
import type { KeySecret, VerifiableKey } from "./model.js";
import { missingPermissions } from "./permissions.js";
import { grantsAt } from "./roles.js";
import { keyStatus } from "./status.js";

/** The answers of a verification (SPEC §5). */
export const VERIFICATION_CODES = [
  "VALID",
  "NOT_FOUND",
  "EXPIRED",
  "REVOKED",
  "DISABLED",
  "RATE_LIMITED",
  "USAGE_EXCEEDED",
  "INSUFFICIENT_PERMISSIONS",
  "IP_NOT_ALLOWED",
] as const;

/** A verification answer code. */
export type VerificationCode = (typeof VERIFICATION_CODES)[number];

/** A key found by the hash of a presented secret, prepared for deciding: what its owner holds now. */
export interface KeyLookup {
  key: VerifiableKey;
  secret: KeySecret;
  /** Whether the key's owner still exists in the key's org (a member, a live service account, the org). */
  ownerFound: boolean;
  /** The key's effective permissions in the org as a whole: its own, capped by its owner's grants. */
  permissions: string[];
  /** The effective permissions at the projects some role/scope pair names; null: none does. */
  projectPermissions: ReadonlyMap<string, string[]> | null;
  /** The key's compiled IP allowlist. */
  allowlist: AllowlistMatcher;
}

/** What the verifier asks of the key. */
export interface VerificationRequest {
  /** Only keys of this org are found; another org's key answers NOT_FOUND. */
  orgId?: string | undefined;
  /** Every one of these must be covered by the key's effective permissions. */
  permissions?: readonly string[] | undefined;
  /** The address the key is used from, checked against its allowlist (a key with one needs it). */
  ip?: string | undefined;
  /** Where the permissions are needed: `project:<id>`; absent: the org as a whole. */
  resource?: string | undefined;
}

/** A tagged verification decision. `key` is present whenever the key was found in the right org. */
export type VerificationDecision =
  | {
      valid: true;
      code: "VALID";
      key: VerifiableKey;
      permissions: string[];
      /** The effective permissions at projects where they differ from the org-wide ones (see `KeyLookup`). */
      projectPermissions?: ReadonlyMap<string, string[]> | null;
    }
  | { valid: false; code: "NOT_FOUND"; key: null; permissions: [] }
  | { valid: false; code: Exclude<VerificationCode, "VALID" | "NOT_FOUND">; key: VerifiableKey; permissions: string[] };

const NOT_FOUND: VerificationDecision = Object.freeze({
  valid: false,
  code: "NOT_FOUND",
  key: null,
  permissions: [],
}) as VerificationDecision;

/**
 * Decides whether a looked-up key passes, as a value: it never throws and never writes. Rate limits
 * and quotas are applied by the caller after a VALID decision, since they spend.
 */
export function decideVerification(
  lookup: KeyLookup | null,
  request: VerificationRequest,
  now: Date,
): VerificationDecision {
  if (lookup === null || lookup.key.deletedAt !== null) return NOT_FOUND;
  const { key, secret, ownerFound } = lookup;
  if (request.orgId !== undefined && key.orgId !== request.orgId) return NOT_FOUND;
  const permissions = grantsAt(lookup.permissions, lookup.projectPermissions, request.resource);
  const status = keyStatus(key, now);
  if (status === "revoked" || !ownerFound || isRotatedOut(secret, now)) {
    return { valid: false, code: "REVOKED", key, permissions };
  }
  if (status === "expired") return { valid: false, code: "EXPIRED", key, permissions };
  if (status === "disabled") return { valid: false, code: "DISABLED", key, permissions };
  if (!lookup.allowlist.allows(request.ip)) {
    return { valid: false, code: "IP_NOT_ALLOWED", key, permissions };
  }
  if (
    request.permissions &&
    request.permissions.length > 0 &&
    missingPermissions(permissions, request.permissions).length > 0
  ) {
    return { valid: false, code: "INSUFFICIENT_PERMISSIONS", key, permissions };
  }
  return lookup.projectPermissions === null
    ? { valid: true, code: "VALID", key, permissions }
    : { valid: true, code: "VALID", key, permissions, projectPermissions: lookup.projectPermissions };
}

function isRotatedOut(secret: KeySecret, now: Date): boolean {
  return secret.expiresAt !== null && secret.expiresAt.getTime() <= now.getTime();
}
