import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Where `npm run build` puts the dashboard (packages/web/dist), seen from this file in dist/http or src/http. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL("../../../web/dist", import.meta.url));

/**
 * The paths the dashboard's router answers; each serves index.html. Everything else keeps its own routes
 * (and unknown paths keep the API's 404 error document).
 */
export const DASHBOARD_PATHS = [
  "/",
  "/sign-in",
  "/accept-invitation",
  "/account",
  "/account/*",
  "/orgs",
  "/orgs/*",
] as const;

/**
 * The HTML's Content-Security-Policy: scripts, styles and calls only from this origin, no framing, no
 * plugins, no inline script. React's `style` props are set through the DOM, which the policy allows.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite's hashed asset names: one flat folder, no path separators, nothing hidden. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;

const NOT_BUILT =
  "Latchkey's dashboard is not built on this server: run `npm run build` (or `npm run build -w @latchkey/web`) " +
  "and restart. The API (/rest, /docs) works without it.\n";

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

function sendIndex(reply: FastifyReply, html: Buffer | null) {
  reply.header("x-content-type-options", "nosniff").header("referrer-policy", "no-referrer");
  if (html === null) {
    return reply.code(503).header("cache-control", "no-store").type("text/plain; charset=utf-8").send(NOT_BUILT);
  }
  return reply
    .header("content-security-policy", DASHBOARD_CSP)
    .header("x-frame-options", "DENY")
    .header("cache-control", "no-cache")
    .type("text/html; charset=utf-8")
    .send(html);
}

/**
 * Serves the built dashboard from `dir`: index.html for the dashboard's paths (with a strict CSP) and
 * the hashed files under /assets (cached for a year, as their names change with their content). When
 * the folder is missing, the dashboard's paths answer a plain message (503) and the API is unaffected.
 */
export async function dashboardRoutes(app: FastifyInstance, { dir }: { dir: string }) {
  for (const path of DASHBOARD_PATHS) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      sendIndex(reply, await readOrNull(join(dir, "index.html"))),
    );
  }
  app.get<{ Params: { "*": string } }>("/assets/*", { schema: { hide: true } }, async (request, reply) => {
    const name = request.params["*"];
    const type = CONTENT_TYPES[name.slice(name.lastIndexOf("."))];
    const body = ASSET_NAME.test(name) && type !== undefined ? await readOrNull(join(dir, "assets", name)) : null;
    if (body === null) return reply.callNotFound();
    return reply
      .header("cache-control", "public, max-age=31536000, immutable")
      .header("x-content-type-options", "nosniff")
      .type(type as string)
      .send(body);
  });
}
