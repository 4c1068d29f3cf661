import { LatchkeyApiError, LatchkeyClient } from "@latchkey/sdk/client";

/**
 * The dashboard's one API client: same origin, signed in by the session cookie. The SDK keeps the
 * session's CSRF token (from login and session answers) and sends it with every write.
 */
export const client = new LatchkeyClient({
  url: window.location.origin,
  credentials: "same-origin",
  fetch: (input, init) => window.fetch(input, init),
});

/** A readable sentence for a failed call (never a credential: the SDK's errors hold none). */
export function messageOf(error: unknown): string {
  if (error instanceof LatchkeyApiError) {
    if (error.status === 401) return "Your session has ended. Sign in again.";
    if (error.status === 403) return `Not allowed: ${error.detail}`;
    return error.detail || `${error.status} ${error.code}`;
  }
  if (error instanceof TypeError) return "The server could not be reached.";
  return error instanceof Error ? error.message : String(error);
}

/** True when the API answered 404: a route or resource not available (yet) on this server. */
export function isNotFound(error: unknown): boolean {
  return error instanceof LatchkeyApiError && error.status === 404;
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof LatchkeyApiError && error.status === 401;
}
