// The server side of the HTTP benchmarks, always run as a child process of bench/http.mjs so that the
// load generator (autocannon, in the parent) and the server are separate processes on the 2 cores.
//   node bench/http-server.mjs hello     plain Fastify hello-world, logger off
//   node bench/http-server.mjs latchkey  Latchkey (SQLite in a temp dir, log level silent), one service key
//   node bench/http-server.mjs floor     the floor of (b): Latchkey loaded as above, but a bare Node
//                                        handler answers every request with the bytes of one real answer
//                                        of POST /rest/api_keys/verify (a fresh request id each), after
//                                        reading the body the way the fast lane does — no verification
// Sends { ok, url, … } to the parent when listening; closes and cleans up on SIGTERM.
// All are started the same way: with the tuning `latchkey serve` applies (tuneHeapForServing).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { tuneHeapForServing } from "@latchkey/server";
import Fastify from "fastify";
import { createServiceKeys, openLatchkey, tempDir } from "./lib.mjs";

tuneHeapForServing();
const mode = process.argv[2];
const VERIFY_VERSION = "2024-06-10";

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

/** The headers of a verify answer that the floor copies (Node adds date, connection and keep-alive). */
const ANSWER_HEADERS = ["latchkey-version-requested", "latchkey-version-served", "content-type", "content-length"];

async function startFloor() {
  const temp = tempDir("http-floor");
  const latchkey = await openLatchkey(`sqlite:${temp.dir}/latchkey.db`);
  const [key] = await createServiceKeys(latchkey.app, latchkey.actor, 1);
  const real = await latchkey.app.inject({
    method: "POST",
    url: `/rest/api_keys/verify?version=${VERIFY_VERSION}`,
    headers: { authorization: `token ${latchkey.ownerToken}`, "content-type": "application/vnd.api+json" },
    payload: JSON.stringify({ data: { type: "key_verification", attributes: { key } } }),
  });
  if (real.statusCode !== 200) throw new Error(`the verify route answered ${real.statusCode}`);
  const headers = Object.fromEntries(ANSWER_HEADERS.map((name) => [name, real.headers[name]]));
  const body = real.body;
  const server = createServer((req, res) => {
    setImmediate(() => {
      if (req.complete) req.read();
      req.read();
      res.writeHead(200, { "x-request-id": randomUUID(), ...headers });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    ownerToken: latchkey.ownerToken,
    key,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await latchkey.close();
      temp.remove();
    },
  };
}

const START = { hello: startHello, latchkey: startLatchkey, floor: startFloor };

try {
  if (!(mode in START)) throw new Error("usage: http-server.mjs hello|latchkey|floor");
  const server = await START[mode]();
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
