import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type RunningServer, startServer } from "@latchkey/server";
import { freePort } from "@latchkey/testkit";
import type { Io } from "../src/io.js";
import { run } from "../src/program.js";

/** The shape of a full secret key (`lks_…`, `lkp_…`, with an optional environment), as SPEC §3 defines it. */
export const KEY_SHAPE = /\b[a-z][a-z0-9]{1,15}(?:_[a-z][a-z0-9]{0,15})?_[0-9A-Za-z]{49}\b/g;

/** A real server on a fresh SQLite file in a temp dir, and the owner token its first start printed. */
export interface CliServer {
  server: RunningServer;
  url: string;
  token: string;
  /** Every line the first start printed. */
  printed: string[];
  dir: string;
  close(): Promise<void>;
}

/** Starts a real server in-process (port 0) on a temp SQLite database and captures the owner token. */
export async function startCliServer(env: Record<string, string> = {}): Promise<CliServer> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-cli-"));
  const printed: string[] = [];
  const config = loadConfig({
    LATCHKEY_DATABASE_URL: `sqlite:${join(dir, "x.db")}`,
    LATCHKEY_PORT: "0",
    LATCHKEY_LOG_LEVEL: "silent",
    ...env,
  });
  const server = await startServer(config, { print: (line) => printed.push(line) });
  const tokenLine = printed.find((line) => line.startsWith("owner token: "));
  if (tokenLine === undefined) {
    await server.close();
    throw new Error(`the first start printed no owner token: ${printed.join(" | ")}`);
  }
  return {
    server,
    url: server.url,
    token: tokenLine.slice("owner token: ".length).trim(),
    printed,
    dir,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What one `run` call wrote and returned. */
export interface CliResult {
  code: number;
  out: string[];
  err: string[];
  /** Standard output as one string. */
  stdout: string;
  /** Standard error as one string. */
  stderr: string;
}

/** An io that records every line. */
export function capturingIo(env: NodeJS.ProcessEnv): Io & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return {
    outLines,
    errLines,
    out: (line) => {
      outLines.push(line);
    },
    err: (line) => {
      errLines.push(line);
    },
    env,
  };
}

/**
 * Runs the CLI with `argv` and `env` and records its output. `process.exitCode` is cleared before and
 * after, since `verify` reports its result through it and it must leak neither into the next call nor
 * into the test runner.
 */
export async function cli(argv: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  process.exitCode = undefined;
  const io = capturingIo(env);
  try {
    const code = await run(argv, io);
    return {
      code,
      out: io.outLines,
      err: io.errLines,
      stdout: io.outLines.join("\n"),
      stderr: io.errLines.join("\n"),
    };
  } finally {
    process.exitCode = undefined;
  }
}

/** Parses the `--json` output of a command. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}

/** The value of a `field: value` line of a key printout, or undefined. */
export function field(result: CliResult, name: string): string | undefined {
  const prefix = `${name}:`;
  const line = result.out.find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

export { freePort };
