import { spawn } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { Child, freePort, waitForListen, waitUntil } from "./services.js";

// `latchkey serve` processes and a small HTTP client for them (node:http with keep-alive: cheaper
// than fetch, so the test process is not what limits the load). Every request has a timeout.

export const MAIN = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url));
export const VERSION = "version=2024-06-10";

/** The parts of a JSON:API document the test reads. */
export interface Doc {
  data?: { id?: string; type?: string; attributes?: Record<string, unknown> };
  errors?: { status?: string; code?: string }[];
  status?: string;
}

/** An answer: status 0 means no answer (connection refused or reset, or timeout). */
export interface Answer {
  status: number;
  doc: Doc;
  error?: string;
}

/** A Latchkey node: one `latchkey serve` process on a fixed port, restartable. */
export class LatchkeyNode {
  child: Child | null = null;
  readonly agent = new Agent({ keepAlive: true, maxSockets: 600 });

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async start(name: string, env: Record<string, string>): Promise<LatchkeyNode> {
    const node = new LatchkeyNode(name, await freePort(), env);
    await node.restart();
    return node;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.child?.log() ?? "";
  }

  async restart(): Promise<void> {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!name.startsWith("LATCHKEY_") && name !== "NODE_OPTIONS") env[name] = value;
    }
    Object.assign(env, this.env, { LATCHKEY_PORT: String(this.port), LATCHKEY_HOST: "127.0.0.1" });
    const child = new Child(
      this.name,
      spawn(process.execPath, [MAIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] }),
    );
    this.child = child;
    await waitForListen(child, this.port, 30_000);
    await waitUntil(`${this.name} /healthz`, 10_000, async () => (await call(this, "GET", "/healthz")).status === 200);
  }

  /** SIGKILL: no shutdown of any kind. */
  async kill(): Promise<void> {
    await this.child?.stop("SIGKILL", 5000);
    this.agent.destroy();
  }

  async stop(): Promise<void> {
    await this.child?.stop("SIGTERM", 10_000);
    this.agent.destroy();
  }
}

/** One HTTP request to a node; never throws (status 0 when there was no answer). */
export function call(
  node: LatchkeyNode,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `token ${options.token}`;
  if (payload !== undefined) {
    headers["content-type"] = "application/vnd.api+json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const req = httpRequest({ host: "127.0.0.1", port: node.port, method, path, headers, agent: node.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => settle({ status: 0, doc: {}, error: error.message }));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let doc: Doc = {};
        try {
          doc = text === "" ? {} : (JSON.parse(text) as Doc);
        } catch {
          doc = {};
        }
        settle({ status: res.statusCode ?? 0, doc });
      });
    });
    req.setTimeout(options.timeoutMs ?? 20_000, () => req.destroy(new Error("timeout")));
    req.on("error", (error) => settle({ status: 0, doc: {}, error: error.message }));
    req.end(payload);
  });
}

/** What the test needs to talk to the cluster: the owner token and the org. */
export interface Session {
  token: string;
  org: string;
}

/** Key attributes for a create (JSON:API `attributes`). */
export interface KeyAttributes {
  name: string;
  expires_in?: string;
  rate_limit?: { limit: number; window_seconds: number };
  quota?: { remaining: number };
}

/** A created key: its id and its secret. */
export interface CreatedKey {
  id: string;
  key: string;
}

export async function createKey(node: LatchkeyNode, s: Session, attributes: KeyAttributes): Promise<Answer> {
  return call(node, "POST", `/rest/orgs/${s.org}/api_keys?${VERSION}`, {
    token: s.token,
    body: { data: { type: "api_key", attributes: { expires_in: "1d", ...attributes } } },
  });
}

/** Creates a key and insists on 201. */
export async function mustCreateKey(node: LatchkeyNode, s: Session, attributes: KeyAttributes): Promise<CreatedKey> {
  const answer = await createKey(node, s, attributes);
  const created = createdKey(answer);
  if (created === null) throw new Error(`create key on ${node.name}: ${answer.status} ${JSON.stringify(answer.doc)}`);
  return created;
}

/** The id and secret of a 201 answer to a create; null otherwise. */
export function createdKey(answer: Answer): CreatedKey | null {
  const id = answer.doc.data?.id;
  const key = answer.doc.data?.attributes?.key;
  return answer.status === 201 && typeof id === "string" && typeof key === "string" ? { id, key } : null;
}

export function revokeKey(node: LatchkeyNode, s: Session, id: string): Promise<Answer> {
  return call(node, "POST", `/rest/orgs/${s.org}/api_keys/${id}/revoke?${VERSION}`, { token: s.token });
}

/** The verification code (VALID, REVOKED, …), or `HTTP <status>` when the answer is not a 200. */
export async function verify(node: LatchkeyNode, s: Session, key: string): Promise<string> {
  const answer = await call(node, "POST", `/rest/api_keys/verify?${VERSION}`, {
    token: s.token,
    body: { data: { type: "key_verification", attributes: { key } } },
  });
  const code = answer.doc.data?.attributes?.code;
  if (answer.status !== 200 || typeof code !== "string") return `HTTP ${answer.status}${answer.error ?? ""}`;
  return code;
}

/** The org of the token's owner (`GET /rest/self` → default_org_context). */
export async function orgOf(node: LatchkeyNode, token: string): Promise<string> {
  const answer = await call(node, "GET", `/rest/self?${VERSION}`, { token });
  const org = answer.doc.data?.attributes?.default_org_context;
  if (answer.status !== 200 || typeof org !== "string") {
    throw new Error(`GET /rest/self: ${answer.status} ${JSON.stringify(answer.doc)}`);
  }
  return org;
}

/** Runs `task` over `items` with at most `limit` at a time; results in the items' order. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, i: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Verifies `key` on `node` over and over until the code is `code`; the milliseconds from `sinceMs`
 * (a performance.now()) to that answer, or Infinity when it does not come within `timeoutMs`.
 */
export async function msUntilCode(
  node: LatchkeyNode,
  s: Session,
  key: string,
  code: string,
  sinceMs: number,
  timeoutMs: number,
): Promise<number> {
  for (;;) {
    const got = await verify(node, s, key);
    const now = performance.now();
    if (got === code) return now - sinceMs;
    if (now - sinceMs > timeoutMs) return Number.POSITIVE_INFINITY;
  }
}
