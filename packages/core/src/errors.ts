/**
 * The one catalogue of error codes Latchkey answers with. Each code has a title and a description that
 * the docs publish; the HTTP status of each code is decided in the server's `http/errors.ts`.
 */
export const ERROR_CATALOGUE = {
  BAD_REQUEST: { title: "Bad request", description: "The request could not be understood." },
  INVALID_JSON: { title: "Invalid JSON", description: "The request body is not valid JSON." },
  UNSUPPORTED_CONTENT_TYPE: {
    title: "Unsupported content type",
    description: "Requests with a body must send Content-Type: application/vnd.api+json.",
  },
  VALIDATION_FAILED: {
    title: "Validation failed",
    description: "A field of the request is missing or has a value that is not allowed.",
  },
  INVALID_PARAMETER: {
    title: "Invalid parameter",
    description: "A path or query parameter is malformed.",
  },
  CREDENTIAL_IN_QUERY: {
    title: "Credential in query string",
    description: "Credentials are accepted only in the Authorization or X-API-Key header, never in the URL.",
  },
  VERSION_REQUIRED: { title: "Version required", description: "Add ?version=YYYY-MM-DD to the request." },
  VERSION_INVALID: {
    title: "Invalid version",
    description: "The version must be YYYY-MM-DD, optionally followed by ~beta or ~experimental.",
  },
  VERSION_IN_FUTURE: { title: "Version in the future", description: "The requested version date is after today." },
  VERSION_NOT_FOUND: {
    title: "Version not found",
    description: "No API version exists on or before the requested date.",
  },
  UNAUTHORIZED: {
    title: "Unauthorized",
    description: "The credential is missing, malformed, unknown, revoked or expired.",
  },
  FORBIDDEN: { title: "Forbidden", description: "The credential is valid but lacks a permission this request needs." },
  CSRF_FAILED: {
    title: "CSRF check failed",
    description:
      "A write authenticated by the session cookie needs the session's X-CSRF-Token header and must come from Latchkey's own origin.",
  },
  PERMISSION_ESCALATION: {
    title: "Permission escalation",
    description: "A key cannot be given permissions its creator does not hold.",
  },
  NOT_FOUND: { title: "Not found", description: "The resource does not exist or is not visible to this credential." },
  CONFLICT: { title: "Conflict", description: "The resource is not in a state that allows this change." },
  POLICY_EXPIRY_REQUIRED: {
    title: "Expiry required by policy",
    description: "The org's policy (allow_never_expiring: false) requires every key to have an expiry.",
  },
  POLICY_LIFETIME_EXCEEDED: {
    title: "Lifetime exceeds policy",
    description: "The expiry is later than the org's policy allows (max_lifetime_seconds).",
  },
  POLICY_ENVIRONMENT_NOT_ALLOWED: {
    title: "Environment not allowed by policy",
    description: "The org's policy (environments) does not list this environment.",
  },
  POLICY_SERVICE_KEY_CREATOR: {
    title: "Service keys not allowed for this role by policy",
    description: "The org's policy (service_key_creator_roles) does not let the caller's role create service keys.",
  },
  PUBLISHABLE_KEY_NOT_CREATABLE: {
    title: "Publishable keys are not created by hand",
    description:
      "An org has one publishable key per environment, made with the org and its environments; list them with GET /rest/orgs/{org_id}/publishable_keys.",
  },
  PUBLISHABLE_KEY_MANAGED: {
    title: "Publishable key managed by Latchkey",
    description:
      "A publishable key lives as long as its environment; give it a new value with POST /rest/orgs/{org_id}/publishable_keys/{environment}/regenerate.",
  },
  PAYLOAD_TOO_LARGE: { title: "Payload too large", description: "The request body is larger than 1 MiB." },
  METHOD_NOT_ALLOWED: { title: "Method not allowed", description: "The route does not accept this method." },
  RATE_LIMITED: { title: "Too many requests", description: "Slow down and retry after the time in Retry-After." },
  SERVICE_UNAVAILABLE: { title: "Service unavailable", description: "A backing service is unavailable; retry later." },
  INTERNAL: {
    title: "Internal error",
    description: "Something went wrong on our side; the request id helps us find it.",
  },
} as const satisfies Record<string, { title: string; description: string }>;

/** An UPPER_SNAKE error code from the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Where in the request an error points: a JSON pointer into the body, or a parameter name. */
export type ErrorSource = { pointer: string } | { parameter: string };

/**
 * An expected failure: thrown by services and adapters, answered by the server's error handler with the
 * status mapped to its code. `detail` is shown to the caller and must never contain a secret.
 */
export class LatchkeyError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly source: ErrorSource | undefined;

  constructor(code: ErrorCode, detail?: string, source?: ErrorSource) {
    super(detail ?? ERROR_CATALOGUE[code].title);
    this.name = "LatchkeyError";
    this.code = code;
    this.detail = detail ?? ERROR_CATALOGUE[code].description;
    this.source = source;
  }
}

/** True for a LatchkeyError (also across duplicated module instances). */
export function isLatchkeyError(error: unknown): error is LatchkeyError {
  return (
    error instanceof LatchkeyError || (error instanceof Error && error.name === "LatchkeyError" && "code" in error)
  );
}
