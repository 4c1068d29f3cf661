import {
  ACCESS_TOKEN_PREFIX,
  type AccessToken,
  CLIENT_SECRET_PREFIX,
  type ClientSecret,
  generateKey,
  type ServiceAccount,
} from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { HOUR, MINUTE, type StoreFactory, type StoreFixture, useStoreFixture } from "./store-contract-fixture.js";

/** A client secret record for an account (not stored). */
function clientSecretOf(t: StoreFixture, account: ServiceAccount): ClientSecret {
  const generated = generateKey(CLIENT_SECRET_PREFIX, "live", t.data.random);
  return {
    id: t.data.id(),
    orgId: account.orgId,
    serviceAccountId: account.id,
    hash: generated.hash,
    hint: generated.hint,
    createdAt: t.clock.now(),
    expiresAt: null,
    revokedAt: null,
  };
}

/** An access token record issued with `secret` (not stored), and its hash. */
function accessTokenOf(t: StoreFixture, secret: ClientSecret, lifetimeMs = HOUR): AccessToken {
  const generated = generateKey(ACCESS_TOKEN_PREFIX, "live", t.data.random);
  return {
    id: t.data.id(),
    orgId: secret.orgId,
    serviceAccountId: secret.serviceAccountId,
    clientSecretId: secret.id,
    hash: generated.hash,
    hint: generated.hint,
    permissions: ["*"],
    createdAt: t.clock.now(),
    expiresAt: new Date(t.clock.now().getTime() + lifetimeMs),
  };
}

async function oauthAccount(t: StoreFixture, role: ServiceAccount["role"] = "member") {
  const account = t.data.serviceAccount(t.boot.orgId, {
    role,
    authType: "oauth_client_secret",
    accessTokenTtlSeconds: 3600,
  });
  const secret = clientSecretOf(t, account);
  await t.store.serviceAccounts.create(account, [t.data.audit("service_account.created")], secret);
  return { account, secret };
}

/**
 * OAuthStore, and access tokens found by `KeyStore.findBySecretHash`: a token is seen as a key of its
 * account that ends with its client secret (revoked, or past its grace period) and with its account.
 */
export function describeOAuthContract(factory: StoreFactory): void {
  describe("OAuthStore", () => {
    const t = useStoreFixture(factory);

    it("creates an OAuth account with its first secret; finds the client by id only while it lives", async () => {
      const { account, secret } = await oauthAccount(t);
      expect(await t.store.serviceAccounts.get(t.boot.orgId, account.id)).toEqual(account);
      expect(await t.store.oauth.findClient(account.id)).toEqual({ account, secrets: [secret] });
      expect(await t.store.oauth.listSecrets(t.boot.orgId, account.id)).toEqual([secret]);
      const other = await t.addOrg();
      expect(await t.store.oauth.listSecrets(other.org.id, account.id)).toEqual([]);
      expect(await t.store.oauth.findClient(t.data.id())).toBeNull();
      const keysOnly = t.data.serviceAccount(t.boot.orgId);
      await t.store.serviceAccounts.create(keysOnly, t.data.audit("service_account.created"));
      expect(await t.store.oauth.findClient(keysOnly.id)).toBeNull();
      const recorder = t.eventRecorder({ type: "user", id: t.boot.userId });
      await t.store.serviceAccounts.delete(
        t.boot.orgId,
        account.id,
        t.clock.now(),
        recorder.eventFor,
        t.data.audit("service_account.deleted"),
      );
      expect(await t.store.oauth.findClient(account.id)).toBeNull();
    });

    it("adds a secret: the older ones end at the grace time (never later than they would)", async () => {
      const { account, secret: first } = await oauthAccount(t);
      t.clock.advance(MINUTE);
      const second = clientSecretOf(t, account);
      const graceUntil = new Date(t.clock.now().getTime() + HOUR);
      expect(await t.store.oauth.addSecret(second, graceUntil, [t.data.audit("service_account.secret_created")])).toBe(
        true,
      );
      t.clock.advance(MINUTE);
      const third = clientSecretOf(t, account);
      const later = new Date(t.clock.now().getTime() + 2 * HOUR);
      expect(await t.store.oauth.addSecret(third, later, [t.data.audit("service_account.secret_created")])).toBe(true);
      const secrets = await t.store.oauth.listSecrets(t.boot.orgId, account.id);
      expect(secrets.map((s) => s.id)).toEqual([third.id, second.id, first.id]);
      expect(secrets.map((s) => s.expiresAt)).toEqual([null, later, graceUntil]);
    });

    it("refuses a secret for a deleted, unknown or api_key account, writing nothing", async () => {
      const keysOnly = t.data.serviceAccount(t.boot.orgId);
      await t.store.serviceAccounts.create(keysOnly, t.data.audit("service_account.created"));
      const grace = t.clock.now();
      expect(await t.store.oauth.addSecret(clientSecretOf(t, keysOnly), grace, [t.data.audit("x.y")])).toBe(false);
      expect(await t.store.oauth.listSecrets(t.boot.orgId, keysOnly.id)).toEqual([]);
      const { account } = await oauthAccount(t);
      const other = await t.addOrg();
      const foreign = { ...clientSecretOf(t, account), orgId: other.org.id };
      expect(await t.store.oauth.addSecret(foreign, grace, [t.data.audit("x.y")])).toBe(false);
      expect(await t.store.oauth.listSecrets(t.boot.orgId, account.id)).toHaveLength(1);
    });

    it("revokes a secret once, in its own org and account only", async () => {
      const { account, secret } = await oauthAccount(t);
      const other = await t.addOrg();
      const at = t.clock.now();
      const audit = [t.data.audit("service_account.secret_revoked")];
      expect(await t.store.oauth.revokeSecret(other.org.id, account.id, secret.id, at, audit)).toBeNull();
      expect(await t.store.oauth.revokeSecret(t.boot.orgId, t.data.id(), secret.id, at, audit)).toBeNull();
      expect(await t.store.oauth.revokeSecret(t.boot.orgId, account.id, secret.id, at, audit)).toEqual({
        ...secret,
        revokedAt: at,
      });
      expect(await t.store.oauth.revokeSecret(t.boot.orgId, account.id, secret.id, at, audit)).toBeNull();
      expect(await t.store.oauth.findClient(account.id)).toEqual({ account, secrets: [] });
    });

    it("stores a token and finds it by hash as a key of its account", async () => {
      const { account, secret } = await oauthAccount(t, "viewer");
      const token = accessTokenOf(t, secret);
      await t.store.oauth.insertToken(token, [t.data.audit("oauth.token_issued")]);
      expect(await t.store.oauth.getToken(t.boot.orgId, token.id)).toEqual(token);
      expect(await t.store.oauth.getToken((await t.addOrg()).org.id, token.id)).toBeNull();
      const found = await t.store.keys.findBySecretHash(token.hash);
      expect(found).toEqual({
        key: {
          id: token.id,
          orgId: account.orgId,
          kind: "access_token",
          owner: { type: "service_account", id: account.id },
          environment: "live",
          permissions: ["*"],
          roles: [],
          labels: [],
          metadata: {},
          expiresAt: token.expiresAt,
          enabled: true,
          revokedAt: null,
          deletedAt: null,
          ipAllowlist: [],
          rateLimit: null,
          quota: null,
        },
        secret: { hash: token.hash, keyId: token.id, hint: token.hint, createdAt: token.createdAt, expiresAt: null },
        ownerRole: "viewer",
        ownerBindings: [],
        customRoles: {},
        groupRole: null,
      });
      expect(await t.store.keys.findBySecretHash(generateKey("lkat", "live", t.data.random).hash)).toBeNull();
    });

    it("issuing a token drops the account's tokens that expired over a day ago", async () => {
      const { secret } = await oauthAccount(t);
      const old = accessTokenOf(t, secret);
      await t.store.oauth.insertToken(old, [t.data.audit("oauth.token_issued")]);
      // The old token expired an hour after issue: kept for a day after that.
      t.clock.advance(24 * HOUR);
      const recent = accessTokenOf(t, secret);
      await t.store.oauth.insertToken(recent, [t.data.audit("oauth.token_issued")]);
      expect(await t.store.oauth.getToken(t.boot.orgId, old.id)).toEqual(old);
      t.clock.advance(HOUR + MINUTE);
      await t.store.oauth.insertToken(accessTokenOf(t, secret), [t.data.audit("oauth.token_issued")]);
      expect(await t.store.oauth.getToken(t.boot.orgId, old.id)).toBeNull();
      expect(await t.store.keys.findBySecretHash(old.hash)).toBeNull();
      expect(await t.store.oauth.getToken(t.boot.orgId, recent.id)).toEqual(recent);
    });

    it("a token ends with its secret's revocation or grace, and with its account", async () => {
      const { account, secret } = await oauthAccount(t);
      const token = accessTokenOf(t, secret);
      await t.store.oauth.insertToken(token, [t.data.audit("oauth.token_issued")]);
      const graceUntil = new Date(t.clock.now().getTime() + 5 * MINUTE);
      await t.store.oauth.addSecret(clientSecretOf(t, account), graceUntil, [t.data.audit("x.y")]);
      expect((await t.store.keys.findBySecretHash(token.hash))?.secret.expiresAt).toEqual(graceUntil);
      const at = t.clock.now();
      await t.store.oauth.revokeSecret(t.boot.orgId, account.id, secret.id, at, [t.data.audit("x.y")]);
      expect((await t.store.keys.findBySecretHash(token.hash))?.key.revokedAt).toEqual(at);
      const recorder = t.eventRecorder({ type: "user", id: t.boot.userId });
      await t.store.serviceAccounts.delete(t.boot.orgId, account.id, at, recorder.eventFor, t.data.audit("x.y"));
      expect((await t.store.keys.findBySecretHash(token.hash))?.ownerRole).toBeNull();
    });
  });
}
