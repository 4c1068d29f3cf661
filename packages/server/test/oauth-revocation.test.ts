import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  createOrg,
  createTestApp,
  expectError,
  expectUnauthorized,
  send,
  type TestApp,
  unknownUuid,
  verify,
} from "./helpers.js";
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
let accountUrl: string;

beforeEach(async () => {
  t = await createTestApp();
  account = await createOAuthAccount(t);
  accountUrl = `/rest/orgs/${t.owner.orgId}/service_accounts/${account.id}`;
});
afterEach(async () => {
  await t.close();
});

async function secrets(): Promise<{ id: string; attributes: Record<string, unknown> }[]> {
  const res = await send(t.app, { url: `${accountUrl}/secrets`, token: t.owner.token });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
}

async function rotate(grace?: number): Promise<{ id: string; value: string }> {
  const res = await send(t.app, {
    method: "POST",
    url: `${accountUrl}/secrets`,
    token: t.owner.token,
    ...(grace !== undefined
      ? { body: { data: { type: "client_secret", attributes: { grace_period_seconds: grace } } } }
      : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.headers["cache-control"]).toBe("no-store");
  const data = res.json().data;
  expect(data.type).toBe("client_secret");
  expect(data.attributes.client_id).toBe(account.clientId);
  return { id: data.id, value: data.attributes.client_secret };
}

async function revokeSecret(secretId: string) {
  return send(t.app, { method: "DELETE", url: `${accountUrl}/secrets/${secretId}`, token: t.owner.token });
}

describe("revoking", () => {
  test("a revoked client secret ends its tokens on the very next request, everywhere", async () => {
    const { access_token } = await issueToken(t, account);
    expect((await selfWithBearer(t, access_token)).statusCode).toBe(200);
    expect((await verify(t, access_token)).code).toBe("VALID");
    const forward = () => t.app.inject({ url: "/auth/check", headers: { authorization: `Bearer ${access_token}` } });
    expect((await forward()).statusCode).toBe(200);
    const [secret] = await secrets();
    expect((await revokeSecret(secret?.id ?? "")).statusCode).toBe(204);
    expectUnauthorized(await selfWithBearer(t, access_token));
    expect((await verify(t, access_token)).code).toBe("REVOKED");
    expect((await forward()).statusCode).toBe(401);
    expectOAuthError(
      await tokenRequest(
        t,
        { grant_type: "client_credentials" },
        { headers: { authorization: basic(account.clientId, account.clientSecret) } },
      ),
      401,
      "invalid_client",
    );
    const [listed] = await secrets();
    expect(listed?.attributes.status).toBe("revoked");
    expectError(await revokeSecret(secret?.id ?? ""), 404, "NOT_FOUND");
    expectError(await revokeSecret(unknownUuid()), 404, "NOT_FOUND");
  });

  test("deleting the account ends its tokens on the very next request", async () => {
    const { access_token } = await issueToken(t, account);
    expect((await selfWithBearer(t, access_token)).statusCode).toBe(200);
    const res = await send(t.app, { method: "DELETE", url: accountUrl, token: t.owner.token });
    expect(res.statusCode, res.body).toBe(204);
    expectUnauthorized(await selfWithBearer(t, access_token));
    expect((await verify(t, access_token)).code).toBe("REVOKED");
    expectOAuthError(
      await tokenRequest(t, {
        grant_type: "client_credentials",
        client_id: account.clientId,
        client_secret: account.clientSecret,
      }),
      401,
      "invalid_client",
    );
  });

  test("verify answers a token like a key of its service account", async () => {
    const { access_token } = await issueToken(t, account);
    const answer = await verify(t, access_token, { permissions: ["api_keys:read"] });
    expect(answer.code).toBe("VALID");
    expect(answer.owner).toEqual({ type: "service_account", id: account.id });
    expect(answer.org_id).toBe(t.owner.orgId);
    const self = await selfWithBearer(t, access_token);
    expect(answer.key_id).toBe(self.json().meta.access_token.id);
    t.clock.advance(3600);
    expect((await verify(t, access_token)).code).toBe("EXPIRED");
  });
});

describe("rotating", () => {
  test("with a grace period: the old secret and its tokens work until the grace ends", async () => {
    const oldToken = (await issueToken(t, account)).access_token;
    const next = await rotate(300);
    expect(next.value).toMatch(/^lkcs_/);
    expect(next.value).not.toBe(account.clientSecret);
    expect((await issueToken(t, { clientId: account.clientId, clientSecret: next.value })).access_token).toMatch(
      /^lkat_/,
    );
    t.clock.advance(299);
    const fromOld = (await issueToken(t, account)).access_token;
    expect((await selfWithBearer(t, oldToken)).statusCode).toBe(200);
    expect((await selfWithBearer(t, fromOld)).statusCode).toBe(200);
    t.clock.advance(1);
    expectOAuthError(
      await tokenRequest(t, {
        grant_type: "client_credentials",
        client_id: account.clientId,
        client_secret: account.clientSecret,
      }),
      401,
      "invalid_client",
    );
    expectUnauthorized(await selfWithBearer(t, oldToken));
    expectUnauthorized(await selfWithBearer(t, fromOld));
    const newToken = (await issueToken(t, { clientId: account.clientId, clientSecret: next.value })).access_token;
    expect((await selfWithBearer(t, newToken)).statusCode).toBe(200);
    const listed = await secrets();
    expect(listed.find((s) => s.id === next.id)?.attributes.status).toBe("active");
    expect(listed.find((s) => s.id !== next.id)?.attributes.status).toBe("expired");
  });

  test("without a grace period the old secret and its tokens stop at once", async () => {
    const oldToken = (await issueToken(t, account)).access_token;
    expect((await selfWithBearer(t, oldToken)).statusCode).toBe(200);
    const next = await rotate();
    expectUnauthorized(await selfWithBearer(t, oldToken));
    expectOAuthError(
      await tokenRequest(t, {
        grant_type: "client_credentials",
        client_id: account.clientId,
        client_secret: account.clientSecret,
      }),
      401,
      "invalid_client",
    );
    expect((await issueToken(t, { clientId: account.clientId, clientSecret: next.value })).token_type).toBe("bearer");
  });

  test("bad grace periods and api_key accounts are refused without a write", async () => {
    for (const grace of [-1, 7 * 24 * 3600 + 1, 1.5]) {
      const res = await send(t.app, {
        method: "POST",
        url: `${accountUrl}/secrets`,
        token: t.owner.token,
        body: { data: { type: "client_secret", attributes: { grace_period_seconds: grace } } },
      });
      expectError(res, 400);
    }
    expect(await secrets()).toHaveLength(1);
    const keysOnly = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/service_accounts`,
      token: t.owner.token,
      body: { data: { type: "service_account", attributes: { name: "keys only", role: "viewer" } } },
    });
    const keysOnlyUrl = `/rest/orgs/${t.owner.orgId}/service_accounts/${keysOnly.json().data.id}/secrets`;
    expectError(await send(t.app, { method: "POST", url: keysOnlyUrl, token: t.owner.token }), 409, "CONFLICT");
    expectError(await send(t.app, { url: keysOnlyUrl, token: t.owner.token }), 409, "CONFLICT");
  });
});

describe("who may", () => {
  test("org B's admin cannot see, rotate or revoke org A's client (404)", async () => {
    const orgB = await createOrg(t, "Org B");
    const token = orgB.members.admin.token;
    const [secret] = await secrets();
    const foreign = [
      { method: "GET" as const, url: `${accountUrl}/secrets` },
      { method: "POST" as const, url: `${accountUrl}/secrets` },
      { method: "DELETE" as const, url: `${accountUrl}/secrets/${secret?.id}` },
      { method: "GET" as const, url: `/rest/orgs/${orgB.orgId}/service_accounts/${account.id}/secrets` },
      { method: "POST" as const, url: `/rest/orgs/${orgB.orgId}/service_accounts/${account.id}/secrets` },
      {
        method: "DELETE" as const,
        url: `/rest/orgs/${orgB.orgId}/service_accounts/${account.id}/secrets/${secret?.id}`,
      },
    ];
    for (const request of foreign) expectError(await send(t.app, { ...request, token }), 404, "NOT_FOUND");
    expect((await secrets()).map((s) => s.attributes.status)).toEqual(["active"]);
    expect((await issueToken(t, account)).token_type).toBe("bearer");
  });

  test("a viewer may list secrets but not rotate or revoke them", async () => {
    const orgA = await createOrg(t, "Org C");
    const robot = await createOAuthAccount(t, {
      orgId: orgA.orgId,
      token: orgA.members.owner.token,
      role: "viewer",
    });
    const url = `/rest/orgs/${orgA.orgId}/service_accounts/${robot.id}/secrets`;
    const viewer = orgA.members.viewer.token;
    const listed = await send(t.app, { url, token: viewer });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(robot.clientSecret);
    expectError(await send(t.app, { method: "POST", url, token: viewer }), 403, "FORBIDDEN");
    const id = listed.json().data[0].id;
    expectError(await send(t.app, { method: "DELETE", url: `${url}/${id}`, token: viewer }), 403, "FORBIDDEN");
  });
});

test("audit: created, secret created and revoked, token issued; no secret in any event", async () => {
  const { access_token } = await issueToken(t, account);
  const next = await rotate(60);
  const old = (await secrets()).find((secret) => secret.id !== next.id);
  expect((await revokeSecret(old?.id ?? "")).statusCode).toBe(204);
  const res = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/audit_logs?limit=100`, token: t.owner.token });
  expect(res.statusCode, res.body).toBe(200);
  const actions = res.json().data.map((event: { attributes: { action: string } }) => event.attributes.action);
  expect(actions).toEqual(
    expect.arrayContaining([
      "service_account.created",
      "service_account.secret_created",
      "service_account.secret_revoked",
      "oauth.token_issued",
    ]),
  );
  const issued = res
    .json()
    .data.find((e: { attributes: { action: string } }) => e.attributes.action === "oauth.token_issued");
  expect(issued.attributes.actor).toEqual({ type: "service_account", id: account.id });
  for (const secret of [account.clientSecret, next.value, access_token]) expect(res.body).not.toContain(secret);
});
