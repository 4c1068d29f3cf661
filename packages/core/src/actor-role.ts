import type { BuiltInRole } from "./permissions.js";
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
