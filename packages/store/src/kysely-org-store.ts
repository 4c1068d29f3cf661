import type { AuditEvent, Org, OrgStore, OrgUpdate, PublishableKeyPlan } from "@latchkey/core";
import { type Kysely, PostgresAdapter } from "kysely";
import { appendAudit } from "./kysely-audit-store.js";
import { ensurePublishableKeys } from "./kysely-publishable-store.js";
import { rowToOrg } from "./rows.js";
import type { Database } from "./schema.js";

/** Orgs in a Kysely database. */
export class KyselyOrgStore implements OrgStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<Org | null> {
    const row = await this.db.selectFrom("orgs").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToOrg(row);
  }

  async update(
    id: string,
    update: OrgUpdate,
    audit: AuditEvent,
    publishable?: PublishableKeyPlan,
  ): Promise<Org | null> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom("orgs").selectAll().where("id", "=", id);
      // PostgreSQL: lock the row, so that two concurrent changes to the policy both apply.
      if (trx.getExecutor().adapter instanceof PostgresAdapter) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      if (row === undefined) return null;
      const org = rowToOrg(row);
      const changed: Org = {
        ...org,
        name: update.name ?? org.name,
        policy: { ...org.policy, ...update.policy },
      };
      await trx
        .updateTable("orgs")
        .set({ name: changed.name, policy: JSON.stringify(changed.policy) })
        .where("id", "=", id)
        .execute();
      // The environments' publishable keys follow the new environments in this transaction.
      if (publishable !== undefined) await ensurePublishableKeys(trx, id, changed.policy.environments, publishable);
      await appendAudit(trx, [audit]);
      return changed;
    });
  }
}
