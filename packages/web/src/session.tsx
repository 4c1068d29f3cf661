import { grantsOfRole, holds } from "@latchkey/core/permissions";
import type { SessionInfo } from "@latchkey/sdk/types";
import { createContext, useContext } from "react";

export type SessionOrg = SessionInfo["orgs"][number];

export interface SessionState {
  session: SessionInfo;
  /** The org the dashboard shows (from the URL), or null when the user has none. */
  org: SessionOrg | null;
  signOut: () => Promise<void>;
  /** Reads the session again (after an org was created, for example). */
  refresh: () => Promise<void>;
  /** What the user's role grants in the org: a built-in role's grants, or a custom role's permissions. */
  grants: readonly string[];
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (value === null) throw new Error("useSession outside the signed-in app");
  return value;
}

/** The current org; pages under /orgs/… render only when there is one. */
export function useOrg(): SessionOrg {
  const { org } = useSession();
  if (org === null) throw new Error("useOrg without an org");
  return org;
}

/**
 * Whether the signed-in user's role in the org holds `permission` (the core's own rule). It only hides
 * buttons; the API decides, and refuses with 403 whatever the dashboard shows.
 */
export function useCan(permission: string): boolean {
  const { org, grants } = useSession();
  return org !== null && holds(grants, permission);
}

/** The grants of a role: the core's table for built-in roles, else the custom role's permissions. */
export function grantsFor(role: string, customRoles: readonly { name: string; permissions: string[] }[]): string[] {
  const builtIn = grantsOfRole(role);
  if (builtIn.length > 0) return [...builtIn];
  return customRoles.find((candidate) => candidate.name === role)?.permissions ?? [];
}
