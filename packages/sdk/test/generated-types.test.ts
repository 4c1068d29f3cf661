import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildApp, loadConfig } from "@latchkey/server";
import { openStore } from "@latchkey/store";
import { describe, expect, it } from "vitest";
import { formatWithBiome, generateOpenApiTypes } from "../scripts/openapi-types.mjs";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const target = "packages/sdk/src/generated/openapi.ts";

async function openApiDocument(): Promise<Record<string, unknown>> {
  const store = await openStore("sqlite::memory:");
  try {
    await store.migrate();
    const app = await buildApp(loadConfig({ LATCHKEY_LOG_LEVEL: "silent" }), { store });
    try {
      const response = await app.inject({ url: "/rest/openapi?version=2024-06-10" });
      expect(response.statusCode).toBe(200);
      return response.json();
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
}

describe("generated OpenAPI types", () => {
  it("match the server's OpenAPI document (else run npm run generate:sdk)", async () => {
    const fresh = formatWithBiome(generateOpenApiTypes(await openApiDocument()), target, root);
    const checkedIn = readFileSync(new URL(`../../../${target}`, import.meta.url), "utf8");
    if (fresh !== checkedIn) {
      expect.fail(`${target} is stale: the server's OpenAPI document changed. Run npm run generate:sdk`);
    }
  });

  it("is deterministic", async () => {
    const document = await openApiDocument();
    expect(generateOpenApiTypes(document)).toBe(generateOpenApiTypes(structuredClone(document)));
  });
});

describe("generateOpenApiTypes", () => {
  const schemaSource = (schema: unknown) =>
    generateOpenApiTypes({ components: { schemas: { T: schema } }, paths: {} })
      .split("\n")
      .slice(3)
      .join("\n");

  it("maps JSON Schema to TypeScript", () => {
    expect(schemaSource({ type: "string", enum: ["a", "b"] })).toContain('export type T = "a" | "b";');
    expect(schemaSource({ const: 3 })).toContain("export type T = 3;");
    expect(schemaSource({ anyOf: [{ type: "string" }, { type: "null" }] })).toContain("export type T = string | null;");
    expect(schemaSource({ type: ["integer", "null"] })).toContain("export type T = number | null;");
    expect(schemaSource({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } })).toContain(
      "export type T = (string | number)[];",
    );
    expect(schemaSource({ type: "object", additionalProperties: { type: "integer" } })).toContain(
      "export type T = Record<string, number>;",
    );
    expect(schemaSource({ type: "object", properties: {}, additionalProperties: true })).toContain(
      "export type T = Record<string, unknown>;",
    );
    expect(schemaSource({ $ref: "#/components/schemas/Other" })).toContain("export type T = Other;");
    expect(schemaSource({ type: "string", anyOf: [{ format: "ipv4" }, { format: "ipv6" }] })).toContain(
      "export type T = string;",
    );
    const object = schemaSource({
      type: "object",
      required: ["a"],
      properties: { a: { type: "string", description: "The a." }, "b-c": { type: "boolean" } },
    });
    expect(object).toContain("export interface T {");
    expect(object).toContain("/** The a. */\n  a: string;");
    expect(object).toContain('"b-c"?: boolean;');
  });

  it("types each operation's parameters, body and success answer", () => {
    const source = generateOpenApiTypes({
      paths: {
        "/things/{id}": {
          delete: {
            parameters: [{ in: "path", name: "id", required: true, schema: { type: "string" } }],
            responses: { 204: {} },
          },
          post: {
            parameters: [{ in: "query", name: "filter[x]", schema: { type: "integer" } }],
            requestBody: { required: true, content: { "application/vnd.api+json": { schema: { type: "boolean" } } } },
            responses: { 201: { content: { "application/json": { schema: { type: "string" } } } }, 400: {} },
          },
        },
      },
    });
    expect(source).toContain('"/things/{id}": {');
    expect(source).toMatch(
      /post: \{\n\s+query: \{\n\s+"filter\[x\]"\?: number;\n\s+\};\n\s+requestBody: boolean;\n\s+response: string;/,
    );
    expect(source).toMatch(/delete: \{\n\s+path: \{\n\s+id: string;\n\s+\};\n\s+response: undefined;/);
  });
});
