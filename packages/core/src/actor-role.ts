import { LatchkeyError } from "./errors.js";
import { BUILT_IN_ROLES, isBuiltInRole } from "./permissions.js";
import type { Store } from "./ports.js";
import { requireRoleGrantsHeld } from "./role-bindings.js";
import type { Actor } from "./verifier.js";

/**
 * The role an actor acts with now (built-in or custom): a person's membership role in the actor's org
 * or their role in the org's group, whichever ranks higher; a service account's role; a standalone org
 * key ranks as admin (its rights are its own, capped at creation by an admin's or above). Null when the
 * principal no longer belongs to the org.
 */
export async function actorRole(
  store: Pick<Store, "users" | "serviceAccounts" | "groups">,
  actor: Actor,
): Promise<string | null> {
  if (actor.principal.type === "user") {
    const own = (await store.users.membership(actor.orgId, actor.principal.id))?.role ?? null;
    return higherRole(own, await groupRoleOf(store, actor));
  }
  if (actor.principal.type === "service_account") {
    const account = await store.serviceAccounts.get(actor.orgId, actor.principal.id);
    return account?.role ?? (await groupRoleOf(store, actor));
  }
  return actor.principal.type === "org" ? "admin" : null;
}

/**
 * The role the actor's principal holds in the group of the actor's org: a user's group membership, a
 * group service account's role; null for anyone else.
 */
async function groupRoleOf(store: Pick<Store, "groups">, actor: Actor): Promise<string | null> {
  if (actor.principal.type !== "user" && actor.principal.type !== "service_account") return null;
  const group = await store.groups.ofOrg(actor.orgId);
  return group === null ? null : roleInGroup(store, group.id, actor);
}

/** The role the actor's principal holds in a group (see `groupRoleOf`). */
export async function roleInGroup(store: Pick<Store, "groups">, groupId: string, actor: Actor): Promise<string | null> {
  if (actor.principal.type === "user")
    return (await store.groups.membership(groupId, actor.principal.id))?.role ?? null;
  if (actor.principal.type !== "service_account") return null;
  return (await store.groups.getAccount(groupId, actor.principal.id))?.role ?? null;
}

/** The higher-ranked of two roles (a group role and an org role cover the same org: the union). */
function higherRole(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return rank(a) >= rank(b) ? a : b;
}

/** How much a role may do: owner highest; a custom role ranks below every built-in one. */
function rank(role: string): number {
  return isBuiltInRole(role) ? BUILT_IN_ROLES.length - BUILT_IN_ROLES.indexOf(role) : 0;
}

/**
 * Refuses (403 PERMISSION_ESCALATION) to let an actor hand out or manage `role` unless it holds every
 * permission of the role and its own role ranks at least as high (an admin cannot make an owner; the
 * holder of a custom role manages only custom roles). An unknown role is a VALIDATION_FAILED.
 * One rule for memberships (of orgs and groups), invitations and service accounts alike.
 */
export async function requireRoleWithinOwn(
  store: Pick<Store, "users" | "serviceAccounts" | "roles" | "groups">,
  actor: Actor,
  role: string,
  pointer: string,
  /** The actor's own role to compare with (default: its role in its org, group roles included). */
  ownRole?: string | null,
): Promise<void> {
  await requireRoleGrantsHeld(store, actor, role, pointer);
  await requireRank(store, actor, role, pointer, ownRole);
}

/** Refuses (403 PERMISSION_ESCALATION) unless the actor's own role ranks at least as high as `role`. */
export async function requireRank(
  store: Pick<Store, "users" | "serviceAccounts" | "groups">,
  actor: Actor,
  role: string,
  pointer: string,
  ownRole?: string | null,
): Promise<void> {
  const own = ownRole === undefined ? await actorRole(store, actor) : ownRole;
  if (own === null || rank(own) < rank(role)) {
    throw new LatchkeyError("PERMISSION_ESCALATION", `Only members ranked ${role} or above may manage ${role}s.`, {
      pointer,
    });
  }
}
