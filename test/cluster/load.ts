import { spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LatchkeyNode, type Session, verify } from "./nodes.js";
import { Child, freePort, sleep, waitForListen } from "./services.js";

// Figures, background load, the nginx load balancer and the throughput runs of the cluster test.

const LAST_RUN = fileURLToPath(new URL("./last-run.json", import.meta.url));
const AUTOCANNON = fileURLToPath(new URL("../../node_modules/autocannon/autocannon.js", import.meta.url));

/** Every figure is printed as `CLUSTER: <name> <value> <unit>` and kept for last-run.json. */
export class Figures {
  private readonly values: Record<string, { value: number; unit: string }> = {};

  report(name: string, value: number, unit: string): void {
    const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
    console.log(`CLUSTER: ${name} ${shown}${unit === "" ? "" : ` ${unit}`}`);
    this.values[name] = { value, unit };
  }

  write(extra: Record<string, unknown>): void {
    writeFileSync(LAST_RUN, `${JSON.stringify({ ...extra, figures: this.values }, null, 2)}\n`);
  }
}

/** The `q` quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Verify traffic on every node until stopped: `perNode` loops per node. Counts answers by code. */
export class Background {
  private running = true;
  private readonly loops: Promise<void>[] = [];
  readonly codes: Record<string, number> = {};

  constructor(nodes: readonly LatchkeyNode[], s: Session, key: string, perNode: number) {
    for (const node of nodes) {
      for (let i = 0; i < perNode; i++) this.loops.push(this.loop(node, s, key));
    }
  }

  private async loop(node: LatchkeyNode, s: Session, key: string): Promise<void> {
    while (this.running) {
      const code = await verify(node, s, key);
      this.codes[code] = (this.codes[code] ?? 0) + 1;
      if (code.startsWith("HTTP")) await sleep(20);
    }
  }

  get total(): number {
    return Object.values(this.codes).reduce((sum, n) => sum + n, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.race([Promise.all(this.loops), sleep(25_000)]);
  }
}

/** The nginx binary on PATH (or Debian's /usr/sbin/nginx); null when none. */
export function findNginx(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, "nginx"), constants.X_OK);
      return join(dir, "nginx");
    } catch {
      // not here
    }
  }
  return null;
}

/** nginx as a load balancer: `cluster` round-robins over every node, `single` goes to the first. */
export interface Balancer {
  cluster: string;
  single: string;
  child: Child;
}

export async function startBalancer(bin: string, dir: string, nodes: readonly LatchkeyNode[]): Promise<Balancer> {
  const [clusterPort, singlePort] = [await freePort(), await freePort()];
  const first = nodes[0];
  if (first === undefined) throw new Error("no nodes");
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `    ${name}_temp_path ${join(dir, "tmp", name)};`)
    .join("\n");
  const site = (port: number, upstream: string) => `    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://${upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }`;
  const conf = `${process.getuid?.() === 0 ? "user root;\n" : ""}worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 4096; }
http {
    access_log off;
${temp}
    upstream latchkey_cluster {
${nodes.map((node) => `        server 127.0.0.1:${node.port};`).join("\n")}
        keepalive 128;
    }
    upstream latchkey_single {
        server 127.0.0.1:${first.port};
        keepalive 128;
    }
${site(clusterPort, "latchkey_cluster")}
${site(singlePort, "latchkey_single")}
}
`;
  const file = join(dir, "nginx.conf");
  writeFileSync(file, conf);
  const child = new Child(
    "nginx",
    spawn(bin, ["-p", dir, "-e", join(dir, "error.log"), "-c", file, "-g", "daemon off;"], {
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  await waitForListen(child, clusterPort, 10_000);
  await waitForListen(child, singlePort, 10_000);
  return { cluster: `http://127.0.0.1:${clusterPort}`, single: `http://127.0.0.1:${singlePort}`, child };
}

/** The outcome of one throughput run. */
export interface Throughput {
  rps: number;
  ok: number;
  failed: number;
  p99Ms: number;
}

/**
 * `amount` GET requests of `url` with `connections` at a time, by autocannon in a process of its own
 * when the workspace has it, else by a keep-alive loop in this process. Requests per second of 2xx.
 */
export async function throughput(
  url: string,
  headers: Record<string, string>,
  amount: number,
  connections: number,
): Promise<Throughput> {
  let hasAutocannon = true;
  try {
    accessSync(AUTOCANNON, constants.R_OK);
  } catch {
    hasAutocannon = false;
  }
  if (!hasAutocannon) return fetchLoop(url, headers, amount, connections);
  // Samples every 20 ms: autocannon notices the last answer only at a sample tick (default 1 s).
  const args = [AUTOCANNON, "--json", "-L", "20", "-c", String(connections), "-a", String(amount), "-t", "10"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}=${value}`);
  const child = new Child("autocannon", spawn(process.execPath, [...args, url], { stdio: ["ignore", "pipe", "pipe"] }));
  const finished = await Promise.race([child.exited.then(() => true), sleep(120_000).then(() => false)]);
  if (!finished) {
    await child.stop("SIGKILL");
    throw new Error(`autocannon did not finish in 120 s:\n${child.log()}`);
  }
  const line = child
    .log()
    .split("\n")
    .find((l) => l.startsWith("{"));
  if (line === undefined) throw new Error(`autocannon gave no JSON:\n${child.log()}`);
  const result = JSON.parse(line) as {
    duration: number;
    "2xx": number;
    non2xx: number;
    errors: number;
    timeouts: number;
    latency: { p99: number };
  };
  return {
    rps: result["2xx"] / result.duration,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    p99Ms: result.latency.p99,
  };
}

async function fetchLoop(
  url: string,
  headers: Record<string, string>,
  amount: number,
  connections: number,
): Promise<Throughput> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async () => {
    while (next++ < amount) {
      const t = performance.now();
      try {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.ok) ok++;
        else failed++;
      } catch {
        failed++;
      }
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { rps: ok / seconds, ok, failed, p99Ms: quantile(latencies, 0.99) };
}
