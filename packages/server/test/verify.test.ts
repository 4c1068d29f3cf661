import { generateKey, hashKey } from "@latchkey/core";
import { afterAll, describe, expect, test } from "vitest";
import {
  addMember,
  createKey,
  createOrg,
  createServiceAccount,
  createTestApp,
  createToken,
  cryptoRandom,
  expectError,
  send,
  verify,
} from "./helpers.js";

// SPEC §5 `POST /rest/api_keys/verify`: always 200 with valid and code, for keys of the caller's org.
const t = await createTestApp();
afterAll(() => t.close());
const orgId = t.owner.orgId;
const keysUrl = `/rest/orgs/${orgId}/api_keys`;

function post(url: string) {
  return send(t.app, { method: "POST", url, token: t.owner.token });
}

function expectNotFound(attributes: Record<string, unknown>): void {
  expect(attributes).toEqual({
    valid: false,
    code: "NOT_FOUND",
    key_id: null,
    org_id: null,
    owner: null,
    environment: null,
    permissions: [],
    labels: [],
    metadata: {},
    expires_at: null,
    ratelimit: null,
    quota: null,
  });
}

describe("verification codes", () => {
  test("VALID, with the key's attributes and effective permissions", async () => {
    const key = await createKey(t, {
      permissions: ["api_keys:read", "billing:write"],
      labels: ["svc"],
      metadata: { plan: "pro" },
      environment: "test",
    });
    const res = await send(t.app, {
      method: "POST",
      url: "/rest/api_keys/verify",
      token: t.owner.token,
      body: { data: { type: "key_verification", attributes: { key: key.key } } },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(key.key);
    expect(res.json().data.attributes).toEqual({
      valid: true,
      code: "VALID",
      key_id: key.id,
      org_id: orgId,
      owner: { type: "org", id: orgId },
      environment: "test",
      permissions: ["api_keys:read", "billing:write"],
      labels: ["svc"],
      metadata: { plan: "pro" },
      expires_at: key.attributes.expires_at,
      ratelimit: null,
      quota: null,
    });
    const withPermissions = await verify(t, key.key, { permissions: ["api_keys:read", "billing:write"] });
    expect(withPermissions.code).toBe("VALID");
  });

  test("VALID for a personal token, whose permissions are capped by its owner's role", async () => {
    const viewer = await addMember(t, orgId, "viewer");
    const attributes = await verify(t, viewer.token);
    expect(attributes).toMatchObject({ valid: true, code: "VALID", owner: { type: "user", id: viewer.userId } });
    expect(attributes.permissions).toContain("api_keys:read");
    expect(attributes.permissions).not.toContain("api_keys:write");
  });

  test("NOT_FOUND: unknown, malformed, bad checksum, another org's key", async () => {
    const unknown = generateKey("lks", "live", cryptoRandom).key;
    expectNotFound(await verify(t, unknown));
    for (const malformed of ["garbage", "lks_", "lks_short", `${unknown}x`, unknown.toUpperCase(), " "]) {
      expectNotFound(await verify(t, malformed));
    }
    const real = await createKey(t);
    const last = real.key.slice(-1);
    const badChecksum = `${real.key.slice(0, -1)}${last === "A" ? "B" : "A"}`;
    expectNotFound(await verify(t, badChecksum));
    const flippedBody = `${real.key.slice(0, 10)}${real.key[10] === "a" ? "b" : "a"}${real.key.slice(11)}`;
    expectNotFound(await verify(t, flippedBody));
    expect((await verify(t, real.key)).code).toBe("VALID");

    const other = await createOrg(t, "Other Org");
    const theirs = other.members.owner;
    expectNotFound(await verify(t, theirs.token));
    expect((await verify(t, theirs.token, { token: theirs.token })).code).toBe("VALID");
    const ours = await verify(t, real.key, { token: other.members.member.token });
    expectNotFound(ours);
  });

  test("EXPIRED", async () => {
    const key = await createKey(t, { expires_in: "1h" });
    expect((await verify(t, key.key)).code).toBe("VALID");
    t.clock.advance(3599);
    expect((await verify(t, key.key)).code).toBe("VALID");
    t.clock.advance(1);
    const attributes = await verify(t, key.key);
    expect(attributes).toMatchObject({ valid: false, code: "EXPIRED", key_id: key.id, org_id: orgId });
    const custom = await createKey(t, {
      expires_in: undefined,
      expires_at: new Date(t.clock.now().getTime() + 60_000).toISOString(),
    });
    t.clock.advance(61);
    expect((await verify(t, custom.key)).code).toBe("EXPIRED");
  });

  test("REVOKED", async () => {
    const key = await createKey(t);
    expect((await post(`${keysUrl}/${key.id}/revoke`)).statusCode).toBe(200);
    expect(await verify(t, key.key)).toMatchObject({ valid: false, code: "REVOKED", key_id: key.id });
  });

  test("REVOKED wins over EXPIRED and DISABLED", async () => {
    const key = await createKey(t, { expires_in: "1h" });
    expect((await post(`${keysUrl}/${key.id}/disable`)).statusCode).toBe(200);
    expect((await verify(t, key.key)).code).toBe("DISABLED");
    t.clock.advance(3601);
    expect((await verify(t, key.key)).code).toBe("EXPIRED");
    const revoked = await createKey(t);
    expect((await post(`${keysUrl}/${revoked.id}/disable`)).statusCode).toBe(200);
    expect((await post(`${keysUrl}/${revoked.id}/revoke`)).statusCode).toBe(200);
    expect((await verify(t, revoked.key)).code).toBe("REVOKED");
  });

  test("DISABLED", async () => {
    const key = await createKey(t);
    expect((await post(`${keysUrl}/${key.id}/disable`)).statusCode).toBe(200);
    expect(await verify(t, key.key)).toMatchObject({ valid: false, code: "DISABLED", key_id: key.id });
  });

  test("INSUFFICIENT_PERMISSIONS", async () => {
    const key = await createKey(t, { permissions: ["api_keys:read", "jobs:*"] });
    expect((await verify(t, key.key, { permissions: ["jobs:write", "api_keys:read"] })).code).toBe("VALID");
    const refused = await verify(t, key.key, { permissions: ["api_keys:read", "api_keys:write"] });
    expect(refused).toMatchObject({
      valid: false,
      code: "INSUFFICIENT_PERMISSIONS",
      key_id: key.id,
      permissions: ["api_keys:read", "jobs:*"],
    });
    expect((await verify(t, key.key, { permissions: ["billing:read"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  test("a service account's key loses its rights with its account (REVOKED)", async () => {
    const accountId = await createServiceAccount(t, "member");
    const key = await createKey(t, { service_account_id: accountId });
    const valid = await verify(t, key.key);
    expect(valid.code).toBe("VALID");
    expect(valid.permissions).toContain("api_keys:verify");
    expect(valid.permissions).not.toContain("api_keys:write");
    const res = await send(t.app, {
      method: "DELETE",
      url: `/rest/orgs/${orgId}/service_accounts/${accountId}`,
      token: t.owner.token,
    });
    expect(res.statusCode).toBe(204);
    expect((await verify(t, key.key)).code).toBe("REVOKED");
  });
});

describe("who may verify", () => {
  test("a viewer (no api_keys:verify) gets 403", async () => {
    const viewer = await addMember(t, orgId, "viewer");
    const key = await createKey(t);
    const res = await send(t.app, {
      method: "POST",
      url: "/rest/api_keys/verify",
      token: viewer.token,
      body: { data: { type: "key_verification", attributes: { key: key.key } } },
    });
    expectError(res, 403, "FORBIDDEN");
    expect(res.body).not.toContain(key.key);
  });

  test("a key without api_keys:verify gets 403, one with it verifies", async () => {
    const reader = await createKey(t, { permissions: ["api_keys:read"] });
    const verifier = await createKey(t, { permissions: ["api_keys:verify"] });
    const res = await send(t.app, {
      method: "POST",
      url: "/rest/api_keys/verify",
      token: reader.key,
      body: { data: { type: "key_verification", attributes: { key: verifier.key } } },
    });
    expectError(res, 403, "FORBIDDEN");
    expect((await verify(t, reader.key, { token: verifier.key })).code).toBe("VALID");
  });

  test("a member (holds api_keys:verify) may verify", async () => {
    const member = await addMember(t, orgId, "member");
    const key = await createKey(t);
    expect((await verify(t, key.key, { token: member.token })).code).toBe("VALID");
  });

  test("the answer for a personal token holds neither its secret nor its hash", async () => {
    const token = await createToken(t, t.owner.token, { permissions: ["api_keys:read"] });
    const attributes = await verify(t, token.key);
    expect(JSON.stringify(attributes)).not.toContain(token.key);
    expect(JSON.stringify(attributes)).not.toContain(hashKey(token.key));
  });
});
