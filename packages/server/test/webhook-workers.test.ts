import { randomBytes, randomUUID } from "node:crypto";
import { type AuditEvent, DEFAULT_ORG_POLICY, newId, VaultService, webhookSecretAad } from "@latchkey/core";
import { type KyselyStore, openStore } from "@latchkey/store";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orgToRow } from "../../store/src/rows.js";
import { WebhookDeliveryWorker } from "../src/webhooks/delivery-worker.js";
import { cryptoRandom, FakeClock } from "./helpers.js";
import { WebhookReceiver } from "./webhook-receiver.js";

// Several nodes on one PostgreSQL each run a delivery worker: every event reaches the receiver once.

const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

describe.skipIf(postgresUrl === undefined)("two workers on one PostgreSQL", () => {
  // A database of its own: Kysely's migrator looks for its tables in every schema of a shared one.
  const base = new URL(postgresUrl ?? "");
  const name = `latchkey_workers_${randomBytes(6).toString("hex")}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: base.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const clock = new FakeClock();
  const secret = "whsec_two-workers-test";
  const receiver = new WebhookReceiver(
    () => secret,
    () => clock.now(),
  );
  let nodes: KyselyStore[] = [];

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    const first = await openStore(url.toString());
    await first.migrate();
    nodes = [first, await openStore(url.toString())];
    await receiver.start();
  });

  afterAll(async () => {
    await receiver.stop();
    for (const node of nodes) await node.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  test("every event is delivered exactly once, through an outage", async () => {
    const [a] = nodes as [KyselyStore];
    const orgId = newId(clock, cryptoRandom);
    const groupId = newId(clock, cryptoRandom);
    await a.db
      .insertInto("groups")
      .values({ id: groupId, name: "Group", slug: "group", created_at: clock.now().toISOString() })
      .execute();
    await a.db
      .insertInto("orgs")
      .values(
        orgToRow({ id: orgId, groupId, name: "Org", slug: "org", policy: DEFAULT_ORG_POLICY, createdAt: clock.now() }),
      )
      .execute();
    const event = (action: string): AuditEvent => ({
      id: newId(clock, cryptoRandom),
      orgId,
      actor: { type: "system", id: "test" },
      action,
      target: { type: "api_key", id: randomUUID() },
      createdAt: clock.now(),
      ip: null,
      requestId: null,
      detail: {},
    });
    // The secret is stored sealed under the org's vault data key, as the webhook service stores it.
    const vault = new VaultService(a, randomBytes(32), clock, cryptoRandom);
    const endpointId = newId(clock, cryptoRandom);
    const sealed = await vault.sealForOrg(orgId, secret, webhookSecretAad(orgId, endpointId));
    await a.webhooks.create(
      {
        id: endpointId,
        orgId,
        url: receiver.url,
        description: null,
        eventTypes: ["api_key.created"],
        enabled: true,
        createdAt: clock.now(),
        createdBy: { type: "system", id: "test" },
        updatedAt: clock.now(),
      },
      sealed,
      event("webhook.created"),
    );
    const expected: string[] = [];
    for (let i = 0; i < 8; i++) {
      const batch = Array.from({ length: 5 }, () => event("api_key.created"));
      expected.push(...batch.map((e) => e.id));
      await nodes[i % 2]?.audit.append(batch);
    }
    const log = { warn: () => {} };
    const workers = nodes.map(
      (store) =>
        new WebhookDeliveryWorker({
          store,
          clock,
          random: cryptoRandom,
          log,
          sealer: vault,
          batchSize: 3,
          allowPrivate: true,
        }),
    );
    const drain = async () => {
      const counts = await Promise.all(workers.flatMap((w) => [w.runOnce(), w.runOnce()]));
      return counts.reduce((x, y) => x + y, 0);
    };
    receiver.mode = { status: 500 };
    while ((await drain()) > 0) {}
    receiver.mode = { status: 204 };
    for (let round = 0; round < 20 && receiver.accepted.length < expected.length; round++) {
      clock.advance(60);
      while ((await drain()) > 0) {}
    }
    const ids = receiver.accepted.map((r) => r.eventId).sort();
    expect(ids).toEqual([...expected].sort());
    expect(receiver.received.length).toBeGreaterThan(expected.length);
  });
});
