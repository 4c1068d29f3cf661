import type { ApiKey } from "@latchkey/sdk";
import type { Io } from "./io.js";

/** Prints rows as an aligned table with a header. */
export function printTable(io: Io, headers: string[], rows: string[][]): void {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  io.out(line(headers.map((h) => h.toUpperCase())));
  for (const row of rows) io.out(line(row));
}

/** Prints a value as indented JSON. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** The columns of the key table. */
export function keyRow(key: ApiKey): string[] {
  const a = key.attributes;
  return [key.id, a.name, a.hint, a.kind, a.environment, a.status, a.labels.join(",") || "-", a.expires_at ?? "never"];
}

/** The key table's headers. */
export const KEY_HEADERS = ["id", "name", "hint", "kind", "env", "status", "labels", "expires"];

/** Prints one key as `field: value` lines (never its secret: callers print that themselves). */
export function printKey(io: Io, key: ApiKey): void {
  const a = key.attributes;
  const fields: [string, string][] = [
    ["id", key.id],
    ["name", a.name],
    ["hint", a.hint],
    ["kind", a.kind],
    ["owner", `${a.owner.type} ${a.owner.id}`],
    ["environment", a.environment],
    ["status", a.status],
    ["permissions", a.permissions.join(", ") || "-"],
    ["labels", a.labels.join(", ") || "-"],
    ["expires", a.expires_at ?? "never"],
    ["created", `${a.created_at} by ${a.created_by.type} ${a.created_by.id}`],
    ["last used", a.last_used_at ?? "never"],
  ];
  for (const [name, value] of fields) io.out(`${`${name}:`.padEnd(13)}${value}`);
}
