import { randomUUID } from "node:crypto";
import type { Invalidation } from "@latchkey/core";
import { openStore } from "@latchkey/store";
import { describe, expect, it } from "vitest";

const url = process.env.LATCHKEY_TEST_POSTGRES_URL;

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe.skipIf(url === undefined)("PostgresInvalidationBus", () => {
  it("carries announcements between nodes with LISTEN/NOTIFY", async () => {
    const one = await openStore(url as string);
    const two = await openStore(url as string);
    const busOne = one.invalidationBus();
    const busTwo = two.invalidationBus();
    expect(busOne).not.toBeNull();
    const heard: Invalidation[] = [];
    await busTwo?.subscribe((message) => heard.push(message));
    await until(() => heard.some((m) => m.kind === "all"));
    const keyId = randomUUID();
    await busOne?.publish({ kind: "key", keyId });
    await until(() => heard.some((m) => m.kind === "key" && m.keyId === keyId));
    expect(heard).toContainEqual({ kind: "key", keyId });
    await busOne?.close();
    await busTwo?.close();
    await one.close();
    await two.close();
  });

  it("is absent on SQLite, where one node is the whole cluster", async () => {
    const store = await openStore("sqlite::memory:");
    expect(store.invalidationBus()).toBeNull();
    await store.close();
  });
});
