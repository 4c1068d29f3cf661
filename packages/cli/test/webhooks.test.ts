import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "@latchkey/sdk";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliServer, cli, field, json, startCliServer } from "./helpers.js";

// `latchkey webhooks …` against a server started as `latchkey serve` starts it: its delivery worker
// sends each event, signed, to a receiver on 127.0.0.1.

interface Got {
  eventId: string;
  type: string;
  valid: boolean;
}

let s: CliServer;
let env: NodeJS.ProcessEnv;
let receiver: Server;
let receiverUrl: string;
let secret = "";
const got: Got[] = [];

beforeAll(async () => {
  s = await startCliServer({ LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "true" });
  env = { LATCHKEY_TOKEN: s.token, LATCHKEY_URL: s.url };
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const valid = verifyWebhookSignature({
        payload: body,
        header: request.headers["latchkey-signature"] as string | undefined,
        secret,
      });
      const event = JSON.parse(body.toString("utf8"));
      got.push({ eventId: event.id, type: event.type, valid });
      response.writeHead(valid ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await s?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("create, deliver, list the deliveries, redeliver, delete", async () => {
  const created = await cli(
    ["webhooks", "create", "--endpoint", receiverUrl, "--events", "api_key.created,api_key.revoked"],
    env,
  );
  expect(created.code, `${created.stderr} ${created.stdout}`).toBe(0);
  secret = field(created, "secret") ?? "";
  expect(secret).toMatch(/^whsec_/);
  const id = field(created, "id") ?? "";

  const listed = await cli(["webhooks", "list"], env);
  expect(listed.stdout).toContain(id);
  expect(listed.stdout).not.toContain(secret);

  const key = await cli(["keys", "create", "--name", "announced", "--expires-in", "30d", "--json"], env);
  expect(key.code, key.stderr).toBe(0);
  await until(() => got.length === 1);
  expect(got[0]).toMatchObject({ type: "api_key.created", valid: true });

  const deliveries = await cli(["webhooks", "deliveries", id, "--json"], env);
  const [delivery] = json<{ data: { id: string; attributes: { status: string; event_id: string } }[] }>(
    deliveries,
  ).data;
  expect(delivery?.attributes.event_id).toBe(got[0]?.eventId);

  const again = await cli(["webhooks", "deliveries", id, "--redeliver", delivery?.id ?? ""], env);
  expect(again.code, again.stderr).toBe(0);
  await until(() => got.length === 2);
  expect(got[1]).toEqual(got[0]);

  const table = await cli(["webhooks", "deliveries", id], env);
  expect(table.stdout).toContain("succeeded");

  expect((await cli(["webhooks", "delete", id], env)).code).toBe(0);
  expect((await cli(["webhooks", "list", "--json"], env)).stdout).not.toContain(id);
});
