// (a) GET /auth/check with a valid cached key and (b) POST /rest/api_keys/verify, each against a plain
// Fastify hello-world route started the same way: every server is a child process (bench/http-server.mjs,
// logger off), autocannon runs here in the parent with the same connections, pipelining and duration.
// Runs are interleaved (hello, check, verify, floor, hello, …) so that drift hits them all alike. The
// floor (informational) is (b)'s request answered by a bare Node handler in a Latchkey process with the
// bytes of a real verification: what the HTTP exchange alone costs there, so what is left is (b)'s own.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { answerParent, fmtInt, fmtMs, fmtPct, median, SETTINGS, undisturbed } from "./lib.mjs";

const SERVER = fileURLToPath(new URL("./http-server.mjs", import.meta.url));
const VERSION = "2024-06-10";
const JSON_API = "application/vnd.api+json";
const TARGETS = { check: 0.8, verify: 0.65, p99Ms: 5 };

/** Starts a server child; resolves with what it reports once listening, and a way to stop it. */
function startServer(mode) {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, [mode], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.once("message", (message) => {
      if (!message.ok) {
        reject(new Error(`${mode} server: ${message.error}`));
        return;
      }
      const exited = new Promise((done) => child.once("exit", done));
      resolve({
        ...message,
        pid: child.pid,
        async stop() {
          child.kill("SIGTERM");
          await exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`${mode} server exited (${code}) before listening`)));
  });
}

/**
 * One autocannon run. autocannon's own latency histogram has 1 ms resolution, so every response time
 * (a float in ms) is also recorded here and percentiles are taken from those.
 */
function cannon(options) {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 18);
    let count = 0;
    const instance = autocannon(
      {
        connections: SETTINGS.connections,
        pipelining: SETTINGS.pipelining,
        duration: SETTINGS.httpSeconds,
        ...options,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const sorted = latencies.subarray(0, count).sort();
        const at = (q) => (count === 0 ? Number.NaN : sorted[Math.min(count - 1, Math.ceil(q * count) - 1)]);
        resolve({ result, p50: at(0.5), p99: at(0.99) });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode > 299) return;
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = responseTime;
    });
  });
}

/** The autocannon requests of each target, after checking once that each answers as it should. */
async function targets(hello, checkServer, verifyServer, floorServer) {
  const list = [];
  const helloResponse = await fetch(`${hello.url}/hello`);
  if (helloResponse.status !== 200) throw new Error(`hello-world answered ${helloResponse.status}`);
  list.push({ name: "hello", request: { url: `${hello.url}/hello` } });

  // (a) the forward-auth route, as nginx's auth_request calls it: 200 for a valid key.
  const checkHeaders = {
    authorization: `token ${checkServer.key}`,
    "x-original-method": "GET",
    "x-original-uri": "/api/things/42",
  };
  const check = await fetch(`${checkServer.url}/auth/check`, { headers: checkHeaders });
  if (check.status === 200) {
    list.push({ name: "check", request: { url: `${checkServer.url}/auth/check`, headers: checkHeaders } });
  } else {
    const why =
      check.status === 404
        ? "GET /auth/check answered 404: the forward-auth route does not exist in this build"
        : `GET /auth/check with a valid key answered ${check.status} instead of 200: ${(await check.text()).slice(0, 200)}`;
    console.error(`(a) FAILED: ${why}`);
    list.push({ name: "check", error: why });
  }

  // (b) the verify route, called with the owner's token for a service key of the same org. It has its
  // own Latchkey process, so that (a)'s traffic leaves nothing behind for it.
  const verifyRequestTo = (server) => ({
    url: `${server.url}/rest/api_keys/verify?version=${VERSION}`,
    method: "POST",
    headers: { authorization: `token ${server.ownerToken}`, "content-type": JSON_API },
    body: JSON.stringify({ data: { type: "key_verification", attributes: { key: server.key } } }),
  });
  const verifyRequest = verifyRequestTo(verifyServer);
  const verify = await fetch(verifyRequest.url, verifyRequest);
  const verifyText = await verify.text();
  const valid = verify.status === 200 && JSON.parse(verifyText)?.data?.attributes?.valid === true;
  if (valid) list.push({ name: "verify", request: verifyRequest });
  else {
    const why = `POST /rest/api_keys/verify answered ${verify.status} without valid: true: ${verifyText.slice(0, 200)}`;
    console.error(`(b) FAILED: ${why}`);
    list.push({ name: "verify", error: why });
  }

  // (b)'s floor: the same request to a bare Node handler in a Latchkey process, answering the bytes of
  // a real verification without verifying — what the HTTP exchange alone costs in such a process.
  const floorRequest = verifyRequestTo(floorServer);
  const floor = await fetch(floorRequest.url, floorRequest);
  const floorText = await floor.text();
  // Another process's key: the same answer but for its ids, which are as long.
  if (
    floor.status === 200 &&
    JSON.parse(floorText)?.data?.attributes?.valid === true &&
    floorText.length === verifyText.length
  ) {
    list.push({ name: "floor", request: floorRequest });
  } else list.push({ name: "floor", error: `the floor answered ${floor.status}: ${floorText.slice(0, 200)}` });
  return list;
}

/** One autocannon run: req/s and p99, refusing a run with errors or non-2xx answers. */
async function runOnce(target) {
  const { result, p50, p99 } = await cannon(target.request);
  const failures = result.errors + result.timeouts + result.non2xx;
  if (failures > 0) {
    throw new Error(
      `${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers in ${result.requests.total} requests`,
    );
  }
  return { rps: result.requests.total / result.duration, p50, p99 };
}

async function measure() {
  const hello = await startServer("hello");
  const checkServer = await startServer("latchkey");
  const verifyServer = await startServer("latchkey");
  const floorServer = await startServer("floor");
  try {
    const list = await targets(hello, checkServer, verifyServer, floorServer);
    const runnable = list.filter((t) => t.request);
    // Warm-up, not counted: JIT and sockets of both sides settle over tens of seconds.
    for (const target of runnable) await cannon({ ...target.request, duration: 2 * SETTINGS.httpSeconds });
    const samples = Object.fromEntries(runnable.map((t) => [t.name, []]));
    // Our processes: this one (autocannon) and the servers; a run others disturbed is measured again.
    const pids = [process.pid, hello.pid, checkServer.pid, verifyServer.pid, floorServer.pid];
    for (let run = 1; run <= SETTINGS.runs; run++) {
      for (const target of runnable) {
        const label = `run ${run}/${SETTINGS.runs} ${target.name}`;
        const { value: sample, foreign, discarded } = await undisturbed(() => runOnce(target), { pids, label });
        samples[target.name].push({ ...sample, foreign, discarded });
        console.error(
          `  run ${run}/${SETTINGS.runs} ${target.name.padEnd(6)} ${fmtInt(sample.rps)} req/s, p50 ${fmtMs(sample.p50)}, p99 ${fmtMs(sample.p99)} (others ${(foreign * 100).toFixed(0)}% of the cores)`,
        );
      }
    }
    const summary = {};
    for (const t of list) {
      summary[t.name] = t.error
        ? { error: t.error }
        : {
            rps: median(samples[t.name].map((s) => s.rps)),
            p99: median(samples[t.name].map((s) => s.p99)),
            runs: samples[t.name],
          };
    }
    return summary;
  } finally {
    await Promise.all([hello.stop(), checkServer.stop(), verifyServer.stop(), floorServer.stop()]);
  }
}

function rowsOf(summary) {
  const hello = summary.hello;
  const base = `hello-world ${fmtInt(hello.rps)} req/s`;
  const load = `${SETTINGS.connections} conn × pipelining ${SETTINGS.pipelining}, ${SETTINGS.httpSeconds} s`;
  const rows = [];
  for (const [id, name, label, target] of [
    ["a", "check", "GET /auth/check, valid cached key", TARGETS.check],
    ["b", "verify", "POST /rest/api_keys/verify", TARGETS.verify],
  ]) {
    const s = summary[name];
    if (s.error) {
      rows.push({
        id,
        benchmark: `${label} — req/s`,
        latchkey: "FAILED",
        baseline: base,
        ratio: "—",
        target: `≥ ${fmtPct(target)}`,
        met: false,
        detail: s.error,
      });
      rows.push({
        id,
        benchmark: `${label} — p99 latency`,
        latchkey: "FAILED",
        baseline: `hello-world ${fmtMs(hello.p99)}`,
        ratio: "—",
        target: `< ${TARGETS.p99Ms} ms`,
        met: false,
      });
      continue;
    }
    const ratio = s.rps / hello.rps;
    rows.push({
      id,
      benchmark: `${label} — req/s (${load})`,
      latchkey: `${fmtInt(s.rps)} req/s`,
      baseline: base,
      ratio: fmtPct(ratio),
      target: `≥ ${fmtPct(target)} of hello-world`,
      met: ratio >= target,
    });
    rows.push({
      id,
      benchmark: `${label} — p99 latency`,
      latchkey: fmtMs(s.p99),
      baseline: `hello-world ${fmtMs(hello.p99)}`,
      ratio: `${(s.p99 / Math.max(hello.p99, 0.001)).toFixed(1)}× the latency`,
      target: `< ${TARGETS.p99Ms} ms`,
      met: s.p99 < TARGETS.p99Ms,
    });
  }
  const floor = summary.floor;
  if (floor && !floor.error) {
    rows.push({
      id: "b",
      benchmark: `Floor of (b), informational: the same POST answered by a bare Node handler in a Latchkey process with the bytes of a real verification, nothing verified — req/s (${load})`,
      latchkey: `${fmtInt(floor.rps)} req/s`,
      baseline: base,
      ratio: fmtPct(floor.rps / hello.rps),
      target: "—",
      met: null,
    });
  }
  return rows;
}

answerParent(async () => {
  console.error(
    `HTTP benchmarks: autocannon ${SETTINGS.connections} connections, pipelining ${SETTINGS.pipelining}, ${SETTINGS.httpSeconds} s × ${SETTINGS.runs} runs each`,
  );
  const summary = await measure();
  const rows = rowsOf(summary);
  if (!process.send) console.table(rows);
  return { rows, raw: summary };
});
