import { parseKey } from "@latchkey/core";

/** Query parameters that look like someone put a credential in the URL. */
const CREDENTIAL_PARAMETERS = new Set([
  "token",
  "api_key",
  "apikey",
  "api-key",
  "key",
  "access_token",
  "authorization",
  "x-api-key",
  "secret",
]);

/**
 * The credential of a request, from `Authorization: token|Bearer <key>` (scheme case-insensitive) or
 * `X-API-Key`. Returns null when none is present or the header is malformed.
 */
export function credentialOf(headers: Record<string, string | string[] | undefined>): string | null {
  const authorization = headers.authorization;
  if (typeof authorization === "string" && authorization.length > 0) {
    const match = /^(token|bearer)[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    return match ? (match[2] as string) : null;
  }
  const apiKey = headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.length > 0) return apiKey.trim();
  return null;
}

/** True when the query string carries a credential: a credential-named parameter or a key-shaped value. */
export function hasCredentialInQuery(query: unknown): boolean {
  if (typeof query !== "object" || query === null) return false;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (CREDENTIAL_PARAMETERS.has(name.toLowerCase())) return true;
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === "string" && parseKey(v) !== null)) return true;
  }
  return false;
}
