import type { AccessToken, AuditEvent, ClientSecret, OAuthClient, OAuthStore } from "@latchkey/core";
import type { Kysely } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import {
  accessTokenToRow,
  clientSecretToRow,
  rowToAccessToken,
  rowToClientSecret,
  rowToServiceAccount,
  toTime,
} from "./rows.js";
import type { Database } from "./schema.js";

const OAUTH = "oauth_client_secret";

/** How long an expired access token is kept before the account's next token replaces it: one day. */
const EXPIRED_TOKEN_RETENTION_MS = 24 * 3600 * 1000;

/** OAuth client secrets and access tokens in a Kysely database. */
export class KyselyOAuthStore implements OAuthStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findClient(clientId: string): Promise<OAuthClient | null> {
    const row = await this.db
      .selectFrom("service_accounts")
      .selectAll()
      .where("id", "=", clientId)
      .where("auth_type", "=", OAUTH)
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    if (row === undefined) return null;
    const secrets = await this.db
      .selectFrom("oauth_client_secrets")
      .selectAll()
      .where("service_account_id", "=", row.id)
      .where("org_id", "=", row.org_id)
      .where("revoked_at", "is", null)
      .execute();
    return { account: rowToServiceAccount(row), secrets: secrets.map(rowToClientSecret) };
  }

  async addSecret(secret: ClientSecret, graceUntil: Date, audit: readonly AuditEvent[]): Promise<boolean> {
    return translateDriverErrors("A client secret with this hash exists.", () =>
      this.db.transaction().execute(async (trx) => {
        // Touching the account row first makes a concurrent delete of the account wait, or be seen.
        const account = await trx
          .updateTable("service_accounts")
          .set((eb) => ({ auth_type: eb.ref("auth_type") }))
          .where("org_id", "=", secret.orgId)
          .where("id", "=", secret.serviceAccountId)
          .where("auth_type", "=", OAUTH)
          .where("deleted_at", "is", null)
          .executeTakeFirst();
        if (account.numUpdatedRows === 0n) return false;
        const until = toTime(graceUntil);
        await trx
          .updateTable("oauth_client_secrets")
          .set({ expires_at: until })
          .where("service_account_id", "=", secret.serviceAccountId)
          .where("org_id", "=", secret.orgId)
          .where("revoked_at", "is", null)
          .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", until)]))
          .execute();
        await trx.insertInto("oauth_client_secrets").values(clientSecretToRow(secret)).execute();
        await appendAudit(trx, audit);
        return true;
      }),
    );
  }

  async listSecrets(orgId: string, serviceAccountId: string): Promise<ClientSecret[]> {
    const rows = await this.db
      .selectFrom("oauth_client_secrets")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("service_account_id", "=", serviceAccountId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    return rows.map(rowToClientSecret);
  }

  async revokeSecret(
    orgId: string,
    serviceAccountId: string,
    secretId: string,
    at: Date,
    audit: readonly AuditEvent[],
  ): Promise<ClientSecret | null> {
    return this.db.transaction().execute(async (trx) => {
      const live = await trx
        .selectFrom("service_accounts")
        .select("id")
        .where("org_id", "=", orgId)
        .where("id", "=", serviceAccountId)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
      if (live === undefined) return null;
      const row = await trx
        .updateTable("oauth_client_secrets")
        .set({ revoked_at: toTime(at) })
        .where("org_id", "=", orgId)
        .where("service_account_id", "=", serviceAccountId)
        .where("id", "=", secretId)
        .where("revoked_at", "is", null)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) return null;
      await appendAudit(trx, audit);
      return rowToClientSecret(row);
    });
  }

  async insertToken(token: AccessToken, audit: readonly AuditEvent[]): Promise<void> {
    await translateDriverErrors("An access token with this hash exists.", () =>
      this.db.transaction().execute(async (trx) => {
        // The account's tokens that expired a day ago are dropped here, so the table stays bounded
        // without a sweeper; until then they still answer EXPIRED rather than NOT_FOUND.
        await trx
          .deleteFrom("oauth_access_tokens")
          .where("service_account_id", "=", token.serviceAccountId)
          .where("expires_at", "<", toTime(new Date(token.createdAt.getTime() - EXPIRED_TOKEN_RETENTION_MS)))
          .execute();
        await trx.insertInto("oauth_access_tokens").values(accessTokenToRow(token)).execute();
        await appendAudit(trx, audit);
      }),
    );
  }

  async getToken(orgId: string, id: string): Promise<AccessToken | null> {
    const row = await this.db
      .selectFrom("oauth_access_tokens")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : rowToAccessToken(row);
  }
}
