import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@latchkey/testkit";
import { afterAll, afterEach, describe, expect, test } from "vitest";

// SPEC §6 end to end: `latchkey serve` as a user runs it, from the built command (npm run build first).
const MAIN = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const VERSION = "2024-06-10";
const JSON_API = "application/vnd.api+json";
const UNAUTHORIZED_BODY = '{"status":"401","code":"Unauthorized"}';
/** A full key of any prefix (SPEC §3), e.g. lkp_… or lks_test_…. */
const KEY_SHAPE = /\b[a-z][a-z0-9]{1,15}(?:_[a-z][a-z0-9]{0,15})?_[0-9A-Za-z]{49}\b/;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** A `latchkey serve` child process and what it wrote so far. */
interface Served {
  child: ChildProcess;
  port: number;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code and signal once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<Served>();
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-serve-"));
  dirs.push(dir);
  return dir;
}

/** The environment without any LATCHKEY_ setting of the machine running the tests, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("LATCHKEY_") && name !== "NODE_OPTIONS") env[name] = value;
  }
  return { ...env, ...extra };
}

/** Spawns `node packages/cli/dist/main.js <args>` in `cwd`. */
function spawnLatchkey(cwd: string, args: string[], env: Record<string, string>, port = 0): Served {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
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
  const served: Served = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
  };
  running.add(served);
  void exited.then(() => running.delete(served));
  return served;
}

/** Waits until `ready()` holds, the process exits, or `ms` pass (then fails with what it printed). */
async function waitFor(served: Served, ready: () => boolean, what: string, ms = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  let ended = false;
  void served.exited.then(() => {
    ended = true;
  });
  while (!ready()) {
    if (ended)
      throw new Error(`latchkey exited before ${what}\nstdout:\n${served.stdout()}\nstderr:\n${served.stderr()}`);
    if (Date.now() > deadline) {
      throw new Error(`no ${what} within ${ms} ms\nstdout:\n${served.stdout()}\nstderr:\n${served.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves with the exit, or "timeout" after `ms`. */
async function exitWithin(
  served: Served,
  ms = START_TIMEOUT_MS,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    served.exited,
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** Starts `latchkey serve` in `cwd` on a free port and waits until it listens. */
async function serve(cwd: string, env: Record<string, string> = {}): Promise<Served> {
  const port = await freePort();
  const served = spawnLatchkey(cwd, ["serve"], { LATCHKEY_PORT: String(port), ...env }, port);
  await waitFor(served, () => /latchkey listening on /.test(served.stderr()), "listening line");
  return served;
}

/** Sends SIGTERM (or `signal`) and waits for the exit (SIGKILL after the timeout, and the test fails). */
async function stop(
  served: Served,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (served.child.exitCode !== null || served.child.signalCode !== null) return served.exited;
  served.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([served.exited, timeout]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    served.child.kill("SIGKILL");
    await served.exited;
    throw new Error(`latchkey did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
  }
  return outcome;
}

async function killAll(): Promise<void> {
  for (const served of [...running]) {
    if (served.child.exitCode === null && served.child.signalCode === null) served.child.kill("SIGKILL");
    await served.exited;
  }
}

afterEach(killAll);
afterAll(async () => {
  await killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The lines of `text` that start with `prefix`. */
function linesStartingWith(text: string, prefix: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(prefix));
}

/** The value after `prefix` on the only line that starts with it. */
function printedValue(text: string, prefix: string): string {
  const lines = linesStartingWith(text, prefix);
  expect(lines, `${prefix} in:\n${text}`).toHaveLength(1);
  return (lines[0] ?? "").slice(prefix.length).trim();
}

function rest(served: Served, path: string, init: RequestInit = {}): Promise<Response> {
  const separator = path.includes("?") ? "&" : "?";
  return fetch(`${served.url}/rest${path}${separator}version=${VERSION}`, init);
}

async function createKey(served: Served, token: string, orgId: string, name: string) {
  const res = await rest(served, `/orgs/${orgId}/api_keys`, {
    method: "POST",
    headers: { authorization: `token ${token}`, "content-type": JSON_API },
    body: JSON.stringify({ data: { type: "api_key", attributes: { name, expires_in: "30d" } } }),
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const data = JSON.parse(text).data as { id: string; attributes: { key: string } };
  return { id: data.id, key: data.attributes.key };
}

async function listKeyIds(served: Served, token: string, orgId: string): Promise<string[]> {
  const res = await rest(served, `/orgs/${orgId}/api_keys?limit=100`, { headers: { authorization: `token ${token}` } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return (JSON.parse(text).data as { id: string }[]).map((key) => key.id);
}

describe("latchkey serve, first start and restart", () => {
  test("the built command exists (run npm run build first)", () => {
    expect(existsSync(MAIN), `${MAIN} is missing: run npm run build`).toBe(true);
  });

  test("the first start prints the owner lines once; the token works; a restart prints nothing and keeps the data", async () => {
    const dir = tempDir();
    const first = await serve(dir);
    await waitFor(first, () => first.stdout().includes("owner token: "), "owner token line");
    const out = first.stdout();

    // The three lines, once each, and the token's shape.
    const email = printedValue(out, "owner email: ");
    const password = printedValue(out, "owner password: ");
    const token = printedValue(out, "owner token: ");
    expect(email).toBe("owner@latchkey.local");
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(token).toMatch(/^lkp_[0-9A-Za-z]{49}$/);
    expect(out.split(token)).toHaveLength(2);
    expect(out.split(password)).toHaveLength(2);
    expect(first.stderr()).not.toContain(token);
    expect(first.stderr()).not.toContain(password);
    // The default database lands in the working directory.
    expect(existsSync(join(dir, "data", "latchkey.db"))).toBe(true);

    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);

    // Every credential header of SPEC §4.
    let orgId = "";
    for (const headers of [
      { authorization: `token ${token}` },
      { authorization: `bearer ${token}` },
      { authorization: `Bearer ${token}` },
      { "x-api-key": token },
    ] as Record<string, string>[]) {
      const res = await rest(first, "/self", { headers });
      const text = await res.text();
      expect(res.status, `${JSON.stringify(Object.keys(headers))}: ${text}`).toBe(200);
      const body = JSON.parse(text);
      expect(body.data.attributes.email).toBe(email);
      orgId = body.meta.api_key.attributes.org_id;
      expect(text).not.toContain(token);
    }
    expect(orgId).not.toBe("");

    // No or a wrong credential: the one 401.
    const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const headers of [{}, { authorization: `token ${wrong}` }, { "x-api-key": "lkp_nope" }] as Record<
      string,
      string
    >[]) {
      const res = await rest(first, "/self", { headers });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(UNAUTHORIZED_BODY);
    }

    const created = await createKey(first, token, orgId, "made before the restart");
    expect(created.key).toMatch(/^lks_/);

    const stopped = await stop(first);
    expect(stopped.signal).toBeNull();
    expect(stopped.code).toBe(0);

    // The second start, same folder: nothing printed once is printed again, and the data is kept.
    const second = await serve(dir);
    const again = second.stdout();
    expect(again).not.toContain("owner token");
    expect(again).not.toContain("owner password");
    expect(again).not.toContain("owner email");
    expect(again).not.toMatch(KEY_SHAPE);
    expect(second.stderr()).not.toMatch(KEY_SHAPE);

    const self = await rest(second, "/self", { headers: { authorization: `token ${token}` } });
    expect(self.status).toBe(200);
    expect(await listKeyIds(second, token, orgId)).toContain(created.id);
    const verified = await rest(second, "/api_keys/verify", {
      method: "POST",
      headers: { authorization: `token ${token}`, "content-type": JSON_API },
      body: JSON.stringify({ data: { type: "key_verification", attributes: { key: created.key } } }),
    });
    expect(verified.status).toBe(200);
    expect(((await verified.json()) as { data: { attributes: { code: string } } }).data.attributes.code).toBe("VALID");

    // Requests leave no key in what the server wrote.
    expect(second.stdout()).not.toMatch(KEY_SHAPE);
    expect(second.stderr()).not.toMatch(KEY_SHAPE);
    expect(second.stdout()).not.toContain(token);

    expect(await stop(second)).toEqual({ code: 0, signal: null });
  }, 90_000);

  test("LATCHKEY_OWNER_EMAIL and LATCHKEY_OWNER_PASSWORD: prints the email and token, never the password", async () => {
    const dir = tempDir();
    const password = "given-password-Kx7q93Lm";
    const served = await serve(dir, {
      LATCHKEY_OWNER_EMAIL: "Admin@Example.com",
      LATCHKEY_OWNER_PASSWORD: password,
    });
    await waitFor(served, () => served.stdout().includes("owner token: "), "owner token line");
    const out = served.stdout();
    expect(printedValue(out, "owner email: ").toLowerCase()).toBe("admin@example.com");
    const token = printedValue(out, "owner token: ");
    expect(token).toMatch(/^lkp_[0-9A-Za-z]{49}$/);
    expect(linesStartingWith(out, "owner password")).toEqual([]);
    expect(out).not.toContain(password);
    expect(served.stderr()).not.toContain(password);

    const self = await rest(served, "/self", { headers: { "x-api-key": token } });
    expect(self.status).toBe(200);
    expect(((await self.json()) as { data: { attributes: { email: string } } }).data.attributes.email).toBe(
      "admin@example.com",
    );
    // Ctrl-C stops it as cleanly as SIGTERM.
    expect(await stop(served, "SIGINT")).toEqual({ code: 0, signal: null });
  }, 60_000);

  test("bad configuration exits non-zero and names LATCHKEY_PORT on stderr, before touching the folder", async () => {
    const dir = tempDir();
    const served = spawnLatchkey(dir, ["serve"], { LATCHKEY_PORT: "abc" });
    const outcome = await exitWithin(served);
    expect(outcome, served.stderr()).not.toBe("timeout");
    if (outcome === "timeout") return;
    expect(outcome.code).not.toBe(0);
    expect(outcome.code).not.toBeNull();
    expect(served.stderr()).toContain("LATCHKEY_PORT");
    expect(served.stdout()).not.toContain("owner");
    expect(existsSync(join(dir, "data"))).toBe(false);
  }, 30_000);

  test("every bad setting is named at once and the given password is not echoed", async () => {
    const dir = tempDir();
    const served = spawnLatchkey(dir, ["serve"], {
      LATCHKEY_PORT: "70000",
      LATCHKEY_LOG_LEVEL: "loud",
      LATCHKEY_OWNER_PASSWORD: "shortpw",
    });
    const outcome = await exitWithin(served);
    expect(outcome, served.stderr()).not.toBe("timeout");
    if (outcome === "timeout") return;
    expect(outcome.code).not.toBe(0);
    for (const variable of ["LATCHKEY_PORT", "LATCHKEY_LOG_LEVEL", "LATCHKEY_OWNER_PASSWORD"]) {
      expect(served.stderr()).toContain(variable);
    }
    expect(served.stderr()).not.toContain("shortpw");
  }, 30_000);

  test("two first starts at once on one migrated folder print the owner lines once in all", async () => {
    const dir = tempDir();
    // Migrated first: concurrent migrations race on their own (see serve-concurrent-start.test.ts).
    const migrate = spawnLatchkey(dir, ["migrate"], {});
    expect(await exitWithin(migrate)).toEqual({ code: 0, signal: null });
    expect(migrate.stdout()).toMatch(/^applied: /);
    const [a, b] = await Promise.all([serve(dir), serve(dir)]);
    const out = `${a.stdout()}\n${b.stdout()}`;
    expect(linesStartingWith(out, "owner token: ")).toHaveLength(1);
    expect(linesStartingWith(out, "owner password: ")).toHaveLength(1);
    expect(linesStartingWith(out, "owner email: ")).toHaveLength(1);
    const token = printedValue(out, "owner token: ");
    for (const served of [a, b]) {
      expect((await rest(served, "/self", { headers: { authorization: `token ${token}` } })).status).toBe(200);
    }
    expect(await stop(a)).toEqual({ code: 0, signal: null });
    expect(await stop(b)).toEqual({ code: 0, signal: null });
  }, 60_000);

  test("a first start that cannot listen (port taken) does not lose the owner's credentials", async () => {
    const dir = tempDir();
    const blocker = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      blocker.once("error", reject);
      blocker.listen(0, "127.0.0.1", () => {
        const address = blocker.address();
        if (address === null || typeof address === "string") reject(new Error("no port"));
        else resolve(address.port);
      });
    });
    let failedOut = "";
    try {
      const failed = spawnLatchkey(dir, ["serve"], { LATCHKEY_PORT: String(port) }, port);
      const outcome = await exitWithin(failed);
      expect(outcome, failed.stderr()).not.toBe("timeout");
      if (outcome === "timeout") return;
      expect(outcome.code).not.toBe(0);
      expect(failed.stderr()).toMatch(/EADDRINUSE|in use/i);
      failedOut = failed.stdout();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The owner lines were shown by the failed start, or are shown by the next one (printed before it
    // reports listening): once, and usable.
    const next = await serve(dir);
    const out = `${failedOut}\n${next.stdout()}`;
    expect(linesStartingWith(out, "owner token: "), out).toHaveLength(1);
    expect(linesStartingWith(out, "owner password: ")).toHaveLength(1);
    const token = printedValue(out, "owner token: ");
    expect((await rest(next, "/self", { headers: { authorization: `token ${token}` } })).status).toBe(200);
    expect(await stop(next)).toEqual({ code: 0, signal: null });
  }, 60_000);
});
