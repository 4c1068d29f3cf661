import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const packages = ["core", "store", "redis", "sdk", "server", "testkit", "cli"];

export default defineConfig({
  resolve: {
    alias: Object.fromEntries(
      packages.map((name) => [
        `@latchkey/${name}`,
        fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url)),
      ]),
    ),
  },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "packages/web/e2e/**/*.test.ts",
      "test/cluster/**/*.test.ts",
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
