import { LatchkeyError } from "./errors.js";
import { BUILT_IN_ROLES, type BuiltInRole, grantsOfRole, missingPermissions } from "./permissions.js";
import type { Store } from "./ports.js";
import type { Actor } from "./verifier.js";

/**
 * The built-in role an actor acts with now: a person's membership in the actor's org, a service
 * account's role; a standalone org key ranks as admin (its rights are its own, capped at creation by
 * an admin's or above). Null when the principal no longer belongs to the org.
 */
export async function actorRole(
  store: Pick<Store, "users" | "serviceAccounts">,
  actor: Actor,
): Promise<BuiltInRole | null> {
  if (actor.principal.type === "user") {
    return (await store.users.membership(actor.orgId, actor.principal.id))?.role ?? null;
  }
  if (actor.principal.type === "service_account") {
    return (await store.serviceAccounts.get(actor.orgId, actor.principal.id))?.role ?? null;
  }
  return actor.principal.type === "org" ? "admin" : null;
}

/** How much a built-in role may do: owner highest. */
function rank(role: BuiltInRole): number {
  return BUILT_IN_ROLES.length - BUILT_IN_ROLES.indexOf(role);
}

/**
 * Refuses (403 PERMISSION_ESCALATION) to let an actor hand out or manage `role` unless it holds every
 * permission of the role and its own role ranks at least as high (an admin cannot make an owner).
 * One rule for memberships and invitations alike.
 */
export async function requireRoleWithinOwn(
  store: Pick<Store, "users" | "serviceAccounts">,
  actor: Actor,
  role: BuiltInRole,
  pointer: string,
): Promise<void> {
  const missing = missingPermissions(actor.grants, grantsOfRole(role));
  if (missing.length > 0) {
    throw new LatchkeyError(
      "PERMISSION_ESCALATION",
      `The role ${role} holds permissions you do not: ${missing.join(", ")}.`,
      {
        pointer,
      },
    );
  }
  const own = await actorRole(store, actor);
  if (own === null || rank(own) < rank(role)) {
    throw new LatchkeyError("PERMISSION_ESCALATION", `Only members ranked ${role} or above may manage ${role}s.`, {
      pointer,
    });
  }
}
