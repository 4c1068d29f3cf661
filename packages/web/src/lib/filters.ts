/** The key list's filters as the dashboard keeps them in its URL (`?label=…&status=…`). */
export interface KeyFilters {
  label: string;
  status: "" | "active" | "expired" | "revoked" | "disabled";
  environment: string;
  owner: string;
  name: string;
}

export const EMPTY_FILTERS: KeyFilters = { label: "", status: "", environment: "", owner: "", name: "" };

const STATUSES = new Set(["active", "expired", "revoked", "disabled"]);

/** Reads the filters from a query string; unknown values are dropped. */
export function filtersFromSearch(search: string): KeyFilters {
  const params = new URLSearchParams(search);
  const status = params.get("status") ?? "";
  return {
    label: (params.get("label") ?? "").trim(),
    status: (STATUSES.has(status) ? status : "") as KeyFilters["status"],
    environment: (params.get("environment") ?? "").trim(),
    owner: (params.get("owner") ?? "").trim(),
    name: (params.get("name") ?? "").trim(),
  };
}

/** The query string for the filters and an optional cursor (`after`/`before`), without empty values. */
export function searchFromFilters(filters: KeyFilters, cursor?: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== "") params.set(name, value);
  }
  if (cursor?.after) params.set("after", cursor.after);
  if (cursor?.before) params.set("before", cursor.before);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The API's filter object (SDK `KeyFilter`): only the filters that are set. */
export function apiFilter(
  filters: KeyFilters,
): Partial<Omit<KeyFilters, "status">> & { status?: Exclude<KeyFilters["status"], ""> } {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value !== "") out[name] = value;
  }
  return out;
}

/** The cursor of a list's `links.next` or `links.prev` (its `starting_after` / `ending_before`). */
export function cursorOf(link: string | undefined): { after?: string; before?: string } | null {
  if (link === undefined) return null;
  const params = new URL(link, "http://x").searchParams;
  const after = params.get("starting_after");
  const before = params.get("ending_before");
  if (after !== null) return { after };
  if (before !== null) return { before };
  return null;
}

/** Labels as typed in one field: split on commas and spaces, lower-cased, without duplicates. */
export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((label) => label.trim().toLowerCase())
        .filter((label) => label !== ""),
    ),
  ];
}

/** The label rule of the API (SPEC §3): 1–50 characters of [a-z0-9_.:-], starting with a letter or digit. */
export const LABEL_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,49}$/;
