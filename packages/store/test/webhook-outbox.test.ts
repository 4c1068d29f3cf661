import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditEvent, type ClaimedDelivery, DEFAULT_ORG_POLICY, newId } from "@latchkey/core";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { appendAudit } from "../src/kysely-audit-store.js";
import { type KyselyStore, openStore } from "../src/kysely-store.js";
import { orgToRow } from "../src/rows.js";

// The webhook outbox: rows written by the transaction of the audit event they carry, and claimed by
// one worker at a time however many nodes poll one database.

const random = { bytes: (n: number) => new Uint8Array(randomBytes(n)) };
const start = new Date("2025-06-01T12:00:00Z");
const clock = { now: () => start };

interface Backend {
  open(): Promise<{ nodes: [KyselyStore, KyselyStore]; close(): Promise<void> }>;
}

/**
 * SQLite: one connection. Two connections in one process would wait on each other synchronously
 * (busy_timeout blocks the thread); nodes on one SQLite file are separate processes, and their
 * claims are serialised by the same write lock that serialises these.
 */
const sqliteFile: Backend = {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-outbox-"));
    const a = await openStore(`sqlite:${join(dir, "latchkey.db")}`);
    await a.migrate();
    return {
      nodes: [a, a],
      async close() {
        await a.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

/**
 * PostgreSQL: a database of its own, not a schema: Kysely's migrator looks for its tables in every
 * schema, so another suite's schema in a shared database would hide this one's migration tables.
 */
const postgres: Backend = {
  async open() {
    const base = new URL(postgresUrl ?? "");
    const name = `latchkey_outbox_${randomBytes(6).toString("hex")}`;
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: base.toString() });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const a = await openStore(url.toString());
    await a.migrate();
    const b = await openStore(url.toString());
    return {
      nodes: [a, b],
      async close() {
        await a.close();
        await b.close();
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  },
};

function event(orgId: string, action: string): AuditEvent {
  return {
    id: newId(clock, random),
    orgId,
    actor: { type: "system", id: "test" },
    action,
    target: { type: "api_key", id: randomUUID() },
    createdAt: start,
    ip: null,
    requestId: null,
    detail: {},
  };
}

describe.each([
  ["sqlite file", sqliteFile],
  ...(postgresUrl !== undefined ? [["postgres", postgres] as const] : []),
] as const)("%s", (_name, backend) => {
  let nodes: [KyselyStore, KyselyStore];
  let close: () => Promise<void> = async () => {};
  let orgId: string;
  let endpointId: string;

  beforeEach(async () => {
    ({ nodes, close } = await backend.open());
    const [a] = nodes;
    orgId = newId(clock, random);
    const groupId = newId(clock, random);
    await a.db
      .insertInto("groups")
      .values({ id: groupId, name: "Group", slug: `group-${groupId}`, created_at: start.toISOString() })
      .execute();
    await a.db
      .insertInto("orgs")
      .values(
        orgToRow({
          id: orgId,
          groupId,
          name: "Org",
          slug: `org-${orgId}`,
          policy: DEFAULT_ORG_POLICY,
          createdAt: start,
        }),
      )
      .execute();
    endpointId = newId(clock, random);
    await a.webhooks.create(
      {
        id: endpointId,
        orgId,
        url: "https://hooks.example.com/in",
        description: null,
        eventTypes: ["api_key.created"],
        enabled: true,
        createdAt: start,
        createdBy: { type: "system", id: "test" },
        updatedAt: start,
      },
      "whsec_test",
      event(orgId, "webhook.created"),
    );
  });

  afterEach(async () => {
    await close();
  });

  const count = async () =>
    Number(
      (
        await nodes[0].db
          .selectFrom("webhook_deliveries")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test("rows are written by the event's transaction: rolled back with it, and only for subscribed types", async () => {
    await expect(
      nodes[0].db.transaction().execute(async (trx) => {
        await appendAudit(trx, [event(orgId, "api_key.created")]);
        throw new Error("the change failed after its audit event");
      }),
    ).rejects.toThrow("the change failed");
    expect(await count()).toBe(0);
    await nodes[0].audit.append([event(orgId, "api_key.created"), event(orgId, "api_key.revoked")]);
    await nodes[0].audit.append([event(orgId, "user.signed_in"), event(newId(clock, random), "api_key.created")]);
    expect(await count()).toBe(1);
  });

  test("two nodes polling one database never claim the same delivery twice", async () => {
    const total = 60;
    for (let i = 0; i < total; i += 10) {
      await nodes[0].audit.append(Array.from({ length: 10 }, () => event(orgId, "api_key.created")));
    }
    expect(await count()).toBe(total);
    const claimed: string[][] = [[], []];
    const work = async (node: 0 | 1) => {
      for (;;) {
        const claims = await nodes[node].webhooks.claimDue(start, new Date(start.getTime() + 60_000), randomUUID(), 4);
        if (claims.length === 0) return;
        for (const claim of claims) {
          claimed[node]?.push(claim.id);
          const attempt = { attempt: 1, at: start, statusCode: 200, durationMs: 1, error: null };
          expect(await nodes[node].webhooks.recordAttempt(claim, attempt, { status: "succeeded" })).toBe(true);
        }
      }
    };
    await Promise.all([work(0), work(1), work(0), work(1)]);
    const all = [...(claimed[0] ?? []), ...(claimed[1] ?? [])];
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    const pending = await nodes[1].db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("status", "!=", "succeeded")
      .execute();
    expect(pending).toEqual([]);
  });

  test("a lease that ran out is taken over, and the late holder's attempt is not recorded", async () => {
    await nodes[0].audit.append([event(orgId, "api_key.created")]);
    const later = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    const [first] = (await nodes[0].webhooks.claimDue(start, later(60), "lease-a", 10)) as [ClaimedDelivery];
    expect(first.secret).toBe("whsec_test");
    expect(await nodes[1].webhooks.claimDue(later(30), later(90), "lease-b", 10)).toEqual([]);
    const [second] = (await nodes[1].webhooks.claimDue(later(61), later(121), "lease-b", 10)) as [ClaimedDelivery];
    expect(second.id).toBe(first.id);
    const attempt = { attempt: 1, at: start, statusCode: 500, durationMs: 1, error: "late" };
    expect(await nodes[0].webhooks.recordAttempt(first, attempt, { status: "failed" })).toBe(false);
    const ok = { ...attempt, statusCode: 200, error: null };
    expect(await nodes[1].webhooks.recordAttempt(second, ok, { status: "succeeded" })).toBe(true);
    const page = await nodes[0].webhooks.listDeliveries(orgId, endpointId, { limit: 10 });
    expect(page.items[0]).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200 });
    expect(page.items[0]?.attemptLog).toHaveLength(1);
  });

  test("claims are fair: an endpoint at its limit of attempts in flight yields to the others", async () => {
    const other = newId(clock, random);
    await nodes[0].webhooks.create(
      {
        id: other,
        orgId,
        url: "https://other.example.com/in",
        description: null,
        eventTypes: ["api_key.revoked"],
        enabled: true,
        createdAt: start,
        createdBy: { type: "system", id: "test" },
        updatedAt: start,
      },
      "whsec_other",
      event(orgId, "webhook.created"),
    );
    await nodes[0].audit.append(Array.from({ length: 12 }, () => event(orgId, "api_key.created")));
    await nodes[0].audit.append(Array.from({ length: 3 }, () => event(orgId, "api_key.revoked")));
    const lease = new Date(start.getTime() + 60_000);
    const busy = new Map([[endpointId, 4]]);
    const first = await nodes[0].webhooks.claimDue(start, lease, "a", 10, { perEndpoint: 4, inFlight: busy });
    expect(first.map((c) => c.endpointId)).toEqual([other, other, other]);
    const second = await nodes[0].webhooks.claimDue(start, lease, "b", 10, {
      perEndpoint: 4,
      inFlight: new Map([[endpointId, 1]]),
    });
    expect(second.map((c) => c.endpointId)).toEqual([endpointId, endpointId, endpointId]);
  });
});
