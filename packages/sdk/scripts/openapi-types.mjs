// Turns an OpenAPI 3.1 document into TypeScript types: one export per component schema, and a `paths`
// interface keyed by path and method. openapi-typescript needs TypeScript's JS API, which TypeScript 7
// does not have; the document uses a small part of JSON Schema, and this covers that part.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const METHODS = ["get", "put", "post", "patch", "delete", "options", "head", "trace"];
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const SHAPE_KEYS = ["$ref", "type", "enum", "const", "anyOf", "oneOf", "allOf", "properties", "items"];

const HEADER = `// Generated from Latchkey's OpenAPI document by scripts/generate-sdk-types.mjs. Do not edit:
// run \`npm run generate:sdk\` after changing a route's schema.
`;

/**
 * The TypeScript source for an OpenAPI document: deterministic (schemas and paths sorted, properties
 * in document order) and unformatted; run it through `formatWithBiome` before writing it.
 * @param {Record<string, any>} document
 * @returns {string}
 */
export function generateOpenApiTypes(document) {
  const schemas = document.components?.schemas ?? {};
  const out = [HEADER];
  for (const name of Object.keys(schemas).sort()) {
    const type = typeOf(schemas[name], "");
    const declaration = type.startsWith("{")
      ? `export interface ${typeName(name)} ${type}`
      : `export type ${typeName(name)} = ${type};`;
    out.push(`${comment(schemas[name].description, "")}${declaration}\n`);
  }
  out.push("/** Every route: its path and query parameters, request body and success answer. */");
  out.push("export interface paths {");
  for (const path of Object.keys(document.paths ?? {}).sort()) {
    const item = document.paths[path];
    const methods = METHODS.filter((method) => item[method] !== undefined);
    if (methods.length === 0) continue;
    out.push(`  ${propertyName(path)}: {`);
    for (const method of methods) out.push(operation(method, item[method], item.parameters ?? []));
    out.push("  };");
  }
  out.push("}\n");
  return out.join("\n");
}

/**
 * Formats TypeScript source as Biome does for `filePath` (the workspace's biome.json applies).
 * @param {string} source
 * @param {string} filePath
 * @param {string} cwd the workspace root
 * @returns {string}
 */
export function formatWithBiome(source, filePath, cwd) {
  const require = createRequire(`${cwd}/package.json`);
  const biome = require.resolve("@biomejs/biome/bin/biome");
  const result = spawnSync(process.execPath, [biome, "format", `--stdin-file-path=${filePath}`], {
    cwd,
    input: source,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`biome format failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** @param {string} method @param {Record<string, any>} op @param {any[]} shared */
function operation(method, op, shared) {
  const parameters = [...shared, ...(op.parameters ?? [])].map(resolveParameter);
  const lines = [`${comment(op.summary, "    ")}    ${method}: {`];
  for (const place of ["path", "query"]) {
    const own = parameters.filter((parameter) => parameter.in === place);
    if (own.length > 0) lines.push(`      ${place}: ${parameterObject(own, "      ")};`);
  }
  const body = jsonSchemaOf(op.requestBody?.content);
  if (body !== undefined) {
    const optional = op.requestBody.required === true ? "" : "?";
    lines.push(`      requestBody${optional}: ${typeOf(body, "      ")};`);
  }
  lines.push(`      response: ${responseType(op.responses ?? {}, "      ")};`);
  lines.push("    };");
  return lines.join("\n");
}

/** The type of the first 2xx answer: its JSON body, `undefined` for 204, `unknown` without a schema. */
function responseType(responses, indent) {
  const status = Object.keys(responses)
    .filter((code) => /^2\d\d$/.test(code))
    .sort()[0];
  if (status === undefined || status === "204") return "undefined";
  const schema = jsonSchemaOf(responses[status].content);
  return schema === undefined ? "unknown" : typeOf(schema, indent);
}

/** The schema of a JSON media type (`application/json` or any `+json`). */
function jsonSchemaOf(content) {
  if (content === undefined) return undefined;
  const type = Object.keys(content)
    .sort()
    .find((media) => media === "application/json" || media.endsWith("+json"));
  return type === undefined ? undefined : content[type].schema;
}

function resolveParameter(parameter) {
  if (parameter.$ref !== undefined) throw new Error(`parameter $ref ${parameter.$ref} is not supported`);
  return parameter;
}

function parameterObject(parameters, indent) {
  const inner = `${indent}  `;
  const members = parameters.map(
    (parameter) =>
      `${comment(parameter.description, inner)}${inner}${propertyName(parameter.name)}${parameter.required ? "" : "?"}: ${typeOf(parameter.schema ?? {}, inner)};`,
  );
  return `{\n${members.join("\n")}\n${indent}}`;
}

/**
 * The TypeScript type of a JSON schema.
 * @param {Record<string, any> | boolean} schema
 * @param {string} indent the indentation of the line the type starts on
 * @returns {string}
 */
function typeOf(schema, indent) {
  if (schema === true) return "unknown";
  if (schema === false) return "never";
  if (schema.$ref !== undefined) return refName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map((value) => JSON.stringify(value)));
  const { anyOf, oneOf, allOf, ...rest } = schema;
  const alternatives = anyOf ?? oneOf;
  if (alternatives !== undefined) {
    // `{type: "string", anyOf: [{format: "ipv4"}, …]}` narrows the base type: keep the base.
    return union(alternatives.map((member) => typeOf(hasShape(member) ? member : rest, indent)));
  }
  if (allOf !== undefined) return allOf.map((member) => wrap(typeOf(member, indent))).join(" & ");
  if (Array.isArray(schema.type)) return union(schema.type.map((type) => typeOf({ ...schema, type }, indent)));
  switch (schema.type) {
    case "null":
      return "null";
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return `${wrap(typeOf(schema.items ?? {}, indent))}[]`;
    case "object":
      return objectType(schema, indent);
    default:
      return schema.properties !== undefined ? objectType(schema, indent) : "unknown";
  }
}

function objectType(schema, indent) {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (properties.length === 0) {
    if (extra === false) return "Record<string, never>";
    return `Record<string, ${extra === undefined || extra === true ? "unknown" : typeOf(extra, indent)}>`;
  }
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const members = properties.map(
    ([name, property]) =>
      `${comment(property.description, inner)}${inner}${propertyName(name)}${required.has(name) ? "" : "?"}: ${typeOf(property, inner)};`,
  );
  if (extra !== undefined && extra !== false) {
    members.push(`${inner}[name: string]: ${extra === true ? "unknown" : typeOf(extra, inner)};`);
  }
  return `{\n${members.join("\n")}\n${indent}}`;
}

function hasShape(schema) {
  return typeof schema === "boolean" || SHAPE_KEYS.some((key) => schema[key] !== undefined);
}

function union(types) {
  const unique = [...new Set(types)];
  return unique.length === 0 ? "never" : unique.join(" | ");
}

/** Parenthesises a union or intersection used as an array item or intersection member. */
function wrap(type) {
  return isCompound(type) ? `(${type})` : type;
}

/** Whether a type has `|` or `&` outside brackets, strings and comments. */
function isCompound(type) {
  let depth = 0;
  for (let i = 0; i < type.length; i++) {
    const char = type[i];
    if (char === '"') {
      for (i++; i < type.length && type[i] !== '"'; i++) if (type[i] === "\\") i++;
    } else if (type.startsWith("/*", i)) {
      i = type.indexOf("*/", i + 2) + 1;
    } else if ("{([<".includes(char)) {
      depth++;
    } else if ("})]>".includes(char)) {
      depth--;
    } else if (depth === 0 && (char === "|" || char === "&")) {
      return true;
    }
  }
  return false;
}

function refName(ref) {
  const prefix = "#/components/schemas/";
  if (!ref.startsWith(prefix)) throw new Error(`$ref ${ref} is not a component schema`);
  return typeName(ref.slice(prefix.length));
}

function typeName(name) {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function propertyName(name) {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function comment(text, indent) {
  if (typeof text !== "string" || text.trim().length === 0) return "";
  const safe = text.trim().replaceAll("*/", "*\\/");
  const lines = safe.split("\n");
  if (lines.length === 1) return `${indent}/** ${safe} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} * ${line}`.trimEnd()).join("\n")}\n${indent} */\n`;
}
