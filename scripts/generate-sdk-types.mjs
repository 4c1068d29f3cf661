// Regenerates what is derived from the OpenAPI document the server serves: the SDK's types
// (packages/sdk/src/generated/openapi.ts) and the README's role table (between its role-table markers).
// Uses the built packages (run `npm run build` first; `npm run generate:sdk` does).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildApp, loadConfig, roleTable } from "@latchkey/server";
import { openStore } from "@latchkey/store";
import { formatWithBiome, generateOpenApiTypes } from "../packages/sdk/scripts/openapi-types.mjs";
import { withRoleTable } from "./role-table.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = "packages/sdk/src/generated/openapi.ts";

const store = await openStore("sqlite::memory:");
try {
  await store.migrate();
  const app = await buildApp(loadConfig({ LATCHKEY_LOG_LEVEL: "silent" }), { store });
  try {
    const response = await app.inject({ url: "/rest/openapi?version=2024-06-10" });
    if (response.statusCode !== 200) throw new Error(`GET /rest/openapi answered ${response.statusCode}`);
    const document = response.json();
    writeFileSync(
      new URL(`../${target}`, import.meta.url),
      formatWithBiome(generateOpenApiTypes(document), target, root),
    );
    console.log(`wrote ${target}`);
    const readme = new URL("../README.md", import.meta.url);
    writeFileSync(readme, withRoleTable(readFileSync(readme, "utf8"), roleTable(document)));
    console.log("wrote the role table of README.md");
  } finally {
    await app.close();
  }
} finally {
  await store.close();
}
