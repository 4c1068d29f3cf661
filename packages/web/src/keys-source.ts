import type { ApiKey, ListDocument } from "@latchkey/sdk/types";
import { client } from "./api";
import { apiFilter, type KeyFilters } from "./lib/filters";

/** A role bound at a scope (`org`, `group` or `project:<id>`), as keys carry them. */
export interface RoleBinding {
  role: string;
  scope: string;
}

/** The key's role/scope pairs, where the server has them. */
export function rolesOf(key: ApiKey): RoleBinding[] {
  const roles = (key.attributes as { roles?: RoleBinding[] }).roles;
  return Array.isArray(roles) ? roles : [];
}

export type Cursor = { after?: string; before?: string };

/** What a key table can do with its keys: the org's keys, or the signed-in user's personal tokens. */
export interface KeySource {
  kind: "org" | "token";
  list(filters: KeyFilters, cursor: Cursor): Promise<ListDocument<ApiKey>>;
  regenerate(id: string, graceSeconds: number): Promise<ApiKey>;
  delete(id: string): Promise<void>;
  /** Org keys only: revoke, disable, enable and revoking by label. */
  change?(id: string, action: "revoke" | "disable" | "enable"): Promise<ApiKey>;
  revokeLabel?(label: string): Promise<number>;
}

const PAGE = 20;

function page(cursor: Cursor) {
  return { limit: PAGE, starting_after: cursor.after, ending_before: cursor.before };
}

export function orgKeys(orgId: string): KeySource {
  return {
    kind: "org",
    list: (filters, cursor) => client.listKeys(orgId, apiFilter(filters), page(cursor)),
    regenerate: (id, grace) => client.regenerateKey(orgId, id, grace),
    delete: (id) => client.deleteKey(orgId, id),
    change: (id, action) => client.changeKey(orgId, id, action),
    revokeLabel: async (label) => (await client.revokeKeys(orgId, { label })).revoked,
  };
}

export const personalTokens: KeySource = {
  kind: "token",
  list: (filters, cursor) => {
    const { label, status, environment, name } = apiFilter(filters);
    return client.listTokens({ label, status, environment, name }, page(cursor));
  },
  regenerate: (id, grace) => client.regenerateToken(id, grace),
  delete: (id) => client.deleteToken(id),
};

/** Grace periods offered when regenerating. */
export const GRACE_PERIODS = [
  { seconds: 0, label: "None: the old key stops working now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 7 * 86_400, label: "7 days" },
];
