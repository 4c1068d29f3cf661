import type { ApiKey, KeyEvent, LeakReport, PrincipalRef } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { MINUTE, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/** KeyStore.recordLeaks: what a secret scanner's report records, once, whatever the races. */
export function describeKeyLeakContract(factory: StoreFactory): void {
  describe("KeyStore recordLeaks", () => {
    const t = useStoreFixture(factory);
    const org = (): PrincipalRef => ({ type: "org", id: t.boot.orgId });
    const report = (hash: string, url = "https://example.test/leak"): LeakReport => ({ hash, source: "github", url });
    const recorder = () => {
      const calls: { keyId: string; url: string; revokedNow: boolean }[] = [];
      const eventsFor = (key: ApiKey, leak: LeakReport, revokedNow: boolean): KeyEvent[] => {
        calls.push({ keyId: key.id, url: leak.url, revokedNow });
        const events = [
          t.data.event(key, "leaked", { actor: { type: "system", id: "scanner" }, detail: { url: leak.url } }),
        ];
        if (revokedNow) events.push(t.data.event(key, "revoked", { actor: { type: "system", id: "scanner" } }));
        return events;
      };
      return { calls, eventsFor };
    };

    it("records each working secret's key once, revokes the live ones, and returns every stored hash", async () => {
      const keys = t.store.keys;
      const orgId = t.boot.orgId;
      const live = await t.addKey(orgId, org());
      const revokedBefore = await t.addKey(orgId, org());
      const revokedAt = t.clock.now();
      await keys.change(
        orgId,
        revokedBefore.key.id,
        { type: "revoke", at: revokedAt },
        t.data.event(revokedBefore.key, "revoked"),
      );
      const inGrace = await t.addKey(orgId, org());
      await keys.regenerate(
        orgId,
        inGrace.key.id,
        t.data.secret(inGrace.key).secret,
        new Date(t.clock.now().getTime() + 10 * MINUTE),
        t.data.event(inGrace.key, "regenerated"),
      );
      const pastGrace = await t.addKey(orgId, org());
      await keys.regenerate(
        orgId,
        pastGrace.key.id,
        t.data.secret(pastGrace.key).secret,
        t.clock.now(),
        t.data.event(pastGrace.key, "regenerated"),
      );
      const deleted = await t.addKey(orgId, org());
      await keys.change(
        orgId,
        deleted.key.id,
        { type: "delete", at: t.clock.now() },
        t.data.event(deleted.key, "deleted"),
      );
      const bystander = await t.addKey(orgId, org());
      const unknown = t.data.secret(bystander.key).secret.hash;

      const at = t.clock.advance(MINUTE);
      const { calls, eventsFor } = recorder();
      const reports = [
        report(live.secret.hash, "https://example.test/a"),
        report(revokedBefore.secret.hash),
        report(inGrace.secret.hash, "https://example.test/c"),
        report(pastGrace.secret.hash),
        report(deleted.secret.hash),
        report(unknown),
        report(live.secret.hash, "https://example.test/a-again"),
      ];
      const matches = await keys.recordLeaks(reports, at, eventsFor);

      const byHash = new Map(matches.map((match) => [match.hash, match]));
      expect([...byHash.keys()].sort()).toEqual(
        [live, revokedBefore, inGrace, pastGrace, deleted].map((built) => built.secret.hash).sort(),
      );
      expect(byHash.get(live.secret.hash)).toEqual({
        hash: live.secret.hash,
        keyId: live.key.id,
        orgId,
        recorded: true,
        revoked: true,
      });
      expect(byHash.get(revokedBefore.secret.hash)).toMatchObject({ recorded: true, revoked: false });
      expect(byHash.get(inGrace.secret.hash)).toMatchObject({ recorded: true, revoked: true });
      expect(byHash.get(pastGrace.secret.hash)).toMatchObject({ recorded: false, revoked: false });
      expect(byHash.get(deleted.secret.hash)).toMatchObject({ recorded: false, revoked: false });
      expect(calls.sort((a, b) => a.keyId.localeCompare(b.keyId))).toEqual(
        [
          { keyId: live.key.id, url: "https://example.test/a", revokedNow: true },
          { keyId: revokedBefore.key.id, url: "https://example.test/leak", revokedNow: false },
          { keyId: inGrace.key.id, url: "https://example.test/c", revokedNow: true },
        ].sort((a, b) => a.keyId.localeCompare(b.keyId)),
      );

      expect(await keys.get(orgId, live.key.id)).toMatchObject({
        revokedAt: at,
        leak: { reportedAt: at, source: "github", url: "https://example.test/a" },
      });
      expect(await keys.get(orgId, revokedBefore.key.id)).toMatchObject({ revokedAt, leak: { reportedAt: at } });
      expect(await keys.get(orgId, inGrace.key.id)).toMatchObject({
        revokedAt: at,
        leak: { url: "https://example.test/c" },
      });
      expect(await keys.get(orgId, pastGrace.key.id)).toMatchObject({ revokedAt: null, leak: null });
      expect(await keys.get(orgId, bystander.key.id)).toMatchObject({ revokedAt: null, leak: null });
      expect(await t.eventTypes(orgId, live.key.id)).toEqual(["created", "leaked", "revoked"]);
      expect(await t.eventTypes(orgId, revokedBefore.key.id)).toEqual(["created", "revoked", "leaked"]);
      expect(await t.eventTypes(orgId, deleted.key.id)).toEqual(["created", "deleted"]);
      const lookup = await keys.findBySecretHash(live.secret.hash);
      expect(lookup?.key.revokedAt).toEqual(at);
      expect((await t.store.audit.check()).ok).toBe(true);
    });

    it("writes nothing when the same report comes again, and answers the same hashes", async () => {
      const orgId = t.boot.orgId;
      const a = await t.addKey(orgId, org());
      const b = await t.addKey(orgId, org());
      const reports = [report(a.secret.hash), report(b.secret.hash)];
      const first = recorder();
      await t.store.keys.recordLeaks(reports, t.clock.now(), first.eventsFor);
      expect(first.calls).toHaveLength(2);
      const second = recorder();
      const again = await t.store.keys.recordLeaks(reports, t.clock.advance(MINUTE), second.eventsFor);
      expect(second.calls).toEqual([]);
      expect(again.map((match) => match.hash).sort()).toEqual([a.secret.hash, b.secret.hash].sort());
      expect(again.every((match) => !match.recorded && !match.revoked)).toBe(true);
      expect(await t.eventTypes(orgId, a.key.id)).toEqual(["created", "leaked", "revoked"]);
      expect(await t.store.keys.recordLeaks([], t.clock.now(), second.eventsFor)).toEqual([]);
    });

    it("records a key reported through two of its secrets in one batch once", async () => {
      const orgId = t.boot.orgId;
      const built = await t.addKey(orgId, org());
      const next = t.data.secret(built.key).secret;
      await t.store.keys.regenerate(
        orgId,
        built.key.id,
        next,
        new Date(t.clock.now().getTime() + MINUTE),
        t.data.event(built.key, "regenerated"),
      );
      const { calls, eventsFor } = recorder();
      const matches = await t.store.keys.recordLeaks(
        [report(next.hash, "https://x.test/new"), report(built.secret.hash)],
        t.clock.now(),
        eventsFor,
      );
      expect(matches).toHaveLength(2);
      expect(calls).toEqual([{ keyId: built.key.id, url: "https://x.test/new", revokedNow: true }]);
      expect(await t.eventTypes(orgId, built.key.id)).toEqual(["created", "regenerated", "leaked", "revoked"]);
    });

    it("records one leak and one revocation when 10 reports of the same key race", async () => {
      const orgId = t.boot.orgId;
      const built = await t.addKey(orgId, org());
      const recorders = Array.from({ length: 10 }, () => recorder());
      await Promise.all(
        recorders.map((r, i) =>
          t.store.keys.recordLeaks([report(built.secret.hash, `https://x.test/${i}`)], t.clock.now(), r.eventsFor),
        ),
      );
      expect(recorders.flatMap((r) => r.calls)).toHaveLength(1);
      expect(await t.eventTypes(orgId, built.key.id)).toEqual(["created", "leaked", "revoked"]);
      expect((await t.store.audit.check()).ok).toBe(true);
    });
  });
}
