// The server side of bench/webhooks.mjs, run as a child process: Latchkey on SQLite in a temp dir with
// its webhook delivery worker running (as `latchkey serve` runs it), and a steady stream of events:
// every 50 ms a key is created and revoked (40 audit events a second, all of webhook types).
//   node bench/webhooks-server.mjs none                 no webhook endpoint
//   node bench/webhooks-server.mjs failing <dead> <slow>  two endpoints subscribed to *: one whose port
//                                                       refuses connections, one that never answers
// Sends { ok, url, key, … } when listening; on SIGTERM reports the outbox and exits.
import { tuneHeapForServing } from "@latchkey/server";
import { createServiceKeys, openLatchkey, tempDir } from "./lib.mjs";

tuneHeapForServing();
const [mode, deadUrl, slowUrl] = process.argv.slice(2);

async function start() {
  if (mode !== "none" && mode !== "failing") throw new Error("usage: webhooks-server.mjs none|failing <dead> <slow>");
  const temp = tempDir("webhooks");
  const latchkey = await openLatchkey(`sqlite:${temp.dir}/latchkey.db`, { LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "true" });
  const { app, actor } = latchkey;
  if (mode === "failing") {
    for (const url of [deadUrl, slowUrl]) {
      await app.services.webhooks.create(actor, actor.orgId, { url, eventTypes: ["*"] });
    }
  }
  const [key] = await createServiceKeys(app, actor, 1);
  app.services.webhookWorker.start();
  let events = 0;
  const generator = setInterval(() => {
    app.services.keys
      .create(actor, actor.orgId, { kind: "service", name: "churn", expiresIn: "1d" })
      .then((issued) => app.services.keys.revoke(actor, actor.orgId, issued.key.id))
      .then(() => {
        events += 2;
      })
      .catch((error) => console.error(error));
  }, 50);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    key,
    ownerToken: latchkey.ownerToken,
    async report() {
      const rows = await latchkey.store.db
        .selectFrom("webhook_deliveries")
        .select(["status", (eb) => eb.fn.countAll().as("n")])
        .groupBy("status")
        .execute();
      const attempts = await latchkey.store.db
        .selectFrom("webhook_attempts")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      return {
        events,
        deliveries: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
        attempts: Number(attempts.n),
      };
    },
    async close() {
      clearInterval(generator);
      await latchkey.close();
      temp.remove();
    },
  };
}

try {
  const server = await start();
  const { close, report, ...info } = server;
  process.on("message", (message) => {
    if (message === "report") report().then((r) => process.send?.({ report: r }));
  });
  process.once("SIGTERM", () => {
    close().finally(() => process.exit(0));
  });
  process.once("disconnect", () => {
    close().finally(() => process.exit(0));
  });
  process.send?.({ ok: true, ...info });
} catch (error) {
  process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
