import { LatchkeyError } from "./errors.js";
import { isPermission, missingPermissions, normalizeGrants } from "./permissions.js";
import type { Actor } from "./verifier.js";

/** A label: lower-case letters, digits and `_ . : -`, starting with a letter or digit, at most 50 chars. */
export const LABEL_PATTERN = "^[a-z0-9][a-z0-9_.:-]{0,49}$";
/** At most this many labels per key. */
export const MAX_LABELS = 20;
/** The largest metadata object, serialized as JSON, in bytes. */
export const MAX_METADATA_BYTES = 4096;
/** The longest name. */
export const MAX_NAME_LENGTH = 100;
/** The longest description. */
export const MAX_DESCRIPTION_LENGTH = 1000;
/** The longest grace period of a regeneration: 7 days. */
export const MAX_GRACE_PERIOD_SECONDS = 7 * 24 * 3600;

const labelRegex = new RegExp(LABEL_PATTERN);

function invalid(detail: string, field: string): never {
  throw new LatchkeyError("VALIDATION_FAILED", detail, { pointer: `/data/attributes/${field}` });
}

/** A trimmed name of 1 to 100 characters. */
export function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_NAME_LENGTH) {
    invalid(`name must be 1 to ${MAX_NAME_LENGTH} characters.`, "name");
  }
  return trimmed;
}

/** Unique, well-formed labels, at most 20. */
export function checkLabels(labels: readonly string[]): string[] {
  const unique = [...new Set(labels)];
  if (unique.length > MAX_LABELS) invalid(`A key has at most ${MAX_LABELS} labels.`, "labels");
  for (const label of unique) {
    if (!labelRegex.test(label)) invalid(`Each label must match ${LABEL_PATTERN}.`, "labels");
  }
  return unique.sort();
}

/** A JSON object of at most 4 KiB. */
export function checkMetadata(metadata: unknown): Record<string, unknown> {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    invalid("metadata must be a JSON object.", "metadata");
  }
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    invalid(`metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON.`, "metadata");
  }
  return metadata as Record<string, unknown>;
}

/** Well-formed permissions that the actor holds itself: no key grants more than its creator. */
export function checkPermissions(actor: Actor, permissions: readonly string[]): string[] {
  for (const permission of permissions) {
    if (!isPermission(permission)) invalid("Each permission must be resource:action.", "permissions");
  }
  const missing = missingPermissions(actor.grants, permissions);
  if (missing.length > 0) {
    throw new LatchkeyError(
      "PERMISSION_ESCALATION",
      `You cannot grant permissions you do not hold: ${missing.join(", ")}.`,
      { pointer: "/data/attributes/permissions" },
    );
  }
  return normalizeGrants(permissions);
}

/** Checks a grace period: a whole number of seconds from 0 to MAX_GRACE_PERIOD_SECONDS. */
export function checkGracePeriod(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_GRACE_PERIOD_SECONDS) {
    throw new LatchkeyError(
      "VALIDATION_FAILED",
      `grace_period_seconds must be a whole number from 0 to ${MAX_GRACE_PERIOD_SECONDS}.`,
      { pointer: "/data/attributes/grace_period_seconds" },
    );
  }
  return seconds;
}
