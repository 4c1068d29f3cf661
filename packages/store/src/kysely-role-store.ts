import {
  type AuditEvent,
  type CustomRole,
  type CustomRoleGrants,
  LatchkeyError,
  MAX_CUSTOM_ROLES,
  type RoleStore,
} from "@latchkey/core";
import { type Kysely, type Selectable, sql } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { lockOrg } from "./kysely-membership-store.js";
import { likeEscape, parseJson, required, toTime } from "./rows.js";
import type { Database, OrgRolesTable } from "./schema.js";

function rowToRole(row: Selectable<OrgRolesTable>): CustomRole {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    description: row.description,
    permissions: parseJson<string[]>(row.permissions),
    createdAt: required(row.created_at),
  };
}

/** How a role/scope pair naming `role` reads inside a JSON `roles` column (written by JSON.stringify). */
export function bindingPattern(field: "role" | "scope", value: string): string {
  return `%${likeEscape(JSON.stringify({ [field]: value }).slice(1, -1))}%`;
}

/** The orgs' custom roles in a Kysely database. */
export class KyselyRoleStore implements RoleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(orgId: string): Promise<CustomRole[]> {
    const rows = await this.db
      .selectFrom("org_roles")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("name")
      .execute();
    return rows.map(rowToRole);
  }

  async get(orgId: string, id: string): Promise<CustomRole | null> {
    const row = await this.db
      .selectFrom("org_roles")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : rowToRole(row);
  }

  async grants(orgId: string): Promise<CustomRoleGrants> {
    const rows = await this.db
      .selectFrom("org_roles")
      .select(["name", "permissions"])
      .where("org_id", "=", orgId)
      .execute();
    return grantsOf(rows);
  }

  async create(role: CustomRole, audit: AuditEvent): Promise<void> {
    await translateDriverErrors("The org has a role with this name.", () =>
      this.db.transaction().execute(async (trx) => {
        await lockOrg(trx, role.orgId);
        const count = await trx
          .selectFrom("org_roles")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("org_id", "=", role.orgId)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= MAX_CUSTOM_ROLES) {
          throw new LatchkeyError("CONFLICT", `An org has at most ${MAX_CUSTOM_ROLES} custom roles.`);
        }
        await trx
          .insertInto("org_roles")
          .values({
            id: role.id,
            org_id: role.orgId,
            name: role.name,
            description: role.description,
            permissions: JSON.stringify(role.permissions),
            created_at: toTime(role.createdAt),
          })
          .execute();
        await appendAudit(trx, [audit]);
      }),
    );
  }

  async update(role: CustomRole, audit: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("org_roles")
        .set({ description: role.description, permissions: JSON.stringify(role.permissions) })
        .where("org_id", "=", role.orgId)
        .where("id", "=", role.id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new LatchkeyError("NOT_FOUND", "No such role.", { parameter: "id" });
      await appendAudit(trx, [audit]);
    });
  }

  async delete(orgId: string, id: string, audit: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockOrg(trx, orgId);
      const role = await trx
        .selectFrom("org_roles")
        .select("name")
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (role === undefined) throw new LatchkeyError("NOT_FOUND", "No such role.", { parameter: "id" });
      const pattern = bindingPattern("role", role.name);
      const holders = await trx
        .selectFrom("memberships")
        .select(sql<string>`'a membership'`.as("holder"))
        .where("org_id", "=", orgId)
        .where((eb) => eb.or([eb("role", "=", role.name), eb(sql`roles`, "like", sql`${pattern} escape '\\'`)]))
        .union(
          trx
            .selectFrom("service_accounts")
            .select(sql<string>`'a service account'`.as("holder"))
            .where("org_id", "=", orgId)
            .where("deleted_at", "is", null)
            .where("role", "=", role.name),
        )
        .union(
          trx
            .selectFrom("invitations")
            .select(sql<string>`'an invitation'`.as("holder"))
            .where("org_id", "=", orgId)
            .where("accepted_at", "is", null)
            .where("role", "=", role.name),
        )
        .union(
          trx
            .selectFrom("api_keys")
            .select(sql<string>`'an API key'`.as("holder"))
            .where("org_id", "=", orgId)
            .where("revoked_at", "is", null)
            .where("deleted_at", "is", null)
            .where(sql`roles`, "like", sql`${pattern} escape '\\'`),
        )
        .execute();
      if (holders.length > 0) {
        const who = [...new Set(holders.map((row) => row.holder))].join(", ");
        throw new LatchkeyError("CONFLICT", `The role is still held (by ${who}); take it away first.`);
      }
      await trx.deleteFrom("org_roles").where("org_id", "=", orgId).where("id", "=", id).execute();
      await appendAudit(trx, [audit]);
    });
  }
}

/** Custom roles' grants by name, from rows of name and permissions (JSON). */
export function grantsOf(rows: readonly { name: string; permissions: string }[]): CustomRoleGrants {
  const out: Record<string, readonly string[]> = {};
  for (const row of rows) out[row.name] = parseJson<string[]>(row.permissions);
  return out;
}
