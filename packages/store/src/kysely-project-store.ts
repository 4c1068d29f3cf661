import {
  type AuditEvent,
  LatchkeyError,
  type Page,
  type PageRequest,
  type Project,
  type ProjectStore,
} from "@latchkey/core";
import { type Kysely, type Selectable, sql } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { lockOrg } from "./kysely-membership-store.js";
import { bindingPattern } from "./kysely-role-store.js";
import { paginate } from "./pagination.js";
import { required, toTime } from "./rows.js";
import type { Database, ProjectsTable } from "./schema.js";

function rowToProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    description: row.description,
    createdAt: required(row.created_at),
    createdBy: { type: row.created_by_type, id: row.created_by_id },
  };
}

/** The orgs' projects in a Kysely database. */
export class KyselyProjectStore implements ProjectStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(orgId: string, page: PageRequest): Promise<Page<Project>> {
    return paginate(
      this.db.selectFrom("projects").selectAll().where("org_id", "=", orgId),
      "projects.id",
      page,
      rowToProject,
    );
  }

  async get(orgId: string, id: string): Promise<Project | null> {
    const row = await this.db
      .selectFrom("projects")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : rowToProject(row);
  }

  async existing(orgId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("projects")
      .select("id")
      .where("org_id", "=", orgId)
      .where("id", "in", [...ids])
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  async create(project: Project, audit: AuditEvent): Promise<void> {
    await translateDriverErrors("The org has a project with this name.", () =>
      this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("projects")
          .values({
            id: project.id,
            org_id: project.orgId,
            name: project.name,
            description: project.description,
            created_at: toTime(project.createdAt),
            created_by_type: project.createdBy.type,
            created_by_id: project.createdBy.id,
          })
          .execute();
        await appendAudit(trx, [audit]);
      }),
    );
  }

  async delete(orgId: string, id: string, audit: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockOrg(trx, orgId);
      const pattern = bindingPattern("scope", `project:${id}`);
      const holders = await trx
        .selectFrom("memberships")
        .select("id")
        .where("org_id", "=", orgId)
        .where(sql`roles`, "like", sql`${pattern} escape '\\'`)
        .union(
          trx
            .selectFrom("api_keys")
            .select("id")
            .where("org_id", "=", orgId)
            .where("revoked_at", "is", null)
            .where("deleted_at", "is", null)
            .where(sql`roles`, "like", sql`${pattern} escape '\\'`),
        )
        .limit(1)
        .execute();
      if (holders.length > 0) {
        throw new LatchkeyError("CONFLICT", "A role/scope pair of a member or a live key still names the project.");
      }
      const result = await trx
        .deleteFrom("projects")
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new LatchkeyError("NOT_FOUND", "No such project.", { parameter: "id" });
      await appendAudit(trx, [audit]);
    });
  }
}
