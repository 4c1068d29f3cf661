import { describe, expect, test } from "vitest";
import { defaultExpiry, expiryAttributes, expiryOptions, latestCustomDate } from "./expiry.js";

const DAY = 86_400;
const NOW = new Date("2026-03-10T12:00:00Z");
const STRICT = { allow_never_expiring: false, max_lifetime_seconds: 365 * DAY };

describe("expiry choices", () => {
  test("the default policy offers every preset and a custom date, but not never", () => {
    expect(expiryOptions(STRICT).map((option) => option.value)).toEqual([
      "1h",
      "12h",
      "1d",
      "5d",
      "30d",
      "90d",
      "1y",
      "custom",
    ]);
  });

  test("never only where the policy allows it", () => {
    const options = expiryOptions({ allow_never_expiring: true, max_lifetime_seconds: 30 * DAY });
    expect(options.at(-1)).toEqual({ value: "never", label: "Never" });
    expect(options.map((option) => option.value)).toContain("1y");
  });

  test("presets longer than the policy's maximum lifetime are left out", () => {
    const options = expiryOptions({ allow_never_expiring: false, max_lifetime_seconds: 7 * DAY });
    expect(options.map((option) => option.value)).toEqual(["1h", "12h", "1d", "5d", "custom"]);
    expect(defaultExpiry({ allow_never_expiring: false, max_lifetime_seconds: 7 * DAY })).toBe("5d");
    expect(defaultExpiry(STRICT)).toBe("30d");
  });

  test("a preset goes to the API as expires_in", () => {
    expect(expiryAttributes("90d", "", STRICT, NOW)).toEqual({ expires_in: "90d" });
    expect(expiryAttributes("never", "", STRICT, NOW)).toEqual({ expires_in: "never" });
  });

  test("a custom date expires at the end of that day (UTC), within the policy", () => {
    expect(expiryAttributes("custom", "2026-04-01", STRICT, NOW)).toEqual({ expires_at: "2026-04-01T23:59:59.000Z" });
    expect(expiryAttributes("custom", "", STRICT, NOW)).toEqual({ error: "Choose an expiry date." });
    expect(expiryAttributes("custom", "2026-02-30", STRICT, NOW)).toEqual({ error: "That is not a date." });
    expect(expiryAttributes("custom", "2026-03-09", STRICT, NOW)).toEqual({
      error: "The expiry date must be in the future.",
    });
    expect(expiryAttributes("custom", "2027-06-01", STRICT, NOW)).toHaveProperty("error");
    expect(
      expiryAttributes("custom", "2030-06-01", { allow_never_expiring: true, max_lifetime_seconds: DAY }, NOW),
    ).toEqual({ expires_at: "2030-06-01T23:59:59.000Z" });
  });

  test("the date picker's latest day stays within the maximum lifetime", () => {
    expect(latestCustomDate(STRICT, NOW)).toBe("2027-03-09");
    expect(latestCustomDate({ allow_never_expiring: true, max_lifetime_seconds: DAY }, NOW)).toBeNull();
    const last = latestCustomDate(STRICT, NOW) ?? "";
    expect(expiryAttributes("custom", last, STRICT, NOW)).toHaveProperty("expires_at");
  });
});
