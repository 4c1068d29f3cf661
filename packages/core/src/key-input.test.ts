import { describe, expect, it } from "vitest";
import { isLatchkeyError, type LatchkeyError } from "./errors.js";
import {
  checkLabels,
  checkMetadata,
  checkName,
  checkPermissions,
  LABEL_PATTERN,
  MAX_DESCRIPTION_LENGTH,
  MAX_GRACE_PERIOD_SECONDS,
  MAX_LABELS,
  MAX_METADATA_BYTES,
  MAX_NAME_LENGTH,
} from "./key-input.js";
import { BUILT_IN_ROLE_GRANTS } from "./permissions.js";
import type { Actor } from "./verifier.js";

function errorOf(run: () => unknown): LatchkeyError {
  try {
    run();
  } catch (error) {
    if (isLatchkeyError(error)) return error;
    throw error;
  }
  throw new Error("expected a LatchkeyError");
}

function actor(grants: string[]): Actor {
  return {
    principal: { type: "user", id: "0195518c-0000-7000-8000-0000000000cc" },
    orgId: "0195518c-0000-7000-8000-000000000001",
    keyId: "0195518c-0000-7000-8000-0000000000aa",
    grants,
    requestId: null,
    ip: null,
  };
}

describe("limits", () => {
  it("match the spec", () => {
    expect(MAX_LABELS).toBe(20);
    expect(MAX_METADATA_BYTES).toBe(4096);
    expect(MAX_NAME_LENGTH).toBe(100);
    expect(MAX_DESCRIPTION_LENGTH).toBe(1000);
    expect(MAX_GRACE_PERIOD_SECONDS).toBe(7 * 24 * 3600);
    expect(LABEL_PATTERN).toBe("^[a-z0-9][a-z0-9_.:-]{0,49}$");
  });
});

describe("checkName", () => {
  it("trims and accepts 1 to 100 characters", () => {
    expect(checkName("CI deploy")).toBe("CI deploy");
    expect(checkName("  padded\t")).toBe("padded");
    expect(checkName("x")).toBe("x");
    expect(checkName("n".repeat(100))).toBe("n".repeat(100));
    expect(checkName(`  ${"n".repeat(100)}  `)).toBe("n".repeat(100));
  });

  it("refuses empty, blank and overlong names", () => {
    for (const name of ["", "   ", "\n\t", "n".repeat(101)]) {
      const error = errorOf(() => checkName(name));
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.source).toEqual({ pointer: "/data/attributes/name" });
    }
  });
});

describe("checkLabels", () => {
  it("accepts well-formed labels, dedupes and sorts them", () => {
    expect(checkLabels(["prod", "ci", "prod", "team:payments"])).toEqual(["ci", "prod", "team:payments"]);
    expect(checkLabels([])).toEqual([]);
    expect(checkLabels(["a", "0", "a_b.c:d-e", "9lives"])).toEqual(["0", "9lives", "a", "a_b.c:d-e"]);
  });

  it("accepts 50 characters and refuses 51", () => {
    expect(checkLabels(["l".repeat(50)])).toEqual(["l".repeat(50)]);
    expect(errorOf(() => checkLabels(["l".repeat(51)])).code).toBe("VALIDATION_FAILED");
  });

  it("refuses malformed labels", () => {
    for (const label of ["", "Prod", "-ci", "_ci", ".ci", ":ci", "ci deploy", "ci/cd", "café", "ci\n"]) {
      const error = errorOf(() => checkLabels(["ok", label]));
      expect(error.code, JSON.stringify(label)).toBe("VALIDATION_FAILED");
      expect(error.source).toEqual({ pointer: "/data/attributes/labels" });
    }
  });

  it("accepts 20 labels and refuses 21", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `l${String(i).padStart(2, "0")}`);
    expect(checkLabels(twenty)).toEqual(twenty);
    const error = errorOf(() => checkLabels([...twenty, "l20"]));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.source).toEqual({ pointer: "/data/attributes/labels" });
  });

  it("counts labels after removing duplicates", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `l${i}`);
    expect(checkLabels([...twenty, ...twenty])).toHaveLength(20);
  });

  it("does not mutate its input", () => {
    const input = ["b", "a", "b"];
    checkLabels(input);
    expect(input).toEqual(["b", "a", "b"]);
  });
});

describe("checkMetadata", () => {
  it("accepts JSON objects and returns them", () => {
    const metadata = { team: "payments", nested: { a: [1, 2, 3] }, flag: true, none: null };
    expect(checkMetadata(metadata)).toBe(metadata);
    expect(checkMetadata({})).toEqual({});
  });

  it("refuses anything but an object", () => {
    for (const value of [null, undefined, [], [1, 2], "text", 42, true]) {
      const error = errorOf(() => checkMetadata(value));
      expect(error.code, String(value)).toBe("VALIDATION_FAILED");
      expect(error.source).toEqual({ pointer: "/data/attributes/metadata" });
    }
  });

  it("accepts exactly 4096 bytes of JSON and refuses 4097", () => {
    const overhead = JSON.stringify({ k: "" }).length;
    const exact = { k: "x".repeat(4096 - overhead) };
    expect(Buffer.byteLength(JSON.stringify(exact))).toBe(4096);
    expect(checkMetadata(exact)).toBe(exact);
    const over = { k: "x".repeat(4097 - overhead) };
    const error = errorOf(() => checkMetadata(over));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.source).toEqual({ pointer: "/data/attributes/metadata" });
  });

  it("counts UTF-8 bytes, not characters", () => {
    const overhead = JSON.stringify({ k: "" }).length;
    const chars = Math.ceil((4096 - overhead) / 2) + 1;
    const wide = { k: "é".repeat(chars) };
    expect(JSON.stringify(wide).length).toBeLessThanOrEqual(4096);
    expect(errorOf(() => checkMetadata(wide)).code).toBe("VALIDATION_FAILED");
  });
});

describe("checkPermissions", () => {
  it("returns the permissions normalized when the actor holds them", () => {
    const owner = actor(["*"]);
    expect(checkPermissions(owner, ["jobs:write", "api_keys:read", "jobs:write"])).toEqual([
      "api_keys:read",
      "jobs:write",
    ]);
    expect(checkPermissions(owner, ["api_keys:read", "api_keys:*"])).toEqual(["api_keys:*"]);
    expect(checkPermissions(owner, ["*"])).toEqual(["*"]);
    expect(checkPermissions(owner, [])).toEqual([]);
  });

  it("lets an actor grant what its wildcards cover", () => {
    expect(checkPermissions(actor(["api_keys:*"]), ["api_keys:read", "api_keys:write"])).toEqual([
      "api_keys:read",
      "api_keys:write",
    ]);
    expect(checkPermissions(actor(["*:read"]), ["usage:read", "activities:read"])).toEqual([
      "activities:read",
      "usage:read",
    ]);
  });

  it("refuses escalation with PERMISSION_ESCALATION naming what is missing", () => {
    const member = actor([...BUILT_IN_ROLE_GRANTS.member]);
    const error = errorOf(() => checkPermissions(member, ["api_keys:read", "api_keys:write", "secrets:read"]));
    expect(error.code).toBe("PERMISSION_ESCALATION");
    expect(error.source).toEqual({ pointer: "/data/attributes/permissions" });
    expect(error.detail).toContain("api_keys:write");
    expect(error.detail).toContain("secrets:read");
    expect(error.detail).not.toContain("api_keys:read,");
  });

  it("refuses a wildcard wider than the actor's grants", () => {
    expect(errorOf(() => checkPermissions(actor(["api_keys:*"]), ["*"])).code).toBe("PERMISSION_ESCALATION");
    expect(errorOf(() => checkPermissions(actor(["api_keys:read"]), ["api_keys:*"])).code).toBe(
      "PERMISSION_ESCALATION",
    );
    expect(errorOf(() => checkPermissions(actor(["*:read"]), ["api_keys:*"])).code).toBe("PERMISSION_ESCALATION");
    expect(errorOf(() => checkPermissions(actor([]), ["org:read"])).code).toBe("PERMISSION_ESCALATION");
  });

  it("refuses malformed permissions before checking escalation", () => {
    for (const permission of ["api_keys", "API_KEYS:read", "a:b:c", "", ":read"]) {
      const error = errorOf(() => checkPermissions(actor(["*"]), [permission]));
      expect(error.code, permission).toBe("VALIDATION_FAILED");
      expect(error.source).toEqual({ pointer: "/data/attributes/permissions" });
    }
    expect(errorOf(() => checkPermissions(actor([]), ["Bad"])).code).toBe("VALIDATION_FAILED");
  });
});
