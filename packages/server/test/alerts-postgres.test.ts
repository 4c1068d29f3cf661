import { randomBytes } from "node:crypto";
import { AlertEvents, type AlertStore, type KeyEvent, newId } from "@latchkey/core";
import { type KyselyStore, openStore } from "@latchkey/store";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootstrapOwner, buildApp, loadConfig } from "../src/index.js";
import { auditOf, DAY_SECONDS } from "./alerts-helpers.js";
import { cryptoRandom, FakeClock, send } from "./helpers.js";

// Two nodes, each with its own pool, on one PostgreSQL database: their schedulers, flushes and alert
// writes race over separate connections, as two `latchkey serve` processes would.
const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

interface Node {
  app: FastifyInstance;
  store: KyselyStore;
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.skipIf(postgresUrl === undefined)("alerts with two nodes on one PostgreSQL", () => {
  const base = postgresUrl ?? "";
  const schema = `latchkey_alerts_${randomBytes(6).toString("hex")}`;
  const url = `${base}${base.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const clock = new FakeClock();
  const nodes: Node[] = [];
  let token = "";
  let orgId = "";

  // Both nodes open one vault: they share its master key, as a deployment's nodes do.
  const masterKey = randomBytes(32).toString("base64");

  async function startNode(): Promise<Node> {
    const store = await openStore(url);
    await store.migrate();
    const config = loadConfig({
      LATCHKEY_LOG_LEVEL: "silent",
      LATCHKEY_DATABASE_URL: url,
      LATCHKEY_AUTH_FAILURE_LIMIT: "0",
      LATCHKEY_MASTER_KEY: masterKey,
    });
    const app = await buildApp(config, { store, clock, random: cryptoRandom, bus: store.invalidationBus() });
    const node = { app, store };
    nodes.push(node);
    return node;
  }

  const [a, b] = [() => nodes[0] as Node, () => nodes[1] as Node];
  const call = (node: Node, method: "GET" | "POST" | "PATCH", path: string, body?: unknown) =>
    send(node.app, { method, url: path, token, ...(body === undefined ? {} : { body }) });
  const createKey = async (attributes: Record<string, unknown>) => {
    const res = await call(a(), "POST", `/rest/orgs/${orgId}/api_keys`, {
      data: { type: "api_key", attributes: { name: "k", ...attributes } },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().data.id as string, key: res.json().data.attributes.key as string };
  };
  const verifyOn = async (node: Node, key: string, ip: string) => {
    const res = await call(node, "POST", "/rest/api_keys/verify", {
      data: { type: "key_verification", attributes: { key, ip } },
    });
    return res.json().data.attributes.code as string;
  };
  /** Both nodes use the owner's token now and flush, then both tick at once. */
  const tickBoth = async () => {
    for (const node of nodes) expect((await call(node, "GET", "/rest/self")).statusCode).toBe(200);
    await Promise.all(nodes.map((node) => node.app.services.usage.flush()));
    return Promise.all(nodes.map((node) => node.app.services.scheduler.tick()));
  };

  beforeAll(async () => {
    await admin(base, `CREATE SCHEMA ${schema}`);
    await Promise.all([startNode(), startNode()]);
    const owner = await bootstrapOwner(a().store, {}, clock, cryptoRandom);
    if (owner === null) throw new Error("bootstrap did not run");
    token = owner.token;
    orgId = (await call(a(), "GET", "/rest/self")).json().data.attributes.default_org_context;
  });

  afterAll(async () => {
    for (const node of nodes) {
      await node.app.close();
      await node.store.close();
    }
    if (postgresUrl !== undefined) await admin(base, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  test("one node holds the lease; expiry and idle alerts fire once each; the disabled key fails on both nodes", async () => {
    const expiring = await createKey({ expires_in: "30d" });
    const idle = await createKey({ expires_in: "90d" });
    const patched = await call(b(), "PATCH", `/rest/orgs/${orgId}`, {
      data: { type: "org", attributes: { policy: { idle_disable_days: 10 } } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await verifyOn(b(), idle.key, "203.0.113.5")).toBe("VALID");

    const first = await tickBoth();
    expect(first.filter((report) => report.ran)).toHaveLength(1);
    clock.advance(23 * DAY_SECONDS);
    for (let i = 0; i < 3; i++) {
      const reports = await tickBoth();
      expect(reports.filter((report) => report.ran)).toHaveLength(1);
    }
    const events = await auditOf(a(), orgId, "api_key.expiring", expiring.id);
    expect(events.map((event) => event.detail.days_before)).toEqual([7]);
    expect(await auditOf(a(), orgId, "api_key.disabled", idle.id)).toHaveLength(1);
    // Node B cached the key as valid; the disabling was announced to it.
    for (const node of nodes) {
      await expect.poll(() => verifyOn(node, idle.key, "203.0.113.5"), { timeout: 3000 }).toBe("DISABLED");
    }
    clock.advance(6 * DAY_SECONDS);
    await tickBoth();
    await tickBoth();
    const both = await auditOf(a(), orgId, "api_key.expiring", expiring.id);
    expect(both.map((event) => event.detail.days_before)).toEqual([7, 1]);
    expect((await a().store.audit.check()).ok).toBe(true);
  });

  test("when the holder stops, the other node takes the lease over", async () => {
    const holder = (await tickBoth()).findIndex((report) => report.ran);
    const other = nodes[1 - holder] as Node;
    await (nodes[holder] as Node).app.services.scheduler.stop();
    expect((await other.app.services.scheduler.tick()).ran).toBe(true);
    expect((await (nodes[holder] as Node).app.services.scheduler.tick()).ran).toBe(false);
    // A holder that vanished without releasing is replaced once its lease ends.
    clock.advance(181);
    expect((await (nodes[holder] as Node).app.services.scheduler.tick()).ran).toBe(true);
  });

  test("racing writes from both nodes still record each alert once", async () => {
    const key = await createKey({ expires_in: "30d" });
    const stores: AlertStore[] = nodes.map((node) => node.store.alerts);
    const events = new AlertEvents(clock, cryptoRandom);
    const expiringKey = {
      id: key.id,
      orgId,
      createdAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 1000),
      sent: [],
    };
    const once = { keyId: key.id, kind: "expiring" as const, discriminator: "race" };
    const recorded = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (stores[i % 2] as AlertStore).recordOnce(once, events.expiring(expiringKey, 1)),
      ),
    );
    expect(recorded.filter(Boolean)).toHaveLength(1);

    const cutoff = new Date(clock.now().getTime() + 1000);
    const event = (): KeyEvent => events.idleDisabled(orgId, key.id, 1);
    const disabled = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (stores[i % 2] as AlertStore).disableIdleKey(orgId, key.id, cutoff, clock.now(), {
          ...event(),
          id: newId(clock, cryptoRandom),
        }),
      ),
    );
    expect(disabled.filter(Boolean)).toHaveLength(1);

    const used = await createKey({ expires_in: "30d" });
    expect(await verifyOn(a(), used.key, "203.0.113.5")).toBe("VALID");
    await a().app.services.usage.flush();
    for (const node of nodes) expect(await verifyOn(node, used.key, "198.51.100.7")).toBe("VALID");
    await Promise.all(nodes.map((node) => node.app.services.usage.flush()));
    const newIp = await auditOf(a(), orgId, "api_key.new_ip", used.id);
    expect(newIp.map((e) => e.detail)).toEqual([{ ip: "198.51.100.7", network: "198.51.100.0/24" }]);
    expect((await a().store.audit.check()).ok).toBe(true);
  });
});
