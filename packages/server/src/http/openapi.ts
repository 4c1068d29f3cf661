import { JSON_API } from "./errors.js";

type Operation = { requestBody?: { required?: boolean; content?: Record<string, { schema?: { anyOf?: unknown[] } }> } };

function isNullSchema(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && (schema as { type?: unknown }).type === "null";
}

/**
 * Final touches to the generated document: a body schema that admits `null` is an optional body
 * (`requestBody.required: false`, documented by its object form).
 */
export function finishDocument<T extends { paths?: object }>(document: T): T {
  for (const path of Object.values((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const operation of Object.values(path ?? {})) {
      const content = operation.requestBody?.content?.[JSON_API];
      const anyOf = content?.schema?.anyOf;
      if (!operation.requestBody || !content || !anyOf?.some(isNullSchema)) continue;
      const rest = anyOf.filter((schema) => !isNullSchema(schema));
      content.schema = rest.length === 1 ? (rest[0] as { anyOf?: unknown[] }) : { anyOf: rest };
      operation.requestBody.required = false;
    }
  }
  return document;
}
