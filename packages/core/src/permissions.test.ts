import { describe, expect, it } from "vitest";
import {
  BUILT_IN_ROLE_GRANTS,
  BUILT_IN_ROLES,
  grantCovers,
  grantsOfRole,
  holds,
  intersectGrants,
  isBuiltInRole,
  isPermission,
  LATCHKEY_PERMISSIONS,
  type LatchkeyPermission,
  missingPermissions,
  normalizeGrants,
  PERMISSION_PATTERN,
} from "./permissions.js";

const ALL_LATCHKEY = Object.keys(LATCHKEY_PERMISSIONS) as LatchkeyPermission[];
const WRITES = ALL_LATCHKEY.filter((p) => p.endsWith(":write"));

describe("isPermission", () => {
  it("accepts resource:action and the wildcard forms", () => {
    for (const p of [
      "api_keys:read",
      "activities:read",
      "jobs:write",
      "api_keys:*",
      "*:read",
      "*",
      "*:*",
      "a.b-c:d_e",
    ]) {
      expect(isPermission(p), p).toBe(true);
    }
  });

  it("rejects malformed permissions", () => {
    const bad = [
      "",
      "api_keys",
      "api_keys:",
      ":read",
      "API_KEYS:read",
      "api_keys:Read",
      "1x:read",
      "a:b:c",
      "**",
      " a:b",
    ];
    for (const p of [...bad, `a:${"b".repeat(51)}`, `${"a".repeat(51)}:b`]) expect(isPermission(p), p).toBe(false);
    expect(isPermission(`a:b${"c".repeat(48)}`)).toBe(true);
  });

  it("publishes the pattern it uses", () => {
    expect(new RegExp(PERMISSION_PATTERN).test("usage:read")).toBe(true);
  });

  it("validates every built-in Latchkey permission", () => {
    expect(ALL_LATCHKEY.length).toBeGreaterThan(10);
    for (const p of ALL_LATCHKEY) expect(isPermission(p), p).toBe(true);
  });
});

describe("grantCovers", () => {
  it("covers an identical permission only", () => {
    expect(grantCovers("api_keys:read", "api_keys:read")).toBe(true);
    expect(grantCovers("api_keys:read", "api_keys:write")).toBe(false);
    expect(grantCovers("api_keys:read", "secrets:read")).toBe(false);
  });

  it("handles a resource wildcard", () => {
    expect(grantCovers("api_keys:*", "api_keys:read")).toBe(true);
    expect(grantCovers("api_keys:*", "api_keys:verify")).toBe(true);
    expect(grantCovers("api_keys:*", "secrets:read")).toBe(false);
  });

  it("handles an action wildcard", () => {
    expect(grantCovers("*:read", "api_keys:read")).toBe(true);
    expect(grantCovers("*:read", "activities:read")).toBe(true);
    expect(grantCovers("*:read", "api_keys:write")).toBe(false);
  });

  it("lets * and *:* cover everything", () => {
    for (const wanted of ["api_keys:read", "jobs:write", "api_keys:*", "*:read", "*", "*:*"]) {
      expect(grantCovers("*", wanted)).toBe(true);
      expect(grantCovers("*:*", wanted)).toBe(true);
    }
  });

  it("compares grant to grant: a narrower grant never covers a wider one", () => {
    expect(grantCovers("api_keys:*", "api_keys:*")).toBe(true);
    expect(grantCovers("api_keys:read", "api_keys:*")).toBe(false);
    expect(grantCovers("*:read", "api_keys:*")).toBe(false);
    expect(grantCovers("api_keys:*", "*:read")).toBe(false);
    expect(grantCovers("api_keys:*", "*")).toBe(false);
    expect(grantCovers("*:read", "*")).toBe(false);
  });

  it("does not match on prefixes", () => {
    expect(grantCovers("api:read", "api_keys:read")).toBe(false);
    expect(grantCovers("api_keys:re", "api_keys:read")).toBe(false);
  });
});

describe("holds and missingPermissions", () => {
  const grants = ["api_keys:read", "secrets:*", "*:verify"];

  it("holds when any grant covers", () => {
    expect(holds(grants, "api_keys:read")).toBe(true);
    expect(holds(grants, "secrets:write")).toBe(true);
    expect(holds(grants, "api_keys:verify")).toBe(true);
    expect(holds(grants, "jobs:verify")).toBe(true);
    expect(holds(grants, "api_keys:write")).toBe(false);
  });

  it("holds nothing with no grants", () => {
    expect(holds([], "org:read")).toBe(false);
    expect(missingPermissions([], ["org:read", "usage:read"])).toEqual(["org:read", "usage:read"]);
  });

  it("lists the missing permissions in request order", () => {
    expect(missingPermissions(grants, ["members:write", "secrets:read", "api_keys:write"])).toEqual([
      "members:write",
      "api_keys:write",
    ]);
    expect(missingPermissions(grants, ["secrets:read", "api_keys:verify"])).toEqual([]);
    expect(missingPermissions(grants, [])).toEqual([]);
  });

  it("with * nothing is missing", () => {
    expect(missingPermissions(["*"], [...ALL_LATCHKEY, "jobs:write", "*"])).toEqual([]);
  });
});

describe("normalizeGrants", () => {
  it("drops duplicates and sorts", () => {
    expect(normalizeGrants(["usage:read", "org:read", "usage:read"])).toEqual(["org:read", "usage:read"]);
  });

  it("drops grants covered by a wider one", () => {
    expect(normalizeGrants(["api_keys:read", "api_keys:*", "api_keys:write"])).toEqual(["api_keys:*"]);
    expect(normalizeGrants(["api_keys:read", "*:read", "secrets:read"])).toEqual(["*:read"]);
    expect(normalizeGrants(["*", "api_keys:*", "*:read", "jobs:write"])).toEqual(["*"]);
  });

  it("keeps grants that only overlap", () => {
    expect(normalizeGrants(["api_keys:*", "*:read"])).toEqual(["*:read", "api_keys:*"]);
  });

  it("is empty for no grants and does not mutate its input", () => {
    expect(normalizeGrants([])).toEqual([]);
    const input = ["b:x", "a:x"];
    normalizeGrants(input);
    expect(input).toEqual(["b:x", "a:x"]);
  });
});

describe("intersectGrants", () => {
  it("keeps what both sides hold", () => {
    expect(intersectGrants(["api_keys:read", "secrets:read"], ["api_keys:read", "org:read"])).toEqual([
      "api_keys:read",
    ]);
    expect(intersectGrants(["api_keys:read"], ["secrets:read"])).toEqual([]);
    expect(intersectGrants([], ["*"])).toEqual([]);
    expect(intersectGrants(["*"], [])).toEqual([]);
  });

  it("narrows wildcards to the other side", () => {
    expect(intersectGrants(["*"], ["api_keys:read", "usage:read"])).toEqual(["api_keys:read", "usage:read"]);
    expect(intersectGrants(["api_keys:read"], ["*"])).toEqual(["api_keys:read"]);
    expect(intersectGrants(["api_keys:*"], ["*:read"])).toEqual(["api_keys:read"]);
    expect(intersectGrants(["*:read"], ["api_keys:*", "secrets:write"])).toEqual(["api_keys:read"]);
    expect(intersectGrants(["api_keys:*"], ["api_keys:verify", "api_keys:read"])).toEqual([
      "api_keys:read",
      "api_keys:verify",
    ]);
  });

  it("gives * only when both hold *", () => {
    expect(intersectGrants(["*"], ["*"])).toEqual(["*"]);
    expect(intersectGrants(["*:*"], ["*"])).toEqual(["*"]);
  });

  it("is symmetric and normalized", () => {
    const a = ["api_keys:*", "*:read", "jobs:write"];
    const b = ["api_keys:read", "secrets:*", "jobs:*"];
    const ab = intersectGrants(a, b);
    expect(ab).toEqual(intersectGrants(b, a));
    expect(ab).toEqual(["api_keys:read", "jobs:read", "jobs:write", "secrets:read"]);
    expect(ab).toEqual(normalizeGrants(ab));
  });

  it("never grants more than either side", () => {
    const key = ["*"];
    const owner = BUILT_IN_ROLE_GRANTS.viewer;
    const capped = intersectGrants(key, owner);
    for (const p of ALL_LATCHKEY) expect(holds(capped, p)).toBe(holds(owner, p));
  });
});

describe("built-in roles", () => {
  it("lists the roles, most powerful first", () => {
    expect(BUILT_IN_ROLES).toEqual(["owner", "super_admin", "admin", "member", "viewer"]);
    for (const role of BUILT_IN_ROLES) expect(isBuiltInRole(role)).toBe(true);
    expect(isBuiltInRole("Owner")).toBe(false);
    expect(isBuiltInRole("guest")).toBe(false);
  });

  it("gives owner, super_admin and admin every permission", () => {
    for (const role of ["owner", "super_admin", "admin"] as const) {
      expect(BUILT_IN_ROLE_GRANTS[role]).toEqual(["*"]);
      expect(missingPermissions(grantsOfRole(role), [...ALL_LATCHKEY, "activities:read", "jobs:write"])).toEqual([]);
    }
  });

  it("lets a viewer read but never write or verify", () => {
    const viewer = grantsOfRole("viewer");
    for (const p of ["org:read", "api_keys:read", "members:read", "usage:read"]) expect(holds(viewer, p), p).toBe(true);
    for (const p of WRITES) expect(holds(viewer, p), p).toBe(false);
    expect(holds(viewer, "api_keys:verify")).toBe(false);
    expect(holds(viewer, "secrets:read")).toBe(false);
    expect(holds(viewer, "audit:read")).toBe(false);
    expect(holds(viewer, "activities:read")).toBe(false);
  });

  it("lets a member verify keys but not write", () => {
    const member = grantsOfRole("member");
    expect(holds(member, "api_keys:verify")).toBe(true);
    for (const p of grantsOfRole("viewer")) expect(holds(member, p)).toBe(true);
    for (const p of WRITES) expect(holds(member, p), p).toBe(false);
  });

  it("orders the roles by power", () => {
    const order = BUILT_IN_ROLES.map((role) => ALL_LATCHKEY.filter((p) => holds(grantsOfRole(role), p)).length);
    for (let i = 1; i < order.length; i++) expect(order[i - 1] as number).toBeGreaterThanOrEqual(order[i] as number);
  });

  it("gives an unknown or missing role nothing", () => {
    expect(grantsOfRole(null)).toEqual([]);
    expect(grantsOfRole("guest")).toEqual([]);
    expect(grantsOfRole("")).toEqual([]);
  });

  it("only uses well-formed grants", () => {
    for (const role of BUILT_IN_ROLES) for (const g of BUILT_IN_ROLE_GRANTS[role]) expect(isPermission(g)).toBe(true);
  });
});
