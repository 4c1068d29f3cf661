import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { freePort } from "@latchkey/testkit";

// A real nginx (Debian's package, installed by scripts/ensure-nginx.sh) in front of a small upstream,
// with auth_request to a Latchkey listening on loopback. Every wait here is bounded.

/** The nginx binary on PATH (or Debian's /usr/sbin/nginx, which is not on every user's PATH); null when none. */
export function findNginx(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, "nginx");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export { freePort };

/** Resolves once something accepts connections on 127.0.0.1:`port`; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, alive: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead !== null) throw new Error(dead);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(500, () => done(false));
      socket.once("connect", () => done(true));
      socket.once("error", () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** The protected service: answers 200 `{"upstream":true}` to everything and remembers what it saw. */
export interface Upstream {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((request, response) => {
    seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    request.resume();
    response.writeHead(200, { "content-type": "application/json" });
    response.end('{"upstream":true}');
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("upstream has no port");
  return {
    port: address.port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Where nginx listens and what it talks to. */
export interface NginxSites {
  /** Where nginx listens, e.g. `127.0.0.1:8081`. */
  listen: string;
  /** Latchkey's address, e.g. `127.0.0.1:8080` (the README: `latchkey:8080`). */
  latchkey: string;
  /** The protected service's address. */
  upstream: string;
}

/**
 * The `server` block of the README's nginx setup: every request under `/` is checked by Latchkey's
 * `/auth/check` first; `/reports/` also needs `reports:read` (through `X-Latchkey-Require`). nginx's
 * auth_request only understands 2xx, 401 and 403 and turns anything else into 500, so Latchkey's 429
 * is recovered in `@latchkey_error` from `$latchkey_status`, with its Retry-After and RateLimit-*.
 */
export function nginxServerBlock(sites: NginxSites): string {
  return `server {
    listen ${sites.listen};

    # Kept from Latchkey's answer: who the key is, for the service behind,
    auth_request_set $latchkey_key_id $upstream_http_x_latchkey_key_id;
    auth_request_set $latchkey_org_id $upstream_http_x_latchkey_org_id;
    auth_request_set $latchkey_owner $upstream_http_x_latchkey_owner;
    auth_request_set $latchkey_permissions $upstream_http_x_latchkey_permissions;
    # and Latchkey's status, request id and limits, for the answers below.
    auth_request_set $latchkey_status $upstream_status;
    auth_request_set $latchkey_request_id $upstream_http_x_request_id;
    auth_request_set $latchkey_retry_after $upstream_http_retry_after;
    auth_request_set $latchkey_ratelimit_limit $upstream_http_ratelimit_limit;
    auth_request_set $latchkey_ratelimit_remaining $upstream_http_ratelimit_remaining;
    auth_request_set $latchkey_ratelimit_reset $upstream_http_ratelimit_reset;
    error_page 401 = @latchkey_401;
    error_page 403 = @latchkey_403;
    error_page 500 = @latchkey_error;

    location / {
        # Permissions needed besides the route map's (LATCHKEY_AUTH_ROUTES), sent as X-Latchkey-Require;
        # every protected location sets it (a client's own X-Latchkey-Require is replaced by it).
        set $latchkey_require "";
        auth_request /_latchkey;
        proxy_pass http://${sites.upstream};
        proxy_set_header X-Latchkey-Key-Id $latchkey_key_id;
        proxy_set_header X-Latchkey-Org-Id $latchkey_org_id;
        proxy_set_header X-Latchkey-Owner $latchkey_owner;
        proxy_set_header X-Latchkey-Permissions $latchkey_permissions;
        add_header RateLimit-Limit $latchkey_ratelimit_limit;
        add_header RateLimit-Remaining $latchkey_ratelimit_remaining;
        add_header RateLimit-Reset $latchkey_ratelimit_reset;
    }

    location /reports/ {
        set $latchkey_require "reports:read";
        auth_request /_latchkey;
        proxy_pass http://${sites.upstream};
        proxy_set_header X-Latchkey-Key-Id $latchkey_key_id;
        proxy_set_header X-Latchkey-Org-Id $latchkey_org_id;
        proxy_set_header X-Latchkey-Owner $latchkey_owner;
        proxy_set_header X-Latchkey-Permissions $latchkey_permissions;
    }

    location = /_latchkey {
        internal;
        proxy_pass http://${sites.latchkey}/auth/check;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Original-URI $request_uri;
        proxy_set_header X-Original-Method $request_method;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Latchkey-Require $latchkey_require;
        proxy_set_header Authorization $http_authorization;
        proxy_set_header X-API-Key $http_x_api_key;
    }

    location @latchkey_401 {
        default_type application/json;
        return 401 '{"status":"401","code":"Unauthorized"}';
    }

    location @latchkey_403 {
        default_type application/vnd.api+json;
        return 403 '{"jsonapi":{"version":"1.0"},"errors":[{"id":"$latchkey_request_id","status":"403","code":"FORBIDDEN","title":"Forbidden","detail":"The key may not do this."}]}';
    }

    location @latchkey_error {
        default_type application/vnd.api+json;
        add_header Retry-After $latchkey_retry_after always;
        add_header RateLimit-Limit $latchkey_ratelimit_limit always;
        add_header RateLimit-Remaining $latchkey_ratelimit_remaining always;
        add_header RateLimit-Reset $latchkey_ratelimit_reset always;
        if ($latchkey_status = 429) {
            return 429 '{"jsonapi":{"version":"1.0"},"errors":[{"id":"$latchkey_request_id","status":"429","code":"RATE_LIMITED","title":"Too many requests","detail":"Retry after the time in Retry-After."}]}';
        }
        return 500;
    }
}`;
}

/** A whole nginx.conf that keeps everything (pid, logs, temp files) inside `dir`. */
export function nginxConfig(dir: string, sites: NginxSites): string {
  const asRoot = process.getuid?.() === 0;
  return `${asRoot ? "user root;\n" : ""}worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;

events {
    worker_connections 128;
}

http {
    access_log ${join(dir, "access.log")};
    client_body_temp_path ${join(dir, "tmp", "client_body")};
    proxy_temp_path ${join(dir, "tmp", "proxy")};
    fastcgi_temp_path ${join(dir, "tmp", "fastcgi")};
    uwsgi_temp_path ${join(dir, "tmp", "uwsgi")};
    scgi_temp_path ${join(dir, "tmp", "scgi")};

${nginxServerBlock(sites)
  .split("\n")
  .map((line) => (line === "" ? line : `    ${line}`))
  .join("\n")}
}
`;
}

/** A running nginx. */
export interface Nginx {
  url: string;
  /** What nginx wrote to its error log so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

/** Starts `bin` as a non-daemon process with the config above; resolves once it listens. */
export async function startNginx(bin: string, dir: string, sites: Omit<NginxSites, "listen">): Promise<Nginx> {
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, nginxConfig(dir, { ...sites, listen }));
  const errorLogPath = join(dir, "error.log");
  const errorLog = () => (existsSync(errorLogPath) ? readFileSync(errorLogPath, "utf8") : "");

  const child: ChildProcess = spawn(bin, ["-p", dir, "-e", errorLogPath, "-c", conf, "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = `nginx exited (${signal ?? code}) ${output}\n${errorLog()}`;
      resolve();
    });
    child.once("error", (error) => {
      exited = `nginx could not start: ${error.message}`;
      resolve();
    });
  });

  const stop = async () => {
    if (exited !== null) return;
    child.kill("SIGTERM");
    const stopped = await Promise.race([
      exit.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
    ]);
    if (!stopped) {
      child.kill("SIGKILL");
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
  };

  try {
    await waitForPort(port, 10_000, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}\n${errorLog()}`);
  }
  return { url: `http://${listen}`, errorLog, stop };
}
