// (f) Verification throughput while webhook deliveries fail: POST /rest/api_keys/verify and
// GET /auth/check against two Latchkey processes (bench/webhooks-server.mjs), both with the delivery
// worker running and 40 events a second being generated — one with no webhook endpoint, one with two
// endpoints subscribed to every event, one refusing connections and one never answering (each attempt
// waits the full 10 s timeout). Runs are interleaved, as in bench/http.mjs. Target: the failing
// deliveries cost verification nothing measurable (≥ 90% of the no-endpoint figure).
import { fork } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { answerParent, fmtInt, fmtPct, median, SETTINGS, undisturbed } from "./lib.mjs";

const SERVER = fileURLToPath(new URL("./webhooks-server.mjs", import.meta.url));
const VERSION = "2024-06-10";
const TARGET = 0.9;

function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, args, { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.once("message", (message) => {
      if (!message.ok) {
        reject(new Error(`${args[0]} server: ${message.error}`));
        return;
      }
      const exited = new Promise((done) => child.once("exit", done));
      resolve({
        ...message,
        pid: child.pid,
        report: () =>
          new Promise((done) => {
            child.once("message", (m) => done(m.report));
            child.send("report");
          }),
        async stop() {
          child.kill("SIGTERM");
          await exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} server exited (${code}) before listening`)));
  });
}

/** A port that refuses connections (listened on, then closed) and a server that accepts and never answers. */
async function failingReceivers() {
  const listen = (server) =>
    new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
  const probe = createServer();
  const deadPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const sockets = new Set();
  const blackhole = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  const slowPort = await listen(blackhole);
  return {
    dead: `http://127.0.0.1:${deadPort}/hook`,
    slow: `http://127.0.0.1:${slowPort}/hook`,
    close() {
      for (const socket of sockets) socket.destroy();
      blackhole.close();
    },
  };
}

function requestsOf(server) {
  return {
    verify: {
      url: `${server.url}/rest/api_keys/verify?version=${VERSION}`,
      method: "POST",
      headers: { authorization: `token ${server.ownerToken}`, "content-type": "application/vnd.api+json" },
      body: JSON.stringify({ data: { type: "key_verification", attributes: { key: server.key } } }),
    },
    check: {
      url: `${server.url}/auth/check`,
      headers: { authorization: `token ${server.key}`, "x-original-method": "GET", "x-original-uri": "/x" },
    },
  };
}

function cannon(request, duration = SETTINGS.httpSeconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      { connections: SETTINGS.connections, pipelining: SETTINGS.pipelining, duration, ...request },
      (error, result) => {
        if (error) reject(error);
        else resolve(result);
      },
    );
  });
}

async function runOnce(request, name) {
  const result = await cannon(request);
  const failures = result.errors + result.timeouts + result.non2xx;
  if (failures > 0) throw new Error(`${name}: ${failures} failed requests of ${result.requests.total}`);
  return { rps: result.requests.total / result.duration, p99: result.latency.p99 };
}

async function measure() {
  const receivers = await failingReceivers();
  const none = await startServer(["none"]);
  const failing = await startServer(["failing", receivers.dead, receivers.slow]);
  try {
    const servers = { none, failing };
    for (const server of Object.values(servers)) {
      const check = await fetch(requestsOf(server).verify.url, requestsOf(server).verify);
      const body = await check.json();
      if (body?.data?.attributes?.valid !== true) throw new Error(`verify answered ${check.status} without valid`);
    }
    const targets = [];
    for (const kind of ["verify", "check"]) {
      for (const [name, server] of Object.entries(servers)) {
        targets.push({ kind, name, request: requestsOf(server)[kind] });
      }
    }
    for (const target of targets) await cannon(target.request, 2 * SETTINGS.httpSeconds);
    const pids = [process.pid, none.pid, failing.pid];
    const samples = Object.fromEntries(targets.map((t) => [`${t.kind} ${t.name}`, []]));
    for (let run = 1; run <= SETTINGS.runs; run++) {
      for (const target of targets) {
        const label = `${target.kind} ${target.name}`;
        const { value, foreign } = await undisturbed(() => runOnce(target.request, label), { pids, label });
        samples[label].push({ ...value, foreign });
        console.error(
          `  run ${run}/${SETTINGS.runs} ${label.padEnd(16)} ${fmtInt(value.rps)} req/s, p99 ${value.p99} ms (others ${(foreign * 100).toFixed(0)}%)`,
        );
      }
    }
    const reports = { none: await none.report(), failing: await failing.report() };
    const summary = {};
    for (const [label, list] of Object.entries(samples)) {
      summary[label] = { rps: median(list.map((s) => s.rps)), p99: median(list.map((s) => s.p99)), runs: list };
    }
    return { summary, reports };
  } finally {
    await Promise.all([none.stop(), failing.stop()]);
    receivers.close();
  }
}

function rowsOf({ summary, reports }) {
  const outbox = (r) =>
    `${fmtInt(r.events)} events, deliveries ${JSON.stringify(r.deliveries)}, ${fmtInt(r.attempts)} attempts`;
  return ["verify", "check"].map((kind) => {
    const a = summary[`${kind} failing`];
    const b = summary[`${kind} none`];
    const ratio = a.rps / b.rps;
    return {
      id: "f",
      benchmark: `${kind === "verify" ? "POST /rest/api_keys/verify" : "GET /auth/check"} while 40 events/s go to a dead and a hanging webhook endpoint (${outbox(reports.failing)})`,
      latchkey: `${fmtInt(a.rps)} req/s (p99 ${a.p99} ms)`,
      baseline: `no endpoint ${fmtInt(b.rps)} req/s (p99 ${b.p99} ms)`,
      ratio: fmtPct(ratio),
      target: `≥ ${fmtPct(TARGET)} of no endpoint`,
      met: ratio >= TARGET,
    };
  });
}

answerParent(async () => {
  console.error(
    `Webhooks benchmark: autocannon ${SETTINGS.connections} connections, ${SETTINGS.httpSeconds} s × ${SETTINGS.runs} runs each, interleaved`,
  );
  const result = await measure();
  const rows = rowsOf(result);
  if (!process.send)
    console.table(rows.map(({ benchmark, latchkey, baseline, ratio }) => ({ benchmark, latchkey, baseline, ratio })));
  return { rows, raw: result.summary };
});
