// The server side of the HTTP benchmarks, always run as a child process of bench/http.mjs so that the
// load generator (autocannon, in the parent) and the server are separate processes on the 2 cores.
//   node bench/http-server.mjs hello     plain Fastify hello-world, logger off
//   node bench/http-server.mjs latchkey  Latchkey (SQLite in a temp dir, log level silent), one service key
// Sends { ok, url, … } to the parent when listening; closes and cleans up on SIGTERM.
// Both are started the same way: with the heap tuning `latchkey serve` applies (tuneHeapForServing).
import { tuneHeapForServing } from "@latchkey/server";
import Fastify from "fastify";
import { createServiceKeys, openLatchkey, tempDir } from "./lib.mjs";

tuneHeapForServing();
const mode = process.argv[2];

async function startHello() {
  const app = Fastify({ logger: false });
  app.get("/hello", async () => ({ hello: "world" }));
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, close: () => app.close() };
}

async function startLatchkey() {
  const temp = tempDir("http");
  const latchkey = await openLatchkey(`sqlite:${temp.dir}/latchkey.db`);
  const [key] = await createServiceKeys(latchkey.app, latchkey.actor, 1);
  const url = await latchkey.app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    ownerToken: latchkey.ownerToken,
    key,
    async close() {
      await latchkey.close();
      temp.remove();
    },
  };
}

try {
  if (mode !== "hello" && mode !== "latchkey") throw new Error("usage: http-server.mjs hello|latchkey");
  const server = mode === "hello" ? await startHello() : await startLatchkey();
  const { close, ...info } = server;
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
