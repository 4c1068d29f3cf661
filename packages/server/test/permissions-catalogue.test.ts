import { LATCHKEY_PERMISSIONS } from "@latchkey/core";
import { afterAll, describe, expect, test } from "vitest";
import { createTestApp, expectError, orgAWithAllRoles, send, type TestApp } from "./helpers.js";

// Each org's permission catalogue: Latchkey's own permissions with their descriptions, and the org's
// product permissions, which its keys carry and its services check at verify time.

const t: TestApp = await createTestApp();
afterAll(() => t.close());
const org = await orgAWithAllRoles(t);
const url = `/rest/orgs/${org.orgId}/permissions`;

function add(attributes: Record<string, unknown>, token = t.owner.token) {
  return send(t.app, { method: "POST", url, token, body: { data: { type: "permission", attributes } } });
}

describe("the permission catalogue", () => {
  test("lists Latchkey's own permissions, then the org's, with descriptions and the publishable mark", async () => {
    const created = await add({ name: "jobs:write", description: "Start and stop jobs" });
    expect(created.statusCode, created.body).toBe(201);
    expect((await add({ name: "widgets:read", description: "Show the widget", publishable: true })).statusCode).toBe(
      201,
    );
    const res = await send(t.app, { url, token: org.members.viewer.token });
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json().data as { id: string; attributes: Record<string, unknown> }[];
    const own = entries.filter((entry) => entry.attributes.source === "latchkey");
    expect(own.map((entry) => entry.id).sort()).toEqual(Object.keys(LATCHKEY_PERMISSIONS).sort());
    expect(own.find((entry) => entry.id === "api_keys:read")?.attributes.description).toBe(
      LATCHKEY_PERMISSIONS["api_keys:read"],
    );
    expect(entries.filter((entry) => entry.attributes.source === "org")).toEqual([
      {
        type: "permission",
        id: "jobs:write",
        attributes: { name: "jobs:write", description: "Start and stop jobs", publishable: false, source: "org" },
      },
      {
        type: "permission",
        id: "widgets:read",
        attributes: { name: "widgets:read", description: "Show the widget", publishable: true, source: "org" },
      },
    ]);
  });

  test("adding is audited, needs org:write, refuses duplicates, wildcards and Latchkey's resources", async () => {
    expect((await add({ name: "reports:read", description: "Read reports" })).statusCode).toBe(201);
    expectError(await add({ name: "reports:read", description: "Again" }), 409, "CONFLICT");
    expectError(await add({ name: "billing:read", description: "x" }, org.members.member.token), 403, "FORBIDDEN");
    for (const name of ["reports:*", "*", "reports", "api_keys:export", "Reports:read"]) {
      expectError(await add({ name, description: "bad" }), 400);
    }
    expectError(await add({ name: "reports:write", description: "" }), 400);
    const audit = await send(t.app, {
      url: `/rest/orgs/${org.orgId}/audit_logs?filter[action]=permission.created&limit=100`,
      token: t.owner.token,
    });
    const targets = (audit.json().data as { attributes: { target: { id: string } } }[]).map(
      (e) => e.attributes.target.id,
    );
    expect(targets).toContain("reports:read");
    expect(targets).not.toContain("billing:read");
  });

  test("another org's catalogue is out of reach", async () => {
    const res = await send(t.app, {
      url: "/rest/orgs/0190a000-0000-7000-8000-0000000000aa/permissions",
      token: t.owner.token,
    });
    expect([403, 404]).toContain(res.statusCode);
  });
});
