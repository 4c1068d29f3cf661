import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccessToken, LatchkeyApiError, LatchkeyClient } from "../src/index.js";
import { type Latchkey, startLatchkey } from "./helpers.js";

const METHODS = ["get", "put", "post", "patch", "delete"];

let latchkey: Latchkey;
let client: LatchkeyClient;
let orgId: string;
/** The routes this file called, as `METHOD /path/{param}` (Fastify's `:param` rewritten). */
const called = new Set<string>();

beforeAll(async () => {
  latchkey = await startLatchkey({
    beforeListen: (app) => {
      app.addHook("onResponse", async (request) => {
        const url = request.routeOptions.url;
        if (url !== undefined) called.add(`${request.method} ${url.replace(/:(\w+)/g, "{$1}")}`);
      });
      // The fast lane answers plain verifications before Fastify, so without its hooks.
      app.server.on("request", (request: { method?: string; url?: string }) => {
        const path = request.url?.split("?")[0];
        if (request.method === "POST" && path === "/rest/api_keys/verify") called.add("POST /rest/api_keys/verify");
      });
    },
  });
  client = latchkey.client;
  orgId = latchkey.orgId;
});

afterAll(async () => {
  await latchkey?.close();
});

describe("LatchkeyClient against a real server", () => {
  it("reads the operations routes and the OpenAPI document", async () => {
    expect(await client.health()).toEqual({ status: "ok" });
    expect(await client.ready()).toEqual({ status: "ready" });
    expect(await client.metrics()).toMatch(/^# (HELP|TYPE) /m);
    expect((await client.openapi()).openapi).toBe("3.1.0");
  });

  it("reads itself and its orgs", async () => {
    const self = await client.self();
    expect(self.data.type).toBe("user");
    expect(self.meta.permissions).toContain("*");
    const orgs = await client.listOrgs({ limit: 10 });
    expect(orgs.data.map((org) => org.id)).toContain(orgId);
    expect((await client.getOrg(orgId)).attributes.slug).toBe("default");
  });

  it("sets and clears the org's idle policy", async () => {
    const set = await client.updateOrg(orgId, { policy: { idle_disable_days: 45 } });
    expect(set.attributes.policy.idle_disable_days).toBe(45);
    expect((await client.getOrg(orgId)).attributes.policy.idle_disable_days).toBe(45);
    const cleared = await client.updateOrg(orgId, { policy: { idle_disable_days: null } });
    expect(cleared.attributes.policy.idle_disable_days).toBeNull();
  });

  it("runs a key's whole lifecycle", async () => {
    const created = await client.createKey(orgId, {
      name: "billing",
      permissions: ["invoices:read"],
      labels: ["billing"],
      expires_in: "30d",
    });
    expect(created.attributes.key).toMatch(/^lks_/);
    const fetched = await client.getKey(orgId, created.id);
    expect(fetched.attributes.key).toBeUndefined();
    expect(fetched.attributes.name).toBe("billing");

    const updated = await client.updateKey(orgId, created.id, { description: "for billing", labels: ["billing", "x"] });
    expect(updated.attributes).toMatchObject({ description: "for billing", labels: ["billing", "x"] });

    const page = await client.listKeys(orgId, { label: "billing", status: "active" }, { limit: 5 });
    expect(page.data.map((key) => key.id)).toEqual([created.id]);

    expect((await client.changeKey(orgId, created.id, "disable")).attributes.status).toBe("disabled");
    expect((await client.changeKey(orgId, created.id, "enable")).attributes.status).toBe("active");

    const regenerated = await client.regenerateKey(orgId, created.id, 60);
    expect(regenerated.attributes.key).toMatch(/^lks_/);
    expect(regenerated.attributes.key).not.toBe(created.attributes.key);

    expect((await client.changeKey(orgId, created.id, "revoke")).attributes.status).toBe("revoked");
    const events = await client.keyEvents(orgId, created.id);
    expect(events.map((event) => event.attributes.event)).toEqual(
      expect.arrayContaining(["created", "updated", "disabled", "enabled", "regenerated", "revoked"]),
    );

    await client.deleteKey(orgId, created.id);
    await expect(client.getKey(orgId, created.id)).rejects.toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("revokes keys in bulk by label", async () => {
    const a = await client.createKey(orgId, { name: "a", labels: ["bulk"], expires_in: "1d" });
    const b = await client.createKey(orgId, { name: "b", labels: ["bulk"], expires_in: "1d" });
    const revoked = await client.revokeKeys(orgId, { label: "bulk" });
    expect(revoked.revoked).toBe(2);
    expect(revoked.key_ids.sort()).toEqual([a.id, b.id].sort());
  });

  it("verifies with permissions, address and cost, and reports usage", async () => {
    const key = await client.createKey(orgId, {
      name: "metered",
      permissions: ["widgets:read"],
      ip_allowlist: ["192.0.2.0/24"],
      quota: { remaining: 10 },
      expires_in: "1d",
    });
    const secret = key.attributes.key ?? "";
    const passed = await client.verify(secret, { permissions: ["widgets:read"], ip: "192.0.2.7", cost: 3 });
    expect(passed).toMatchObject({ valid: true, code: "VALID", key_id: key.id, quota: { remaining: 7 } });
    expect((await client.verify(secret, { ip: "198.51.100.1" })).code).toBe("IP_NOT_ALLOWED");
    const denied = await client.verify(secret, { permissions: ["widgets:write"], ip: "192.0.2.7" });
    expect(denied.code).toBe("INSUFFICIENT_PERMISSIONS");
    // The CLI's form: just the permissions.
    const plain = await client.createKey(orgId, { name: "plain", permissions: ["widgets:read"], expires_in: "1d" });
    expect((await client.verify(plain.attributes.key ?? "", ["widgets:read"])).code).toBe("VALID");

    await latchkey.app.services.usage.flush();
    const keyUsage = await client.keyUsage(orgId, key.id, { granularity: "day" });
    expect(keyUsage.attributes.key_id).toBe(key.id);
    expect(keyUsage.attributes.totals.VALID).toBe(1);
    const orgUsage = await client.orgUsage(orgId, { granularity: "hour" });
    expect(orgUsage.attributes.total).toBeGreaterThanOrEqual(3);
  });

  it("manages personal tokens", async () => {
    const token = await client.createToken({ name: "laptop", expires_in: "1d" });
    expect(token.attributes.kind).toBe("personal");
    expect((await client.getToken(token.id)).attributes.name).toBe("laptop");
    expect((await client.listTokens({ name: "laptop" })).data.map((t) => t.id)).toEqual([token.id]);
    const regenerated = await client.regenerateToken(token.id);
    expect(regenerated.attributes.key).toMatch(/^lkp_/);
    await client.deleteToken(token.id);
    await expect(client.getToken(token.id)).rejects.toBeInstanceOf(LatchkeyApiError);
  });

  it("manages service accounts", async () => {
    const account = await client.createServiceAccount(orgId, { name: "ci", role: "member" });
    expect(account.attributes).toMatchObject({ name: "ci", role: "member" });
    expect((await client.getServiceAccount(orgId, account.id)).id).toBe(account.id);
    expect((await client.listServiceAccounts(orgId, { limit: 100 })).data.map((a) => a.id)).toContain(account.id);
    const changed = await client.updateServiceAccount(orgId, account.id, { name: "ci-2", role: "viewer" });
    expect(changed.attributes).toMatchObject({ name: "ci-2", role: "viewer" });
    await client.deleteServiceAccount(orgId, account.id);
    await expect(client.getServiceAccount(orgId, account.id)).rejects.toMatchObject({ status: 404 });
  });

  it("reads and extends the org's permission catalogue", async () => {
    const added = await client.createPermission(orgId, { name: "reports:export", description: "Export reports" });
    expect(added.attributes).toMatchObject({ name: "reports:export", publishable: false, source: "org" });
    const catalogue = await client.listPermissions(orgId);
    expect(catalogue.find((entry) => entry.id === "api_keys:read")?.attributes.source).toBe("latchkey");
    expect(catalogue.map((entry) => entry.id)).toContain("reports:export");
  });

  it("lists and regenerates the org's publishable keys", async () => {
    await client.createPermission(orgId, { name: "widgets:read", description: "Show widgets", publishable: true });
    const keys = await client.listPublishableKeys(orgId);
    expect(keys.map((key) => key.attributes.environment)).toEqual(["live", "test"]);
    const live = keys[0]?.attributes.key ?? "";
    expect(live).toMatch(/^lkpk_/);
    expect((await client.verify(live, ["widgets:read"])).code).toBe("VALID");
    const regenerated = await client.regeneratePublishableKey(orgId, "live");
    expect(regenerated.id).toBe(keys[0]?.id);
    expect((await client.verify(live)).valid).toBe(false);
    expect((await client.verify(regenerated.attributes.key ?? "", ["widgets:read"])).code).toBe("VALID");
  });

  it("manages members", async () => {
    const id = "0196f000-0000-7000-8000-0000000000aa";
    await latchkey.store.db
      .insertInto("users")
      .values({ id, email: "kim@example.test", name: "Kim", password_hash: null, created_at: new Date().toISOString() })
      .execute();
    const member = await client.addMember(orgId, { email: "kim@example.test", role: "member" });
    expect(member.attributes).toMatchObject({ user_id: id, role: "member", email: "kim@example.test" });
    expect((await client.getMember(orgId, member.id)).id).toBe(member.id);
    expect((await client.updateMember(orgId, member.id, { role: "viewer" })).attributes.role).toBe("viewer");
    expect((await client.listMembers(orgId, { limit: 100 })).data.map((m) => m.id)).toContain(member.id);
    await client.removeMember(orgId, member.id);
    await expect(client.getMember(orgId, member.id)).rejects.toMatchObject({ status: 404 });
  });

  it("manages custom roles and projects, and verifies a key's role/scope pair at a project", async () => {
    const role = await client.createRole(orgId, { name: "deployer", permissions: ["deploys:write"] });
    expect(role.attributes).toMatchObject({ name: "deployer", built_in: false, permissions: ["deploys:write"] });
    expect((await client.listRoles(orgId)).map((r) => r.attributes.name)).toEqual([
      "owner",
      "super_admin",
      "admin",
      "member",
      "viewer",
      "deployer",
    ]);
    expect((await client.updateRole(orgId, role.id, { description: "Ships" })).attributes.description).toBe("Ships");
    expect((await client.getRole(orgId, role.id)).attributes.description).toBe("Ships");
    const project = await client.createProject(orgId, { name: "web" });
    expect((await client.getProject(orgId, project.id)).attributes.scope).toBe(`project:${project.id}`);
    expect((await client.listProjects(orgId)).data.map((p) => p.id)).toEqual([project.id]);
    const scoped = await client.createKey(orgId, {
      name: "deploys web",
      expires_in: "1d",
      roles: [{ role: "deployer", scope: `project:${project.id}` }],
    });
    const key = scoped.attributes.key ?? "";
    const at = { permissions: ["deploys:write"], resource: `project:${project.id}` };
    expect((await client.verify(key, at)).code).toBe("VALID");
    expect((await client.verify(key, ["deploys:write"])).code).toBe("INSUFFICIENT_PERMISSIONS");
    await expect(client.deleteRole(orgId, role.id)).rejects.toMatchObject({ status: 409, code: "CONFLICT" });
    await expect(client.deleteProject(orgId, project.id)).rejects.toMatchObject({ status: 409 });
    await client.changeKey(orgId, scoped.id, "revoke");
    await client.deleteRole(orgId, role.id);
    await client.deleteProject(orgId, project.id);
    expect((await client.listRoles(orgId)).map((r) => r.attributes.built_in)).not.toContain(false);
  });

  it("manages groups: orgs, members and service accounts whose keys work in each org of the group", async () => {
    const [group] = (await client.listGroups()).data;
    const groupId = group?.id ?? "";
    expect((await client.getGroup(groupId)).attributes.slug).toBe("default");
    const org = await client.createOrg({ name: "Second workspace" });
    expect(org.attributes.group_id).toBe(groupId);
    expect((await client.listGroupOrgs(groupId, { limit: 100 })).data.map((o) => o.id)).toEqual(
      expect.arrayContaining([orgId, org.id]),
    );

    const id = "0196f000-0000-7000-8000-0000000000bb";
    await latchkey.store.db
      .insertInto("users")
      .values({ id, email: "lee@example.test", name: "Lee", password_hash: null, created_at: new Date().toISOString() })
      .execute();
    const member = await client.addGroupMember(groupId, { email: "lee@example.test", role: "admin" });
    expect(member.attributes).toMatchObject({ user_id: id, role: "admin", group_id: groupId });
    expect((await client.getGroupMember(groupId, member.id)).id).toBe(member.id);
    expect((await client.setGroupMemberRole(groupId, member.id, "viewer")).attributes.role).toBe("viewer");
    expect((await client.listGroupMembers(groupId, { limit: 100 })).data.map((m) => m.id)).toContain(member.id);
    await client.removeGroupMember(groupId, member.id);
    await expect(client.getGroupMember(groupId, member.id)).rejects.toMatchObject({ status: 404 });

    const account = await client.createGroupServiceAccount(groupId, { name: "group robot", role: "member" });
    expect(account.attributes).toMatchObject({ group_id: groupId, org_id: null });
    expect((await client.listGroupServiceAccounts(groupId)).data.map((a) => a.id)).toEqual([account.id]);
    expect((await client.updateGroupServiceAccount(groupId, account.id, { role: "viewer" })).attributes.role).toBe(
      "viewer",
    );
    expect((await client.getGroupServiceAccount(groupId, account.id)).attributes.role).toBe("viewer");
    const key = await client.createKey(orgId, {
      name: "group robot key",
      service_account_id: account.id,
      expires_in: "1d",
    });
    expect((await client.verify(key.attributes.key ?? "")).code).toBe("VALID");
    await client.deleteGroupServiceAccount(groupId, account.id);
    expect((await client.verify(key.attributes.key ?? "")).code).toBe("REVOKED");
  });

  it("reads and exports the audit log", async () => {
    const account = await client.createServiceAccount(orgId, { name: "audited", role: "viewer" });
    const page = await client.listAuditLogs(orgId, { action: "service_account.*" }, { limit: 100 });
    const created = page.data.find((event) => event.attributes.target.id === account.id);
    expect(created?.attributes).toMatchObject({ action: "service_account.created", actor: { type: "user" } });
    const lines = (await client.exportAuditLogs(orgId, { target: account.id })).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).action)).toEqual(["service_account.created"]);
  });

  it("revokes a key for whoever holds it, and reaches the secret-scanning endpoint", async () => {
    const held = await client.createKey(orgId, { name: "found in a log", expires_in: "1d" });
    expect(await client.selfRevoke(held.attributes.key ?? "")).toEqual({ status: "accepted" });
    expect(await client.selfRevoke("lks_unknown")).toEqual({ status: "accepted" });
    expect((await client.getKey(orgId, held.id)).attributes.status).toBe("revoked");
    expect((await client.self()).data.type).toBe("user");
    const report = await client
      .reportLeakedKeys("[]", { keyIdentifier: "k", signature: "AAAA" })
      .catch((error: unknown) => error);
    expect(report).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("stores, lists, reveals and deletes vault secrets", async () => {
    const created = await client.createSecret(orgId, { name: "sdk/secret", value: "sdk secret value" });
    expect(created.attributes).not.toHaveProperty("value");
    expect((await client.listSecrets(orgId, { limit: 10 })).data.map((secret) => secret.id)).toContain(created.id);
    expect((await client.getSecret(orgId, created.id)).attributes).not.toHaveProperty("value");
    expect((await client.revealSecret(orgId, created.id)).attributes.value).toBe("sdk secret value");
    await client.deleteSecret(orgId, created.id);
    await expect(client.getSecret(orgId, created.id)).rejects.toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("calls any route of the document, typed from it", async () => {
    const answer = await client.call("get", "/rest/orgs/{org_id}", { path: { org_id: orgId } });
    expect(answer.data.id).toBe(orgId);
  });

  it("throws LatchkeyApiError with the code and request id", async () => {
    const stranger = new LatchkeyClient({ url: latchkey.url, token: "lks_wrong" });
    const refused = await stranger.self().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LatchkeyApiError);
    expect(refused).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
    expect((refused as LatchkeyApiError).message).not.toContain("lks_wrong");
    const invalid = await client
      .createKey(orgId, { name: "", expires_in: "1d" })
      .catch((error: unknown) => error as LatchkeyApiError);
    expect(invalid).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    expect(typeof (invalid as LatchkeyApiError).requestId).toBe("string");
  });

  it("invites someone, who accepts, signs in with the session cookie and CSRF token, and signs out", async () => {
    const invitation = await client.createInvitation(orgId, { email: "sdk-invitee@example.test", role: "admin" });
    const link = new URL(invitation.attributes.link as string);
    expect((await client.listInvitations(orgId)).data.map((i) => i.id)).toContain(invitation.id);
    expect((await client.getInvitation(orgId, invitation.id)).attributes.link).toBeUndefined();
    const withdrawn = await client.createInvitation(orgId, { email: "sdk-withdrawn@example.test", role: "viewer" });
    await client.deleteInvitation(orgId, withdrawn.id);

    // A browser keeps the cookie itself; in Node a one-cookie jar stands in for it.
    let cookie = "";
    const jarFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (cookie !== "") headers.set("cookie", cookie);
      const response = await fetch(input, { ...init, headers });
      const set = response.headers.get("set-cookie");
      if (set !== null) cookie = set.split(";")[0] as string;
      return response;
    };
    const browser = new LatchkeyClient({ url: latchkey.url, fetch: jarFetch, credentials: "include" });
    const passphrase = "sdk invitee passphrase";
    const accepted = await browser.acceptInvitation(link.searchParams.get("token") as string, passphrase, "Invitee");
    expect(accepted.orgs.map((org) => org.role)).toEqual(["admin"]);
    expect((await browser.self()).meta.api_key).toBeNull();
    const key = await browser.createKey(orgId, { name: "made in a browser", expires_in: "1d" });
    expect(key.attributes.created_by).toEqual({ type: "user", id: accepted.user.id });
    // Over a socket the fast lane leaves cookie-only verifications to Fastify, which authenticates the session.
    expect((await browser.verify(key.attributes.key as string)).code).toBe("VALID");
    const newer = "an even newer sdk passphrase";
    await browser.changePassword(passphrase, newer);
    await browser.logout();
    await expect(browser.session()).rejects.toMatchObject({ status: 401 });
    const again = await browser.login("sdk-invitee@example.test", newer);
    expect((await browser.session()).csrf_token).toBe(again.csrf_token);
    const forged = new LatchkeyClient({ url: latchkey.url, fetch: jarFetch, csrfToken: "x".repeat(43) });
    await expect(forged.createKey(orgId, { name: "forged", expires_in: "1d" })).rejects.toMatchObject({
      status: 403,
      code: "CSRF_FAILED",
    });
  });

  it("manages an OAuth client's secrets, and gets access tokens with getAccessToken", async () => {
    const account = await client.createServiceAccount(orgId, {
      name: "oauth ci",
      role: "viewer",
      auth_type: "oauth_client_secret",
      access_token_ttl_seconds: 600,
    });
    const clientId = account.attributes.client_id as string;
    const first = account.attributes.client_secret as string;
    expect(first).toMatch(/^lkcs_/);
    const token = await getAccessToken({ url: latchkey.url, clientId, clientSecret: first });
    expect(token).toMatchObject({ token_type: "bearer", expires_in: 600 });
    const asRobot = new LatchkeyClient({ url: latchkey.url, token: token.access_token });
    expect((await asRobot.self()).data).toMatchObject({ type: "service_account", id: account.id });
    const second = await client.issueClientSecret(orgId, account.id, 60);
    expect(second.attributes.client_secret).toMatch(/^lkcs_/);
    const listed = await client.listClientSecrets(orgId, account.id);
    expect(listed.map((secret) => secret.attributes.client_secret)).toEqual([undefined, undefined]);
    const firstId = listed.find((secret) => secret.id !== second.id)?.id as string;
    await client.revokeClientSecret(orgId, account.id, firstId);
    await expect(asRobot.self()).rejects.toMatchObject({ status: 401 });
    await expect(getAccessToken({ url: latchkey.url, clientId, clientSecret: first })).rejects.toMatchObject({
      status: 401,
      error: "invalid_client",
    });
  });

  it("manages webhooks and their deliveries", async () => {
    const created = await client.createWebhook(orgId, {
      url: "https://hooks.example.com/latchkey",
      event_types: ["api_key.created"],
    });
    expect(created.attributes.secret).toMatch(/^whsec_/);
    expect((await client.getWebhook(orgId, created.id)).attributes.secret).toBeUndefined();
    expect((await client.listWebhooks(orgId, { limit: 100 })).data.map((w) => w.id)).toContain(created.id);
    const updated = await client.updateWebhook(orgId, created.id, { description: "ops" });
    expect(updated.attributes.description).toBe("ops");
    const rotated = await client.rotateWebhookSecret(orgId, created.id);
    expect(rotated.attributes.secret).not.toBe(created.attributes.secret);
    await client.createKey(orgId, { name: "announced", expires_in: "1d" });
    const deliveries = await client.listWebhookDeliveries(orgId, created.id);
    expect(deliveries.data).toHaveLength(1);
    const first = deliveries.data[0];
    expect(first?.attributes).toMatchObject({ event_type: "api_key.created", status: "pending" });
    const again = await client.redeliverWebhook(orgId, created.id, first?.id ?? "");
    expect(again.attributes).toMatchObject({ event_id: first?.attributes.event_id, redelivery_of: first?.id });
    await client.deleteWebhook(orgId, created.id);
    await expect(client.getWebhook(orgId, created.id)).rejects.toMatchObject({ status: 404 });
  });

  it("has called every route of the OpenAPI document", async () => {
    const document = (await client.openapi()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => method in item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((route) => !called.has(route))).toEqual([]);
  });
});
