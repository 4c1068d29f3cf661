import { describe, expect, it } from "vitest";
import type { Clock } from "./clock.js";
import { compileAllowlist } from "./ip-allowlist.js";
import type { ApiKey, KeySecret } from "./model.js";
import { BUILT_IN_ROLE_GRANTS, intersectGrants } from "./permissions.js";
import {
  decideVerification,
  type KeyLookup,
  VERIFICATION_CODES,
  type VerificationDecision,
  type VerificationRequest,
} from "./verify-key.js";

const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
const NOW = clock.now();
const ORG = "0195518c-0000-7000-8000-000000000001";
const OTHER_ORG = "0195518c-0000-7000-8000-000000000002";
const past = new Date(NOW.getTime() - 1000);
const future = new Date(NOW.getTime() + 1000);

function apiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: "0195518c-0000-7000-8000-0000000000aa",
    orgId: ORG,
    kind: "service",
    owner: { type: "service_account", id: "0195518c-0000-7000-8000-0000000000bb" },
    name: "CI",
    description: null,
    environment: "live",
    permissions: ["api_keys:read", "api_keys:verify", "jobs:write"],
    roles: [],
    labels: ["ci"],
    metadata: {},
    expiresAt: null,
    enabled: true,
    revokedAt: null,
    deletedAt: null,
    createdAt: new Date("2025-01-01T00:00:00.000Z"),
    createdBy: { type: "user", id: "0195518c-0000-7000-8000-0000000000cc" },
    lastUsedAt: null,
    lastUsedIp: null,
    hint: "lks_ABCD…WXYZ",
    rotatedAt: null,
    leak: null,
    ipAllowlist: [],
    rateLimit: null,
    quota: null,
    ...overrides,
  };
}

function secret(overrides: Partial<KeySecret> = {}): KeySecret {
  return {
    hash: "a".repeat(64),
    keyId: "0195518c-0000-7000-8000-0000000000aa",
    hint: "lks_ABCD…WXYZ",
    createdAt: new Date("2025-01-01T00:00:00.000Z"),
    expiresAt: null,
    ...overrides,
  };
}

function lookup(
  key: Partial<ApiKey> = {},
  ownerGrants: readonly string[] | null = ["*"],
  sec: Partial<KeySecret> = {},
): KeyLookup {
  const built = apiKey(key);
  return {
    key: built,
    secret: secret(sec),
    ownerFound: ownerGrants !== null,
    permissions: ownerGrants === null ? [] : intersectGrants(built.permissions, ownerGrants),
    projectPermissions: null,
    allowlist: compileAllowlist(built.ipAllowlist),
  };
}

function decide(l: KeyLookup | null, request: VerificationRequest = {}, now: Date = NOW): VerificationDecision {
  return decideVerification(l, request, now);
}

describe("decideVerification: VALID", () => {
  it("accepts a live key and returns it with its effective permissions", () => {
    const l = lookup();
    const d = decide(l, { orgId: ORG });
    expect(d).toEqual({ valid: true, code: "VALID", key: l.key, permissions: l.key.permissions.slice().sort() });
  });

  it("accepts when no org is given", () => {
    expect(decide(lookup({ orgId: OTHER_ORG })).code).toBe("VALID");
  });

  it("accepts when every required permission is held", () => {
    expect(decide(lookup(), { permissions: ["api_keys:read", "jobs:write"] }).code).toBe("VALID");
    expect(decide(lookup(), { permissions: [] }).code).toBe("VALID");
    expect(decide(lookup({ permissions: ["jobs:*"] }), { permissions: ["jobs:write", "jobs:read"] }).code).toBe(
      "VALID",
    );
  });

  it("accepts before the expiry and an old secret inside its grace period", () => {
    expect(decide(lookup({ expiresAt: future })).code).toBe("VALID");
    expect(decide(lookup({ rotatedAt: past }, ["*"], { expiresAt: future })).code).toBe("VALID");
  });
});

describe("decideVerification: NOT_FOUND", () => {
  it("for no key", () => {
    expect(decide(null)).toEqual({ valid: false, code: "NOT_FOUND", key: null, permissions: [] });
    expect(decide(null, { orgId: ORG, permissions: ["api_keys:read"] }).code).toBe("NOT_FOUND");
  });

  it("for a deleted key, whatever else holds", () => {
    expect(decide(lookup({ deletedAt: past }))).toEqual({
      valid: false,
      code: "NOT_FOUND",
      key: null,
      permissions: [],
    });
    expect(decide(lookup({ deletedAt: past, revokedAt: past })).code).toBe("NOT_FOUND");
  });

  it("for another org's key, without revealing its state", () => {
    const d = decide(lookup({ orgId: OTHER_ORG }), { orgId: ORG });
    expect(d).toEqual({ valid: false, code: "NOT_FOUND", key: null, permissions: [] });
    expect(decide(lookup({ orgId: OTHER_ORG, revokedAt: past }), { orgId: ORG }).code).toBe("NOT_FOUND");
    expect(decide(lookup({ orgId: OTHER_ORG, expiresAt: past }), { orgId: ORG }).code).toBe("NOT_FOUND");
  });
});

describe("decideVerification: REVOKED", () => {
  it("for a revoked key", () => {
    const l = lookup({ revokedAt: past });
    const d = decide(l);
    expect(d.valid).toBe(false);
    expect(d.code).toBe("REVOKED");
    expect(d.key).toBe(l.key);
  });

  it("wins over expired and disabled", () => {
    expect(decide(lookup({ revokedAt: past, expiresAt: past, enabled: false })).code).toBe("REVOKED");
  });

  it("when the owner no longer exists in the org, with no permissions", () => {
    const d = decide(lookup({}, null));
    expect(d.code).toBe("REVOKED");
    expect(d.permissions).toEqual([]);
    expect(decide(lookup({ expiresAt: past }, null)).code).toBe("REVOKED");
    expect(decide(lookup({ enabled: false }, null)).code).toBe("REVOKED");
  });

  it("for a rotated-out secret whose grace period ended", () => {
    expect(decide(lookup({ rotatedAt: past }, ["*"], { expiresAt: past })).code).toBe("REVOKED");
    expect(decide(lookup({}, ["*"], { expiresAt: new Date(NOW.getTime()) })).code).toBe("REVOKED");
    expect(decide(lookup({ expiresAt: past }, ["*"], { expiresAt: past })).code).toBe("REVOKED");
  });

  it("when the grace period ends later on the clock", () => {
    const l = lookup({}, ["*"], { expiresAt: future });
    expect(decide(l, {}, NOW).code).toBe("VALID");
    expect(decide(l, {}, future).code).toBe("REVOKED");
  });
});

describe("decideVerification: EXPIRED and DISABLED", () => {
  it("EXPIRED at and after the expiry", () => {
    expect(decide(lookup({ expiresAt: past })).code).toBe("EXPIRED");
    expect(decide(lookup({ expiresAt: new Date(NOW.getTime()) })).code).toBe("EXPIRED");
    const l = lookup({ expiresAt: future });
    expect(decide(l, {}, new Date(future.getTime() + 1)).code).toBe("EXPIRED");
  });

  it("EXPIRED wins over DISABLED and permission checks", () => {
    expect(decide(lookup({ expiresAt: past, enabled: false })).code).toBe("EXPIRED");
    expect(decide(lookup({ expiresAt: past }), { permissions: ["secrets:write"] }).code).toBe("EXPIRED");
  });

  it("DISABLED for a disabled key, before permission checks", () => {
    const d = decide(lookup({ enabled: false }));
    expect(d.code).toBe("DISABLED");
    expect(d.valid).toBe(false);
    expect(decide(lookup({ enabled: false }), { permissions: ["secrets:write"] }).code).toBe("DISABLED");
  });

  it("keeps the key and its effective permissions on refusal", () => {
    const l = lookup({ enabled: false });
    const d = decide(l);
    expect(d.key).toBe(l.key);
    expect(d.permissions).toEqual(["api_keys:read", "api_keys:verify", "jobs:write"]);
  });
});

describe("decideVerification: INSUFFICIENT_PERMISSIONS", () => {
  it("when one required permission is missing", () => {
    const d = decide(lookup(), { permissions: ["api_keys:read", "secrets:read"] });
    expect(d.code).toBe("INSUFFICIENT_PERMISSIONS");
    expect(d.valid).toBe(false);
    expect(d.permissions).toEqual(["api_keys:read", "api_keys:verify", "jobs:write"]);
  });

  it("when a wildcard is required that the key does not hold", () => {
    expect(decide(lookup(), { permissions: ["api_keys:*"] }).code).toBe("INSUFFICIENT_PERMISSIONS");
    expect(decide(lookup(), { permissions: ["*"] }).code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("when the key holds it but its owner no longer does", () => {
    const viewer = BUILT_IN_ROLE_GRANTS.viewer;
    expect(decide(lookup({}, viewer), { permissions: ["api_keys:read"] }).code).toBe("VALID");
    expect(decide(lookup({}, viewer), { permissions: ["api_keys:verify"] }).code).toBe("INSUFFICIENT_PERMISSIONS");
  });
});

describe("decideVerification: effective permissions", () => {
  it("are the key's own when the owner holds *", () => {
    expect(decide(lookup({ permissions: ["jobs:write", "activities:read"] })).permissions).toEqual([
      "activities:read",
      "jobs:write",
    ]);
  });

  it("are capped by the owner's grants", () => {
    const member = BUILT_IN_ROLE_GRANTS.member;
    expect(decide(lookup({ permissions: ["*"] }, member)).permissions).toEqual([...member].sort());
    expect(decide(lookup({ permissions: ["api_keys:*", "jobs:write"] }, member)).permissions).toEqual([
      "api_keys:read",
      "api_keys:verify",
    ]);
    expect(decide(lookup({ permissions: ["*:read"] }, ["api_keys:*", "jobs:*"])).permissions).toEqual([
      "api_keys:read",
      "jobs:read",
    ]);
  });

  it("are empty when nothing overlaps, and the key is still valid without requirements", () => {
    const d = decide(lookup({ permissions: ["secrets:write"] }, BUILT_IN_ROLE_GRANTS.viewer));
    expect(d.code).toBe("VALID");
    expect(d.permissions).toEqual([]);
  });
});

describe("decideVerification: codes", () => {
  it("returns only published codes and never throws", () => {
    const seen = new Set<string>();
    const lookups = [
      null,
      lookup(),
      lookup({ deletedAt: past }),
      lookup({ revokedAt: past }),
      lookup({}, null),
      lookup({}, ["*"], { expiresAt: past }),
      lookup({ expiresAt: past }),
      lookup({ enabled: false }),
    ];
    for (const l of lookups) {
      for (const permissions of [undefined, ["secrets:write"]]) {
        const d = decide(l, { orgId: ORG, permissions });
        expect(VERIFICATION_CODES).toContain(d.code);
        expect(d.valid).toBe(d.code === "VALID");
        seen.add(d.code);
      }
    }
    expect([...seen].sort()).toEqual(
      ["DISABLED", "EXPIRED", "INSUFFICIENT_PERMISSIONS", "NOT_FOUND", "REVOKED", "VALID"].sort(),
    );
  });
});
