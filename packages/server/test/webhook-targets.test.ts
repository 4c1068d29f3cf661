import { afterEach, beforeEach, expect, test } from "vitest";
import { WebhookDeliveryWorker } from "../src/webhooks/delivery-worker.js";
import { createKey, createTestApp, cryptoRandom, send, type TestApp } from "./helpers.js";

// A host name that resolves to a private address is not called, whatever it resolved to when saved.

let t: TestApp;
const called: string[] = [];
const dns: Record<string, string[]> = {
  "internal.example.com": ["10.0.0.5"],
  "mapped.example.com": ["203.0.113.9", "::ffff:127.0.0.1"],
  "public.example.com": ["203.0.113.5"],
};

beforeEach(async () => {
  called.length = 0;
  t = await createTestApp();
});

afterEach(async () => {
  await t.close();
});

function workerOf(): WebhookDeliveryWorker {
  return new WebhookDeliveryWorker({
    store: t.store,
    clock: t.clock,
    random: cryptoRandom,
    log: { warn: () => {} },
    sealer: t.app.services.vault,
    allowPrivate: false,
    fetch: (async (url: string | URL) => {
      called.push(String(url));
      return new Response(null, { status: 204 });
    }) as typeof fetch,
    resolve: async (host) => {
      const addresses = dns[host];
      if (addresses === undefined) throw new Error("ENOTFOUND");
      return addresses;
    },
  });
}

async function endpoint(url: string): Promise<string> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${t.owner.orgId}/webhooks`,
    token: t.owner.token,
    body: { data: { type: "webhook", attributes: { url, event_types: ["api_key.created"] } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id;
}

async function lastError(id: string): Promise<string | null> {
  const res = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/webhooks/${id}/deliveries`, token: t.owner.token });
  return res.json().data[0].attributes.last_error;
}

test("names resolving to private addresses are refused at delivery; public ones are called", async () => {
  const internal = await endpoint("https://internal.example.com/hook");
  const mapped = await endpoint("https://mapped.example.com/hook");
  const unknown = await endpoint("https://nowhere.example.com/hook");
  const open = await endpoint("https://public.example.com/hook");
  await createKey(t);
  expect(await workerOf().runOnce()).toBe(4);
  expect(called).toEqual(["https://public.example.com/hook"]);
  expect(await lastError(internal)).toBe("refused: internal.example.com resolves to a private address");
  expect(await lastError(mapped)).toBe("refused: mapped.example.com resolves to a private address");
  expect(await lastError(unknown)).toBe("network error: cannot resolve nowhere.example.com");
  expect(await lastError(open)).toBeNull();
});
