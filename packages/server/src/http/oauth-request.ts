/**
 * Reading a client credentials request (RFC 6749 §2.3.1, §4.4.2): the parameters from a form or JSON
 * body, and the client's credentials from HTTP Basic or the body. Every refusal is an RFC 6749 §5.2
 * error code, decided here without any lookup.
 */

/** An RFC 6749 §5.2 error code the token endpoint answers. */
export type OAuthErrorCode = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope";

/** A refusal: the error code, its description, and whether the client tried HTTP Basic. */
export interface OAuthRefusal {
  error: OAuthErrorCode;
  description: string;
  basic: boolean;
}

/** A well-formed client credentials request. */
export interface ClientCredentialsRequest {
  clientId: string;
  clientSecret: string;
  scope: string | undefined;
  basic: boolean;
}

const MAX_CLIENT_ID_LENGTH = 100;
const MAX_CLIENT_SECRET_LENGTH = 512;
const PARAMETERS = new Set(["grant_type", "client_id", "client_secret", "scope"]);

/** A form body as parameters; null when a parameter repeats (RFC 6749 §3.2: they must not). */
export function parseForm(text: string): Record<string, string> | null {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(out, name)) return null;
    out[name] = value;
  }
  return out;
}

function refuse(error: OAuthErrorCode, description: string, basic = false): OAuthRefusal {
  return { error, description, basic };
}

/** `application/x-www-form-urlencoded` decoding of a Basic credential's part (RFC 6749 §2.3.1). */
function formDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/** The client id and secret of an `Authorization: Basic` header; null when it is malformed. */
function basicCredentials(header: string): { clientId: string; clientSecret: string } | null {
  const match = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  return clientId === null || clientSecret === null ? null : { clientId, clientSecret };
}

/**
 * Reads a token request: the body's parameters (each a string, at most once), the grant type, and
 * exactly one way of client authentication.
 */
export function readTokenRequest(
  body: unknown,
  authorization: string | undefined,
  maxScopeLength: number,
): ClientCredentialsRequest | OAuthRefusal {
  const basic = authorization !== undefined && /^basic(?:[ \t]|$)/i.test(authorization);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return refuse("invalid_request", "Send the parameters as a form or a JSON object.", basic);
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!PARAMETERS.has(name)) continue;
    if (typeof value !== "string") return refuse("invalid_request", `The parameter ${name} must be a string.`, basic);
    params[name] = value;
  }
  if (params.grant_type === undefined || params.grant_type === "") {
    return refuse("invalid_request", "The parameter grant_type is missing.", basic);
  }
  if (params.grant_type !== "client_credentials") {
    return refuse("unsupported_grant_type", "Only grant_type=client_credentials is supported.", basic);
  }
  if (params.scope !== undefined && params.scope.length > maxScopeLength) {
    return refuse("invalid_request", "The parameter scope is too long.", basic);
  }
  let clientId = params.client_id;
  let clientSecret = params.client_secret;
  if (authorization !== undefined && authorization !== "") {
    if (!basic) return refuse("invalid_client", "Authenticate the client with HTTP Basic or client_secret.");
    if (clientSecret !== undefined) {
      return refuse("invalid_request", "Use one client authentication method, not two.", true);
    }
    const credentials = basicCredentials(authorization);
    if (credentials === null) return refuse("invalid_client", "The Basic credentials are malformed.", true);
    if (clientId !== undefined && clientId !== credentials.clientId) {
      return refuse("invalid_request", "The client_id differs from the Basic credentials'.", true);
    }
    clientId = credentials.clientId;
    clientSecret = credentials.clientSecret;
  }
  if (clientId === undefined || clientId === "" || clientSecret === undefined || clientSecret === "") {
    return refuse("invalid_client", "Client authentication is missing.", basic);
  }
  if (clientId.length > MAX_CLIENT_ID_LENGTH || clientSecret.length > MAX_CLIENT_SECRET_LENGTH) {
    return refuse("invalid_client", "Client authentication failed.", basic);
  }
  return { clientId, clientSecret, scope: params.scope, basic };
}
