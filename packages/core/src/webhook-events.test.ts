import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  isWebhookEventType,
  retryDelaySeconds,
  subscribes,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_SECONDS,
  webhookPayloadOf,
  webhookSignatureHeader,
} from "./webhook-events.js";

describe("webhook events", () => {
  test("the catalogue holds the issue's event types, and nothing else passes", () => {
    for (const type of ["api_key.created", "api_key.revoked", "api_key.expiring", "api_key.leaked", "secret.deleted"]) {
      expect(isWebhookEventType(type)).toBe(true);
    }
    for (const type of ["user.signed_in", "api_key.*", "*", "", "API_KEY.CREATED"]) {
      expect(isWebhookEventType(type)).toBe(false);
    }
    expect(subscribes(["*"], "api_key.leaked")).toBe(true);
    expect(subscribes(["api_key.created"], "api_key.leaked")).toBe(false);
  });

  test("the payload carries the event, not its address or request id", () => {
    const body = webhookPayloadOf({
      id: "e1",
      orgId: "o1",
      actor: { type: "user", id: "u1" },
      action: "api_key.revoked",
      target: { type: "api_key", id: "k1" },
      createdAt: new Date("2025-06-01T12:00:00Z"),
      ip: "203.0.113.9",
      requestId: "r1",
      detail: { reason: "leaked" },
    });
    expect(JSON.parse(body)).toEqual({
      id: "e1",
      type: "api_key.revoked",
      created_at: "2025-06-01T12:00:00.000Z",
      org_id: "o1",
      data: { target: { type: "api_key", id: "k1" }, actor: { type: "user", id: "u1" }, detail: { reason: "leaked" } },
    });
  });

  test("the signature is HMAC-SHA256 over <t>.<body>, in hex", () => {
    const expected = createHmac("sha256", "whsec_x").update("1700000000.{}").digest("hex");
    expect(webhookSignatureHeader("whsec_x", 1_700_000_000, "{}")).toBe(`t=1700000000,v1=${expected}`);
  });

  test("retries back off from 10 s to 8 h with ±20 % jitter, about a day in all, then stop", () => {
    expect(retryDelaySeconds(1, 0)).toBe(8);
    expect(retryDelaySeconds(1, 0.999_999)).toBe(12);
    expect(retryDelaySeconds(2, 0.5)).toBe(30);
    expect(retryDelaySeconds(WEBHOOK_MAX_ATTEMPTS - 1, 0.5)).toBe(28_800);
    expect(retryDelaySeconds(WEBHOOK_MAX_ATTEMPTS, 0.5)).toBeNull();
    const total = WEBHOOK_RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total / 3600).toBeGreaterThan(23);
    expect(total / 3600).toBeLessThan(25);
  });
});
