import { describe, expect, test } from "vitest";
import { isLatchkeyError } from "./errors.js";
import { hasKeyShape, KEY_SCAN_PATTERN } from "./key-format.js";
import {
  ACCESS_TOKEN_PREFIX,
  CLIENT_SECRET_PREFIX,
  checkAccessTokenTtl,
  decideScope,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  MIN_ACCESS_TOKEN_TTL_SECONDS,
} from "./oauth.js";
import { BUILT_IN_ROLE_GRANTS } from "./permissions.js";

describe("access token lifetime", () => {
  test("accepts whole seconds from 60 to 86400", () => {
    expect(checkAccessTokenTtl(MIN_ACCESS_TOKEN_TTL_SECONDS)).toBe(60);
    expect(checkAccessTokenTtl(3600)).toBe(3600);
    expect(checkAccessTokenTtl(MAX_ACCESS_TOKEN_TTL_SECONDS)).toBe(86_400);
  });

  test.each([59, 86_401, 0, -1, 1.5, Number.NaN])("refuses %s with VALIDATION_FAILED", (seconds) => {
    try {
      checkAccessTokenTtl(seconds);
      expect.unreachable();
    } catch (error) {
      expect(isLatchkeyError(error) && error.code).toBe("VALIDATION_FAILED");
    }
  });
});

describe("scope", () => {
  const viewer = BUILT_IN_ROLE_GRANTS.viewer;

  test("none, or blank, asks for everything the role holds", () => {
    expect(decideScope(undefined, viewer)).toEqual({ ok: true, permissions: ["*"] });
    expect(decideScope("  ", viewer)).toEqual({ ok: true, permissions: ["*"] });
  });

  test("a subset of the role is granted, normalized", () => {
    expect(decideScope("api_keys:read  api_keys:read org:read", viewer)).toEqual({
      ok: true,
      permissions: ["api_keys:read", "org:read"],
    });
  });

  test("more than the role holds, malformed permissions and huge lists are refused", () => {
    expect(decideScope("api_keys:write", viewer).ok).toBe(false);
    expect(decideScope("api_keys:read NOT-A-PERMISSION", viewer).ok).toBe(false);
    expect(decideScope(Array.from({ length: 101 }, () => "org:read").join(" "), viewer).ok).toBe(false);
  });
});

test("client secrets and access tokens are keys of the same format family, found by the scanner pattern", () => {
  const scanner = new RegExp(KEY_SCAN_PATTERN);
  for (const prefix of [ACCESS_TOKEN_PREFIX, CLIENT_SECRET_PREFIX]) {
    const candidate = `${prefix}_${"A".repeat(49)}`;
    expect(hasKeyShape(candidate)).toBe(true);
    expect(scanner.test(`token: ${candidate}`)).toBe(true);
  }
});
