import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatchkeyApiError, LatchkeyClient } from "../src/index.js";
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
    await client.deleteServiceAccount(orgId, account.id);
    await expect(client.getServiceAccount(orgId, account.id)).rejects.toMatchObject({ status: 404 });
  });

  it("reads and exports the audit log", async () => {
    const account = await client.createServiceAccount(orgId, { name: "audited", role: "viewer" });
    const page = await client.listAuditLogs(orgId, { action: "service_account.*" }, { limit: 100 });
    const created = page.data.find((event) => event.attributes.target.id === account.id);
    expect(created?.attributes).toMatchObject({ action: "service_account.created", actor: { type: "user" } });
    const lines = (await client.exportAuditLogs(orgId, { target: account.id })).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).action)).toEqual(["service_account.created"]);
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
