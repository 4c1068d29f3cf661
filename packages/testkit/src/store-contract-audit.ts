import { describe, expect, it } from "vitest";
import { type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/** AuditStore: events written with their change, chained in one order even when written concurrently. */
export function describeAuditContract(factory: StoreFactory): void {
  describe("AuditStore", () => {
    const t = useStoreFixture(factory);

    it("records every key change with the change and keeps the chain intact", async () => {
      const { org, member } = await t.addOrg("admin");
      const built = await t.addKey(org.id, member);
      const event = t.data.event(built.key, "disabled", { actor: member, requestId: "req-1" });
      await t.store.keys.change(org.id, built.key.id, { type: "disable" }, event);
      const events = [];
      for await (const record of t.store.audit.export(org.id, {})) events.push(record);
      expect(events.map((event) => [event.action, event.target.id])).toEqual([
        ["api_key.created", built.key.id],
        ["api_key.disabled", built.key.id],
      ]);
      const check = await t.store.audit.check();
      expect(check).toMatchObject({ ok: true });
      expect(check.count).toBeGreaterThanOrEqual(2);
    });

    it("chains 40 concurrent changes from many transactions into one gapless log", async () => {
      const { org, member } = await t.addOrg("admin");
      await Promise.all(Array.from({ length: 40 }, () => t.addKey(org.id, member)));
      const check = await t.store.audit.check();
      expect(check).toMatchObject({ ok: true });
      const seqs = [];
      for await (const record of t.store.audit.export(org.id, {})) seqs.push(record.seq);
      expect(seqs).toHaveLength(40);
      expect(new Set(seqs).size).toBe(40);
    });

    it("lists an org's events newest first with filters, and appends events that have no other write", async () => {
      const { org, member } = await t.addOrg("admin");
      await t.addKey(org.id, member);
      await t.store.audit.append([t.data.audit("secret.read", org.id)]);
      const page = await t.store.audit.list(org.id, {}, { limit: 10 });
      expect(page.items.map((event) => event.action)).toEqual(["secret.read", "api_key.created"]);
      expect((await t.store.audit.list(org.id, { action: "api_key.*" }, { limit: 10 })).items).toHaveLength(1);
      expect((await t.store.audit.list(t.boot.orgId, { action: "secret.read" }, { limit: 10 })).items).toEqual([]);
    });
  });
}
