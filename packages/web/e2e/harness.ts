import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { freePort } from "@latchkey/testkit";
import axe from "axe-core";
import { type BrowserContext, chromium, type Page } from "playwright-core";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI_MAIN = join(ROOT, "packages/cli/dist/main.js");
export const WEB_DIST = join(ROOT, "packages/web/dist");
export const SCREENSHOTS = join(ROOT, "packages/web/e2e/screenshots");
export const CHROMIUM = "/usr/bin/chromium";

/** Without these, Chromium waits on network services this closed network never answers. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Installs Debian's chromium with the project's script when it is missing (CI runs the script first). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync("bash", [join(ROOT, "scripts/ensure-chromium.sh")], { stdio: "inherit" });
}

/** Builds the dashboard from its current sources, so the suite never tests a stale bundle. */
export function buildDashboard(): void {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run npm run build first`);
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const env = { ...process.env, NODE_ENV: "production" };
  execFileSync("npm", ["run", "build", "-w", "@latchkey/web"], { cwd: ROOT, env, stdio: "pipe" });
}

/** The gzipped size of every JavaScript file of the built dashboard, in bytes. */
export function gzippedJsBytes(): number {
  const assets = join(WEB_DIST, "assets");
  return readdirSync(assets)
    .filter((name) => name.endsWith(".js"))
    .reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name))).length, 0);
}

/** A `latchkey serve` child on a temporary SQLite folder. */
export interface Served {
  url: string;
  stop: () => Promise<void>;
  output: () => string;
}

export async function serve(owner: { email: string; password: string }): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-web-e2e-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("LATCHKEY_") && name !== "NODE_OPTIONS") env[name] = value;
  }
  const child: ChildProcess = spawn(process.execPath, [CLI_MAIN, "serve"], {
    cwd: dir,
    env: {
      ...env,
      LATCHKEY_DATABASE_URL: `sqlite:${join(dir, "latchkey.db")}`,
      LATCHKEY_HOST: "127.0.0.1",
      LATCHKEY_PORT: String(port),
      LATCHKEY_OWNER_EMAIL: owner.email,
      LATCHKEY_OWNER_PASSWORD: owner.password,
      LATCHKEY_LOG_LEVEL: "warn",
      // Usage is written every second, so the usage page has something to chart.
      LATCHKEY_USAGE_FLUSH_SECONDS: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`latchkey serve exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`latchkey serve did not answer /healthz:\n${output}`);
    const ok = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Chromium with a fresh profile folder and clipboard access, at `baseURL`. */
export async function launch(baseURL: string): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "latchkey-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 1280, height: 800 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page (the page's CSP does not apply to the DevTools protocol's evaluation). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const runner = (globalThis as unknown as { axe: typeof axe }).axe;
    const results = await runner.run({ resultTypes: ["violations"] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
    }));
  });
}

/**
 * Full-page screenshots of the page in light and dark, each checked with axe: returns the serious and
 * critical violations found in either scheme.
 */
export async function capture(page: Page, name: string): Promise<AxeViolation[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const found: AxeViolation[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`), fullPage: true });
    for (const violation of await axeViolations(page)) {
      if (violation.impact === "serious" || violation.impact === "critical") {
        found.push({ ...violation, help: `${name} (${colorScheme}): ${violation.help}` });
      }
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}
