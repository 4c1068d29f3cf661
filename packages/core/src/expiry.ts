import { LatchkeyError } from "./errors.js";

const HOUR = 3600;
const DAY = 24 * HOUR;

/** The expiry presets offered at key creation, in seconds. */
export const EXPIRY_PRESETS = {
  "1h": HOUR,
  "12h": 12 * HOUR,
  "1d": DAY,
  "5d": 5 * DAY,
  "30d": 30 * DAY,
  "90d": 90 * DAY,
  "1y": 365 * DAY,
} as const;

/** An expiry preset name, or `never`. */
export type ExpiresIn = keyof typeof EXPIRY_PRESETS | "never";

/** The expiry rules of an org's policy. */
export interface ExpiryPolicy {
  /** Whether a key may be created without an expiry (`never`). */
  allowNeverExpiring: boolean;
  /** The longest lifetime a key may be given, in seconds. */
  maxLifetimeSeconds: number;
}

/** How a creation request asked for an expiry. */
export interface ExpiryRequest {
  expiresIn?: ExpiresIn | undefined;
  expiresAt?: Date | undefined;
}

/**
 * Turns `expires_in` or `expires_at` into the key's expiry under the org's policy: null means the key
 * never expires. Throws VALIDATION_FAILED, or the policy's own code (POLICY_EXPIRY_REQUIRED,
 * POLICY_LIFETIME_EXCEEDED), with a pointer to the offending field.
 */
export function resolveExpiry(request: ExpiryRequest, policy: ExpiryPolicy, now: Date): Date | null {
  if (request.expiresIn !== undefined && request.expiresAt !== undefined) {
    throw new LatchkeyError("VALIDATION_FAILED", "Give expires_in or expires_at, not both.", {
      pointer: "/data/attributes/expires_at",
    });
  }
  if (request.expiresIn === undefined && request.expiresAt === undefined) {
    if (policy.allowNeverExpiring) return null;
    throw new LatchkeyError(
      "POLICY_EXPIRY_REQUIRED",
      `The org's policy requires an expiry: give expires_in (${Object.keys(EXPIRY_PRESETS).join(", ")}) or expires_at.`,
      { pointer: "/data/attributes/expires_in" },
    );
  }
  if (request.expiresIn === "never") {
    if (policy.allowNeverExpiring) return null;
    throw new LatchkeyError("POLICY_EXPIRY_REQUIRED", "The org's policy does not allow keys that never expire.", {
      pointer: "/data/attributes/expires_in",
    });
  }
  if (request.expiresIn !== undefined && !Object.hasOwn(EXPIRY_PRESETS, request.expiresIn)) {
    throw new LatchkeyError(
      "VALIDATION_FAILED",
      `expires_in must be one of ${Object.keys(EXPIRY_PRESETS).join(", ")}, never.`,
      {
        pointer: "/data/attributes/expires_in",
      },
    );
  }
  if (request.expiresAt !== undefined && Number.isNaN(request.expiresAt.getTime())) {
    throw new LatchkeyError("VALIDATION_FAILED", "expires_at must be a date-time.", {
      pointer: "/data/attributes/expires_at",
    });
  }
  const expiresAt =
    request.expiresIn !== undefined
      ? new Date(now.getTime() + EXPIRY_PRESETS[request.expiresIn] * 1000)
      : (request.expiresAt as Date);
  const pointer = request.expiresIn !== undefined ? "/data/attributes/expires_in" : "/data/attributes/expires_at";
  if (expiresAt.getTime() <= now.getTime()) {
    throw new LatchkeyError("VALIDATION_FAILED", "expires_at must be in the future.", { pointer });
  }
  if (expiresAt.getTime() - now.getTime() > policy.maxLifetimeSeconds * 1000) {
    throw new LatchkeyError(
      "POLICY_LIFETIME_EXCEEDED",
      `The org's policy allows a key lifetime of at most ${Math.floor(policy.maxLifetimeSeconds / DAY)} days.`,
      { pointer },
    );
  }
  return expiresAt;
}
