import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@latchkey/testkit";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterAll, expect, test } from "vitest";

// SPEC §6: `latchkey serve` migrates, then serves. Two nodes on one SQLite file (a `latchkey migrate`
// job beside `latchkey serve`, or two replicas on one volume) must not fail because they migrate at once.
const MAIN = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const TIMEOUT_MS = 20_000;

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: Child[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    await c.exited;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function spawnLatchkey(cwd: string, args: string[], extra: Record<string, string>): Child {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("LATCHKEY_") && name !== "NODE_OPTIONS") env[name] = value;
  }
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...env, ...extra }, stdio: "pipe" });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const c = { child, stdout: () => out, stderr: () => err, exited };
  children.push(c);
  return c;
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise,
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** Resolves true once the server says it listens, false if it exits first or the time runs out. */
async function listens(c: Child): Promise<boolean> {
  const deadline = Date.now() + TIMEOUT_MS;
  let ended = false;
  void c.exited.then(() => {
    ended = true;
  });
  while (!/latchkey listening on /.test(c.stderr())) {
    if (ended || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

test("`latchkey migrate` and `latchkey serve` started together on a fresh SQLite folder both succeed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-race-"));
  dirs.push(dir);
  mkdirSync(join(dir, "data"));
  const file = join(dir, "data", "latchkey.db");

  // Where every node's migrator starts: its bookkeeping tables exist, no migration has run yet.
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
  const none = await new Migrator({ db: kysely, provider: { getMigrations: async () => ({}) } }).migrateToLatest();
  expect(none.error).toBeUndefined();
  await kysely.destroy();

  // Hold the write lock while both start, so both want to migrate at the same moment: the race two
  // nodes started together run into, made certain instead of occasional.
  const holder = new SQLite(file);
  holder.pragma("journal_mode = WAL");
  holder.exec("BEGIN EXCLUSIVE");
  let migrate: Child;
  let serve: Child;
  try {
    const port = await freePort();
    migrate = spawnLatchkey(dir, ["migrate"], {});
    serve = spawnLatchkey(dir, ["serve"], { LATCHKEY_PORT: String(port) });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  } finally {
    holder.exec("COMMIT");
    holder.close();
  }

  const migrated = await within(migrate.exited, TIMEOUT_MS);
  const serving = await listens(serve);
  const report = `migrate: ${JSON.stringify(migrated)} ${migrate.stderr()}\nserve: ${serve.stderr()}`;
  expect(migrated, report).toEqual({ code: 0, signal: null });
  expect(serving, report).toBe(true);
  expect(
    serve
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("owner token: ")),
  ).toHaveLength(1);

  serve.child.kill("SIGTERM");
  expect(await within(serve.exited, 10_000)).toEqual({ code: 0, signal: null });
}, 60_000);
