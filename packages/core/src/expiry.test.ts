import { describe, expect, it } from "vitest";
import type { Clock } from "./clock.js";
import { isLatchkeyError, type LatchkeyError } from "./errors.js";
import { EXPIRY_PRESETS, type ExpiryPolicy, type ExpiryRequest, resolveExpiry } from "./expiry.js";
import { DEFAULT_ORG_POLICY } from "./model.js";

const HOUR = 3600;
const DAY = 24 * HOUR;
const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
const NOW = clock.now();

const strict: ExpiryPolicy = { allowNeverExpiring: false, maxLifetimeSeconds: 365 * DAY };
const lenient: ExpiryPolicy = { allowNeverExpiring: true, maxLifetimeSeconds: 365 * DAY };

function errorOf(request: ExpiryRequest, policy: ExpiryPolicy, now: Date = NOW): LatchkeyError {
  try {
    resolveExpiry(request, policy, now);
  } catch (error) {
    if (isLatchkeyError(error)) return error;
    throw error;
  }
  throw new Error("resolveExpiry did not throw");
}

function plus(seconds: number): Date {
  return new Date(NOW.getTime() + seconds * 1000);
}

describe("EXPIRY_PRESETS", () => {
  it("offers exactly the presets of the spec", () => {
    expect(Object.keys(EXPIRY_PRESETS)).toEqual(["1h", "12h", "1d", "5d", "30d", "90d", "1y"]);
    expect(EXPIRY_PRESETS).toEqual({
      "1h": HOUR,
      "12h": 12 * HOUR,
      "1d": DAY,
      "5d": 5 * DAY,
      "30d": 30 * DAY,
      "90d": 90 * DAY,
      "1y": 365 * DAY,
    });
  });
});

describe("resolveExpiry with a preset", () => {
  it.each(Object.entries(EXPIRY_PRESETS))("%s is now plus %i seconds", (preset, seconds) => {
    const expiresIn = preset as keyof typeof EXPIRY_PRESETS;
    expect(resolveExpiry({ expiresIn }, strict, NOW)).toEqual(plus(seconds));
    expect(resolveExpiry({ expiresIn }, lenient, NOW)).toEqual(plus(seconds));
  });

  it("accepts 1y under the default org policy (exactly the maximum)", () => {
    expect(resolveExpiry({ expiresIn: "1y" }, DEFAULT_ORG_POLICY, NOW)).toEqual(plus(365 * DAY));
  });

  it("refuses a preset longer than the policy allows", () => {
    const short: ExpiryPolicy = { allowNeverExpiring: false, maxLifetimeSeconds: 30 * DAY };
    expect(resolveExpiry({ expiresIn: "30d" }, short, NOW)).toEqual(plus(30 * DAY));
    const error = errorOf({ expiresIn: "90d" }, short);
    expect(error.code).toBe("POLICY_LIFETIME_EXCEEDED");
    expect(error.source).toEqual({ pointer: "/data/attributes/expires_in" });
    expect(error.detail).toContain("30 days");
  });

  it("does not mutate the clock's date", () => {
    const now = clock.now();
    resolveExpiry({ expiresIn: "1d" }, strict, now);
    expect(now).toEqual(NOW);
  });
});

describe("resolveExpiry with never", () => {
  it("gives null when the policy allows it", () => {
    expect(resolveExpiry({ expiresIn: "never" }, lenient, NOW)).toBeNull();
  });

  it("is refused by a policy that requires an expiry", () => {
    const error = errorOf({ expiresIn: "never" }, strict);
    expect(error.code).toBe("POLICY_EXPIRY_REQUIRED");
    expect(error.source).toEqual({ pointer: "/data/attributes/expires_in" });
  });

  it("is refused under the default org policy", () => {
    expect(errorOf({ expiresIn: "never" }, DEFAULT_ORG_POLICY).code).toBe("POLICY_EXPIRY_REQUIRED");
  });
});

describe("resolveExpiry with no expiry given", () => {
  it("never expires when the policy allows it", () => {
    expect(resolveExpiry({}, lenient, NOW)).toBeNull();
    expect(resolveExpiry({ expiresIn: undefined, expiresAt: undefined }, lenient, NOW)).toBeNull();
  });

  it("is refused when the policy requires an expiry, naming the presets", () => {
    const error = errorOf({}, strict);
    expect(error.code).toBe("POLICY_EXPIRY_REQUIRED");
    expect(error.source).toEqual({ pointer: "/data/attributes/expires_in" });
    for (const preset of Object.keys(EXPIRY_PRESETS)) expect(error.detail).toContain(preset);
  });
});

describe("resolveExpiry with expires_at", () => {
  it("returns a future date within the policy as given", () => {
    const at = plus(10 * DAY + 123);
    expect(resolveExpiry({ expiresAt: at }, strict, NOW)).toEqual(at);
    expect(resolveExpiry({ expiresAt: plus(1) }, strict, NOW)).toEqual(plus(1));
  });

  it("accepts exactly the maximum lifetime and refuses one millisecond more", () => {
    expect(resolveExpiry({ expiresAt: plus(365 * DAY) }, strict, NOW)).toEqual(plus(365 * DAY));
    const beyond = new Date(plus(365 * DAY).getTime() + 1);
    const error = errorOf({ expiresAt: beyond }, strict);
    expect(error.code).toBe("POLICY_LIFETIME_EXCEEDED");
    expect(error.source).toEqual({ pointer: "/data/attributes/expires_at" });
  });

  it("refuses beyond the maximum even when never-expiring keys are allowed", () => {
    expect(errorOf({ expiresAt: plus(400 * DAY) }, lenient).code).toBe("POLICY_LIFETIME_EXCEEDED");
  });

  it("refuses a past date", () => {
    const error = errorOf({ expiresAt: plus(-60) }, strict);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.source).toEqual({ pointer: "/data/attributes/expires_at" });
    expect(errorOf({ expiresAt: new Date("2000-01-01T00:00:00Z") }, lenient).code).toBe("VALIDATION_FAILED");
  });

  it("refuses now itself", () => {
    expect(errorOf({ expiresAt: new Date(NOW.getTime()) }, strict).code).toBe("VALIDATION_FAILED");
  });
});

describe("resolveExpiry with both fields", () => {
  it("refuses expires_in together with expires_at", () => {
    const error = errorOf({ expiresIn: "1d", expiresAt: plus(DAY) }, strict);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.source).toEqual({ pointer: "/data/attributes/expires_at" });
  });

  it("refuses never together with expires_at, even under a lenient policy", () => {
    expect(errorOf({ expiresIn: "never", expiresAt: plus(DAY) }, lenient).code).toBe("VALIDATION_FAILED");
  });
});

describe("resolveExpiry follows the given now", () => {
  it("computes relative to the clock", () => {
    const later: Clock = { now: () => new Date("2030-06-15T00:00:00.000Z") };
    const now = later.now();
    expect(resolveExpiry({ expiresIn: "1h" }, strict, now)).toEqual(new Date("2030-06-15T01:00:00.000Z"));
    expect(errorOf({ expiresAt: plus(DAY) }, strict, now).code).toBe("VALIDATION_FAILED");
  });
});
