import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  createKey,
  createOrg,
  createServiceAccount,
  createTestApp,
  expectError,
  orgAWithAllRoles,
  send,
  type TestApp,
} from "./helpers.js";

// Issue 5: every change is an audit event (actor, action, target, time, address, request id) written
// with the change; GET …/audit_logs filters and pages them; …/audit_logs/export streams NDJSON.

interface AuditAttributes {
  seq: number;
  action: string;
  actor: { type: string; id: string };
  target: { type: string; id: string };
  org_id: string;
  created_at: string;
  ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});

afterEach(async () => {
  await t.close();
});

async function auditLog(query = "", token = t.owner.token): Promise<AuditAttributes[]> {
  const res = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100${query}`, token });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((item: { type: string; attributes: AuditAttributes }) => {
    expect(item.type).toBe("audit_log");
    return item.attributes;
  });
}

describe("every change is audited with the change", () => {
  test("key lifecycle and service accounts, with actor, address and request id", async () => {
    const { id } = await createKey(t, { labels: ["batch"] });
    const path = `/rest/orgs/${t.owner.orgId}/api_keys/${id}`;
    const token = t.owner.token;
    const headers = { "x-request-id": "req-audit-1" };
    expect(
      (await send(t.app, { method: "PATCH", url: path, token, headers, body: rename("renamed") })).statusCode,
    ).toBe(200);
    for (const action of ["disable", "enable", "regenerate", "revoke"]) {
      const res = await send(t.app, { method: "POST", url: `${path}/${action}`, token });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect((await send(t.app, { method: "DELETE", url: path, token })).statusCode).toBe(204);
    const { id: batchKey } = await createKey(t, { labels: ["batch"] });
    const bulk = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/revoke`,
      token,
      body: { data: { type: "api_key_revocation", attributes: { filter: { label: "batch" } } } },
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    const accountId = await createServiceAccount(t, "viewer", "robot");
    expect(
      (await send(t.app, { method: "DELETE", url: `/rest/orgs/${t.owner.orgId}/service_accounts/${accountId}`, token }))
        .statusCode,
    ).toBe(204);

    const events = (await auditLog()).reverse();
    const mine = events.filter((event) => event.target.id === id).map((event) => event.action);
    expect(mine).toEqual([
      "api_key.created",
      "api_key.updated",
      "api_key.disabled",
      "api_key.enabled",
      "api_key.regenerated",
      "api_key.revoked",
      "api_key.deleted",
    ]);
    expect(events.filter((event) => event.target.id === batchKey).map((event) => event.action)).toEqual([
      "api_key.created",
      "api_key.revoked",
    ]);
    expect(events.filter((event) => event.target.id === accountId).map((event) => event.action)).toEqual([
      "service_account.created",
      "service_account.deleted",
    ]);
    const updated = events.find((event) => event.action === "api_key.updated");
    expect(updated).toMatchObject({
      actor: { type: "user", id: t.owner.userId },
      target: { type: "api_key", id },
      org_id: t.owner.orgId,
      ip: "127.0.0.1",
      request_id: "req-audit-1",
    });
    for (const event of events) {
      expect(Date.parse(event.created_at)).not.toBeNaN();
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // The chain links each event to the one before it.
    const chain = (await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs/export`, token })).body
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditAttributes);
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.prev_hash).toBe(chain[i - 1]?.hash);
    expect((await t.store.audit.check()).ok).toBe(true);
  });

  test("a refused change writes no event", async () => {
    const before = (await auditLog()).length;
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys`,
      token: t.owner.token,
      body: { data: { type: "api_key", attributes: { name: "x", expires_in: "never" } } },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(await auditLog()).toHaveLength(before);
  });
});

function rename(name: string) {
  return { data: { type: "api_key", attributes: { name } } };
}

describe("GET …/audit_logs", () => {
  test("filters by action, a resource's actions, actor, target and time; pages with cursors", async () => {
    const first = await createKey(t);
    const second = await createKey(t);
    await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${first.id}/revoke`,
      token: t.owner.token,
    });
    expect((await auditLog("&filter[action]=api_key.revoked")).map((event) => event.target.id)).toEqual([first.id]);
    // The first start's token and the org's two publishable keys, two keys and a revocation.
    expect((await auditLog("&filter[action]=api_key.*")).length).toBe(6);
    expect(await auditLog("&filter[action]=service_account.*")).toEqual([]);
    expect((await auditLog(`&filter[target]=${second.id}`)).map((event) => event.action)).toEqual(["api_key.created"]);
    // The owner's first token and publishable keys (made by the first start), two keys and a revocation.
    expect((await auditLog(`&filter[actor]=${t.owner.userId}`)).length).toBe(6);
    expect(await auditLog(`&filter[actor]=${t.owner.orgId}`)).toEqual([]);
    const now = t.clock.now().toISOString();
    expect(
      await auditLog(`&filter[from]=${encodeURIComponent(new Date(Date.parse(now) + 1000).toISOString())}`),
    ).toEqual([]);
    expect(
      (await auditLog(`&filter[to]=${encodeURIComponent(new Date(Date.parse(now) + 1000).toISOString())}`)).length,
    ).toBe(6);

    const page1 = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=2`,
      token: t.owner.token,
    });
    const body1 = page1.json();
    expect(body1.data).toHaveLength(2);
    const page2 = await send(t.app, { url: body1.links.next, token: t.owner.token });
    const seqs = [...body1.data, ...page2.json().data].map(
      (item: { attributes: AuditAttributes }) => item.attributes.seq,
    );
    expect(seqs).toEqual([6, 5, 4, 3]);
  });

  test("needs audit:read in the org; another org's log is 404", async () => {
    const org = await orgAWithAllRoles(t);
    for (const role of ["member", "viewer"] as const) {
      const res = await send(t.app, {
        url: `/rest/orgs/${org.orgId}/audit_logs`,
        token: org.members[role].token,
      });
      expectError(res, 403, "FORBIDDEN");
      const exported = await send(t.app, {
        url: `/rest/orgs/${org.orgId}/audit_logs/export`,
        token: org.members[role].token,
      });
      expectError(exported, 403, "FORBIDDEN");
    }
    expect((await auditLog("", org.members.admin.token)).length).toBeGreaterThan(0);
    const other = await createOrg(t, "Other Org");
    await createKey(t, {}, { token: other.members.owner.token, orgId: other.orgId });
    const cross = await send(t.app, { url: `/rest/orgs/${other.orgId}/audit_logs`, token: t.owner.token });
    expectError(cross, 404, "NOT_FOUND");
    const crossExport = await send(t.app, { url: `/rest/orgs/${other.orgId}/audit_logs/export`, token: t.owner.token });
    expectError(crossExport, 404, "NOT_FOUND");
    // Each org sees only its own events.
    const theirs = await send(t.app, { url: `/rest/orgs/${other.orgId}/audit_logs`, token: other.members.owner.token });
    for (const item of theirs.json().data) expect(item.attributes.org_id).toBe(other.orgId);
  });

  test("bad filters answer 400", async () => {
    for (const query of ["filter[action]=API_KEY", "filter[from]=yesterday", "limit=0", "filter[action]=a..b"]) {
      const res = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs?${query}`, token: t.owner.token });
      expect(res.statusCode, query).toBe(400);
    }
  });
});

describe("GET …/audit_logs/export", () => {
  test("streams NDJSON, oldest first, with the same attributes as the list", async () => {
    await createKey(t);
    await createKey(t);
    const res = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs/export`, token: t.owner.token });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/x-ndjson; charset=utf-8");
    const lines = res.body
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    // The first start's token and the org's two publishable keys, then the two keys.
    expect(lines.map((line) => line.seq)).toEqual([1, 2, 3, 4, 5]);
    const listed = (await auditLog()).reverse();
    expect(lines.map(({ id: _id, ...attributes }) => attributes)).toEqual(listed);
  });
});
