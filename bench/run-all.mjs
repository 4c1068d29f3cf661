// Runs every benchmark (each suite in its own Node process), prints the figures beside their baselines,
// and writes the Markdown table to bench/RESULTS.md. `npm run bench` builds first, then runs this.
// Settings (environment): BENCH_QUICK=1 for short runs while developing; BENCH_RUNS, BENCH_HTTP_SECONDS,
// BENCH_CONNECTIONS, BENCH_PIPELINING, BENCH_INPROCESS_MS, BENCH_KEY_SET, BENCH_SMALL_KEYS, BENCH_LARGE_KEYS,
// BENCH_WAIT_QUIET_SECONDS (how long each suite waits for other processes to leave the cores; default 120),
// BENCH_LOG_LEVEL (Latchkey's log level, default silent).
import { writeFileSync } from "node:fs";
import { cpus, freemem, release, totalmem, type } from "node:os";
import { fileURLToPath } from "node:url";
import { FOREIGN_LIMIT, fmtInt, QUICK, runChild, SETTINGS, waitForQuiet } from "./lib.mjs";

const SUITES = [
  { script: "http.mjs", ids: ["a", "b"], title: "HTTP: /auth/check and /rest/api_keys/verify vs hello-world" },
  { script: "in-process.mjs", ids: ["c", "d"], title: "In-process verify vs naive lookup and better-auth" },
  { script: "scale.mjs", ids: ["e"], title: "10 thousand vs 1 million keys stored" },
  { script: "webhooks.mjs", ids: ["f"], title: "Verification while webhook deliveries fail vs no endpoint" },
];
const RESULTS = fileURLToPath(new URL("./RESULTS.md", import.meta.url));

function cell(text) {
  return String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
}

function pct(share) {
  return share === undefined ? "?" : `${(share * 100).toFixed(0)}%`;
}

/** An in-process measurement's runs, with the share of the cores other processes took in each. */
function samplesText(s) {
  const each = s.samples.map((v, i) => `${fmtInt(v)} (others ${pct(s.foreign?.[i])})`).join(", ");
  return `${each} ops/s${s.discarded ? `; ${s.discarded} disturbed run(s) measured again` : ""}`;
}

function metText(met) {
  return met === null || met === undefined ? "—" : met ? "yes" : "**no**";
}

const started = new Date();
const rows = [];
const raw = {};
const failures = [];
const busyBefore = [];
const waitSeconds = Number(process.env.BENCH_WAIT_QUIET_SECONDS ?? 120);
for (const suite of SUITES) {
  console.error(`\n== ${suite.title} (bench/${suite.script})`);
  const busy = await waitForQuiet({ maxSeconds: waitSeconds });
  busyBefore.push(`${suite.script} ${(busy * 100).toFixed(0)}%`);
  if (busy > 0.15) console.error(`   still busy after ${waitSeconds} s; measuring anyway (noted in RESULTS.md)`);
  const t0 = performance.now();
  try {
    const answer = await runChild(fileURLToPath(new URL(`./${suite.script}`, import.meta.url)));
    rows.push(...answer.rows);
    raw[suite.script] = answer.raw;
    for (const row of answer.rows) if (row.detail) failures.push(`(${row.id}) ${row.detail}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push(`bench/${suite.script}: ${message.split("\n")[0]}`);
    console.error(message);
    for (const id of suite.ids) {
      rows.push({
        id,
        benchmark: suite.title,
        latchkey: "FAILED",
        baseline: "—",
        ratio: "—",
        target: "—",
        met: false,
        detail: message.split("\n")[0],
      });
    }
  }
  console.error(`   (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
const seconds = (Date.now() - started.getTime()) / 1000;

const cpu = cpus();
const header = [
  "# Latchkey benchmarks",
  "",
  `Measured with \`npm run bench\` (= \`npm run build && node bench/run-all.mjs\`${QUICK ? ", BENCH_QUICK=1" : ""}) on ${started.toISOString().slice(0, 16).replace("T", " ")} UTC.`,
  `Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} GiB free at the end), ${type()} ${release()}; Node ${process.version}.`,
  "",
  `Every figure is the median of ${SETTINGS.runs} runs. HTTP (a, b): autocannon in the benchmark process, each server in its own child process (Latchkey at log level silent, hello-world with the logger off), ${SETTINGS.connections} connections, pipelining ${SETTINGS.pipelining}, ${SETTINGS.httpSeconds} s per run after a ${2 * SETTINGS.httpSeconds} s warm-up of each, runs interleaved with the hello-world route's — load generator included, on the same ${cpu.length} cores; p99 from every response time. In-process (c, d, e): ${SETTINGS.inProcessMs} ms per run after a warm-up, each variant in a fresh process with its own SQLite file (WAL), random keys of the set, every answer checked valid.`,
  "",
  `The machine is shared. Each suite waits up to ${waitSeconds} s for other processes to use under 15% of the cores (seen before each: ${busyBefore.join(", ")}), and a run during which they took more than ${pct(FOREIGN_LIMIT)} of the cores is measured again (up to 6 tries; "others" below).`,
  "",
  "| # | benchmark | Latchkey | baseline | ratio | target | met? |",
  "|---|---|---|---|---|---|---|",
];
const table = rows.map(
  (r) =>
    `| ${r.id} | ${cell(r.benchmark)} | ${cell(r.latchkey)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.target)} | ${metText(r.met)} |`,
);
const notes = [];
if (failures.length > 0) notes.push("", "## Failures", "", ...failures.map((f) => `- ${cell(f)}`));

const runs = ["", "## Every run", ""];
const http = raw["http.mjs"];
if (http) {
  for (const [name, s] of Object.entries(http)) {
    if (s.runs) {
      const discarded = s.runs.reduce((sum, r) => sum + (r.discarded ?? 0), 0);
      runs.push(
        `- HTTP ${name}: ${s.runs.map((r) => `${fmtInt(r.rps)} req/s (p99 ${r.p99.toFixed(2)} ms, others ${pct(r.foreign)})`).join(", ")}${discarded ? `; ${discarded} disturbed run(s) measured again` : ""}`,
      );
    } else runs.push(`- HTTP ${name}: ${cell(s.error)}`);
  }
}
const inProcess = raw["in-process.mjs"];
if (inProcess) {
  for (const [name, s] of Object.entries(inProcess)) {
    runs.push(`- in-process ${name}: ${samplesText(s)}`);
  }
}
const scale = raw["scale.mjs"];
if (scale) {
  for (const [size, modes] of Object.entries(scale)) {
    for (const [mode, s] of Object.entries(modes)) {
      runs.push(`- ${fmtInt(Number(size))} keys stored, ${mode} (${fmtInt(s.keys)} keys drawn): ${samplesText(s)}`);
    }
  }
}
const webhooks = raw["webhooks.mjs"];
if (webhooks) {
  for (const [name, s] of Object.entries(webhooks)) {
    runs.push(
      `- webhooks ${name}: ${s.runs.map((r) => `${fmtInt(r.rps)} req/s (p99 ${r.p99} ms, others ${pct(r.foreign)})`).join(", ")}`,
    );
  }
}
const markdown = [...header, ...table, ...notes, ...runs, ""].join("\n");
writeFileSync(RESULTS, markdown);

console.log(`\n${[...header.slice(8), ...table].join("\n")}`);
if (failures.length > 0) console.log(`\nFailures:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
console.log(`\nWrote ${RESULTS} (${seconds.toFixed(0)} s).`);
if (failures.length > 0) process.exitCode = 1;
