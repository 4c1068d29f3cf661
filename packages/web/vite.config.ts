import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The SDK's client and the core's permission rules are imported from their sources: both are plain
// TypeScript without Node imports, so the bundle holds only what the dashboard calls.
export default defineConfig({
  root: source("."),
  base: "/",
  resolve: {
    alias: {
      "@latchkey/sdk/client": source("../sdk/src/client.ts"),
      "@latchkey/sdk/types": source("../sdk/src/types.ts"),
      "@latchkey/core/permissions": source("../core/src/permissions.ts"),
    },
  },
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { "/rest": "http://127.0.0.1:8080", "/auth": "http://127.0.0.1:8080" } },
});
