import { AlertEvents, UsageRecorder } from "@latchkey/core";
import { afterEach, describe, expect, test } from "vitest";
import { KyselyUsageStore } from "../../store/src/kysely-usage-store.js";
import { auditOf, DAY_SECONDS, verifyFrom } from "./alerts-helpers.js";
import { createKey, createTestApp, cryptoRandom, type TestApp, tampered, verify } from "./helpers.js";

let t: TestApp;
afterEach(async () => {
  await t.close();
});

describe("api_key.new_ip", () => {
  test("fires once when a key is first used from a /24 after its first one", async () => {
    t = await createTestApp();
    const { id, key } = await createKey(t);
    const newIp = () => auditOf(t, t.owner.orgId, "api_key.new_ip", id);
    for (const ip of ["203.0.113.5", "203.0.113.9"]) {
      expect((await verifyFrom(t, key, ip)).code).toBe("VALID");
      await t.app.services.usage.flush();
    }
    expect(await newIp()).toHaveLength(0);
    t.clock.advance(60);
    expect((await verifyFrom(t, key, "198.51.100.1")).code).toBe("VALID");
    await t.app.services.usage.flush();
    const events = await newIp();
    expect(events).toHaveLength(1);
    expect(events[0]?.actor).toEqual({ type: "system", id: "alerts" });
    expect(events[0]?.target).toEqual({ type: "api_key", id });
    expect(events[0]?.detail).toEqual({ ip: "198.51.100.1", network: "198.51.100.0/24" });
    expect(events[0]?.ip).toBe("198.51.100.1");

    // Known networks again, from this node and from a fresh one (which remembers nothing): no new alert.
    for (const ip of ["198.51.100.77", "203.0.113.200"]) await verifyFrom(t, key, ip);
    await t.app.services.usage.flush();
    const fresh = new UsageRecorder(new KyselyUsageStore(t.store.db), new AlertEvents(t.clock, cryptoRandom));
    fresh.touch(t.owner.orgId, id, t.clock.now(), "198.51.100.3");
    await fresh.flush();
    expect(await newIp()).toHaveLength(1);
    // Failed verifications are not uses.
    await verifyFrom(t, tampered(key), "192.0.2.1");
    await t.app.services.usage.flush();
    expect(await newIp()).toHaveLength(1);
    expect((await t.store.audit.check()).ok).toBe(true);
  });

  test("IPv6 addresses are grouped by /64, and several networks in one flush each count", async () => {
    t = await createTestApp();
    const { id, key } = await createKey(t);
    await verifyFrom(t, key, "2001:db8:1:2::1");
    await t.app.services.usage.flush();
    await verifyFrom(t, key, "2001:db8:1:2:ffff::9");
    await t.app.services.usage.flush();
    expect(await auditOf(t, t.owner.orgId, "api_key.new_ip", id)).toHaveLength(0);
    await verifyFrom(t, key, "2001:db8:1:3::1");
    await verifyFrom(t, key, "203.0.113.5");
    await verifyFrom(t, key, "2001:db8:1:3::2");
    await t.app.services.usage.flush();
    const events = await auditOf(t, t.owner.orgId, "api_key.new_ip", id);
    expect(events.map((event) => event.detail.network).sort()).toEqual(["2001:db8:1:3::/64", "203.0.113.0/24"]);
  });

  test("a key's very first network is not news; a key never used with an address has none", async () => {
    t = await createTestApp();
    const { id, key } = await createKey(t);
    await verify(t, key);
    await verifyFrom(t, key, "203.0.113.5");
    await t.app.services.usage.flush();
    expect(await auditOf(t, t.owner.orgId, "api_key.new_ip", id)).toHaveLength(0);
  });
});

describe("api_key.quota_low", () => {
  const quota = { remaining: 10, refill: { amount: 10, interval: "day" } };

  test("fires once when the quota falls to the threshold, again in the next refill period", async () => {
    t = await createTestApp();
    const { id, key } = await createKey(t, { quota });
    const low = () => auditOf(t, t.owner.orgId, "api_key.quota_low", id);
    for (let i = 0; i < 7; i++) expect((await verifyFrom(t, key, "203.0.113.5")).quota?.remaining).toBe(9 - i);
    expect(await t.app.services.quotaWatch.flush()).toBe(0);
    expect(await low()).toHaveLength(0);
    expect((await verifyFrom(t, key, "203.0.113.5")).quota?.remaining).toBe(2);
    // Nothing is written on the request path: the alert waits for the flush.
    expect(await low()).toHaveLength(0);
    expect(await t.app.services.quotaWatch.flush()).toBe(1);
    for (let i = 0; i < 3; i++) await verifyFrom(t, key, "203.0.113.5");
    expect((await verifyFrom(t, key, "203.0.113.5")).code).toBe("USAGE_EXCEEDED");
    await t.app.services.quotaWatch.flush();
    const events = await low();
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toEqual({ remaining: 2, limit: 10, threshold: 2 });
    expect(events[0]?.actor).toEqual({ type: "system", id: "alerts" });

    t.clock.advance(DAY_SECONDS);
    for (let i = 0; i < 9; i++) await verifyFrom(t, key, "203.0.113.5");
    await t.app.services.quotaWatch.flush();
    expect(await low()).toHaveLength(2);
  });

  test("LATCHKEY_QUOTA_LOW_PERCENT=0 turns it off; a quota without refill raises none", async () => {
    t = await createTestApp({ env: { LATCHKEY_QUOTA_LOW_PERCENT: "0" } });
    const refilling = await createKey(t, { quota });
    for (let i = 0; i < 10; i++) await verifyFrom(t, refilling.key, "203.0.113.5");
    await t.app.services.quotaWatch.flush();
    expect(await auditOf(t, t.owner.orgId, "api_key.quota_low")).toHaveLength(0);
    await t.close();
    t = await createTestApp();
    const oneOff = await createKey(t, { quota: { remaining: 3 } });
    for (let i = 0; i < 3; i++) await verifyFrom(t, oneOff.key, "203.0.113.5");
    await t.app.services.quotaWatch.flush();
    expect(await auditOf(t, t.owner.orgId, "api_key.quota_low")).toHaveLength(0);
  });
});
