import {
  type AuditEvent,
  LatchkeyError,
  type Page,
  type PageRequest,
  type PrincipalRef,
  type SealedSecret,
  type VaultSecret,
  type VaultStore,
  type VaultWrite,
  type WrappedDataKey,
} from "@latchkey/core";
import { type Kysely, PostgresAdapter, type Selectable, type Transaction } from "kysely";
import { translateDriverErrors } from "./driver-errors.js";
import { appendAudit } from "./kysely-audit-store.js";
import { paginate } from "./pagination.js";
import { toTime } from "./rows.js";
import type { Database, VaultDataKeysTable, VaultSecretsTable } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** The message of a vault name conflict. */
export const SECRET_NAME_TAKEN = "A secret with this name exists in the org's vault.";

const METADATA_COLUMNS = [
  "vault_secrets.id",
  "vault_secrets.org_id",
  "vault_secrets.name",
  "vault_secrets.created_by_type",
  "vault_secrets.created_by_id",
  "vault_secrets.created_at",
  "vault_secrets.updated_at",
] as const;

type MetadataRow = Pick<
  Selectable<VaultSecretsTable>,
  "id" | "org_id" | "name" | "created_by_type" | "created_by_id" | "created_at" | "updated_at"
>;

function rowToMetadata(row: MetadataRow): VaultSecret {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    createdBy: { type: row.created_by_type, id: row.created_by_id } as PrincipalRef,
  };
}

function rowToSealed(row: Selectable<VaultSecretsTable>): SealedSecret {
  return {
    ...rowToMetadata(row),
    keyVersion: Number(row.key_version),
    sealed: { nonce: row.nonce, ciphertext: row.ciphertext, tag: row.auth_tag },
  };
}

function sealedToRow(secret: SealedSecret): Selectable<VaultSecretsTable> {
  return {
    id: secret.id,
    org_id: secret.orgId,
    name: secret.name,
    ciphertext: secret.sealed.ciphertext,
    nonce: secret.sealed.nonce,
    auth_tag: secret.sealed.tag,
    key_version: secret.keyVersion,
    created_by_type: secret.createdBy.type,
    created_by_id: secret.createdBy.id,
    created_at: toTime(secret.createdAt),
    updated_at: toTime(secret.updatedAt),
  };
}

function rowToDataKey(row: Selectable<VaultDataKeysTable>): WrappedDataKey {
  return {
    orgId: row.org_id,
    version: Number(row.version),
    wrapped: row.wrapped_key,
    createdAt: new Date(row.created_at),
  };
}

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Takes the vault's master row lock (PostgreSQL; SQLite transactions hold the write lock from their
 * start): a master-key rotation and a new data key then never interleave.
 */
async function lockMaster(trx: Transaction<Database>): Promise<void> {
  if (isPostgres(trx)) await trx.selectFrom("vault_master").select("id").where("id", "=", 1).forUpdate().execute();
}

/**
 * Inserts a sealed secret inside the caller's transaction (before its audit event). A name the org
 * already uses is a CONFLICT.
 */
export async function insertSecret(trx: Transaction<Database>, secret: SealedSecret): Promise<void> {
  await translateDriverErrors(SECRET_NAME_TAKEN, () =>
    trx.insertInto("vault_secrets").values(sealedToRow(secret)).execute(),
  );
}

/** The vault in a Kysely database. */
export class KyselyVaultStore implements VaultStore {
  constructor(private readonly db: Kysely<Database>) {}

  async initMasterCheck(check: string, at: Date): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("vault_master")
        .values({ id: 1, check_value: check, created_at: toTime(at), rotated_at: null })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
      const row = await trx
        .selectFrom("vault_master")
        .select("check_value")
        .where("id", "=", 1)
        .executeTakeFirstOrThrow();
      return row.check_value;
    });
  }

  async ensureDataKey(candidate: WrappedDataKey): Promise<WrappedDataKey> {
    return this.db.transaction().execute(async (trx) => {
      await lockMaster(trx);
      const existing = await newestDataKey(trx, candidate.orgId);
      if (existing !== null) return existing;
      await trx
        .insertInto("vault_data_keys")
        .values({
          org_id: candidate.orgId,
          version: candidate.version,
          wrapped_key: candidate.wrapped,
          created_at: toTime(candidate.createdAt),
          rotated_at: null,
        })
        .onConflict((oc) => oc.columns(["org_id", "version"]).doNothing())
        .execute();
      const stored = await newestDataKey(trx, candidate.orgId);
      if (stored === null) throw new Error("the data key was not stored");
      return stored;
    });
  }

  async dataKey(orgId: string, version: number): Promise<WrappedDataKey | null> {
    const row = await this.db
      .selectFrom("vault_data_keys")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("version", "=", version)
      .executeTakeFirst();
    return row === undefined ? null : rowToDataKey(row);
  }

  async listDataKeys(): Promise<WrappedDataKey[]> {
    const rows = await this.db.selectFrom("vault_data_keys").selectAll().orderBy("org_id").orderBy("version").execute();
    return rows.map(rowToDataKey);
  }

  async create(write: VaultWrite): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await insertSecret(trx, write.secret);
      await appendAudit(trx, [write.audit]);
    });
  }

  async get(orgId: string, id: string): Promise<VaultSecret | null> {
    const row = await this.db
      .selectFrom("vault_secrets")
      .select(METADATA_COLUMNS)
      .where("org_id", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : rowToMetadata(row);
  }

  async list(orgId: string, page: PageRequest): Promise<Page<VaultSecret>> {
    const query = this.db
      .selectFrom("vault_secrets")
      .select(METADATA_COLUMNS)
      .where("vault_secrets.org_id", "=", orgId);
    return paginate(query, "vault_secrets.id", page, rowToMetadata);
  }

  async reveal(orgId: string, id: string, auditFor: (secret: VaultSecret) => AuditEvent): Promise<SealedSecret | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("vault_secrets")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) return null;
      const secret = rowToSealed(row);
      await appendAudit(trx, [auditFor(rowToMetadata(row))]);
      return secret;
    });
  }

  async delete(orgId: string, id: string, auditFor: (secret: VaultSecret) => AuditEvent): Promise<VaultSecret | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom("vault_secrets")
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .returning(METADATA_COLUMNS.map((column) => column.slice("vault_secrets.".length) as keyof MetadataRow))
        .executeTakeFirst();
      if (row === undefined) return null;
      const secret = rowToMetadata(row as MetadataRow);
      await appendAudit(trx, [auditFor(secret)]);
      return secret;
    });
  }

  async replaceMasterKey(
    expectedCheck: string,
    newCheck: string,
    rewrapped: readonly WrappedDataKey[],
    events: readonly AuditEvent[],
    at: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockMaster(trx);
      const master = await trx.selectFrom("vault_master").select("check_value").where("id", "=", 1).executeTakeFirst();
      if (master === undefined || master.check_value !== expectedCheck) {
        throw new LatchkeyError("CONFLICT", "The master key changed while the rotation ran; nothing was changed.");
      }
      const stored = await trx.selectFrom("vault_data_keys").select(["org_id", "version"]).execute();
      const wanted = new Set(rewrapped.map((key) => `${key.orgId}/${key.version}`));
      if (stored.length !== wanted.size || stored.some((row) => !wanted.has(`${row.org_id}/${Number(row.version)}`))) {
        throw new LatchkeyError("CONFLICT", "Data keys were added while the rotation ran; nothing was changed.");
      }
      const time = toTime(at);
      for (const key of rewrapped) {
        await trx
          .updateTable("vault_data_keys")
          .set({ wrapped_key: key.wrapped, rotated_at: time })
          .where("org_id", "=", key.orgId)
          .where("version", "=", key.version)
          .execute();
      }
      await trx
        .updateTable("vault_master")
        .set({ check_value: newCheck, rotated_at: time })
        .where("id", "=", 1)
        .execute();
      await appendAudit(trx, events);
    });
  }
}

async function newestDataKey(db: Db, orgId: string): Promise<WrappedDataKey | null> {
  const row = await db
    .selectFrom("vault_data_keys")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : rowToDataKey(row);
}
