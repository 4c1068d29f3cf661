import Ajv from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

function makeAjv(coerce: boolean) {
  const ajv = new Ajv.default({
    allErrors: false,
    coerceTypes: coerce,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  addFormats.default(ajv, ["date-time", "uuid", "uri", "email", "ipv4", "ipv6"]);
  return ajv;
}

// Bodies are strict: no coercion, unknown fields refused. Query strings and paths are text, so their
// numbers are coerced.
const bodyAjv = makeAjv(false);
const paramAjv = makeAjv(true);

/** The validator compiler: strict for bodies, coercing for query strings, params and headers. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === "body" ? bodyAjv : paramAjv).compile(schema);
