import type { AuditRecord } from "@latchkey/core";
import type { TestApp } from "./helpers.js";
import { send } from "./helpers.js";

/** Seconds in a day, for moving the fake clock. */
export const DAY_SECONDS = 24 * 3600;

/** The org's audit events with `action` (oldest first), optionally only those about one key. */
export async function auditOf(t: Pick<TestApp, "store">, orgId: string, action: string, keyId?: string) {
  const events: AuditRecord[] = [];
  for await (const record of t.store.audit.export(orgId, { action, ...(keyId ? { targetId: keyId } : {}) })) {
    events.push(record);
  }
  return events;
}

/** Sets the org's idle policy through PATCH /rest/orgs/{org_id}. */
export async function setIdleDays(t: TestApp, days: number | null) {
  return send(t.app, {
    method: "PATCH",
    url: `/rest/orgs/${t.owner.orgId}`,
    token: t.owner.token,
    body: { data: { type: "org", attributes: { policy: { idle_disable_days: days } } } },
  });
}

/** Verifies `key` as coming from `ip` (the verify body's `ip`), as a service of the org would. */
export async function verifyFrom(t: TestApp, key: string, ip: string) {
  const res = await send(t.app, {
    method: "POST",
    url: "/rest/api_keys/verify",
    token: t.owner.token,
    body: { data: { type: "key_verification", attributes: { key, ip } } },
  });
  return res.json().data.attributes as { code: string; valid: boolean; quota: { remaining: number } | null };
}
