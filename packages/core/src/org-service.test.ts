import { describe, expect, test } from "vitest";
import { LatchkeyError } from "./errors.js";
import { checkPolicyChange } from "./org-service.js";

function pointerOf(change: Parameters<typeof checkPolicyChange>[0]): string | undefined {
  try {
    checkPolicyChange(change);
  } catch (error) {
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe("VALIDATION_FAILED");
    const source = (error as LatchkeyError).source;
    return source !== undefined && "pointer" in source ? source.pointer : undefined;
  }
  return undefined;
}

describe("checkPolicyChange", () => {
  test("keeps only the fields given", () => {
    expect(checkPolicyChange({})).toEqual({});
    expect(checkPolicyChange({ idleDisableDays: 30 })).toEqual({ idleDisableDays: 30 });
    expect(checkPolicyChange({ idleDisableDays: null })).toEqual({ idleDisableDays: null });
    expect(checkPolicyChange({ environments: ["live", "prod"], allowNeverExpiring: true })).toEqual({
      environments: ["live", "prod"],
      allowNeverExpiring: true,
    });
  });

  test("refuses out-of-range or malformed values, naming the field", () => {
    expect(pointerOf({ idleDisableDays: 0 })).toBe("/data/attributes/policy/idle_disable_days");
    expect(pointerOf({ idleDisableDays: 3651 })).toBe("/data/attributes/policy/idle_disable_days");
    expect(pointerOf({ idleDisableDays: 2.5 })).toBe("/data/attributes/policy/idle_disable_days");
    expect(pointerOf({ maxLifetimeSeconds: 59 })).toBe("/data/attributes/policy/max_lifetime_seconds");
    expect(pointerOf({ environments: [] })).toBe("/data/attributes/policy/environments");
    expect(pointerOf({ environments: ["a", "a"] })).toBe("/data/attributes/policy/environments");
    expect(pointerOf({ environments: ["UPPER"] })).toBe("/data/attributes/policy/environments");
  });
});
