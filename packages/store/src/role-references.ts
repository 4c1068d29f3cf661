import { isBuiltInRole, LatchkeyError, projectOf, type RoleBinding } from "@latchkey/core";
import { PostgresAdapter, type Transaction } from "kysely";
import type { Database } from "./schema.js";

/**
 * Holds the custom roles and projects a write names until it commits, and refuses the write when one
 * of them is gone (VALIDATION_FAILED, as the service's own check answers). The service checks names
 * before the transaction; a role or project deleted in between, by another request or node, must not
 * leave a membership, account, invitation or key naming it (a custom role made again under that name
 * would hand it grants nobody gave). Role and project deletion lock the org's row for update and then
 * look for holders; a write that names one takes the row's share lock first, so either it waits for
 * the deletion and then finds the name gone, or the deletion waits for it and then finds the holder.
 * SQLite transactions hold the write lock from their start (BEGIN IMMEDIATE), which serializes alike.
 * Writes naming only built-in roles and the org scope take no lock and read nothing.
 */
export async function holdReferences(
  trx: Transaction<Database>,
  orgId: string,
  roles: readonly string[],
  bindings: readonly RoleBinding[] = [],
): Promise<void> {
  const custom = [...new Set([...roles, ...bindings.map((binding) => binding.role)])].filter(
    (role) => !isBuiltInRole(role),
  );
  const projects = [...new Set(bindings.map((binding) => projectOf(binding.scope)).filter((id) => id !== null))];
  if (custom.length === 0 && projects.length === 0) return;
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await trx.selectFrom("orgs").select("id").where("id", "=", orgId).forShare().execute();
  }
  if (custom.length > 0) {
    const found = await trx
      .selectFrom("org_roles")
      .select("name")
      .where("org_id", "=", orgId)
      .where("name", "in", custom)
      .execute();
    const gone = custom.find((role) => !found.some((row) => row.name === role));
    if (gone !== undefined) {
      throw new LatchkeyError("VALIDATION_FAILED", `The org has no role named ${gone}; see GET /orgs/{org_id}/roles.`);
    }
  }
  if (projects.length > 0) {
    const found = await trx
      .selectFrom("projects")
      .select("id")
      .where("org_id", "=", orgId)
      .where("id", "in", projects)
      .execute();
    if (found.length < projects.length) {
      throw new LatchkeyError("VALIDATION_FAILED", "The org has no such project; see GET /orgs/{org_id}/projects.");
    }
  }
}
