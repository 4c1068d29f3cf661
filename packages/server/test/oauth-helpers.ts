import type { BuiltInRole } from "@latchkey/core";
import { expect } from "vitest";
import { type Response, send, type TestApp } from "./helpers.js";

/** An OAuth service account as its create answer shows it: the client id and the secret, once. */
export interface OAuthAccount {
  id: string;
  clientId: string;
  clientSecret: string;
  attributes: Record<string, unknown>;
}

/** Creates an `oauth_client_secret` service account through the API. */
export async function createOAuthAccount(
  t: TestApp,
  options: { role?: BuiltInRole; name?: string; ttl?: number; token?: string; orgId?: string } = {},
): Promise<OAuthAccount> {
  const res = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${options.orgId ?? t.owner.orgId}/service_accounts`,
    token: options.token ?? t.owner.token,
    body: {
      data: {
        type: "service_account",
        attributes: {
          name: options.name ?? "oauth robot",
          role: options.role ?? "admin",
          auth_type: "oauth_client_secret",
          ...(options.ttl !== undefined ? { access_token_ttl_seconds: options.ttl } : {}),
        },
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const data = res.json().data;
  return {
    id: data.id,
    clientId: data.attributes.client_id,
    clientSecret: data.attributes.client_secret,
    attributes: data.attributes,
  };
}

/** `Authorization: Basic` for a client (RFC 6749 §2.3.1: each part form-encoded first). */
export function basic(clientId: string, clientSecret: string): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString("base64")}`;
}

/** Posts to the token endpoint: a form body (default) or JSON, with any headers. */
export function tokenRequest(
  t: Pick<TestApp, "app">,
  body: Record<string, string> | string,
  options: { json?: boolean; headers?: Record<string, string>; contentType?: string; url?: string } = {},
): Promise<Response> {
  const payload =
    typeof body === "string" ? body : options.json ? JSON.stringify(body) : new URLSearchParams(body).toString();
  return t.app.inject({
    method: "POST",
    url: options.url ?? "/oauth2/token",
    headers: {
      "content-type": options.contentType ?? (options.json ? "application/json" : "application/x-www-form-urlencoded"),
      ...options.headers,
    },
    payload,
  });
}

/** Runs the client credentials grant with Basic authentication and returns the access token. */
export async function issueToken(t: Pick<TestApp, "app">, account: Pick<OAuthAccount, "clientId" | "clientSecret">) {
  const res = await tokenRequest(
    t,
    { grant_type: "client_credentials" },
    { headers: { authorization: basic(account.clientId, account.clientSecret) } },
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { access_token: string; token_type: string; expires_in: number; scope?: string };
}

/** Asserts an RFC 6749 §5.2 error answer. */
export function expectOAuthError(res: Response, status: number, error: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers["content-type"])).toContain("application/json");
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe("string");
  expect(res.headers["cache-control"]).toBe("no-store");
}

/** `GET /rest/self` with `Authorization: Bearer <token>`. */
export function selfWithBearer(t: Pick<TestApp, "app">, token: string): Promise<Response> {
  return send(t.app, { url: "/rest/self", headers: { authorization: `Bearer ${token}` } });
}
