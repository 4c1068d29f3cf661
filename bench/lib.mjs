// Shared helpers for the benchmarks: run settings, timing loops, child processes, Latchkey setup, and
// the rows every benchmark reports. Benchmarks import the BUILT packages (run `npm run build` first).
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

// The vault master key of this benchmark run: made once, at random, by the first process and handed to
// every child through the environment, so that all processes opening one database open its vault.
process.env.BENCH_MASTER_KEY ??= randomBytes(32).toString("base64");

/** Quick mode (BENCH_QUICK=1): shorter runs and a smaller "large" key set, for developing the scripts. */
export const QUICK = process.env.BENCH_QUICK === "1";

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
}

/** How the suite runs; every figure quoted is the median of `runs` runs. */
export const SETTINGS = Object.freeze({
  /** Runs per measurement (median quoted). */
  runs: intFromEnv("BENCH_RUNS", QUICK ? 3 : 5),
  /** Seconds per autocannon run. */
  httpSeconds: intFromEnv("BENCH_HTTP_SECONDS", QUICK ? 2 : 5),
  /** autocannon connections and pipelining, the same for Latchkey and hello-world. */
  connections: intFromEnv("BENCH_CONNECTIONS", 10),
  pipelining: intFromEnv("BENCH_PIPELINING", 1),
  /** Milliseconds per in-process run. */
  inProcessMs: intFromEnv("BENCH_INPROCESS_MS", QUICK ? 500 : 2000),
  /** Keys created for the in-process benchmarks (c) and (d). */
  keySet: intFromEnv("BENCH_KEY_SET", 1000),
  /** The small and large key counts of (e). */
  smallKeys: intFromEnv("BENCH_SMALL_KEYS", 10_000),
  largeKeys: intFromEnv("BENCH_LARGE_KEYS", QUICK ? 200_000 : 1_000_000),
});

/** A cryptographically secure random source, as Latchkey's ports expect. */
export const random = { bytes: (n) => randomBytes(n) };

/** The wall clock, as Latchkey's ports expect. */
export const clock = { now: () => new Date() };

/** The share of all cores' time spent busy over the next `ms` milliseconds (0 to 1), whoever was busy. */
export async function cpuBusy(ms = 2000) {
  const total = (list) =>
    list.reduce(
      (sum, cpu) => {
        const t = cpu.times;
        sum.busy += t.user + t.nice + t.sys + t.irq;
        sum.all += t.user + t.nice + t.sys + t.irq + t.idle;
        return sum;
      },
      { busy: 0, all: 0 },
    );
  const before = total(cpus());
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = total(cpus());
  const all = after.all - before.all;
  return all > 0 ? (after.busy - before.busy) / all : 0;
}

/**
 * Waits until the machine is quiet (other processes use under `threshold` of the cores), for at most
 * `maxSeconds`; returns the busy share last seen. Benchmarks share the 2 cores with whatever else runs.
 */
export async function waitForQuiet({ threshold = 0.15, maxSeconds = 180, quiet = false } = {}) {
  const deadline = Date.now() + maxSeconds * 1000;
  let busy = await cpuBusy();
  while (busy > threshold && Date.now() < deadline) {
    if (!quiet)
      console.error(`   machine busy (${(busy * 100).toFixed(0)}% of the cores used by other processes); waiting…`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    busy = await cpuBusy();
  }
  return busy;
}

/** All cores' busy and total time from /proc/stat (clock ticks; busy includes time stolen by the host). */
function machineTicks() {
  const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  return {
    busy: user + nice + system + irq + softirq + steal,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

/** A process's own CPU time (user + system, all its threads) in clock ticks; 0 once it is gone. */
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
}

/**
 * Starts watching how much of the cores processes other than `pids` use. The returned function gives
 * that share (0 to 1) since the start, or 0 where /proc is missing. The machine is shared: a run during
 * which something else took the cores is measured again (see `undisturbed`).
 */
export function foreignLoad(pids = [process.pid]) {
  let start;
  try {
    start = { machine: machineTicks(), ours: pids.reduce((sum, pid) => sum + processTicks(pid), 0) };
  } catch {
    return () => 0;
  }
  return () => {
    const machine = machineTicks();
    const ours = pids.reduce((sum, pid) => sum + processTicks(pid), 0);
    const total = machine.total - start.machine.total;
    if (total <= 0) return 0;
    return Math.max(0, (machine.busy - start.machine.busy - (ours - start.ours)) / total);
  };
}

/** How much of the cores others may take during a run before it is measured again. */
export const FOREIGN_LIMIT = Number(process.env.BENCH_FOREIGN_LIMIT ?? 0.1);

/**
 * Runs `measureOnce` until a run is not disturbed by other processes (their share of the cores at most
 * FOREIGN_LIMIT), waiting a little between tries; after `tries` disturbed runs the last one is kept.
 * Returns the run's value, the foreign share seen, and how many runs were thrown away.
 */
export async function undisturbed(measureOnce, { pids = [process.pid], tries = 6, label = "run" } = {}) {
  let discarded = 0;
  for (;;) {
    const foreign = foreignLoad(pids);
    const value = await measureOnce();
    const share = foreign();
    if (share <= FOREIGN_LIMIT || discarded + 1 >= tries) return { value, foreign: share, discarded };
    discarded++;
    console.error(`   ${label}: other processes took ${(share * 100).toFixed(0)}% of the cores; measuring again`);
    await waitForQuiet({ maxSeconds: 30, quiet: true });
  }
}

/** The median of some numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A whole number with thousands separators. */
export function fmtInt(value) {
  return Math.round(value).toLocaleString("en-US");
}

/** Operations per second, e.g. "512,345 ops/s". */
export function fmtOps(value) {
  return `${fmtInt(value)} ops/s`;
}

/** Milliseconds with two decimals. */
export function fmtMs(value) {
  return `${value.toFixed(2)} ms`;
}

/** A ratio as a percentage. */
export function fmtPct(ratio) {
  return `${(ratio * 100).toFixed(0)}%`;
}

/** A ratio as a multiple. */
export function fmtTimes(ratio) {
  return ratio >= 100 ? `${ratio.toFixed(0)}×` : `${ratio.toFixed(1)}×`;
}

/** A temporary directory, removed by the returned function. */
export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `latchkey-bench-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Random indexes below `size`, for picking random keys without paying for it in the loop: a power of
 * two of them, at least `size` (up to 4 Mi) so that a large key set is covered, not just a corner of it.
 */
export function randomPicks(size) {
  let count = 1 << 16;
  while (count < size && count < 1 << 22) count *= 2;
  const picks = new Uint32Array(count);
  const bytes = randomBytes(count * 4);
  for (let i = 0; i < count; i++) picks[i] = bytes.readUInt32LE(i * 4) % size;
  return picks;
}

/**
 * Calls `fn(items[pick])` over and over for `ms` milliseconds, awaiting each call, and returns calls
 * per second. The clock is read every `batch` calls so that reading it costs nothing measurable.
 */
export async function opsPerSecond(fn, items, picks, ms, batch = 256) {
  const mask = picks.length - 1;
  if ((picks.length & mask) !== 0) throw new Error("picks must have a power-of-two length");
  let ops = 0;
  let p = 0;
  const start = performance.now();
  const deadline = start + ms;
  let now = start;
  do {
    for (let j = 0; j < batch; j++) {
      await fn(items[picks[p & mask]]);
      p++;
    }
    ops += batch;
    now = performance.now();
  } while (now < deadline);
  return ops / ((now - start) / 1000);
}

/**
 * Measures `fn` like `opsPerSecond`: one warm-up run, then `SETTINGS.runs` runs. Returns every run
 * and the median.
 */
export async function measureOps(fn, items, { ms = SETTINGS.inProcessMs, batch = 256 } = {}) {
  const picks = randomPicks(items.length);
  await opsPerSecond(fn, items, picks, Math.min(ms, 1000), batch);
  const samples = [];
  const foreign = [];
  let discarded = 0;
  for (let run = 0; run < SETTINGS.runs; run++) {
    const result = await undisturbed(
      async () => {
        if (typeof globalThis.gc === "function") globalThis.gc();
        return opsPerSecond(fn, items, picks, ms, batch);
      },
      { label: `run ${run + 1}` },
    );
    samples.push(result.value);
    foreign.push(result.foreign);
    discarded += result.discarded;
  }
  return { median: median(samples), samples, foreign, discarded };
}

/**
 * Runs a script in a child Node process and resolves with the first message it sends over IPC. The
 * child must send `{ ok: true, … }` or `{ ok: false, error }`, then exit.
 */
export function runChild(script, args = [], { env = {}, execArgv = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, {
      env: { ...process.env, ...env },
      execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let answer = null;
    child.on("message", (message) => {
      answer ??= message;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (answer?.ok) resolve(answer);
      else if (answer) reject(new Error(answer.error));
      else reject(new Error(`${script} ${args.join(" ")} exited (${signal ?? code}) without an answer`));
    });
  });
}

/** In a child started by `runChild`: computes the answer, sends it, and exits. */
export async function answerParent(compute) {
  try {
    const result = await compute();
    if (process.send) process.send({ ok: true, ...result });
    else if (!result?.rows) console.log(JSON.stringify(result));
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.send?.({ ok: false, error: message });
    if (!process.send) console.error(message);
    process.exitCode = 1;
  }
  // Timers of an app (usage flushes) must not keep the child alive.
  setImmediate(() => process.exit());
}

/** Latchkey's configuration for a benchmark: logging off (level silent), the given overrides. */
export function latchkeyEnv(databaseUrl, overrides = {}) {
  const logLevel = process.env.BENCH_LOG_LEVEL ?? "silent"; // e.g. BENCH_LOG_LEVEL=error to debug
  return {
    LATCHKEY_DATABASE_URL: databaseUrl,
    LATCHKEY_LOG_LEVEL: logLevel,
    LATCHKEY_MASTER_KEY: process.env.BENCH_MASTER_KEY,
    ...overrides,
  };
}

/**
 * Opens (and migrates) a Latchkey SQLite database, bootstraps its owner, and builds the app with the
 * given configuration overrides. Returns the app, the store, the owner's token and the owner's actor.
 */
export async function openLatchkey(databaseUrl, overrides = {}) {
  const { openStore } = await import("@latchkey/store");
  const { bootstrapOwner, buildApp, loadConfig } = await import("@latchkey/server");
  const store = await openStore(databaseUrl);
  await store.migrate();
  const owner = await bootstrapOwner(store, {}, clock, random);
  const app = await buildApp(loadConfig(latchkeyEnv(databaseUrl, overrides)), { store, clock, random });
  let actor = null;
  if (owner !== null) {
    const auth = await app.services.verifier.authenticate(owner.token, null);
    if (auth.actor === null) throw new Error(`the owner token does not authenticate (${auth.code})`);
    actor = auth.actor;
  }
  return {
    app,
    store,
    ownerToken: owner?.token ?? null,
    actor,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** Creates `count` standalone service keys (no limits, 1 year) through Latchkey's key service. */
export async function createServiceKeys(app, actor, count) {
  const secrets = [];
  for (let i = 0; i < count; i++) {
    const issued = await app.services.keys.create(actor, actor.orgId, {
      kind: "service",
      name: `bench key ${i}`,
      expiresIn: "1y",
    });
    if (typeof issued.secret !== "string") throw new Error("keys.create returned no secret");
    secrets.push(issued.secret);
  }
  return secrets;
}

/**
 * One line of RESULTS.md. `met` is true, false, or null when the line has no target.
 * @typedef {{ id: string, benchmark: string, latchkey: string, baseline: string, ratio: string,
 *   target: string, met: boolean | null, detail?: string }} Row
 */
