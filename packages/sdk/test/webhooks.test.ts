import { webhookSignatureHeader } from "@latchkey/core";
import { describe, expect, test } from "vitest";
import { verifyWebhookSignature } from "../src/index.js";

const secret = "whsec_test-signing-secret";
const payload = JSON.stringify({ id: "e1", type: "api_key.created", data: {} });
const now = new Date("2025-06-01T12:00:00Z");
const t = Math.floor(now.getTime() / 1000);
const header = webhookSignatureHeader(secret, t, payload);

describe("verifyWebhookSignature", () => {
  test("accepts what the server signs, as a string or as bytes", () => {
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ payload, header, secret, now })).toBe(true);
    expect(verifyWebhookSignature({ payload: Buffer.from(payload), header, secret, now })).toBe(true);
  });

  test("refuses a changed body, another secret, or a header re-signed with another time", () => {
    expect(verifyWebhookSignature({ payload: `${payload} `, header, secret, now })).toBe(false);
    expect(verifyWebhookSignature({ payload, header, secret: "whsec_other", now })).toBe(false);
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhookSignature({ payload, header: moved, secret, now })).toBe(false);
  });

  test("refuses a replay outside the window (5 minutes by default), either way in time", () => {
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(verifyWebhookSignature({ payload, header, secret, now: later(300) })).toBe(true);
    expect(verifyWebhookSignature({ payload, header, secret, now: later(301) })).toBe(false);
    expect(verifyWebhookSignature({ payload, header, secret, now: later(-301) })).toBe(false);
    expect(verifyWebhookSignature({ payload, header, secret, now: later(3600), toleranceSeconds: 7200 })).toBe(true);
    expect(verifyWebhookSignature({ payload, header, secret, now: later(86_400), toleranceSeconds: 0 })).toBe(true);
  });

  test("refuses missing and malformed headers", () => {
    for (const bad of [undefined, null, "", "t=1", "v1=abc", `t=x,v1=${"0".repeat(64)}`, `t=${t},v1=zz`, "garbage"]) {
      expect(verifyWebhookSignature({ payload, header: bad, secret, now })).toBe(false);
    }
    expect(verifyWebhookSignature({ payload, header, secret: "", now })).toBe(false);
  });

  test("accepts a header with several v1 signatures when one matches", () => {
    const several = `${header},v1=${"0".repeat(64)}`;
    expect(verifyWebhookSignature({ payload, header: several, secret, now })).toBe(true);
    const wrongOnly = `t=${t},v1=${"0".repeat(64)}`;
    expect(verifyWebhookSignature({ payload, header: wrongOnly, secret, now })).toBe(false);
  });
});
