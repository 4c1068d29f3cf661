import { ERROR_CATALOGUE, type ErrorCode, type ErrorSource, isLatchkeyError } from "@latchkey/core";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

/** The HTTP status of every error code: a new code does not compile until it is mapped here. */
export const HTTP_STATUS = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_CONTENT_TYPE: 400,
  VALIDATION_FAILED: 400,
  INVALID_PARAMETER: 400,
  CREDENTIAL_IN_QUERY: 400,
  VERSION_REQUIRED: 400,
  VERSION_INVALID: 400,
  VERSION_IN_FUTURE: 400,
  VERSION_NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PERMISSION_ESCALATION: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  POLICY_VIOLATION: 422,
  PAYLOAD_TOO_LARGE: 413,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<ErrorCode, number>;

/** The one body every failing credential gets, byte for byte (SPEC §4). */
export const UNAUTHORIZED_BODY = '{"status":"401","code":"Unauthorized"}';

/** Media type of every JSON:API body. */
export const JSON_API = "application/vnd.api+json";

/** A JSON:API error document with one error. */
export function errorDocument(requestId: string, code: ErrorCode, detail?: string, source?: ErrorSource) {
  const status = HTTP_STATUS[code];
  return {
    jsonapi: { version: "1.0" },
    errors: [
      {
        id: requestId,
        status: String(status),
        code,
        title: ERROR_CATALOGUE[code].title,
        detail: detail ?? ERROR_CATALOGUE[code].description,
        ...(source ? { source } : {}),
      },
    ],
  };
}

/** Sends an error in the documented shape (the exact 401 body for UNAUTHORIZED). */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail?: string,
  source?: ErrorSource,
): FastifyReply {
  if (code === "UNAUTHORIZED") {
    return reply.code(401).type("application/json").send(UNAUTHORIZED_BODY);
  }
  return reply
    .code(HTTP_STATUS[code])
    .type(JSON_API)
    .send(JSON.stringify(errorDocument(request.id, code, detail, source)));
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_CONTENT_TYPE",
  FST_ERR_CTP_INVALID_TYPE: "UNSUPPORTED_CONTENT_TYPE",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BAD_REQUEST",
};

const STATUS_CODES: Record<number, ErrorCode> = {
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_CONTENT_TYPE",
  429: "RATE_LIMITED",
};

/** Driver errors that mean the database is unreachable: answered 503, never 500. */
const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
  "SQLITE_BUSY",
]);

type ValidationIssue = { instancePath: string; message?: string; params?: Record<string, unknown>; keyword: string };

function validationSource(error: FastifyError): { detail: string; source: ErrorSource; code: ErrorCode } {
  const issue = error.validation?.[0] as ValidationIssue | undefined;
  const context = error.validationContext ?? "body";
  const missing = issue?.params?.missingProperty ?? issue?.params?.additionalProperty;
  const path = `${issue?.instancePath ?? ""}${missing !== undefined ? `/${String(missing)}` : ""}`;
  const what =
    issue?.keyword === "additionalProperties"
      ? `is not a known field`
      : issue?.keyword === "required"
        ? "is required"
        : (issue?.message ?? "is invalid");
  if (context === "body") {
    return { code: "VALIDATION_FAILED", detail: `${path || "/"} ${what}.`, source: { pointer: path || "/" } };
  }
  const parameter = path.replace(/^\//, "").split("/")[0] || context;
  return { code: "INVALID_PARAMETER", detail: `${parameter} ${what}.`, source: { parameter } };
}

/**
 * The one error handler: our errors answer with their mapped status; Fastify's own 4xx keep theirs;
 * an unreachable database answers 503; anything else is logged with the request id and answered 500
 * with no detail.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isLatchkeyError(error)) return sendError(request, reply, error.code, error.detail, error.source);
  if (error.validation) {
    const { code, detail, source } = validationSource(error);
    return sendError(request, reply, code, detail, source);
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return sendError(request, reply, mapped);
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    const code = STATUS_CODES[error.statusCode] ?? "BAD_REQUEST";
    return sendError(request, reply, code);
  }
  if (typeof error.code === "string" && UNAVAILABLE.has(error.code)) {
    request.log.warn({ reqId: request.id, code: error.code }, "database unavailable");
    return sendError(request, reply, "SERVICE_UNAVAILABLE");
  }
  request.log.error({ reqId: request.id, err: error }, "unexpected error");
  return sendError(request, reply, "INTERNAL");
}
