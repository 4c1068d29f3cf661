import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, expect, test } from "vitest";
import { createTestApp, type Response, send, type TestApp } from "./helpers.js";
import { type Browser, browse, login, sessionCookieOf } from "./session-helpers.js";

// No password, session token, CSRF token or invitation token in the log or the database file; only
// the tokens' SHA-256 is stored.
const dir = mkdtempSync(join(tmpdir(), "latchkey-no-leak-sessions-"));
const dbPath = join(dir, "x.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chunks: Buffer[] = [];
const logStream = new Writable({
  write(chunk, _encoding, callback) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    callback();
  },
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

test("sign-in, sessions, password change and invitations leave no secret in the log or the database file", async () => {
  const t: TestApp = await createTestApp({
    databaseUrl: `sqlite:${dbPath}`,
    env: { LATCHKEY_LOG_LEVEL: "trace" },
    logStream,
  });
  const passwords = ["first leak-check passphrase", "second leak-check passphrase", "wrong leak-check guess"];
  const tokens: string[] = [];
  const answers: Response[] = [];

  const invited = await send(t.app, {
    method: "POST",
    url: `/rest/orgs/${t.owner.orgId}/invitations`,
    token: t.owner.token,
    body: { data: { type: "invitation", attributes: { email: "leak@example.test", role: "admin" } } },
  });
  expect(invited.statusCode, invited.body).toBe(201);
  const invitationToken = new URL(invited.json().data.attributes.link).searchParams.get("token") as string;
  tokens.push(invitationToken);

  const accepted = await t.app.inject({
    method: "POST",
    url: "/auth/invitations/accept",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({ token: invitationToken, password: passwords[0] }),
  });
  expect(accepted.statusCode, accepted.body).toBe(200);
  tokens.push(sessionCookieOf(accepted).split("=")[1] as string, accepted.json().csrf_token);
  const reused = await t.app.inject({
    method: "POST",
    url: "/auth/invitations/accept",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({ token: invitationToken, password: passwords[0] }),
  });
  expect(reused.statusCode).toBe(404);
  answers.push(reused);

  answers.push(await login(t, "leak@example.test", passwords[2] as string));
  answers.push(await login(t, "nobody@example.test", passwords[2] as string));
  const signedIn = await login(t, "leak@example.test", passwords[0] as string);
  expect(signedIn.statusCode).toBe(200);
  const browser: Browser = { cookie: sessionCookieOf(signedIn), csrf: signedIn.json().csrf_token, body: {} };
  tokens.push(browser.cookie.split("=")[1] as string, browser.csrf);

  // The session's own answer carries its CSRF token, by design; nothing else does.
  expect((await browse(t, browser, { url: "/auth/session" })).json().csrf_token).toBe(browser.csrf);
  answers.push(await browse(t, browser, { url: "/rest/self" }));
  answers.push(
    await browse(t, browser, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys`,
      body: { data: { type: "api_key", attributes: { name: "x", expires_in: "1d" } } },
      csrf: false,
    }),
  );
  const wrongCurrent = await browse(t, browser, {
    method: "POST",
    url: "/auth/password",
    body: { current_password: passwords[2], new_password: passwords[1] },
  });
  expect(wrongCurrent.statusCode).toBe(403);
  answers.push(wrongCurrent);
  const changed = await browse(t, browser, {
    method: "POST",
    url: "/auth/password",
    body: { current_password: passwords[0], new_password: passwords[1] },
  });
  expect(changed.statusCode, changed.body).toBe(204);
  answers.push(await browse(t, browser, { method: "POST", url: "/auth/logout" }));
  answers.push(await browse(t, browser, { url: "/auth/session" }));

  await t.close();

  const log = Buffer.concat(chunks).toString("utf8");
  expect(log).toContain("/auth/login");
  expect(log).toContain("sign-in refused");
  const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`].filter((file) => existsSync(file));
  const stored = Buffer.concat(files.map((file) => readFileSync(file)));
  expect(stored.includes(Buffer.from(sha256(invitationToken))), "the invitation's hash is stored").toBe(true);
  expect(stored.includes(Buffer.from(sha256(browser.cookie.split("=")[1] as string))), "the session's hash").toBe(true);

  for (const secret of [...passwords, ...tokens]) {
    expect(log.includes(secret), "a secret is in the log").toBe(false);
    expect(stored.includes(Buffer.from(secret)), "a secret is in the database file").toBe(false);
    for (const res of answers) expect(res.body.includes(secret), `${res.raw.req.url} holds a secret`).toBe(false);
  }
});
