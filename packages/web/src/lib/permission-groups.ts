/** One resource of the catalogue with its read and write permissions (and any others). */
export interface PermissionGroup {
  resource: string;
  source: "latchkey" | "org";
  permissions: { id: string; action: string; description: string }[];
}

interface CatalogueEntry {
  id: string;
  attributes: { description: string; source: "latchkey" | "org" };
}

const ACTION_ORDER = ["read", "list", "write", "verify"];

/**
 * Groups a permission catalogue by resource (`api_keys:read` → `api_keys`), the org's own product
 * permissions first, then Latchkey's; read before write inside a group.
 */
export function groupPermissions(catalogue: readonly CatalogueEntry[]): PermissionGroup[] {
  const groups = new Map<string, PermissionGroup>();
  for (const entry of catalogue) {
    const cut = entry.id.indexOf(":");
    const resource = cut === -1 ? entry.id : entry.id.slice(0, cut);
    const action = cut === -1 ? "" : entry.id.slice(cut + 1);
    const key = `${entry.attributes.source}:${resource}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { resource, source: entry.attributes.source, permissions: [] };
      groups.set(key, group);
    }
    group.permissions.push({ id: entry.id, action, description: entry.attributes.description });
  }
  const rank = (action: string) => {
    const at = ACTION_ORDER.indexOf(action);
    return at === -1 ? ACTION_ORDER.length : at;
  };
  for (const group of groups.values()) {
    group.permissions.sort((a, b) => rank(a.action) - rank(b.action) || a.action.localeCompare(b.action));
  }
  return [...groups.values()].sort((a, b) =>
    a.source === b.source ? a.resource.localeCompare(b.resource) : a.source === "org" ? -1 : 1,
  );
}
