import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { auditOf, DAY_SECONDS, setIdleDays } from "./alerts-helpers.js";
import { createKey, createTestApp, send, type TestApp, verify } from "./helpers.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

/** A tick after the owner used its token now (its use flushed): the owner's own token never looks idle. */
const tick = async () => {
  expect((await send(t.app, { url: "/rest/self", token: t.owner.token })).statusCode).toBe(200);
  await t.app.services.usage.flush();
  return t.app.services.scheduler.tick();
};

describe("api_key.expiring", () => {
  test("fires once seven days before expiry and once one day before, under a fake clock", async () => {
    const { id, attributes } = await createKey(t, { expires_in: "30d" });
    const expiring = () => auditOf(t, t.owner.orgId, "api_key.expiring", id);

    t.clock.advance(22 * DAY_SECONDS);
    expect((await tick()).ran).toBe(true);
    expect(await expiring()).toHaveLength(0);

    t.clock.advance(DAY_SECONDS);
    await tick();
    const seven = await expiring();
    expect(seven).toHaveLength(1);
    expect(seven[0]?.actor).toEqual({ type: "system", id: "alerts" });
    expect(seven[0]?.target).toEqual({ type: "api_key", id });
    expect(seven[0]?.detail).toEqual({ expires_at: attributes.expires_at, days_before: 7 });

    await tick();
    t.clock.advance(3600);
    await tick();
    expect(await expiring()).toHaveLength(1);

    t.clock.advance(6 * DAY_SECONDS - 3600);
    await tick();
    await tick();
    const both = await expiring();
    expect(both.map((event) => event.detail.days_before)).toEqual([7, 1]);

    t.clock.advance(2 * DAY_SECONDS);
    await tick();
    expect(await expiring()).toHaveLength(2);
    expect((await t.store.audit.check()).ok).toBe(true);
  });

  test("revoked and deleted keys get no alert; a key made to live five days gets only the one-day alert", async () => {
    const revoked = await createKey(t, { expires_in: "30d" });
    const deleted = await createKey(t, { expires_in: "30d" });
    const short = await createKey(t, { expires_in: "5d" });
    const base = `/rest/orgs/${t.owner.orgId}/api_keys`;
    expect(
      (await send(t.app, { method: "POST", url: `${base}/${revoked.id}/revoke`, token: t.owner.token })).statusCode,
    ).toBe(200);
    expect(
      (await send(t.app, { method: "DELETE", url: `${base}/${deleted.id}`, token: t.owner.token })).statusCode,
    ).toBe(204);
    await tick();
    expect(await auditOf(t, t.owner.orgId, "api_key.expiring", short.id)).toHaveLength(0);
    t.clock.advance(4 * DAY_SECONDS + 3600);
    await tick();
    const alerts = await auditOf(t, t.owner.orgId, "api_key.expiring", short.id);
    expect(alerts.map((event) => event.detail.days_before)).toEqual([1]);
    t.clock.advance(21 * DAY_SECONDS);
    await tick();
    for (const key of [revoked, deleted]) {
      expect(await auditOf(t, t.owner.orgId, "api_key.expiring", key.id)).toHaveLength(0);
    }
  });
});

describe("idle policy", () => {
  test("off by default; PATCH sets it; a key unused for N days is disabled once, and verify answers DISABLED", async () => {
    const org = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}`, token: t.owner.token });
    expect(org.json().data.attributes.policy.idle_disable_days).toBeNull();
    const idle = await createKey(t, { expires_in: "90d" });
    const busy = await createKey(t, { expires_in: "90d" });

    t.clock.advance(20 * DAY_SECONDS);
    await tick();
    expect((await verify(t, idle.key)).code).toBe("VALID");

    const patched = await setIdleDays(t, 10);
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().data.attributes.policy.idle_disable_days).toBe(10);

    // Idle was used on day 20: not idle until day 30. Busy is used every three days.
    for (let day = 0; day < 9; day += 3) {
      expect((await verify(t, busy.key)).code).toBe("VALID");
      t.clock.advance(3 * DAY_SECONDS);
      expect((await tick()).disabled).toEqual([]);
    }
    t.clock.advance(DAY_SECONDS - 1);
    expect((await tick()).disabled).toEqual([]);
    const disabledEvents = () => auditOf(t, t.owner.orgId, "api_key.disabled");
    expect(await disabledEvents()).toHaveLength(0);

    t.clock.advance(2);
    const after = await tick();
    expect(after.disabled).toEqual([idle.id]);
    expect((await verify(t, idle.key)).code).toBe("DISABLED");
    expect((await verify(t, busy.key)).code).toBe("VALID");

    await tick();
    t.clock.advance(DAY_SECONDS);
    await tick();
    const events = await disabledEvents();
    expect(events).toHaveLength(1);
    expect(events[0]?.actor).toEqual({ type: "system", id: "idle-policy" });
    expect(events[0]?.target).toEqual({ type: "api_key", id: idle.id });
    expect(events[0]?.detail).toEqual({ reason: "idle", idle_days: 10 });

    const history = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${idle.id}/events`,
      token: t.owner.token,
    });
    expect(history.statusCode, history.body).toBe(200);
    const last = history.json().data.at(-1).attributes;
    expect(last).toMatchObject({ event: "disabled", actor: { type: "system", id: "idle-policy" } });
  });

  test("a key enabled again gets a fresh idle period; turning the policy off stops it", async () => {
    const key = await createKey(t, { expires_in: "90d" });
    expect((await setIdleDays(t, 5)).statusCode).toBe(200);
    t.clock.advance(6 * DAY_SECONDS);
    expect((await tick()).disabled).toContain(key.id);
    const enable = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${key.id}/enable`,
      token: t.owner.token,
    });
    expect(enable.statusCode, enable.body).toBe(200);
    expect((await tick()).disabled).toEqual([]);
    expect((await verify(t, key.key)).code).toBe("VALID");
    t.clock.advance(2 * DAY_SECONDS);
    expect((await setIdleDays(t, null)).statusCode).toBe(200);
    t.clock.advance(30 * DAY_SECONDS);
    expect((await tick()).disabled).toEqual([]);
    expect(await auditOf(t, t.owner.orgId, "api_key.disabled", key.id)).toHaveLength(1);
  });
});
