import type { BuiltInRole } from "@latchkey/core";
import { newId } from "@latchkey/core";
import { expect } from "vitest";
import { membershipToRow } from "../../store/src/rows.js";
import { hashPassword } from "../src/people/passwords.js";
import { type Response, type TestApp, withVersion } from "./helpers.js";

/** A password every seeded user of these suites signs in with (a fixture, not anyone's secret). */
export const PASSWORD = "correct horse battery staple";

/** A user with a password and a role in an org. */
export interface Person {
  userId: string;
  email: string;
  orgId: string;
}

/** Seeds a user with `PASSWORD` (or `password`) and a membership with `role` in `orgId`. */
export async function addPerson(
  t: TestApp,
  orgId: string,
  role: BuiltInRole,
  options: { email?: string; password?: string | null } = {},
): Promise<Person> {
  const now = t.clock.now();
  const userId = newId(t.clock, t.random);
  const email = options.email ?? `${role}-${userId}@example.test`;
  const password = options.password === undefined ? PASSWORD : options.password;
  await t.store.db
    .insertInto("users")
    .values({
      id: userId,
      email,
      name: `${role} person`,
      password_hash: password === null ? null : await hashPassword(password),
      created_at: now.toISOString(),
    })
    .execute();
  await t.store.db
    .insertInto("memberships")
    .values(membershipToRow({ id: newId(t.clock, t.random), orgId, userId, role, roles: [], createdAt: now }))
    .execute();
  return { userId, email, orgId };
}

/** A signed-in browser: its session cookie and CSRF token. */
export interface Browser {
  cookie: string;
  csrf: string;
  body: Record<string, unknown>;
}

/** `POST /auth/login` with a JSON body. */
export function login(
  t: TestApp,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return t.app.inject({
    method: "POST",
    url: "/auth/login",
    headers: { "content-type": "application/json", ...headers },
    payload: JSON.stringify({ email, password }),
  });
}

/** The `latchkey_session=…` pair of a response's Set-Cookie. */
export function sessionCookieOf(res: Response): string {
  const header = res.headers["set-cookie"];
  const value = Array.isArray(header) ? header[0] : header;
  expect(value, "no Set-Cookie").toBeTruthy();
  return (value as string).split(";")[0] as string;
}

/** Signs in and returns the browser's cookie and CSRF token. */
export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<Browser> {
  const res = await login(t, email, password);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  return { cookie: sessionCookieOf(res), csrf: body.csrf_token, body };
}

/** A request with the browser's cookie (and CSRF token unless `csrf` is false or a given text). */
export function browse(
  t: TestApp,
  browser: Browser,
  options: { method?: string; url: string; body?: unknown; csrf?: boolean | string; headers?: Record<string, string> },
): Promise<Response> {
  const headers: Record<string, string> = { cookie: browser.cookie, ...options.headers };
  const csrf = options.csrf ?? true;
  if (csrf !== false) headers["x-csrf-token"] = csrf === true ? browser.csrf : csrf;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers["content-type"] ??= options.url.startsWith("/rest") ? "application/vnd.api+json" : "application/json";
  }
  const url = options.url.startsWith("/rest") ? withVersion(options.url) : options.url;
  return t.app.inject({
    method: (options.method ?? "GET") as "GET",
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
}
