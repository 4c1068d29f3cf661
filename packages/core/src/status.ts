import type { ApiKey, KeyStatus } from "./model.js";

/** A key's status at `now`: revoked wins over expired, expired over disabled. */
export function keyStatus(key: Pick<ApiKey, "revokedAt" | "expiresAt" | "enabled">, now: Date): KeyStatus {
  if (key.revokedAt !== null) return "revoked";
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) return "expired";
  if (!key.enabled) return "disabled";
  return "active";
}
