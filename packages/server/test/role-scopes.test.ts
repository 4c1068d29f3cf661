import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  createKey,
  createOrg,
  createServiceAccount,
  createTestApp,
  createToken,
  expectError,
  type Member,
  membershipIdOf,
  send,
  type TestApp,
  verify,
} from "./helpers.js";

// Custom roles, projects and role/scope pairs (SPEC §1): what a key holds at a project is what its
// role/scope pairs and org-wide permissions give there, capped by what its owner holds there now.

const t: TestApp = await createTestApp();
afterAll(() => t.close());

const orgId = t.owner.orgId;

async function createRole(name: string, permissions: string[], token = t.owner.token) {
  return send(t.app, {
    method: "POST",
    url: `/rest/orgs/${orgId}/roles`,
    token,
    body: { data: { type: "role", attributes: { name, permissions } } },
  });
}

async function createProject(name: string, org = orgId, token = t.owner.token): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${org}/projects`,
    token,
    body: { data: { type: "project", attributes: { name } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().data.attributes.scope).toBe(`project:${res.json().data.id}`);
  return res.json().data.id;
}

async function patchMember(member: Member, attributes: Record<string, unknown>, token = t.owner.token) {
  const id = await membershipIdOf(t, orgId, member.userId);
  return send(t.app, {
    method: "PATCH",
    url: `/rest/orgs/${orgId}/memberships/${id}`,
    token,
    body: { data: { type: "membership", attributes } },
  });
}

let web: string;
let api: string;
beforeAll(async () => {
  web = await createProject("web");
  api = await createProject("api");
});

describe("custom roles", () => {
  it("are listed after the built-in ones; names are unique and not built-in; none holds more than its creator", async () => {
    const created = await createRole("deployer", ["deploys:write", "api_keys:read"]);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe(`/rest/orgs/${orgId}/roles/${created.json().data.id}`);
    expectError(await createRole("deployer", ["deploys:write"]), 409, "CONFLICT");
    expectError(await createRole("admin", ["deploys:write"]), 400, "VALIDATION_FAILED");
    expectError(await createRole("Bad Name", []), 400, "VALIDATION_FAILED");
    const list = await send(t.app, { url: `/rest/orgs/${orgId}/roles`, token: t.owner.token });
    const names = list.json().data.map((role: { attributes: { name: string } }) => role.attributes.name);
    expect(names.slice(0, 5)).toEqual(["owner", "super_admin", "admin", "member", "viewer"]);
    expect(names).toContain("deployer");
    const viewer = await addMember(t, orgId, "viewer");
    expectError(await createRole("sneaky", ["api_keys:write"], viewer.token), 403);
  });

  it("a built-in role is read by its name and is neither changed nor deleted (404)", async () => {
    const url = `/rest/orgs/${orgId}/roles/admin`;
    const admin = await send(t.app, { url, token: t.owner.token });
    expect(admin.statusCode, admin.body).toBe(200);
    expect(admin.json().data).toMatchObject({ id: "admin", attributes: { name: "admin" } });
    const body = { data: { type: "role", attributes: { permissions: ["org:read"] } } };
    expectError(await send(t.app, { method: "PATCH", url, token: t.owner.token, body }), 404, "NOT_FOUND");
    expectError(await send(t.app, { method: "DELETE", url, token: t.owner.token }), 404, "NOT_FOUND");
    expectError(await send(t.app, { url: `/rest/orgs/${orgId}/roles/not-a-role`, token: t.owner.token }), 400);
  });

  it("give their holders' keys exactly their permissions, and a change applies on the next request", async () => {
    const role = (await createRole("releaser", ["releases:write"])).json().data;
    const member = await addMember(t, orgId, "releaser", ["releases:write"]);
    const token = await createToken(t, member.token, { name: "releaser token", permissions: ["releases:write"] });
    expect((await verify(t, token.key, { permissions: ["releases:write"] })).code).toBe("VALID");
    expect((await verify(t, token.key, { permissions: ["api_keys:read"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    const changed = await send(t.app, {
      method: "PATCH",
      url: `/rest/orgs/${orgId}/roles/${role.id}`,
      token: t.owner.token,
      body: { data: { type: "role", attributes: { permissions: ["releases:read"] } } },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const after = await verify(t, token.key, { permissions: ["releases:write"] });
    expect(after.code).toBe("INSUFFICIENT_PERMISSIONS");
    expect(after.permissions).toEqual([]);
    // A held role is not deleted; once nobody holds it, it is.
    const url = `/rest/orgs/${orgId}/roles/${role.id}`;
    expectError(await send(t.app, { method: "DELETE", url, token: t.owner.token }), 409, "CONFLICT");
    expect((await patchMember(member, { role: "viewer" })).statusCode).toBe(200);
    expect((await send(t.app, { method: "DELETE", url, token: t.owner.token })).statusCode).toBe(204);
    expectError(await send(t.app, { url, token: t.owner.token }), 404, "NOT_FOUND");
  });

  it("an unknown role is refused, and a custom role's holder cannot hand out built-in roles", async () => {
    const member = await addMember(t, orgId, "viewer");
    expectError(await patchMember(member, { role: "no-such-role" }), 400, "VALIDATION_FAILED");
    expect((await createRole("people-ops", ["members:read", "members:write", "org:read"])).statusCode).toBe(201);
    const ops = await addMember(t, orgId, "people-ops", ["members:read", "members:write", "org:read"]);
    const target = await addMember(t, orgId, "viewer");
    expectError(await patchMember(target, { role: "member" }, ops.token), 403, "PERMISSION_ESCALATION");
  });
});

describe("role/scope pairs on keys", () => {
  it("hold at their project only; verify answers by resource", async () => {
    expect((await createRole("shipper", ["deploys:write"])).statusCode).toBe(201);
    const key = await createKey(t, {
      permissions: ["reports:read"],
      roles: [{ role: "shipper", scope: `project:${web}` }],
    });
    expect(key.attributes.roles).toEqual([{ role: "shipper", scope: `project:${web}` }]);
    const atWeb = await verify(t, key.key, { permissions: ["deploys:write"], resource: `project:${web}` });
    expect(atWeb.code).toBe("VALID");
    expect(atWeb.permissions).toEqual(["deploys:write", "reports:read"]);
    expect((await verify(t, key.key, { permissions: ["deploys:write"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    expect((await verify(t, key.key, { permissions: ["deploys:write"], resource: `project:${api}` })).code).toBe(
      "INSUFFICIENT_PERMISSIONS",
    );
    // Org-wide permissions hold at every project.
    expect((await verify(t, key.key, { permissions: ["reports:read"], resource: `project:${api}` })).code).toBe(
      "VALID",
    );
    // Ids are case-insensitive; a resource that is no project reference is a 400.
    const upper = `project:${web.toUpperCase()}`;
    expect((await verify(t, key.key, { permissions: ["deploys:write"], resource: upper })).code).toBe("VALID");
    const bad = await send(t.app, {
      method: "POST",
      url: "/rest/api_keys/verify",
      token: t.owner.token,
      body: { data: { type: "key_verification", attributes: { key: key.key, resource: "org" } } },
    });
    expectError(bad, 400, "VALIDATION_FAILED");
  });

  it("a binding at org or group scope holds everywhere in the org", async () => {
    const key = await createKey(t, { permissions: [], roles: [{ role: "viewer", scope: "org" }] });
    expect((await verify(t, key.key, { permissions: ["usage:read"] })).code).toBe("VALID");
    expect((await verify(t, key.key, { permissions: ["usage:read"], resource: `project:${web}` })).code).toBe("VALID");
    const group = await createKey(t, { permissions: [], roles: [{ role: "member", scope: "group" }] });
    expect((await verify(t, group.key, { permissions: ["api_keys:verify"] })).code).toBe("VALID");
    expect((await verify(t, group.key, { permissions: ["api_keys:write"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("refuses roles and projects the org lacks, another org's project, and bindings beyond the creator", async () => {
    const bad = async (roles: unknown[], token = t.owner.token) =>
      send(t.app, {
        method: "POST",
        url: `/rest/orgs/${orgId}/api_keys`,
        token,
        body: { data: { type: "api_key", attributes: { name: "bad", expires_in: "1d", roles } } },
      });
    expectError(await bad([{ role: "nobody", scope: "org" }]), 400, "VALIDATION_FAILED");
    expectError(await bad([{ role: "viewer", scope: "project:0190a000-0000-7000-8000-000000000999" }]), 400);
    expectError(await bad([{ role: "viewer", scope: "planet" }]), 400, "VALIDATION_FAILED");
    const other = await createOrg(t, "Elsewhere");
    const theirs = await createProject("theirs", other.orgId, other.members.owner.token);
    expectError(await bad([{ role: "viewer", scope: `project:${theirs}` }]), 400, "VALIDATION_FAILED");
    const admin = await addMember(t, orgId, "admin");
    const escalation = await bad([{ role: "owner", scope: "org" }], admin.token);
    expect(escalation.statusCode, escalation.body).toBe(201); // owner's grants are `*`, which an admin holds
    const member = await addMember(t, orgId, "member");
    const personal = await send(t.app, {
      method: "POST",
      url: "/rest/self/tokens",
      token: member.token,
      body: {
        data: {
          type: "api_key",
          attributes: { name: "mine", expires_in: "1d", roles: [{ role: "admin", scope: "org" }] },
        },
      },
    });
    expectError(personal, 403, "PERMISSION_ESCALATION");
  });
});

describe("role/scope pairs on memberships", () => {
  it("give a member rights at a project; their keys lose them on the next request when taken away", async () => {
    // The member's token carries `*`: what it may do is what the member holds, wherever they hold it.
    const member = await addMember(t, orgId, "viewer", ["*"]);
    const granted = await patchMember(member, { roles: [{ role: "admin", scope: `project:${web}` }] });
    expect(granted.statusCode, granted.body).toBe(200);
    expect(granted.json().data.attributes.roles).toEqual([{ role: "admin", scope: `project:${web}` }]);
    // The member's own token may carry the binding: they hold it at that project.
    const token = await createToken(t, member.token, {
      name: "project admin",
      permissions: ["usage:read"],
      roles: [{ role: "admin", scope: `project:${web}` }],
    });
    const atWeb = { permissions: ["api_keys:write"], resource: `project:${web}` };
    expect((await verify(t, token.key, atWeb)).code).toBe("VALID");
    expect((await verify(t, token.key, { permissions: ["api_keys:write"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    // …but not at another project, where they are only a viewer.
    const elsewhere = await send(t.app, {
      method: "POST",
      url: "/rest/self/tokens",
      token: member.token,
      body: {
        data: {
          type: "api_key",
          attributes: { name: "not here", expires_in: "1d", roles: [{ role: "admin", scope: `project:${api}` }] },
        },
      },
    });
    expectError(elsewhere, 403, "PERMISSION_ESCALATION");
    // A project named by a pair is not deleted.
    const url = `/rest/orgs/${orgId}/projects/${web}`;
    expectError(await send(t.app, { method: "DELETE", url, token: t.owner.token }), 409, "CONFLICT");
    expect((await patchMember(member, { roles: [] })).statusCode).toBe(200);
    expect((await verify(t, token.key, atWeb)).code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("a member cannot be given a pair beyond the giver's own rights there", async () => {
    const giver = await addMember(t, orgId, "admin");
    const target = await addMember(t, orgId, "viewer");
    const res = await patchMember(target, { roles: [{ role: "owner", scope: `project:${api}` }] }, giver.token);
    expectError(res, 403, "PERMISSION_ESCALATION");
  });

  it("every change is in the audit log", async () => {
    const res = await send(t.app, { url: `/rest/orgs/${orgId}/audit_logs?limit=100`, token: t.owner.token });
    const actions = new Set(
      res.json().data.map((event: { attributes: { action: string } }) => event.attributes.action),
    );
    for (const action of ["role.created", "role.updated", "role.deleted", "project.created", "membership.updated"]) {
      expect(actions).toContain(action);
    }
  });
});

describe("a service account's role", () => {
  it("may be custom and changed; its keys follow on the next request; nobody raises it beyond their own", async () => {
    expect((await createRole("robot-ops", ["jobs:write"])).statusCode).toBe(201);
    const account = await createServiceAccount(t, "viewer", "changing robot");
    const url = `/rest/orgs/${orgId}/service_accounts/${account}`;
    const key = await createKey(t, { service_account_id: account, permissions: ["*"] });
    expect((await verify(t, key.key, { permissions: ["usage:read"] })).code).toBe("VALID");
    expect((await verify(t, key.key, { permissions: ["jobs:write"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    const patch = (attributes: Record<string, unknown>, token = t.owner.token) =>
      send(t.app, { method: "PATCH", url, token, body: { data: { type: "service_account", attributes } } });
    const changed = await patch({ role: "robot-ops", name: "ops robot" });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().data.attributes).toMatchObject({ role: "robot-ops", name: "ops robot" });
    expect((await verify(t, key.key, { permissions: ["jobs:write"] })).code).toBe("VALID");
    expect((await verify(t, key.key, { permissions: ["usage:read"] })).code).toBe("INSUFFICIENT_PERMISSIONS");
    expectError(await patch({ role: "nobody" }), 400, "VALIDATION_FAILED");
    const member = await addMember(t, orgId, "member");
    expectError(await patch({ role: "viewer" }, member.token), 403);
    const admin = await addMember(t, orgId, "admin");
    // An admin holds every permission an owner does, but not the owner's rank: owners make owners.
    expectError(await patch({ role: "owner" }, admin.token), 403, "PERMISSION_ESCALATION");
    expect((await patch({ role: "owner" })).statusCode).toBe(200);
    const audit = await send(t.app, {
      url: `/rest/orgs/${orgId}/audit_logs?filter[target]=${account}`,
      token: t.owner.token,
    });
    const actions = audit.json().data.map((event: { attributes: { action: string } }) => event.attributes.action);
    expect(actions).toContain("service_account.updated");
  });
});
