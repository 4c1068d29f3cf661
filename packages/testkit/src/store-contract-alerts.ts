import { AlertEvents, type LastUse } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { DAY, HOUR, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/**
 * AlertStore: the scheduler's lease, once-only alerts, the idle policy's guarded disable; and the
 * usage write's once-only new networks. Racing calls stand for racing nodes.
 */
export function describeAlertContract(factory: StoreFactory): void {
  describe("AlertStore", () => {
    const t = useStoreFixture(factory);
    const at = (ms: number) => new Date(t.clock.now().getTime() + ms);
    const events = () => new AlertEvents(t.clock, t.data.random);
    const actions = async (orgId: string, action: string) => {
      const found = [];
      for await (const record of t.store.audit.export(orgId, { action })) found.push(record);
      return found;
    };

    it("a lease is held by one holder until it ends or is released", async () => {
      const { alerts } = t.store;
      const now = t.clock.now();
      expect(await alerts.takeLease("jobs", "a", now, at(HOUR))).toBe(true);
      expect(await alerts.takeLease("jobs", "b", now, at(HOUR))).toBe(false);
      expect(await alerts.takeLease("jobs", "a", at(30 * 60_000), at(2 * HOUR))).toBe(true);
      expect(await alerts.takeLease("jobs", "b", at(HOUR + 1), at(3 * HOUR))).toBe(false);
      expect(await alerts.takeLease("jobs", "b", at(2 * HOUR), at(3 * HOUR))).toBe(true);
      expect(await alerts.takeLease("jobs", "a", at(2 * HOUR), at(3 * HOUR))).toBe(false);
      await alerts.releaseLease("jobs", "a");
      expect(await alerts.takeLease("jobs", "a", at(2 * HOUR), at(3 * HOUR))).toBe(false);
      await alerts.releaseLease("jobs", "b");
      expect(await alerts.takeLease("jobs", "a", at(2 * HOUR), at(3 * HOUR))).toBe(true);
      expect(await alerts.takeLease("other", "b", now, at(HOUR))).toBe(true);
    });

    it("of ten holders racing for a free lease, one gets it", async () => {
      const now = t.clock.now();
      const taken = await Promise.all(
        Array.from({ length: 10 }, (_, i) => t.store.alerts.takeLease("race", `holder-${i}`, now, at(HOUR))),
      );
      expect(taken.filter(Boolean)).toHaveLength(1);
    });

    it("records an alert and its audit event once, however many calls race", async () => {
      const { org, member } = await t.addOrg();
      const built = await t.addKey(org.id, member, { expiresAt: at(5 * DAY) });
      const key = { id: built.key.id, orgId: org.id, createdAt: built.key.createdAt, expiresAt: at(5 * DAY), sent: [] };
      const once = { keyId: key.id, kind: "expiring" as const, discriminator: "7d@x" };
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.store.alerts.recordOnce(once, events().expiring(key, 7))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await t.store.alerts.recordOnce({ ...once, discriminator: "1d@x" }, events().expiring(key, 1))).toBe(true);
      expect(await t.store.alerts.recordOnce({ ...once, kind: "quota_low" }, events().expiring(key, 1))).toBe(true);
      expect(await actions(org.id, "api_key.expiring")).toHaveLength(3);
      expect(await t.store.audit.check()).toMatchObject({ ok: true });
    });

    it("lists live keys expiring within the horizon, with the expiry alerts already sent", async () => {
      const { org, member } = await t.addOrg();
      const soon = await t.addKey(org.id, member, { expiresAt: at(3 * DAY) });
      await t.addKey(org.id, member, { expiresAt: at(8 * DAY) });
      await t.addKey(org.id, member, { expiresAt: at(-HOUR) });
      await t.addKey(org.id, member, { expiresAt: null });
      await t.addKey(org.id, member, { expiresAt: at(DAY), revokedAt: t.clock.now() });
      await t.addKey(org.id, member, { expiresAt: at(DAY), deletedAt: t.clock.now() });
      const disabled = await t.addKey(org.id, member, { expiresAt: at(DAY), enabled: false });
      const listed = await t.store.alerts.expiringKeys(t.clock.now(), at(7 * DAY));
      expect(listed.map((key) => key.id)).toEqual([disabled.key.id, soon.key.id]);
      expect(listed[1]).toMatchObject({ orgId: org.id, expiresAt: at(3 * DAY), sent: [] });
      const key = listed[1] as (typeof listed)[number];
      await t.store.alerts.recordOnce(
        { keyId: key.id, kind: "expiring", discriminator: "7d@y" },
        events().expiring(key, 7),
      );
      await t.store.alerts.recordOnce(
        { keyId: key.id, kind: "quota_low", discriminator: "p" },
        events().expiring(key, 7),
      );
      const again = await t.store.alerts.expiringKeys(t.clock.now(), at(7 * DAY));
      expect(again.find((k) => k.id === key.id)?.sent).toEqual(["7d@y"]);
    });

    it("finds the orgs with an idle policy, and disables only keys idle since the cutoff, once", async () => {
      const org = t.data.org();
      org.policy.idleDisableDays = 10;
      await t.seed.org(org);
      const member = { type: "org" as const, id: org.id };
      expect(await t.store.alerts.idlePolicies()).toEqual([{ orgId: org.id, idleDisableDays: 10 }]);
      const idle = await t.addKey(org.id, member, { createdAt: at(-20 * DAY) });
      const used = await t.addKey(org.id, member, { createdAt: at(-20 * DAY), lastUsedAt: at(-DAY) });
      const young = await t.addKey(org.id, member, { createdAt: at(-DAY) });
      await t.addKey(org.id, member, { createdAt: at(-20 * DAY), enabled: false });
      await t.addKey(org.id, member, { createdAt: at(-20 * DAY), expiresAt: at(-DAY) });
      await t.addKey(org.id, member, { createdAt: at(-20 * DAY), revokedAt: at(-DAY) });
      const rotated = await t.addKey(org.id, member, { createdAt: at(-20 * DAY), rotatedAt: at(-DAY) });
      const cutoff = at(-10 * DAY);
      expect(await t.store.alerts.idleKeys(org.id, cutoff, t.clock.now())).toEqual([idle.key.id]);
      const racing = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.store.alerts.disableIdleKey(
            org.id,
            idle.key.id,
            cutoff,
            t.clock.now(),
            events().idleDisabled(org.id, idle.key.id, 10),
          ),
        ),
      );
      expect(racing.filter(Boolean)).toHaveLength(1);
      for (const key of [used, young, rotated]) {
        const event = events().idleDisabled(org.id, key.key.id, 10);
        expect(await t.store.alerts.disableIdleKey(org.id, key.key.id, cutoff, t.clock.now(), event)).toBe(false);
      }
      expect(await t.store.keys.get(org.id, idle.key.id)).toMatchObject({ enabled: false });
      expect(await t.eventTypes(org.id, idle.key.id)).toEqual(["created", "disabled"]);
      const disabled = await actions(org.id, "api_key.disabled");
      expect(disabled.map((event) => [event.actor, event.detail])).toEqual([
        [
          { type: "system", id: "idle-policy" },
          { reason: "idle", idle_days: 10 },
        ],
      ]);
      // Enabled again: the enabling starts a fresh idle period.
      const enabled = t.data.event(idle.key, "enabled", { actor: member, requestId: null });
      await t.store.keys.change(org.id, idle.key.id, { type: "enable" }, enabled);
      expect(await t.store.alerts.idleKeys(org.id, cutoff, t.clock.now())).toEqual([]);
    });

    it("the usage write records each key's networks and raises new_ip once for a network after the first", async () => {
      const { org, member } = await t.addOrg();
      const built = await t.addKey(org.id, member);
      const use = (...networks: [string, string][]): LastUse => ({
        keyId: built.key.id,
        orgId: org.id,
        at: t.clock.now(),
        ip: networks.at(-1)?.[1] ?? null,
        networks: networks.map(([network, ip]) => ({ network, ip })),
      });
      const newIp = (u: Parameters<AlertEvents["newIp"]>[0]) => events().newIp(u);
      await t.store.usage.write([], [use(["203.0.113.0/24", "203.0.113.5"])], newIp);
      expect(await actions(org.id, "api_key.new_ip")).toHaveLength(0);
      await Promise.all(
        Array.from({ length: 6 }, () =>
          t.store.usage.write([], [use(["203.0.113.0/24", "203.0.113.9"], ["198.51.100.0/24", "198.51.100.7"])], newIp),
        ),
      );
      const raised = await actions(org.id, "api_key.new_ip");
      expect(raised.map((event) => event.detail)).toEqual([{ ip: "198.51.100.7", network: "198.51.100.0/24" }]);
      expect(await t.store.audit.check()).toMatchObject({ ok: true });
    });

    it("a usage write of many keys' networks raises new_ip as if they were written one by one", async () => {
      const { org, member } = await t.addOrg();
      const settled = await t.addKey(org.id, member);
      const fresh = await t.addKey(org.id, member);
      const newIp = (u: Parameters<AlertEvents["newIp"]>[0]) => events().newIp(u);
      const use = (keyId: string, ...networks: [string, string][]): LastUse => ({
        keyId,
        orgId: org.id,
        at: t.clock.now(),
        ip: networks.at(-1)?.[1] ?? null,
        networks: networks.map(([network, ip]) => ({ network, ip })),
      });
      await t.store.usage.write([], [use(settled.key.id, ["203.0.113.0/24", "203.0.113.5"])], newIp);
      // More pairs than one statement takes: keys that do not exist make no event and no error.
      const strangers = Array.from({ length: 450 }, () => use(t.data.id(), ["192.0.2.0/24", "192.0.2.1"]));
      await t.store.usage.write(
        [],
        [
          ...strangers.slice(0, 200),
          use(settled.key.id, ["198.51.100.0/24", "198.51.100.7"], ["203.0.113.0/24", "203.0.113.5"]),
          use(fresh.key.id, ["198.51.100.0/24", "198.51.100.8"], ["192.0.2.0/24", "192.0.2.9"]),
          ...strangers.slice(200),
        ],
        newIp,
      );
      const raised = await actions(org.id, "api_key.new_ip");
      // The settled key hears of its second network; the fresh key lives in the first of its two (in
      // network order) and hears of the other.
      expect(raised.map((event) => [event.target.id, event.detail])).toEqual(
        [
          [settled.key.id, { ip: "198.51.100.7", network: "198.51.100.0/24" }],
          [fresh.key.id, { ip: "198.51.100.8", network: "198.51.100.0/24" }],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      expect(await t.store.audit.check()).toMatchObject({ ok: true });
    });

    it("the usage write moves each key's last use forward, never back, for every key of the batch", async () => {
      const { org, member } = await t.addOrg();
      const keys = [];
      for (let i = 0; i < 3; i++) keys.push((await t.addKey(org.id, member)).key);
      const [first, second, third] = keys.map((key) => key.id) as [string, string, string];
      const use = (keyId: string, ms: number, ip: string | null): LastUse => ({
        keyId,
        orgId: org.id,
        at: at(ms),
        ip,
        networks: [],
      });
      const lastUse = async (keyId: string) => {
        const key = await t.store.keys.get(org.id, keyId);
        return { at: key?.lastUsedAt?.toISOString() ?? null, ip: key?.lastUsedIp ?? null };
      };
      // More uses than one statement takes: the keys that do not exist change nothing.
      const strangers = Array.from({ length: 450 }, () => use(t.data.id(), 5_000, "192.0.2.1"));
      await t.store.usage.write([], [use(second, 2_000, "203.0.113.2"), ...strangers, use(first, 1_000, null)]);
      expect(await lastUse(first)).toEqual({ at: at(1_000).toISOString(), ip: null });
      expect(await lastUse(second)).toEqual({ at: at(2_000).toISOString(), ip: "203.0.113.2" });
      expect(await lastUse(third)).toEqual({ at: null, ip: null });
      // An older use (a slower node's flush) does not move it back; a newer one does.
      await t.store.usage.write([], [use(first, 500, "198.51.100.1"), use(second, 3_000, null)]);
      expect(await lastUse(first)).toEqual({ at: at(1_000).toISOString(), ip: null });
      expect(await lastUse(second)).toEqual({ at: at(3_000).toISOString(), ip: null });
    });

    it("a large usage write lets the event loop run between its statements", async () => {
      const { org } = await t.addOrg();
      const uses: LastUse[] = Array.from({ length: 4_000 }, () => ({
        keyId: t.data.id(),
        orgId: org.id,
        at: at(1_000),
        ip: null,
        networks: [],
      }));
      // A ticker on the loop's check phase: it moves only when the write gives the loop a turn.
      let turns = 0;
      let ticking = true;
      const tick = () => {
        turns += 1;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      await t.store.usage.write([], uses);
      ticking = false;
      expect(turns).toBeGreaterThanOrEqual(10);
    });

    it("an org update replaces the given policy fields and records its audit event", async () => {
      const { org } = await t.addOrg();
      const updated = await t.store.orgs.update(
        org.id,
        { policy: { idleDisableDays: 30 } },
        t.data.audit("org.updated", org.id),
      );
      expect(updated?.policy).toEqual({ ...org.policy, idleDisableDays: 30 });
      expect((await t.store.orgs.get(org.id))?.policy.idleDisableDays).toBe(30);
      expect(await actions(org.id, "org.updated")).toHaveLength(1);
      expect(await t.store.orgs.update(t.data.id(), { name: "x" }, t.data.audit("org.updated", org.id))).toBeNull();
    });
  });
}
