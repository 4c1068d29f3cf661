// Regenerates packages/sdk/src/generated/openapi.ts from the OpenAPI document the server serves.
// Uses the built packages (run `npm run build` first; `npm run generate:sdk` does).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildApp, loadConfig } from "@latchkey/server";
import { openStore } from "@latchkey/store";
import { formatWithBiome, generateOpenApiTypes } from "../packages/sdk/scripts/openapi-types.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = "packages/sdk/src/generated/openapi.ts";

const store = await openStore("sqlite::memory:");
try {
  await store.migrate();
  const app = await buildApp(loadConfig({ LATCHKEY_LOG_LEVEL: "silent" }), { store });
  try {
    const response = await app.inject({ url: "/rest/openapi?version=2024-06-10" });
    if (response.statusCode !== 200) throw new Error(`GET /rest/openapi answered ${response.statusCode}`);
    const source = formatWithBiome(generateOpenApiTypes(response.json()), target, root);
    writeFileSync(new URL(`../${target}`, import.meta.url), source);
    console.log(`wrote ${target}`);
  } finally {
    await app.close();
  }
} finally {
  await store.close();
}
