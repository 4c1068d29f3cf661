import {
  type ApiKey,
  type AuditEvent,
  type KeyEvent,
  LatchkeyError,
  MAX_PRODUCT_PERMISSIONS,
  type PermissionCatalogueStore,
  type ProductPermission,
} from "@latchkey/core";
import type { Kysely } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { lockOrg } from "./kysely-membership-store.js";
import { syncPublishablePermissions } from "./kysely-publishable-store.js";
import { required, toTime } from "./rows.js";
import type { Database } from "./schema.js";

/** The orgs' product permissions in a Kysely database. */
export class KyselyPermissionStore implements PermissionCatalogueStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(orgId: string): Promise<ProductPermission[]> {
    const rows = await this.db
      .selectFrom("org_permissions")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("name", "asc")
      .execute();
    return rows.map((row) => ({
      orgId: row.org_id,
      name: row.name,
      description: row.description,
      publishable: Number(row.publishable) === 1,
      createdAt: required(row.created_at),
    }));
  }

  async create(
    permission: ProductPermission,
    audit: AuditEvent,
    keyEventFor?: (key: ApiKey) => KeyEvent,
  ): Promise<string[]> {
    return translateDriverErrors("The org's catalogue already has this permission.", () =>
      this.db.transaction().execute(async (trx) => {
        await lockOrg(trx, permission.orgId);
        const count = await trx
          .selectFrom("org_permissions")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("org_id", "=", permission.orgId)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= MAX_PRODUCT_PERMISSIONS) {
          throw new LatchkeyError(
            "CONFLICT",
            `An org's catalogue holds at most ${MAX_PRODUCT_PERMISSIONS} permissions.`,
          );
        }
        await trx
          .insertInto("org_permissions")
          .values({
            org_id: permission.orgId,
            name: permission.name,
            description: permission.description,
            publishable: permission.publishable ? 1 : 0,
            created_at: toTime(permission.createdAt),
          })
          .execute();
        // The org's publishable keys carry exactly its publishable permissions, from this commit on.
        const changed =
          permission.publishable && keyEventFor !== undefined
            ? await syncPublishablePermissions(trx, permission.orgId, keyEventFor)
            : [];
        await appendAudit(trx, [audit]);
        return changed;
      }),
    );
  }
}
