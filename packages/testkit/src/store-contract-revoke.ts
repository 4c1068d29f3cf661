import type { ApiKey, PrincipalRef } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/** KeyStore.revokeMatching, and the races every conditional change must survive. */
export function describeKeyRevokeContract(factory: StoreFactory): void {
  describe("KeyStore revokeMatching and races", () => {
    const t = useStoreFixture(factory);
    const org = (): PrincipalRef => ({ type: "org", id: t.boot.orgId });

    it("revokes only the org's live keys with the label, each with one event, and returns their ids", async () => {
      const keys = t.store.keys;
      const orgId = t.boot.orgId;
      const a = await t.addKey(orgId, org(), { labels: ["x"] });
      const b = await t.addKey(orgId, org(), { labels: ["x", "y"], enabled: false });
      const unlabelled = await t.addKey(orgId, org(), { labels: ["y"] });
      const revoked = await t.addKey(orgId, org(), { labels: ["x"] });
      const deleted = await t.addKey(orgId, org(), { labels: ["x"] });
      const at = t.clock.now();
      await keys.change(orgId, revoked.key.id, { type: "revoke", at }, t.data.event(revoked.key, "revoked"));
      await keys.change(orgId, deleted.key.id, { type: "delete", at }, t.data.event(deleted.key, "deleted"));
      const other = await t.addOrg();
      const foreign = await t.addKey(other.org.id, other.member, { labels: ["x"] });

      const now = t.clock.advance(60_000);
      const actor: PrincipalRef = { type: "user", id: t.boot.userId };
      const recorder = t.eventRecorder(actor, "req-bulk");
      const ids = await keys.revokeMatching(orgId, { label: "x" }, now, recorder.eventFor);

      expect([...ids].sort()).toEqual([a.key.id, b.key.id].sort());
      for (const built of [a, b]) {
        expect((await keys.get(orgId, built.key.id))?.revokedAt).toEqual(now);
        const events = await keys.listEvents(orgId, built.key.id);
        expect(events.map((event) => event.type)).toEqual(["created", "revoked"]);
        expect(events[1]).toMatchObject({ actor, requestId: "req-bulk", createdAt: now });
        expect(recorder.events).toContainEqual(events[1]);
      }
      expect((await keys.get(orgId, unlabelled.key.id))?.revokedAt).toBeNull();
      expect((await keys.get(orgId, revoked.key.id))?.revokedAt).toEqual(at);
      expect(await t.eventTypes(orgId, revoked.key.id)).toEqual(["created", "revoked"]);
      expect(await t.eventTypes(orgId, deleted.key.id)).toEqual(["created", "deleted"]);
      expect((await keys.get(other.org.id, foreign.key.id))?.revokedAt).toBeNull();
      expect(await t.eventTypes(other.org.id, foreign.key.id)).toEqual(["created"]);
    });

    it("applies every filter and returns an empty list when nothing matches", async () => {
      const orgId = t.boot.orgId;
      const live = await t.addKey(orgId, org(), { labels: ["x"], environment: "live" });
      const test = await t.addKey(orgId, org(), { labels: ["x"], environment: "test" });
      const recorder = t.eventRecorder(org());
      const now = t.clock.now();
      expect(
        await t.store.keys.revokeMatching(orgId, { label: "x", environment: "test" }, now, recorder.eventFor),
      ).toEqual([test.key.id]);
      expect((await t.store.keys.get(orgId, live.key.id))?.revokedAt).toBeNull();
      expect(await t.store.keys.revokeMatching(orgId, { label: "none" }, now, recorder.eventFor)).toEqual([]);
      expect(await t.eventTypes(orgId, live.key.id)).toEqual(["created"]);
      expect(await t.eventTypes(orgId, test.key.id)).toEqual(["created", "revoked"]);
    });

    it("lets exactly one of 20 concurrent revokes win, with one revoked event", async () => {
      const built = await t.addKey(t.boot.orgId, org());
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.store.keys.change(
            t.boot.orgId,
            built.key.id,
            { type: "revoke", at: t.clock.now() },
            t.data.event(built.key, "revoked", { requestId: `req-${i}` }),
          ),
        ),
      );
      expect(results.filter((result) => result !== null)).toHaveLength(1);
      expect(await t.eventTypes(t.boot.orgId, built.key.id)).toEqual(["created", "revoked"]);
    });

    it("revokes each key once when 10 revokeMatching calls race", async () => {
      const orgId = t.boot.orgId;
      const built: ApiKey[] = [];
      for (let i = 0; i < 15; i++) built.push((await t.addKey(orgId, org(), { labels: ["race"] })).key);
      const recorders = Array.from({ length: 10 }, () => t.eventRecorder(org()));
      const results = await Promise.all(
        recorders.map((recorder) =>
          t.store.keys.revokeMatching(orgId, { label: "race" }, t.clock.now(), recorder.eventFor),
        ),
      );
      const all = results.flat();
      expect([...all].sort()).toEqual(built.map((key) => key.id).sort());
      for (const key of built) {
        expect(await t.eventTypes(orgId, key.id)).toEqual(["created", "revoked"]);
      }
    });

    it("lets a revoke and a revokeMatching race without a second event", async () => {
      const orgId = t.boot.orgId;
      const built = await t.addKey(orgId, org(), { labels: ["race"] });
      const recorder = t.eventRecorder(org());
      const [single, bulk] = await Promise.all([
        t.store.keys.change(
          orgId,
          built.key.id,
          { type: "revoke", at: t.clock.now() },
          t.data.event(built.key, "revoked"),
        ),
        t.store.keys.revokeMatching(orgId, { label: "race" }, t.clock.now(), recorder.eventFor),
      ]);
      expect(Number(single !== null) + bulk.length).toBe(1);
      expect(await t.eventTypes(orgId, built.key.id)).toEqual(["created", "revoked"]);
    });
  });
}
