/** What `getAccessToken` needs: the server and an OAuth service account's client credentials. */
export interface AccessTokenOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated permissions, a subset of the account's role (default: all of it). */
  scope?: string | undefined;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch | undefined;
}

/** The token endpoint's answer (RFC 6749 §5.1). */
export interface AccessTokenResponse {
  /** An `lkat_` token: send it as `Authorization: Bearer <token>` until it expires. */
  access_token: string;
  token_type: "bearer";
  /** Seconds until the token expires. */
  expires_in: number;
  scope?: string;
}

/** A refusal of the token endpoint, with its RFC 6749 §5.2 error code. Never holds the secret. */
export class OAuthTokenError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${status} ${error}: ${description}`);
    this.name = "OAuthTokenError";
  }
}

/**
 * Runs the OAuth2 client credentials grant against `POST /oauth2/token` with HTTP Basic client
 * authentication, and resolves with the access token. Throws OAuthTokenError on a refusal
 * (`invalid_client` for a wrong or revoked secret).
 */
export async function getAccessToken(options: AccessTokenOptions): Promise<AccessTokenResponse> {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, "+");
  const credentials = Buffer.from(`${encode(options.clientId)}:${encode(options.clientSecret)}`).toString("base64");
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (options.scope !== undefined) form.set("scope", options.scope);
  const response = await (options.fetch ?? fetch)(`${options.url.replace(/\/+$/, "")}/oauth2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${credentials}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: form.toString(),
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new OAuthTokenError(response.status, "invalid_response", "The server did not answer with JSON.");
  }
  if (!response.ok) {
    const refusal = body as { error?: unknown; error_description?: unknown };
    throw new OAuthTokenError(
      response.status,
      typeof refusal.error === "string" ? refusal.error : `http_${response.status}`,
      typeof refusal.error_description === "string" ? refusal.error_description : response.statusText,
    );
  }
  return body as AccessTokenResponse;
}
