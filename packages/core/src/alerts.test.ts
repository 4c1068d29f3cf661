import { describe, expect, test } from "vitest";
import { dueExpiryAlert, networkOf, quotaLowThreshold } from "./alerts.js";

const DAY = 24 * 3600 * 1000;
const NOW = new Date("2026-01-10T12:00:00.000Z");
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe("networkOf", () => {
  test("an IPv4 address belongs to its /24", () => {
    expect(networkOf("203.0.113.5")).toBe("203.0.113.0/24");
    expect(networkOf("203.0.113.9")).toBe("203.0.113.0/24");
    expect(networkOf("198.51.100.1")).toBe("198.51.100.0/24");
  });

  test("an IPv4-mapped IPv6 address counts as IPv4", () => {
    expect(networkOf("::ffff:203.0.113.5")).toBe("203.0.113.0/24");
  });

  test("an IPv6 address belongs to its /64, in canonical short form", () => {
    expect(networkOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(networkOf("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(networkOf("2001:db8::5")).toBe("2001:db8::/64");
    expect(networkOf("2001:db8:0:0:1::")).toBe("2001:db8::/64");
    expect(networkOf("::1")).toBe("::/64");
    expect(networkOf("fe80::1%eth0")).toBe("fe80::/64");
    expect(networkOf("2001:db8:1:2:3:4:192.0.2.1")).toBe("2001:db8:1:2::/64");
  });

  test("anything else has no network", () => {
    for (const bad of ["", "not an ip", "256.1.1.1", "1.2.3", "2001:db8:::1", "10.0.0.0/8"]) {
      expect(networkOf(bad)).toBeNull();
    }
  });
});

describe("dueExpiryAlert", () => {
  const key = (lifetimeDays: number, leftMs: number) => ({
    createdAt: at(leftMs - lifetimeDays * DAY),
    expiresAt: at(leftMs),
  });

  test("nothing more than seven days out, the seven-day alert inside seven days, the one-day inside one", () => {
    expect(dueExpiryAlert(key(30, 8 * DAY), NOW)).toBeNull();
    expect(dueExpiryAlert(key(30, 7 * DAY + 1), NOW)).toBeNull();
    expect(dueExpiryAlert(key(30, 7 * DAY), NOW)).toBe(7);
    expect(dueExpiryAlert(key(30, 2 * DAY), NOW)).toBe(7);
    expect(dueExpiryAlert(key(30, DAY), NOW)).toBe(1);
    expect(dueExpiryAlert(key(30, 60_000), NOW)).toBe(1);
  });

  test("expired and never-expiring keys have none", () => {
    expect(dueExpiryAlert(key(30, 0), NOW)).toBeNull();
    expect(dueExpiryAlert(key(30, -DAY), NOW)).toBeNull();
    expect(dueExpiryAlert({ createdAt: at(-DAY), expiresAt: null }, NOW)).toBeNull();
  });

  test("a key made to live shorter than a threshold skips that threshold's alert", () => {
    expect(dueExpiryAlert(key(5, 4 * DAY), NOW)).toBeNull();
    expect(dueExpiryAlert(key(5, DAY), NOW)).toBe(1);
    expect(dueExpiryAlert(key(1, DAY / 2), NOW)).toBeNull();
    expect(dueExpiryAlert(key(0.5, DAY / 4), NOW)).toBeNull();
  });
});

describe("quotaLowThreshold", () => {
  test("a percentage of the refill amount, rounded down", () => {
    expect(quotaLowThreshold(1000, 20)).toBe(200);
    expect(quotaLowThreshold(10, 20)).toBe(2);
    expect(quotaLowThreshold(3, 20)).toBe(0);
    expect(quotaLowThreshold(1000, 0)).toBe(0);
  });
});
