// The README's role table lives between these markers; scripts/generate-sdk-types.mjs writes it and
// packages/server/test/role-matrix.test.ts checks it is current.
export const ROLE_TABLE_START = "<!-- role-table:start (npm run generate:sdk writes this table) -->";
export const ROLE_TABLE_END = "<!-- role-table:end -->";

/** The README text with `table` between the markers (which must be there, once each). */
export function withRoleTable(readme, table) {
  const start = readme.indexOf(ROLE_TABLE_START);
  const end = readme.indexOf(ROLE_TABLE_END);
  if (start === -1 || end === -1 || end < start) throw new Error("README.md lacks the role-table markers");
  return `${readme.slice(0, start + ROLE_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
