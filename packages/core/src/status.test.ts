import { describe, expect, it } from "vitest";
import type { Clock } from "./clock.js";
import { KEY_STATUSES } from "./model.js";
import { keyStatus } from "./status.js";

const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
const NOW = clock.now();
const past = new Date(NOW.getTime() - 1000);
const future = new Date(NOW.getTime() + 1000);

type Flags = { revokedAt: Date | null; expiresAt: Date | null; enabled: boolean };

function key(overrides: Partial<Flags> = {}): Flags {
  return { revokedAt: null, expiresAt: null, enabled: true, ...overrides };
}

describe("keyStatus", () => {
  it("is active for an enabled, unrevoked key without expiry", () => {
    expect(keyStatus(key(), NOW)).toBe("active");
  });

  it("is active before the expiry", () => {
    expect(keyStatus(key({ expiresAt: future }), NOW)).toBe("active");
  });

  it("is expired at and after the expiry", () => {
    expect(keyStatus(key({ expiresAt: past }), NOW)).toBe("expired");
    expect(keyStatus(key({ expiresAt: new Date(NOW.getTime()) }), NOW)).toBe("expired");
  });

  it("is disabled when not enabled", () => {
    expect(keyStatus(key({ enabled: false }), NOW)).toBe("disabled");
    expect(keyStatus(key({ enabled: false, expiresAt: future }), NOW)).toBe("disabled");
  });

  it("is revoked when revoked, whenever that was", () => {
    expect(keyStatus(key({ revokedAt: past }), NOW)).toBe("revoked");
    expect(keyStatus(key({ revokedAt: future }), NOW)).toBe("revoked");
  });

  it("puts revoked before expired before disabled", () => {
    expect(keyStatus(key({ revokedAt: past, expiresAt: past, enabled: false }), NOW)).toBe("revoked");
    expect(keyStatus(key({ revokedAt: past, expiresAt: past }), NOW)).toBe("revoked");
    expect(keyStatus(key({ revokedAt: past, enabled: false }), NOW)).toBe("revoked");
    expect(keyStatus(key({ expiresAt: past, enabled: false }), NOW)).toBe("expired");
  });

  it("follows the clock", () => {
    const k = key({ expiresAt: future });
    expect(keyStatus(k, NOW)).toBe("active");
    expect(keyStatus(k, new Date(future.getTime() + 1))).toBe("expired");
  });

  it("only returns published statuses", () => {
    const results = new Set<string>();
    for (const revokedAt of [null, past]) {
      for (const expiresAt of [null, past, future]) {
        for (const enabled of [true, false]) results.add(keyStatus({ revokedAt, expiresAt, enabled }, NOW));
      }
    }
    expect([...results].sort()).toEqual([...KEY_STATUSES].sort());
  });
});
