import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@latchkey/testkit";
import pg from "pg";

// The cluster test's own PostgreSQL and Redis, on free loopback ports: stopping and restarting them
// mid-test never touches the machine's shared ones (5432, 6379). Every wait here is bounded.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export { freePort };

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Polls `check` every `everyMs` until it returns true; throws `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean> | boolean,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A child process with its output kept, and a bounded stop. */
export class Child {
  private output = "";
  readonly exited: Promise<void>;
  private done = false;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString("utf8");
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
    };
    process.stdout?.on("data", keep);
    process.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => {
      process.once("exit", () => resolve());
      process.once("error", (error) => {
        this.output += `\n${name} could not start: ${error.message}`;
        resolve();
      });
    });
    void this.exited.then(() => {
      this.done = true;
    });
  }

  get alive(): boolean {
    return !this.done;
  }

  log(): string {
    return this.output;
  }

  /** Sends `signal`, waits up to `ms`, then SIGKILL (and waits a little more). */
  async stop(signal: NodeJS.Signals = "SIGTERM", ms = 10_000): Promise<void> {
    if (!this.alive) return;
    this.process.kill(signal);
    const stopped = await Promise.race([this.exited.then(() => true), sleep(ms).then(() => false)]);
    if (!stopped) {
      this.process.kill("SIGKILL");
      await Promise.race([this.exited, sleep(3000)]);
    }
  }
}

/** Throws with the child's output unless something listens on `port` within `timeoutMs`. */
export async function waitForListen(child: Child, port: number, timeoutMs: number): Promise<void> {
  await waitUntil(`${child.name} to listen on ${port}`, timeoutMs, async () => {
    if (!child.alive) throw new Error(`${child.name} exited:\n${child.log()}`);
    return portOpen(port);
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${child.log()}`);
  });
}

/** A redis-server of our own: no persistence, stoppable and restartable on the same port. */
export class OwnRedis {
  private child: Child | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    const child = new Child(
      "redis-server",
      spawn("redis-server", [...args, "--daemonize", "no"], { stdio: ["ignore", "pipe", "pipe"] }),
    );
    this.child = child;
    await waitForListen(child, this.port, 10_000);
  }

  async stop(): Promise<void> {
    await this.child?.stop("SIGKILL", 5000);
    this.child = null;
  }
}

/** The directory of PostgreSQL's server programs (Debian: /usr/lib/postgresql/<major>/bin). */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const major = majors[0];
  if (major === undefined) throw new Error(`no PostgreSQL server programs (initdb) under ${root}`);
  return join(root, major, "bin");
}

/**
 * uid and gid of the `postgres` OS user when running as root (PostgreSQL refuses to run as root);
 * as any other user, PostgreSQL runs as that user and nothing changes hands.
 */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** A PostgreSQL instance of our own in a temp dir, trust auth, stoppable and restartable. */
export class OwnPostgres {
  private child: Child | null = null;
  private readonly bin = postgresBin();
  private readonly user = postgresUser();

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-cluster-pg-"));
    const pg = new OwnPostgres(dir, await freePort());
    mkdirSync(join(dir, "data"));
    if ("uid" in pg.user) {
      chownSync(dir, pg.user.uid, pg.user.gid);
      chownSync(join(dir, "data"), pg.user.uid, pg.user.gid);
    }
    execFileSync(
      join(pg.bin, "initdb"),
      ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
      { ...pg.user, cwd: dir, env: pg.env(), stdio: "pipe", timeout: 60_000 },
    );
    await pg.restart();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.dir, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
  }

  async restart(): Promise<void> {
    const args = ["-D", join(this.dir, "data"), "-p", String(this.port), "-k", this.dir];
    const settings = ["listen_addresses=127.0.0.1", "fsync=off", "max_connections=200", "log_min_messages=warning"];
    const child = new Child(
      "postgres",
      spawn(join(this.bin, "postgres"), [...args, ...settings.flatMap((s) => ["-c", s])], {
        ...this.user,
        cwd: this.dir,
        env: this.env(),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    this.child = child;
    await waitForListen(child, this.port, 30_000);
    // The port opens before recovery ends ("the database system is starting up"): wait for a query.
    await waitUntil("PostgreSQL to answer a query", 30_000, async () => {
      try {
        await this.query("SELECT 1");
        return true;
      } catch {
        return false;
      }
    });
  }

  /** One query on a connection of its own. */
  async query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on("error", () => {});
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): sessions are ended, as an operator's `pg_ctl stop` does. */
  async stop(): Promise<void> {
    await this.child?.stop("SIGINT", 15_000);
    this.child = null;
  }

  async destroy(): Promise<void> {
    await this.child?.stop("SIGQUIT", 5000);
    this.child = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
