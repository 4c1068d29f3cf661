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
  CSRF_FAILED: 403,
  PERMISSION_ESCALATION: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PUBLISHABLE_KEY_NOT_CREATABLE: 400,
  PUBLISHABLE_KEY_MANAGED: 409,
  POLICY_EXPIRY_REQUIRED: 422,
  POLICY_LIFETIME_EXCEEDED: 422,
  POLICY_ENVIRONMENT_NOT_ALLOWED: 422,
  POLICY_SERVICE_KEY_CREATOR: 403,
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

/** The Content-Type headers Latchkey answers with, exactly as sent. */
export const JSON_API_UTF8 = `${JSON_API}; charset=utf-8`;
export const JSON_UTF8 = "application/json; charset=utf-8";

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

/**
 * A complete answer, whichever way it is sent: through Fastify (`sendAnswer`) or straight to the
 * socket by the fast lane. `body` is already serialized; empty means no body.
 */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An error in the documented shape (the exact 401 body for UNAUTHORIZED), with extra headers. */
export function errorAnswer(
  requestId: string,
  code: ErrorCode,
  detail?: string,
  source?: ErrorSource,
  headers: Record<string, string> = {},
): Answer {
  if (code === "UNAUTHORIZED") {
    return { status: 401, headers: { ...headers, "content-type": JSON_UTF8 }, body: UNAUTHORIZED_BODY };
  }
  return {
    status: HTTP_STATUS[code],
    headers: { ...headers, "content-type": JSON_API_UTF8 },
    body: JSON.stringify(errorDocument(requestId, code, detail, source)),
  };
}

/** Sends an answer through Fastify. */
export function sendAnswer(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply
    .code(answer.status)
    .headers(answer.headers)
    .send(answer.body === "" ? undefined : answer.body);
}

/** Sends an error in the documented shape (the exact 401 body for UNAUTHORIZED). */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail?: string,
  source?: ErrorSource,
): FastifyReply {
  return sendAnswer(reply, errorAnswer(request.id, code, detail, source));
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

/** Where `answerForError` reports what it cannot answer as a client's mistake. */
export interface ErrorLog {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/**
 * The one mapping of a thrown error to an answer: our errors answer with their mapped status;
 * Fastify's own 4xx keep theirs; an unreachable database answers 503; anything else is logged with
 * the request id and answered 500 with no detail.
 */
export function answerForError(error: FastifyError, requestId: string, log: ErrorLog): Answer {
  if (isLatchkeyError(error)) return errorAnswer(requestId, error.code, error.detail, error.source);
  if (error.validation) {
    const { code, detail, source } = validationSource(error);
    return errorAnswer(requestId, code, detail, source);
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return errorAnswer(requestId, mapped);
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return errorAnswer(requestId, STATUS_CODES[error.statusCode] ?? "BAD_REQUEST");
  }
  if (typeof error.code === "string" && UNAVAILABLE.has(error.code)) {
    log.warn({ reqId: requestId, code: error.code }, "database unavailable");
    return errorAnswer(requestId, "SERVICE_UNAVAILABLE");
  }
  log.error({ reqId: requestId, err: error }, "unexpected error");
  return errorAnswer(requestId, "INTERNAL");
}

/** The error handler of every route. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendAnswer(reply, answerForError(error, request.id, request.log));
}
