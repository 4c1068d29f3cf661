import { KEY_SCAN_PATTERN } from "@latchkey/core";
import { afterAll, describe, expect, test } from "vitest";
import {
  createKey,
  createTestApp,
  createToken,
  expectError,
  orgAWithAllRoles,
  send,
  type TestApp,
  verify,
} from "./helpers.js";

// Each field of an org's policy is enforced where keys are made, with an error code naming the policy.

const t: TestApp = await createTestApp();
afterAll(() => t.close());
const org = await orgAWithAllRoles(t);
const keysUrl = `/rest/orgs/${org.orgId}/api_keys`;

async function setPolicy(policy: Record<string, unknown>): Promise<void> {
  const res = await send(t.app, {
    method: "PATCH",
    url: `/rest/orgs/${org.orgId}`,
    token: t.owner.token,
    body: { data: { type: "org", attributes: { policy } } },
  });
  expect(res.statusCode, res.body).toBe(200);
}

function createAs(token: string, attributes: Record<string, unknown>) {
  return send(t.app, {
    method: "POST",
    url: keysUrl,
    token,
    body: { data: { type: "api_key", attributes: { name: "policy test", ...attributes } } },
  });
}

describe("org policy, field by field", () => {
  test("allow_never_expiring: false refuses keys without an expiry (POLICY_EXPIRY_REQUIRED); true allows them", async () => {
    expectError(await createAs(t.owner.token, { expires_in: "never" }), 422, "POLICY_EXPIRY_REQUIRED");
    expectError(await createAs(t.owner.token, {}), 422, "POLICY_EXPIRY_REQUIRED");
    await setPolicy({ allow_never_expiring: true });
    const res = await createAs(t.owner.token, { expires_in: "never" });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().data.attributes.expires_at).toBeNull();
    await setPolicy({ allow_never_expiring: false });
  });

  test("max_lifetime_seconds caps the expiry (POLICY_LIFETIME_EXCEEDED)", async () => {
    await setPolicy({ max_lifetime_seconds: 7 * 24 * 3600 });
    expectError(await createAs(t.owner.token, { expires_in: "30d" }), 422, "POLICY_LIFETIME_EXCEEDED");
    expect((await createAs(t.owner.token, { expires_in: "5d" })).statusCode).toBe(201);
    await setPolicy({ max_lifetime_seconds: 365 * 24 * 3600 });
  });

  test("environments lists where keys may be made (POLICY_ENVIRONMENT_NOT_ALLOWED)", async () => {
    await setPolicy({ environments: ["live", "staging"] });
    expectError(
      await createAs(t.owner.token, { expires_in: "1d", environment: "test" }),
      422,
      "POLICY_ENVIRONMENT_NOT_ALLOWED",
    );
    const staging = await createAs(t.owner.token, { expires_in: "1d", environment: "staging" });
    expect(staging.statusCode, staging.body).toBe(201);
    expect(staging.json().data.attributes.key).toMatch(/^lks_staging_/);
    await setPolicy({ environments: ["live", "test"] });
  });

  test("service_key_creator_roles: a role left out gets 403 POLICY_SERVICE_KEY_CREATOR; its personal tokens still work", async () => {
    await setPolicy({ service_key_creator_roles: ["owner"] });
    for (const role of ["admin", "super_admin"] as const) {
      const res = await createAs(org.members[role].token, { expires_in: "1d" });
      expectError(res, 403, "POLICY_SERVICE_KEY_CREATOR");
    }
    expect((await createAs(t.owner.token, { expires_in: "1d" })).statusCode).toBe(201);
    const token = await createToken(t, org.members.admin.token, { name: "still mine", expires_in: "1d" });
    expect(token.key).toMatch(/^lkp_/);
    await setPolicy({ service_key_creator_roles: ["owner", "super_admin", "admin"] });
    expect((await createAs(org.members.admin.token, { expires_in: "1d" })).statusCode).toBe(201);
  });

  test("key_prefixes name new keys of each kind; they verify, regenerate with the new prefix and match the scan pattern", async () => {
    await setPolicy({ key_prefixes: { personal: "acmep", service: "acmes" } });
    const service = await createKey(t, { name: "acme service" });
    expect(service.key).toMatch(/^acmes_/);
    expect(new RegExp(KEY_SCAN_PATTERN).test(service.key)).toBe(true);
    expect((await verify(t, service.key)).code).toBe("VALID");
    const personal = await createToken(t, t.owner.token, { name: "acme personal" });
    expect(personal.key).toMatch(/^acmep_/);
    expect((await send(t.app, { url: "/rest/self", token: personal.key })).statusCode).toBe(200);
    await setPolicy({ key_prefixes: { personal: "lkp", service: "lks" } });
    const regenerated = await send(t.app, {
      method: "POST",
      url: `${keysUrl}/${service.id}/regenerate`,
      token: t.owner.token,
      body: { data: { type: "api_key", attributes: { grace_period_seconds: 0 } } },
    });
    expect(regenerated.json().data.attributes.key).toMatch(/^lks_/);
  });

  test("bad policy values are 400 VALIDATION_FAILED naming the field", async () => {
    const bad: Record<string, unknown>[] = [
      { service_key_creator_roles: ["emperor"] },
      { service_key_creator_roles: ["owner", "owner"] },
      { key_prefixes: { personal: "same", service: "same" } },
      { key_prefixes: { personal: "Bad!", service: "lks" } },
      { key_prefixes: { personal: "lkp" } },
    ];
    for (const policy of bad) {
      const res = await send(t.app, {
        method: "PATCH",
        url: `/rest/orgs/${org.orgId}`,
        token: t.owner.token,
        body: { data: { type: "org", attributes: { policy } } },
      });
      expectError(res, 400);
    }
  });
});
