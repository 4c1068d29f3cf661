import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "@latchkey/testkit";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";

// Two real `latchkey serve` processes on one PostgreSQL database (a schema of the test's own), with
// the wall clock: their schedulers tick every second and race for the lease and for every alert.
// Times are moved by rewriting the keys' rows, since two processes cannot share a fake clock.
const MAIN = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

interface Node {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

const nodes: Node[] = [];

async function startNode(env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("LATCHKEY_") && name !== "NODE_OPTIONS") clean[name] = value;
  }
  const child = spawn(process.execPath, [MAIN, "serve"], {
    env: { ...clean, ...env, LATCHKEY_PORT: String(port), LATCHKEY_HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const node = { child, base: `http://127.0.0.1:${port}`, output: () => output, exited };
  nodes.push(node);
  const deadline = Date.now() + 20_000;
  while (!/latchkey listening on /.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      // The first start prints the owner's password and token: never into an error.
      throw new Error(`serve did not start:\n${output.replace(/^owner (password|token): .*$/gm, "owner $1: …")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return node;
}

afterAll(async () => {
  for (const node of nodes) {
    if (node.child.exitCode === null) node.child.kill("SIGTERM");
    await node.exited;
  }
});

describe.skipIf(postgresUrl === undefined)("alerts with two `latchkey serve` processes on one PostgreSQL", () => {
  const base = postgresUrl ?? "";
  const schema = `latchkey_serve_${randomBytes(6).toString("hex")}`;
  const url = `${base}${base.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

  async function sql<T>(text: string, values: unknown[] = [], connection = url): Promise<T[]> {
    const client = new pg.Client({ connectionString: connection });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    for (const node of nodes) {
      if (node.child.exitCode === null) node.child.kill("SIGTERM");
      await node.exited;
    }
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`, [], base);
  });

  test("expiry, idle and new-network alerts fire once each", async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx tsc -b\` first`);
    await sql(`CREATE SCHEMA ${schema}`, [], base);
    const env = {
      LATCHKEY_DATABASE_URL: url,
      LATCHKEY_LOG_LEVEL: "warn",
      LATCHKEY_AUTH_FAILURE_LIMIT: "0",
      LATCHKEY_SCHEDULER_INTERVAL_SECONDS: "1",
      LATCHKEY_USAGE_FLUSH_SECONDS: "1",
      // PostgreSQL has no data folder for a generated vault key: both nodes are given the same one.
      LATCHKEY_MASTER_KEY: randomBytes(32).toString("base64"),
    };
    const one = await startNode(env);
    const token = /^owner token: (\S+)$/m.exec(one.output())?.[1] ?? "";
    expect(token).not.toBe("");
    const two = await startNode(env);

    const call = async (node: Node, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${node.base}${path}${path.includes("?") ? "&" : "?"}version=2024-06-10`, {
        method,
        headers: {
          authorization: `token ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/vnd.api+json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: res.status,
        doc: (await res.json()) as { data: { id: string; attributes: Record<string, unknown> } },
      };
    };
    const self = await call(one, "GET", "/rest/self");
    const orgId = self.doc.data.attributes.default_org_context as string;
    const createKey = async () => {
      const res = await call(one, "POST", `/rest/orgs/${orgId}/api_keys`, {
        data: { type: "api_key", attributes: { name: "k", expires_in: "90d" } },
      });
      expect(res.status).toBe(201);
      return { id: res.doc.data.id, key: res.doc.data.attributes.key as string };
    };
    const verifyOn = async (node: Node, key: string, ip: string) =>
      (
        await call(node, "POST", "/rest/api_keys/verify", {
          data: { type: "key_verification", attributes: { key, ip } },
        })
      ).doc.data.attributes.code;

    const expiring = await createKey();
    const idle = await createKey();
    const roaming = await createKey();
    const patched = await call(two, "PATCH", `/rest/orgs/${orgId}`, {
      data: { type: "org", attributes: { policy: { idle_disable_days: 1 } } },
    });
    expect(patched.status).toBe(200);
    const now = Date.now();
    // `expiring`: made 40 days ago, used just now, 12 hours left. `idle`: made 3 days ago, never used.
    await sql("UPDATE api_keys SET created_at = $1, expires_at = $2, last_used_at = $3 WHERE id = $4", [
      new Date(now - 40 * DAY_MS).toISOString(),
      new Date(now + 12 * HOUR_MS).toISOString(),
      new Date(now).toISOString(),
      expiring.id,
    ]);
    await sql("UPDATE api_keys SET created_at = $1 WHERE id = $2", [new Date(now - 3 * DAY_MS).toISOString(), idle.id]);

    expect(await verifyOn(one, roaming.key, "203.0.113.5")).toBe("VALID");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.all([verifyOn(one, roaming.key, "198.51.100.7"), verifyOn(two, roaming.key, "198.51.100.9")]);

    // Several ticks of both schedulers and several flushes of both nodes.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const events = () =>
      sql<{ action: string; target_id: string; actor_id: string; detail: string }>(
        "SELECT action, target_id, actor_id, detail FROM audit_events WHERE actor_type = 'system' ORDER BY seq",
      );
    const seen = await events();
    const summary = seen.map((event) => ({ ...event, detail: JSON.parse(event.detail) }));
    expect(summary).toEqual(
      expect.arrayContaining([
        {
          action: "api_key.expiring",
          target_id: expiring.id,
          actor_id: "alerts",
          detail: { expires_at: new Date(now + 12 * HOUR_MS).toISOString(), days_before: 1 },
        },
        {
          action: "api_key.disabled",
          target_id: idle.id,
          actor_id: "idle-policy",
          detail: { reason: "idle", idle_days: 1 },
        },
        {
          action: "api_key.new_ip",
          target_id: roaming.id,
          actor_id: "alerts",
          detail: { ip: expect.stringMatching(/^198\.51\.100\.[79]$/), network: "198.51.100.0/24" },
        },
      ]),
    );
    expect(summary, JSON.stringify(summary)).toHaveLength(3);
    for (const node of [one, two]) expect(await verifyOn(node, idle.key, "203.0.113.5")).toBe("DISABLED");
    const leases = await sql<{ name: string }>("SELECT name FROM leases");
    expect(leases.map((lease) => lease.name)).toEqual(["scheduler"]);

    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await events()).toHaveLength(3);
    for (const node of nodes) node.child.kill("SIGTERM");
    expect(await Promise.all(nodes.map((node) => node.exited))).toEqual([0, 0]);
  }, 60_000);
});
