import type {
  ApiKey,
  AuditEvent,
  ClientSecret,
  KeyEvent,
  Page,
  PageRequest,
  ServiceAccount,
  ServiceAccountStore,
} from "@latchkey/core";
import type { Kysely, Transaction } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { revokeRows } from "./kysely-key-store.js";
import { paginate } from "./pagination.js";
import { holdReferences } from "./role-references.js";
import { clientSecretToRow, rowToKey, rowToServiceAccount, serviceAccountToRow, toTime } from "./rows.js";
import type { Database } from "./schema.js";

/** Where a service account lives: in an org (`org_id`) or in a group (`group_id`). */
export interface AccountScope {
  column: "org_id" | "group_id";
  id: string;
}

/** Renames or re-roles a live account of the scope and records `audit`; false when there is none. */
export async function changeServiceAccount(
  trx: Transaction<Database>,
  scope: AccountScope,
  id: string,
  change: { name?: string | undefined; role?: string | undefined },
  audit: AuditEvent,
): Promise<boolean> {
  if (change.role !== undefined && scope.column === "org_id") await holdReferences(trx, scope.id, [change.role]);
  const result = await trx
    .updateTable("service_accounts")
    .set({
      ...(change.name !== undefined && { name: change.name }),
      ...(change.role !== undefined && { role: change.role }),
    })
    .where(scope.column, "=", scope.id)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return false;
  await appendAudit(trx, [audit]);
  return true;
}

/**
 * Deletes a live account of the scope and revokes its live keys (a group account's are in the group's
 * orgs, any of them), each with its event, then `audit`; false when there is none.
 */
export async function retireServiceAccount(
  trx: Transaction<Database>,
  scope: AccountScope,
  id: string,
  at: Date,
  eventFor: (key: ApiKey) => KeyEvent,
  audit: AuditEvent,
): Promise<boolean> {
  const result = await trx
    .updateTable("service_accounts")
    .set({ deleted_at: toTime(at) })
    .where(scope.column, "=", scope.id)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return false;
  const keys = await trx
    .selectFrom("api_keys")
    .selectAll()
    .where("owner_type", "=", "service_account")
    .where("owner_id", "=", id)
    .where("revoked_at", "is", null)
    .where("deleted_at", "is", null)
    .execute();
  await revokeRows(trx, keys.map(rowToKey), at, eventFor, [audit]);
  return true;
}

/** Service accounts in a Kysely database. */
export class KyselyServiceAccountStore implements ServiceAccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    account: ServiceAccount,
    audit: AuditEvent | readonly AuditEvent[],
    clientSecret?: ClientSecret | null,
  ): Promise<void> {
    const events: readonly AuditEvent[] = Array.isArray(audit) ? audit : [audit as AuditEvent];
    await translateDriverErrors("A service account with this name exists in the org.", () =>
      this.db.transaction().execute(async (trx) => {
        await holdReferences(trx, account.orgId, [account.role]);
        await trx.insertInto("service_accounts").values(serviceAccountToRow(account)).execute();
        if (clientSecret)
          await trx.insertInto("oauth_client_secrets").values(clientSecretToRow(clientSecret)).execute();
        await appendAudit(trx, events);
      }),
    );
  }

  async get(orgId: string, id: string): Promise<ServiceAccount | null> {
    const row = await this.db
      .selectFrom("service_accounts")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("id", "=", id)
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    return row === undefined ? null : rowToServiceAccount(row);
  }

  async list(orgId: string, page: PageRequest): Promise<Page<ServiceAccount>> {
    const query = this.db
      .selectFrom("service_accounts")
      .selectAll("service_accounts")
      .where("service_accounts.org_id", "=", orgId)
      .where("service_accounts.deleted_at", "is", null);
    return paginate(query, "service_accounts.id", page, rowToServiceAccount);
  }

  async update(
    orgId: string,
    id: string,
    change: { name?: string; role?: string },
    audit: AuditEvent,
  ): Promise<ServiceAccount | null> {
    return translateDriverErrors("A service account with this name exists in the org.", () =>
      this.db.transaction().execute(async (trx) => {
        if (!(await changeServiceAccount(trx, { column: "org_id", id: orgId }, id, change, audit))) return null;
        const row = await trx.selectFrom("service_accounts").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
        return rowToServiceAccount(row);
      }),
    );
  }

  async delete(
    orgId: string,
    id: string,
    at: Date,
    eventFor: (key: ApiKey) => KeyEvent,
    audit: AuditEvent,
  ): Promise<boolean> {
    return this.db
      .transaction()
      .execute((trx) => retireServiceAccount(trx, { column: "org_id", id: orgId }, id, at, eventFor, audit));
  }
}
