import { LatchkeyError } from "./errors.js";
import { holds } from "./permissions.js";
import type { Actor } from "./verifier.js";

/** Throws FORBIDDEN unless the actor holds `permission` in its org. */
export function requirePermission(actor: Actor, permission: string): void {
  if (!holds(actor.grants, permission)) {
    throw new LatchkeyError("FORBIDDEN", `This request needs the permission ${permission}.`);
  }
}

/** Throws NOT_FOUND unless the org is the actor's: another org's objects are invisible, not forbidden. */
export function requireOrg(actor: Actor, orgId: string): void {
  if (actor.orgId !== orgId.toLowerCase()) {
    throw new LatchkeyError("NOT_FOUND", "No such org.", { parameter: "org_id" });
  }
}

/** Throws FORBIDDEN unless the actor is a user (only people have personal tokens). */
export function requireUser(actor: Actor): string {
  if (actor.principal.type !== "user") {
    throw new LatchkeyError("FORBIDDEN", "Only a user's credential has personal tokens.");
  }
  return actor.principal.id;
}
