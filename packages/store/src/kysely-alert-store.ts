import type { AlertOnce, AlertStore, AuditEvent, ExpiringKey, IdlePolicy, KeyEvent, OrgPolicy } from "@latchkey/core";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import { appendAudit } from "./kysely-audit-store.js";
import { recordKeyEvents } from "./kysely-key-store.js";
import { toTime } from "./rows.js";
import type { Database } from "./schema.js";

/**
 * A live, enabled key (not publishable) with no activity since before `cutoff`: not used, created,
 * regenerated or enabled since then. Enabling counts, so a key someone enables again gets a fresh idle period.
 */
function idleSince(cutoff: Date, now: Date) {
  const before = toTime(cutoff);
  const at = toTime(now);
  return (eb: ExpressionBuilder<Database, "api_keys">) =>
    eb.and([
      eb("api_keys.enabled", "=", 1),
      // Publishable keys live as long as their environment (and cannot be enabled by hand).
      eb("api_keys.kind", "!=", "publishable"),
      eb("api_keys.revoked_at", "is", null),
      eb("api_keys.deleted_at", "is", null),
      eb.or([eb("api_keys.expires_at", "is", null), eb("api_keys.expires_at", ">", at)]),
      eb("api_keys.created_at", "<", before),
      eb.or([eb("api_keys.last_used_at", "is", null), eb("api_keys.last_used_at", "<", before)]),
      eb.or([eb("api_keys.rotated_at", "is", null), eb("api_keys.rotated_at", "<", before)]),
      eb.not(
        eb.exists(
          eb
            .selectFrom("api_key_events")
            .select(sql.lit(1).as("one"))
            .whereRef("api_key_events.org_id", "=", "api_keys.org_id")
            .whereRef("api_key_events.key_id", "=", "api_keys.id")
            .where("api_key_events.type", "=", "enabled")
            .where("api_key_events.created_at", ">=", before),
        ),
      ),
    ]);
}

/** Leases, once-only alerts and the idle policy's writes in a Kysely database. */
export class KyselyAlertStore implements AlertStore {
  constructor(private readonly db: Kysely<Database>) {}

  async takeLease(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const row = await this.db
      .insertInto("leases")
      .values({ name, holder, expires_at: toTime(until) })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet((eb) => ({ holder: eb.ref("excluded.holder"), expires_at: eb.ref("excluded.expires_at") }))
          .where((eb) => eb.or([eb("leases.holder", "=", holder), eb("leases.expires_at", "<=", toTime(now))])),
      )
      .returning("holder")
      .executeTakeFirst();
    return row !== undefined;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom("leases").where("name", "=", name).where("holder", "=", holder).execute();
  }

  async expiringKeys(now: Date, horizon: Date): Promise<ExpiringKey[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .leftJoin("alerts_sent", (join) =>
        join.onRef("alerts_sent.key_id", "=", "api_keys.id").on("alerts_sent.kind", "=", "expiring"),
      )
      .select([
        "api_keys.id",
        "api_keys.org_id",
        "api_keys.created_at",
        "api_keys.expires_at",
        "alerts_sent.discriminator",
      ])
      .where("api_keys.revoked_at", "is", null)
      .where("api_keys.deleted_at", "is", null)
      .where("api_keys.expires_at", ">", toTime(now))
      .where("api_keys.expires_at", "<=", toTime(horizon))
      .orderBy("api_keys.expires_at")
      .orderBy("api_keys.id")
      .execute();
    const keys = new Map<string, ExpiringKey>();
    for (const row of rows) {
      let key = keys.get(row.id);
      if (key === undefined) {
        key = {
          id: row.id,
          orgId: row.org_id,
          createdAt: new Date(row.created_at),
          expiresAt: new Date(row.expires_at as string),
          sent: [],
        };
        keys.set(row.id, key);
      }
      if (row.discriminator !== null) key.sent.push(row.discriminator);
    }
    return [...keys.values()];
  }

  async recordOnce(alert: AlertOnce, event: AuditEvent): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto("alerts_sent")
        .values({
          key_id: alert.keyId,
          kind: alert.kind,
          discriminator: alert.discriminator,
          org_id: event.orgId,
          created_at: toTime(event.createdAt),
        })
        .onConflict((oc) => oc.columns(["key_id", "kind", "discriminator"]).doNothing())
        .returning("key_id")
        .executeTakeFirst();
      if (inserted === undefined) return false;
      await appendAudit(trx, [event]);
      return true;
    });
  }

  async idlePolicies(): Promise<IdlePolicy[]> {
    const rows = await this.db.selectFrom("orgs").select(["id", "policy"]).orderBy("id").execute();
    const out: IdlePolicy[] = [];
    for (const row of rows) {
      const days = (JSON.parse(row.policy) as Partial<OrgPolicy>).idleDisableDays;
      if (typeof days === "number" && Number.isInteger(days) && days > 0)
        out.push({ orgId: row.id, idleDisableDays: days });
    }
    return out;
  }

  async idleKeys(orgId: string, cutoff: Date, now: Date): Promise<string[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .select("api_keys.id")
      .where("api_keys.org_id", "=", orgId)
      .where(idleSince(cutoff, now))
      .orderBy("api_keys.id")
      .execute();
    return rows.map((row) => row.id);
  }

  async disableIdleKey(orgId: string, keyId: string, cutoff: Date, now: Date, event: KeyEvent): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("api_keys")
        .set({ enabled: 0 })
        .where("api_keys.org_id", "=", orgId)
        .where("api_keys.id", "=", keyId)
        .where(idleSince(cutoff, now))
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await recordKeyEvents(trx, [event]);
      return true;
    });
  }
}
