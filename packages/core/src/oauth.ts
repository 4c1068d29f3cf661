import { LatchkeyError } from "./errors.js";
import { isPermission, missingPermissions, normalizeGrants } from "./permissions.js";

/** The prefix of OAuth2 access tokens (SPEC §2): `lkat_<43 base62><6 checksum>`, like every key. */
export const ACCESS_TOKEN_PREFIX = "lkat";

/** The prefix of OAuth2 client secrets: `lkcs_<43 base62><6 checksum>`, found by the same scanner pattern. */
export const CLIENT_SECRET_PREFIX = "lkcs";

/** The shortest access token lifetime an account may ask for, in seconds. */
export const MIN_ACCESS_TOKEN_TTL_SECONDS = 60;

/** The longest access token lifetime an account may ask for, in seconds (one day). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 86_400;

/** The access token lifetime when neither the account nor the configuration says otherwise (one hour). */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;

/** The longest `scope` parameter the token endpoint reads, in characters. */
export const MAX_SCOPE_LENGTH = 2000;

/** Throws VALIDATION_FAILED unless `seconds` is a whole number within the access token lifetime bounds. */
export function checkAccessTokenTtl(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < MIN_ACCESS_TOKEN_TTL_SECONDS || seconds > MAX_ACCESS_TOKEN_TTL_SECONDS) {
    throw new LatchkeyError(
      "VALIDATION_FAILED",
      `access_token_ttl_seconds must be a whole number from ${MIN_ACCESS_TOKEN_TTL_SECONDS} to ${MAX_ACCESS_TOKEN_TTL_SECONDS}.`,
      { pointer: "/data/attributes/access_token_ttl_seconds" },
    );
  }
  return seconds;
}

/** The permissions a `scope` parameter asks for, or why it cannot be granted. */
export type ScopeDecision = { ok: true; permissions: string[] } | { ok: false; description: string };

/**
 * Reads an OAuth2 `scope` (space-separated permissions, RFC 6749 §3.3). No scope, or an empty one,
 * asks for everything the account's role holds (`*`, capped by the role at every use); a scope must be
 * well-formed and held by the role.
 */
export function decideScope(scope: string | undefined, roleGrants: readonly string[]): ScopeDecision {
  const wanted = (scope ?? "").split(" ").filter((part) => part !== "");
  if (wanted.length === 0) return { ok: true, permissions: ["*"] };
  if (wanted.length > 100) return { ok: false, description: "The scope names more than 100 permissions." };
  const malformed = wanted.find((permission) => !isPermission(permission));
  if (malformed !== undefined) return { ok: false, description: "The scope holds a malformed permission." };
  if (missingPermissions(roleGrants, wanted).length > 0) {
    return { ok: false, description: "The scope asks for permissions the service account's role does not hold." };
  }
  return { ok: true, permissions: normalizeGrants(wanted) };
}
