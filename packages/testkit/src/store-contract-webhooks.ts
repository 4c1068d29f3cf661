import type { WebhookEndpoint, WebhookSubscription } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { type StoreFactory, type StoreFixture, useStoreFixture } from "./store-contract-fixture.js";

function endpointOf(t: StoreFixture, orgId: string, eventTypes: WebhookSubscription[] = ["*"]): WebhookEndpoint {
  return {
    id: t.data.id(),
    orgId,
    url: "https://hooks.example.com/in",
    description: null,
    eventTypes,
    enabled: true,
    createdAt: t.clock.now(),
    createdBy: { type: "system", id: "testkit" },
    updatedAt: t.clock.now(),
  };
}

const success = (attempt: number) => ({ attempt, at: new Date(0), statusCode: 200, durationMs: 1, error: null });

/**
 * WebhookStore: endpoints with their audit events, the outbox written by the audit events' own
 * transactions, leased claims that never hand one delivery to two workers, and the attempt log.
 */
export function describeWebhookContract(factory: StoreFactory): void {
  describe("WebhookStore", () => {
    const t = useStoreFixture(factory);

    it("keeps endpoints per org and never returns their secret", async () => {
      const endpoint = endpointOf(t, t.boot.orgId, ["api_key.created"]);
      await t.store.webhooks.create(endpoint, "whsec_contract", t.data.audit("webhook.created", t.boot.orgId));
      expect(await t.store.webhooks.get(t.boot.orgId, endpoint.id)).toEqual(endpoint);
      expect(JSON.stringify(await t.store.webhooks.list(t.boot.orgId, { limit: 10 }))).not.toContain("whsec_");
      const other = await t.addOrg();
      expect(await t.store.webhooks.get(other.org.id, endpoint.id)).toBeNull();
      const changed = await t.store.webhooks.update(
        t.boot.orgId,
        endpoint.id,
        { enabled: false },
        t.clock.now(),
        t.data.audit("webhook.updated", t.boot.orgId),
      );
      expect(changed?.enabled).toBe(false);
      expect(await t.store.webhooks.delete(other.org.id, endpoint.id, t.data.audit("webhook.deleted"))).toBe(false);
      expect(
        await t.store.webhooks.delete(t.boot.orgId, endpoint.id, t.data.audit("webhook.deleted", t.boot.orgId)),
      ).toBe(true);
      expect(await t.store.webhooks.get(t.boot.orgId, endpoint.id)).toBeNull();
    });

    it("queues one delivery per subscribed enabled endpoint of the event's org", async () => {
      const all = endpointOf(t, t.boot.orgId, ["*"]);
      const revokedOnly = endpointOf(t, t.boot.orgId, ["api_key.revoked"]);
      const off = { ...endpointOf(t, t.boot.orgId, ["*"]), enabled: false };
      for (const endpoint of [all, revokedOnly, off]) {
        await t.store.webhooks.create(endpoint, "whsec_contract", t.data.audit("secret.read", t.boot.orgId));
      }
      const other = await t.addOrg();
      await t.store.audit.append([
        t.data.audit("api_key.created", t.boot.orgId),
        t.data.audit("api_key.revoked", t.boot.orgId),
        t.data.audit("user.signed_in", t.boot.orgId),
        t.data.audit("api_key.created", other.org.id),
      ]);
      const types = async (id: string) =>
        (await t.store.webhooks.listDeliveries(t.boot.orgId, id, { limit: 100 })).items.map((d) => d.eventType).sort();
      expect(await types(all.id)).toEqual(["api_key.created", "api_key.revoked"]);
      expect(await types(revokedOnly.id)).toEqual(["api_key.revoked"]);
      expect(await types(off.id)).toEqual([]);
    });

    it("hands each due delivery to one of many concurrent claims, and records its attempt once", async () => {
      const endpoint = endpointOf(t, t.boot.orgId, ["api_key.created"]);
      await t.store.webhooks.create(endpoint, "whsec_contract", t.data.audit("webhook.created", t.boot.orgId));
      const events = Array.from({ length: 24 }, () => t.data.audit("api_key.created", t.boot.orgId));
      await t.store.audit.append(events);
      const now = t.clock.now();
      const lease = new Date(now.getTime() + 60_000);
      // Rounds of concurrent claims: a claim may skip rows another one holds locked, never take them.
      const claims = [];
      for (let round = 0; round < 10; round++) {
        const taken = await Promise.all(
          Array.from({ length: 6 }, (_, i) => t.store.webhooks.claimDue(now, lease, `worker-${round}-${i}`, 10)),
        );
        if (taken.flat().length === 0) break;
        claims.push(...taken);
      }
      const ids = claims.flat().map((claim) => claim.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(24);
      expect(claims.flat().every((claim) => claim.secret === "whsec_contract" && claim.attempts === 0)).toBe(true);
      expect(await t.store.webhooks.claimDue(now, lease, "late", 10)).toEqual([]);
      for (const claim of claims.flat()) {
        expect(await t.store.webhooks.recordAttempt(claim, success(1), { status: "succeeded" })).toBe(true);
        expect(await t.store.webhooks.recordAttempt(claim, success(1), { status: "succeeded" })).toBe(false);
      }
      const page = await t.store.webhooks.listDeliveries(t.boot.orgId, endpoint.id, { limit: 100 });
      expect(page.items.map((d) => d.eventId).sort()).toEqual(events.map((e) => e.id).sort());
      expect(page.items.every((d) => d.status === "succeeded" && d.attemptLog.length === 1)).toBe(true);
    });

    it("redelivers the same event as a new delivery, and only in the endpoint's org", async () => {
      const endpoint = endpointOf(t, t.boot.orgId, ["api_key.created"]);
      await t.store.webhooks.create(endpoint, "whsec_contract", t.data.audit("webhook.created", t.boot.orgId));
      await t.store.audit.append([t.data.audit("api_key.created", t.boot.orgId)]);
      const [first] = (await t.store.webhooks.listDeliveries(t.boot.orgId, endpoint.id, { limit: 10 })).items;
      expect(first).toBeDefined();
      if (first === undefined) return;
      const other = await t.addOrg();
      expect(
        await t.store.webhooks.redeliver(other.org.id, endpoint.id, first.id, t.data.id(), t.clock.now()),
      ).toBeNull();
      const again = await t.store.webhooks.redeliver(t.boot.orgId, endpoint.id, first.id, t.data.id(), t.clock.now());
      expect(again).toMatchObject({ eventId: first.eventId, payload: first.payload, redeliveryOf: first.id });
      expect((await t.store.webhooks.listDeliveries(t.boot.orgId, endpoint.id, { limit: 10 })).items).toHaveLength(2);
    });

    it("prunes finished deliveries older than the cut, never pending ones", async () => {
      const endpoint = endpointOf(t, t.boot.orgId, ["api_key.created"]);
      await t.store.webhooks.create(endpoint, "whsec_contract", t.data.audit("webhook.created", t.boot.orgId));
      await t.store.audit.append([1, 2, 3].map(() => t.data.audit("api_key.created", t.boot.orgId)));
      const now = t.clock.now();
      const lease = new Date(now.getTime() + 60_000);
      const [done, failed, retried] = await t.store.webhooks.claimDue(now, lease, "w", 3);
      if (done === undefined || failed === undefined || retried === undefined) throw new Error("expected 3 claims");
      await t.store.webhooks.recordAttempt(done, success(1), { status: "succeeded" });
      await t.store.webhooks.recordAttempt(failed, { ...success(1), statusCode: 500 }, { status: "failed" });
      const later = new Date(now.getTime() + 3_600_000);
      await t.store.webhooks.recordAttempt(
        retried,
        { ...success(1), statusCode: 500 },
        { status: "pending", nextAttemptAt: later },
      );
      t.clock.advance(1000);
      const newer = t.data.audit("api_key.created", t.boot.orgId);
      await t.store.audit.append([newer]);
      const [recent] = await t.store.webhooks.claimDue(t.clock.now(), lease, "w2", 10);
      if (recent === undefined) throw new Error("expected a claim");
      await t.store.webhooks.recordAttempt(recent, success(1), { status: "succeeded" });
      expect(await t.store.webhooks.prune(new Date(now.getTime() + 500), 100)).toBe(2);
      const left = (await t.store.webhooks.listDeliveries(t.boot.orgId, endpoint.id, { limit: 10 })).items;
      expect(left.map((d) => d.status).sort()).toEqual(["pending", "succeeded"]);
      expect(await t.store.webhooks.prune(new Date(now.getTime() + 500), 100)).toBe(0);
    });
  });
}
