import { WEBHOOK_MAX_ATTEMPTS } from "@latchkey/core";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createKey, createTestApp, send, type TestApp } from "./helpers.js";
import { WebhookReceiver } from "./webhook-receiver.js";

// Issue "security operations", Webhooks: signed deliveries from a durable outbox, retried with
// backoff; with the receiver down for a while every event still arrives exactly once.

let t: TestApp;
let receiver: WebhookReceiver;
let secret = "";

beforeEach(async () => {
  t = await createTestApp({ env: { LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "true", LATCHKEY_WEBHOOKS_TIMEOUT_SECONDS: "1" } });
  receiver = new WebhookReceiver(
    () => secret,
    () => t.clock.now(),
  );
  await receiver.start();
});

afterEach(async () => {
  await receiver.stop();
  await t.close();
});

async function createEndpoint(eventTypes: string[], url = receiver.url): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${t.owner.orgId}/webhooks`,
    token: t.owner.token,
    body: { data: { type: "webhook", attributes: { url, event_types: eventTypes } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  secret = res.json().data.attributes.secret;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  return res.json().data.id;
}

interface DeliveryAttributes {
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  redelivery_of: string | null;
  payload: { id: string; type: string; org_id: string; data: Record<string, unknown> };
  attempt_log: { attempt: number; status_code: number | null; error: string | null; duration_ms: number }[];
}

async function deliveries(webhookId: string): Promise<({ id: string } & DeliveryAttributes)[]> {
  const res = await send(t.app, {
    url: `/rest/orgs/${t.owner.orgId}/webhooks/${webhookId}/deliveries?limit=100`,
    token: t.owner.token,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((item: { id: string; attributes: DeliveryAttributes }) => ({
    id: item.id,
    ...item.attributes,
  }));
}

/** The ids of the org's audit events of these types, as the audit log lists them. */
async function auditIds(types: string[]): Promise<string[]> {
  const res = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100`, token: t.owner.token });
  expect(res.statusCode).toBe(200);
  return res
    .json()
    .data.filter((item: { attributes: { action: string } }) => types.includes(item.attributes.action))
    .map((item: { id: string }) => item.id)
    .sort();
}

const worker = () => t.app.services.webhookWorker;

describe("delivery", () => {
  test("a delivery is signed, carries the event, and never a key's secret", async () => {
    const webhookId = await createEndpoint(["api_key.created"]);
    const key = await createKey(t, { name: "signed" });
    expect(await worker().runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.accepted;
    expect(got?.signatureValid).toBe(true);
    expect(got?.eventType).toBe("api_key.created");
    const body = JSON.parse(got?.body ?? "{}");
    expect(body).toMatchObject({
      id: got?.eventId,
      type: "api_key.created",
      org_id: t.owner.orgId,
      data: { target: { type: "api_key", id: key.id }, actor: { type: "user" } },
    });
    expect(got?.body).not.toContain(key.key);
    expect(got?.body).not.toContain(secret);
    const [delivery] = await deliveries(webhookId);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1, last_status_code: 200, last_error: null });
    expect(delivery?.attempt_log).toMatchObject([{ attempt: 1, status_code: 200, error: null }]);
    expect(await worker().runOnce()).toBe(0);
  });

  test("with the receiver down for a while, every event arrives exactly once after it is back", async () => {
    const types = ["api_key.created", "api_key.revoked", "api_key.disabled"];
    const webhookId = await createEndpoint(types);
    const earlier = new Set(await auditIds(types));
    await receiver.stop();
    const keys = [];
    for (let i = 0; i < 6; i++) keys.push(await createKey(t, { name: `down ${i}` }));
    for (const key of keys.slice(0, 3)) {
      const res = await send(t.app, {
        method: "POST",
        url: `/rest/orgs/${t.owner.orgId}/api_keys/${key.id}/revoke`,
        token: t.owner.token,
      });
      expect(res.statusCode).toBe(200);
    }
    await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${keys[5]?.id}/disable`,
      token: t.owner.token,
    });
    const expected = (await auditIds(types)).filter((id) => !earlier.has(id));
    expect(expected).toHaveLength(10);

    // Refused connections for a while: every delivery is tried, fails and is rescheduled (an endpoint
    // that failed rests a second, so they go a few at a time).
    const rounds = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await worker().runOnce();
        t.clock.advance(15);
      }
    };
    await rounds(6);
    let log = await deliveries(webhookId);
    expect(log).toHaveLength(10);
    for (const delivery of log) {
      expect(delivery.status).toBe("pending");
      expect(delivery.attempt_log[0]?.error).toBe("network error: ECONNREFUSED");
    }
    // Back, but answering 503 for a while; then healthy.
    await receiver.start();
    receiver.mode = { status: 503 };
    await rounds(3);
    expect(receiver.accepted).toEqual([]);
    receiver.mode = { status: 200 };
    for (let i = 0; i < 40 && receiver.accepted.length < expected.length; i++) {
      await worker().runOnce();
      t.clock.advance(120);
    }
    t.clock.advance(86_400);
    expect(await worker().runOnce()).toBe(0);

    const ids = receiver.accepted.map((r) => r.eventId).sort();
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    log = await deliveries(webhookId);
    expect(log).toHaveLength(10);
    for (const delivery of log) {
      expect(delivery.status).toBe("succeeded");
      const codes = delivery.attempt_log.map((a) => a.status_code);
      expect(codes.at(-1)).toBe(200);
      expect(codes.slice(0, -1).every((code) => code === null || code === 503)).toBe(true);
      expect(delivery.attempts).toBe(codes.length);
    }
  });

  test("retries back off, then the delivery fails after the last attempt", async () => {
    const webhookId = await createEndpoint(["api_key.created"]);
    receiver.mode = { status: 500 };
    await createKey(t);
    const gaps: number[] = [];
    let previous = t.clock.now().getTime();
    for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt++) {
      expect(await worker().runOnce(), `attempt ${attempt}`).toBe(1);
      const [delivery] = await deliveries(webhookId);
      if (delivery?.next_attempt_at == null) break;
      const next = Date.parse(delivery.next_attempt_at);
      gaps.push((next - t.clock.now().getTime()) / 1000);
      t.clock.advance((next - t.clock.now().getTime()) / 1000);
      expect(t.clock.now().getTime()).toBeGreaterThan(previous);
      previous = t.clock.now().getTime();
    }
    expect(gaps).toHaveLength(WEBHOOK_MAX_ATTEMPTS - 1);
    for (let i = 1; i < gaps.length - 1; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1] ?? 0);
    expect(gaps[0]).toBeGreaterThanOrEqual(8);
    expect(gaps[0]).toBeLessThanOrEqual(12);
    expect(gaps.reduce((a, b) => a + b, 0) / 3600).toBeGreaterThan(18);
    const [delivery] = await deliveries(webhookId);
    expect(delivery).toMatchObject({ status: "failed", attempts: WEBHOOK_MAX_ATTEMPTS, next_attempt_at: null });
    t.clock.advance(7 * 86_400);
    expect(await worker().runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
  });

  test("a receiver that does not answer times out and is retried", async () => {
    const webhookId = await createEndpoint(["api_key.created"]);
    receiver.mode = "hang";
    await createKey(t);
    expect(await worker().runOnce()).toBe(1);
    const [delivery] = await deliveries(webhookId);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, last_status_code: null });
    expect(delivery?.last_error).toBe("no answer within 1000 ms");
  });

  test("manual redelivery sends the same event again, as a new delivery", async () => {
    const webhookId = await createEndpoint(["api_key.created"]);
    await createKey(t);
    await worker().runOnce();
    const [first] = await deliveries(webhookId);
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/webhooks/${webhookId}/deliveries/${first?.id}/redeliver`,
      token: t.owner.token,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().data.attributes).toMatchObject({
      status: "pending",
      attempts: 0,
      event_id: first?.event_id,
      redelivery_of: first?.id,
    });
    expect(await worker().runOnce()).toBe(1);
    expect(receiver.accepted.map((r) => r.eventId)).toEqual([first?.event_id, first?.event_id]);
    expect(new Set(receiver.accepted.map((r) => r.deliveryId)).size).toBe(2);
    expect(receiver.accepted[0]?.body).toBe(receiver.accepted[1]?.body);
    expect(await deliveries(webhookId)).toHaveLength(2);
  });

  test("a rotated secret signs the next deliveries; the old one no longer verifies", async () => {
    const webhookId = await createEndpoint(["api_key.created"]);
    const old = secret;
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/webhooks/${webhookId}/rotate_secret`,
      token: t.owner.token,
    });
    expect(res.statusCode, res.body).toBe(200);
    secret = res.json().data.attributes.secret;
    expect(secret).not.toBe(old);
    await createKey(t);
    await worker().runOnce();
    expect(receiver.accepted).toHaveLength(1);
    secret = old;
    receiver.received.length = 0;
    await createKey(t);
    await worker().runOnce();
    expect(receiver.received[0]?.signatureValid).toBe(false);
  });

  test("a disabled endpoint gets nothing new; deliveries already queued wait until it is enabled", async () => {
    const webhookId = await createEndpoint(["api_key.created"]);
    await createKey(t);
    const path = `/rest/orgs/${t.owner.orgId}/webhooks/${webhookId}`;
    const patch = (enabled: boolean) =>
      send(t.app, {
        method: "PATCH",
        url: path,
        token: t.owner.token,
        body: { data: { type: "webhook", attributes: { enabled } } },
      });
    expect((await patch(false)).statusCode).toBe(200);
    await createKey(t);
    expect(await worker().runOnce()).toBe(0);
    expect(await deliveries(webhookId)).toHaveLength(1);
    expect((await patch(true)).statusCode).toBe(200);
    expect(await worker().runOnce()).toBe(1);
    expect(receiver.accepted).toHaveLength(1);
  });

  test("the running worker drains a backlog at once, not a few deliveries per poll", async () => {
    await createEndpoint(["api_key.created"]);
    for (let i = 0; i < 40; i++) await createKey(t, { name: `backlog ${i}` });
    worker().start();
    try {
      const deadline = Date.now() + 3000;
      while (receiver.accepted.length < 40 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await worker().stop();
    }
    expect(receiver.accepted).toHaveLength(40);
    expect(new Set(receiver.accepted.map((r) => r.eventId)).size).toBe(40);
  });

  test("the deliveries log keeps finished deliveries 30 days", async () => {
    const webhookId = await createEndpoint(["api_key.created"]);
    await createKey(t);
    await worker().runOnce();
    t.clock.advance(29 * 86_400);
    expect(await worker().prune()).toBe(0);
    t.clock.advance(2 * 86_400);
    expect(await worker().prune()).toBe(1);
    expect(await deliveries(webhookId)).toEqual([]);
  });
});
