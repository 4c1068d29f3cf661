import { createHash, timingSafeEqual } from "node:crypto";
import { hashKey } from "@latchkey/core";
import type { FastifyRequest } from "fastify";

/** The name of the session cookie. */
export const SESSION_COOKIE = "latchkey_session";
/** The header a cookie-authenticated write carries its CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The session token of a `Cookie` header, or null when there is none or it is not shaped like one. */
export function sessionTokenOf(cookieHeader: string | undefined): string | null {
  if (cookieHeader === undefined) return null;
  for (const part of cookieHeader.split(";")) {
    const at = part.indexOf("=");
    if (at === -1 || part.slice(0, at).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(at + 1).trim();
    return TOKEN_SHAPE.test(value) ? value : null;
  }
  return null;
}

/** The stored id of a session: SHA-256 (hex) of its token, as keys are stored. */
export function sessionIdOf(token: string): string {
  return hashKey(token);
}

/**
 * The CSRF token of a session: derived from the session token (which only the browser holds, in an
 * HttpOnly cookie), so nothing more is stored, and not derivable from the stored id.
 */
export function csrfTokenOf(token: string): string {
  return createHash("sha256").update("latchkey-csrf\n").update(token).digest("base64url");
}

/** True when `presented` is the session's CSRF token (compared in constant time). */
export function csrfMatches(token: string, presented: string | string[] | undefined): boolean {
  if (typeof presented !== "string") return false;
  const expected = Buffer.from(csrfTokenOf(token));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether cookies should be Secure: the request came over TLS (proxy-aware) or the public URL is https. */
export function isSecureContext(request: FastifyRequest, publicUrl: string | undefined): boolean {
  return request.protocol === "https" || (publicUrl?.startsWith("https:") ?? false);
}

/** The `Set-Cookie` value that carries a new session. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** The `Set-Cookie` value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The origin check of browser writes: `Sec-Fetch-Site`, when sent, must be `same-origin` or `none`
 * (typed by the user), and `Origin`, when sent, must be Latchkey's own (the public URL's, or the
 * request's own scheme and host). Clients that send neither (curl, servers) pass.
 */
export function isSameOrigin(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const site = headerOf(request, "sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = headerOf(request, "origin");
  if (origin === undefined) return true;
  // A browser sets Origin and Host itself: another site's page can match neither.
  const given = origin.toLowerCase();
  const own = `${request.protocol}://${request.host}`.toLowerCase();
  return given === own || (publicUrl !== undefined && given === new URL(publicUrl).origin.toLowerCase());
}

/** Methods that change something: cookie-authenticated requests with these need the CSRF checks. */
export function isUnsafeMethod(method: string): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
}
