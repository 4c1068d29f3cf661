import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { auditOf } from "./alerts-helpers.js";
import { createOrg, createTestApp, expectError, orgAWithAllRoles, send, type TestApp } from "./helpers.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const patch = (attributes: unknown, token = t.owner.token, orgId = t.owner.orgId) =>
  send(t.app, { method: "PATCH", url: `/rest/orgs/${orgId}`, token, body: { data: { type: "org", attributes } } });

describe("PATCH /rest/orgs/{org_id}", () => {
  test("changes the given policy fields and the name, keeps the others, and records org.updated", async () => {
    const res = await patch({ name: "Acme", policy: { idle_disable_days: 30, environments: ["live", "test", "dev"] } });
    expect(res.statusCode, res.body).toBe(200);
    const attributes = res.json().data.attributes;
    expect(attributes.name).toBe("Acme");
    expect(attributes.policy).toEqual({
      allow_never_expiring: false,
      max_lifetime_seconds: 365 * 24 * 3600,
      environments: ["live", "test", "dev"],
      idle_disable_days: 30,
      service_key_creator_roles: ["owner", "super_admin", "admin"],
      key_prefixes: { personal: "lkp", service: "lks", publishable: "lkpk" },
    });
    const read = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}`, token: t.owner.token });
    expect(read.json().data.attributes.policy.idle_disable_days).toBe(30);
    const off = await patch({ policy: { idle_disable_days: null } });
    expect(off.json().data.attributes.policy).toMatchObject({
      idle_disable_days: null,
      environments: ["live", "test", "dev"],
    });
    const events = await auditOf(t, t.owner.orgId, "org.updated");
    expect(events.map((event) => event.detail)).toEqual([
      { fields: ["name", "policy.environments", "policy.idle_disable_days"] },
      { fields: ["policy.idle_disable_days"] },
    ]);
    expect(events[0]?.actor).toEqual({ type: "user", id: t.owner.userId });
    expect(events[0]?.target).toEqual({ type: "org", id: t.owner.orgId });
  });

  test("an empty change changes nothing and records nothing", async () => {
    const res = await patch({});
    expect(res.statusCode, res.body).toBe(200);
    expect(await auditOf(t, t.owner.orgId, "org.updated")).toHaveLength(0);
  });

  test("bad values are 400 VALIDATION_FAILED naming the field, and change nothing", async () => {
    const cases: [unknown, string][] = [
      [{ policy: { idle_disable_days: 0 } }, "idle_disable_days"],
      [{ policy: { idle_disable_days: 3651 } }, "idle_disable_days"],
      [{ policy: { idle_disable_days: 1.5 } }, "idle_disable_days"],
      [{ policy: { idle_disable_days: "7" } }, "idle_disable_days"],
      [{ policy: { max_lifetime_seconds: 60 } }, "max_lifetime_seconds"],
      [{ policy: { environments: [] } }, "environments"],
      [{ policy: { environments: ["Prod"] } }, "environments"],
      [{ policy: { environments: ["live", "live"] } }, "environments"],
      [{ policy: { surprise: true } }, "policy"],
      [{ name: "" }, "name"],
      [{ slug: "x" }, "attributes"],
    ];
    for (const [attributes, field] of cases) {
      const res = await patch(attributes);
      expectError(res, 400, "VALIDATION_FAILED");
      expect(JSON.stringify(res.json().errors[0].source), JSON.stringify(attributes)).toContain(field);
    }
    const read = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}`, token: t.owner.token });
    expect(read.json().data.attributes.policy.idle_disable_days).toBeNull();
    expect(await auditOf(t, t.owner.orgId, "org.updated")).toHaveLength(0);
  });

  test("needs org:write: admins may, members and viewers get 403; another org is 404", async () => {
    const org = await orgAWithAllRoles(t);
    expect((await patch({ policy: { idle_disable_days: 5 } }, org.members.admin.token)).statusCode).toBe(200);
    for (const role of ["member", "viewer"] as const) {
      expectError(await patch({ policy: { idle_disable_days: 9 } }, org.members[role].token), 403, "FORBIDDEN");
    }
    const other = await createOrg(t, "Other");
    expectError(await patch({ policy: { idle_disable_days: 9 } }, t.owner.token, other.orgId), 404, "NOT_FOUND");
    const read = await send(t.app, { url: `/rest/orgs/${other.orgId}`, token: other.members.owner.token });
    expect(read.json().data.attributes.policy.idle_disable_days).toBeNull();
  });
});
