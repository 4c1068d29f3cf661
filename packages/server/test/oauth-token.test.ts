import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createTestApp, expectUnauthorized, send, type TestApp, unknownUuid } from "./helpers.js";
import {
  basic,
  createOAuthAccount,
  expectOAuthError,
  issueToken,
  type OAuthAccount,
  selfWithBearer,
  tokenRequest,
} from "./oauth-helpers.js";

let t: TestApp;
let account: OAuthAccount;

beforeEach(async () => {
  t = await createTestApp();
  account = await createOAuthAccount(t);
});
afterEach(async () => {
  await t.close();
});

describe("issuing", () => {
  test("the create answer holds client_id and, once, client_secret", () => {
    expect(account.clientId).toBe(account.id);
    expect(account.clientSecret).toMatch(/^lkcs_[0-9A-Za-z]{49}$/);
    expect(account.attributes.auth_type).toBe("oauth_client_secret");
    expect(account.attributes.access_token_ttl_seconds).toBe(3600);
  });

  test("form body with HTTP Basic: a bearer lkat_ token for one hour, never cached", async () => {
    const res = await tokenRequest(
      t,
      { grant_type: "client_credentials" },
      { headers: { authorization: basic(account.clientId, account.clientSecret) } },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers.pragma).toBe("no-cache");
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    expect(body.access_token).toMatch(/^lkat_[0-9A-Za-z]{49}$/);
    expect(body.token_type).toBe("bearer");
    expect(body.expires_in).toBe(3600);
  });

  test("JSON body with client_secret_post", async () => {
    const res = await tokenRequest(
      t,
      { grant_type: "client_credentials", client_id: account.clientId, client_secret: account.clientSecret },
      { json: true },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().access_token).toMatch(/^lkat_/);
  });

  test("form body with client_secret_post, client id in upper case", async () => {
    const res = await tokenRequest(t, {
      grant_type: "client_credentials",
      client_id: account.clientId.toUpperCase(),
      client_secret: account.clientSecret,
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  test("media types with a charset parameter", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: account.clientId,
      client_secret: account.clientSecret,
    }).toString();
    const json = JSON.stringify(Object.fromEntries(new URLSearchParams(form)));
    for (const [body, contentType] of [
      [form, "application/x-www-form-urlencoded; charset=UTF-8"],
      [json, "application/json; charset=utf-8"],
    ] as const) {
      const res = await tokenRequest(t, body, { contentType });
      expect(res.statusCode, res.body).toBe(200);
    }
  });

  test("the token works as Bearer, token and X-API-Key on /rest/self, as the service account", async () => {
    const { access_token } = await issueToken(t, account);
    const res = await selfWithBearer(t, access_token);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.data.type).toBe("service_account");
    expect(body.data.id).toBe(account.id);
    expect(body.meta.api_key).toBeUndefined();
    expect(body.meta.access_token.client_id).toBe(account.clientId);
    expect(body.meta.access_token.hint).toMatch(/^lkat_.{4}….{4}$/);
    expect(JSON.stringify(body)).not.toContain(access_token);
    expect(body.meta.permissions).toEqual(["*"]);
    expect((await send(t.app, { url: "/rest/self", token: access_token })).statusCode).toBe(200);
    expect((await send(t.app, { url: "/rest/self", headers: { "x-api-key": access_token } })).statusCode).toBe(200);
    // The client secret itself is no credential: only the tokens it is traded for are.
    expectUnauthorized(await selfWithBearer(t, account.clientSecret));
  });

  test("the token acts with its account's role: a viewer account reads but cannot write", async () => {
    const viewer = await createOAuthAccount(t, { role: "viewer", name: "viewer robot" });
    const { access_token } = await issueToken(t, viewer);
    const keysUrl = `/rest/orgs/${t.owner.orgId}/api_keys`;
    const headers = { authorization: `Bearer ${access_token}` };
    expect((await send(t.app, { url: keysUrl, headers })).statusCode).toBe(200);
    const create = await send(t.app, {
      method: "POST",
      url: keysUrl,
      headers,
      body: { data: { type: "api_key", attributes: { name: "nope", expires_in: "1d" } } },
    });
    expect(create.statusCode, create.body).toBe(403);
  });

  test("the account's lifetime, and the configured default", async () => {
    const short = await createOAuthAccount(t, { ttl: 120, name: "short" });
    expect((await issueToken(t, short)).expires_in).toBe(120);
    const other = await createTestApp({ env: { LATCHKEY_OAUTH_ACCESS_TOKEN_TTL_SECONDS: "900" } });
    try {
      const defaulted = await createOAuthAccount(other);
      expect(defaulted.attributes.access_token_ttl_seconds).toBe(900);
      expect((await issueToken(other, defaulted)).expires_in).toBe(900);
    } finally {
      await other.close();
    }
  });

  test("expired after its lifetime (fake clock): the exact 401", async () => {
    const { access_token, expires_in } = await issueToken(t, account);
    t.clock.advance(expires_in - 1);
    expect((await selfWithBearer(t, access_token)).statusCode).toBe(200);
    t.clock.advance(1);
    expectUnauthorized(await selfWithBearer(t, access_token));
  });

  test("scope: a subset of the role's permissions narrows the token; more is invalid_scope", async () => {
    const res = await tokenRequest(t, {
      grant_type: "client_credentials",
      client_id: account.clientId,
      client_secret: account.clientSecret,
      scope: "api_keys:read",
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().scope).toBe("api_keys:read");
    const self = await selfWithBearer(t, res.json().access_token);
    expect(self.json().meta.permissions).toEqual(["api_keys:read"]);
    const viewer = await createOAuthAccount(t, { role: "viewer", name: "viewer robot" });
    for (const scope of ["api_keys:write", "Not A Permission"]) {
      expectOAuthError(
        await tokenRequest(t, {
          grant_type: "client_credentials",
          client_id: viewer.clientId,
          client_secret: viewer.clientSecret,
          scope,
        }),
        400,
        "invalid_scope",
      );
    }
  });
});

describe("refusals", () => {
  test("a wrong secret or an unknown client: 401 invalid_client (with WWW-Authenticate for Basic)", async () => {
    const wrong = account.clientSecret.replace(/^lkcs_./, (m) => (m.endsWith("A") ? "lkcs_B" : "lkcs_A"));
    const viaBasic = await tokenRequest(
      t,
      { grant_type: "client_credentials" },
      { headers: { authorization: basic(account.clientId, wrong) } },
    );
    expectOAuthError(viaBasic, 401, "invalid_client");
    expect(viaBasic.headers["www-authenticate"]).toMatch(/^Basic realm="latchkey"/);
    const cases: Record<string, string>[] = [
      { client_id: account.clientId, client_secret: wrong },
      { client_id: account.clientId, client_secret: "not-a-secret" },
      { client_id: unknownUuid(), client_secret: account.clientSecret },
      { client_id: "not-a-uuid", client_secret: account.clientSecret },
      { client_id: account.clientId },
      {},
    ];
    for (const credentials of cases) {
      const res = await tokenRequest(t, { grant_type: "client_credentials", ...credentials });
      expectOAuthError(res, 401, "invalid_client");
      expect(res.headers["www-authenticate"]).toBeUndefined();
    }
    expectOAuthError(
      await tokenRequest(
        t,
        { grant_type: "client_credentials" },
        { headers: { authorization: `Bearer ${account.clientSecret}` } },
      ),
      401,
      "invalid_client",
    );
  });

  test("an api_key service account is no OAuth client", async () => {
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/service_accounts`,
      token: t.owner.token,
      body: { data: { type: "service_account", attributes: { name: "keys only", role: "viewer" } } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().data.attributes.client_id).toBeNull();
    expect(res.json().data.attributes.client_secret).toBeUndefined();
    expectOAuthError(
      await tokenRequest(t, {
        grant_type: "client_credentials",
        client_id: res.json().data.id,
        client_secret: account.clientSecret,
      }),
      401,
      "invalid_client",
    );
  });

  test("another grant type: 400 unsupported_grant_type", async () => {
    for (const grant_type of ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS"]) {
      const res = await tokenRequest(t, {
        grant_type,
        client_id: account.clientId,
        client_secret: account.clientSecret,
      });
      expectOAuthError(res, 400, "unsupported_grant_type");
    }
  });

  test("malformed requests: 400 invalid_request, never a 500", async () => {
    const good = { grant_type: "client_credentials", client_id: account.clientId, client_secret: account.clientSecret };
    const cases: { body: string; contentType?: string; headers?: Record<string, string>; url?: string }[] = [
      { body: "{not json", contentType: "application/json" },
      { body: "[1,2]", contentType: "application/json" },
      { body: "null", contentType: "application/json" },
      { body: '"client_credentials"', contentType: "application/json" },
      { body: JSON.stringify({ ...good, grant_type: 7 }), contentType: "application/json" },
      { body: JSON.stringify({ ...good, client_secret: ["a"] }), contentType: "application/json" },
      { body: '{"__proto__":{"x":1},"grant_type":"client_credentials"}', contentType: "application/json" },
      { body: JSON.stringify(good), contentType: "text/plain" },
      { body: JSON.stringify(good), contentType: "application/vnd.api+json" },
      { body: "", contentType: "application/x-www-form-urlencoded" },
      { body: "client_id=x", contentType: "application/x-www-form-urlencoded" },
      { body: `${new URLSearchParams(good)}&grant_type=client_credentials` },
      { body: `grant_type=client_credentials&x=${"a".repeat(20_000)}` },
      { body: new URLSearchParams({ ...good, scope: "a:b ".repeat(1000) }).toString() },
      { body: new URLSearchParams(good).toString(), headers: { authorization: basic(account.clientId, "x") } },
      { body: "grant_type=client_credentials", url: `/oauth2/token?client_secret=${account.clientSecret}` },
    ];
    for (const c of cases) {
      const res = await tokenRequest(t, c.body, {
        contentType: c.contentType ?? "application/x-www-form-urlencoded",
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.url ? { url: c.url } : {}),
      });
      expectOAuthError(res, 400, "invalid_request");
    }
    const noBody = await t.app.inject({ method: "POST", url: "/oauth2/token" });
    expectOAuthError(noBody, 400, "invalid_request");
  });

  test("repeated failures from one address are throttled", async () => {
    const throttled = await createTestApp({ env: { LATCHKEY_AUTH_FAILURE_LIMIT: "5" } });
    try {
      const robot = await createOAuthAccount(throttled);
      const bad = { grant_type: "client_credentials", client_id: robot.clientId, client_secret: "wrong" };
      for (let i = 0; i < 5; i++) expectOAuthError(await tokenRequest(throttled, bad), 401, "invalid_client");
      const refused = await tokenRequest(throttled, { ...bad, client_secret: robot.clientSecret });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      throttled.clock.advance(61);
      expect((await issueToken(throttled, robot)).access_token).toMatch(/^lkat_/);
    } finally {
      await throttled.close();
    }
  });
});
