import { timingSafeEqual } from "node:crypto";
import { auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { isUuid, newId } from "./ids.js";
import { generateKey, hashKey, LIVE_ENVIRONMENT } from "./key-format.js";
import { checkGracePeriod } from "./key-input.js";
import type { AccessToken, ClientSecret, ServiceAccount } from "./model.js";
import { ACCESS_TOKEN_PREFIX, CLIENT_SECRET_PREFIX, DEFAULT_ACCESS_TOKEN_TTL_SECONDS, decideScope } from "./oauth.js";
import type { Store } from "./ports.js";
import { customRolesFor, requireRoleGrantsHeld } from "./role-bindings.js";
import { roleGrants } from "./roles.js";
import type { Actor, Verifier } from "./verifier.js";

/** A client secret together with its value: the only time the value leaves Latchkey. */
export interface IssuedClientSecret {
  secret: ClientSecret;
  value: string;
}

/** A client credentials grant request (RFC 6749 §4.4), after the HTTP layer has read it. */
export interface TokenGrantRequest {
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  requestId: string | null;
  ip: string | null;
}

/** The answer to a grant: a token, or an RFC 6749 §5.2 error code with a description. */
export type TokenGrantResult =
  | { ok: true; accessToken: string; token: AccessToken; expiresIn: number; scope: string | null }
  | { ok: false; error: "invalid_client" | "invalid_scope"; description: string };

/** Compared with when a client is unknown, so an unknown client costs what a wrong secret does. */
const NO_HASH = "0".repeat(64);

/** Makes a new client secret record (not stored) for an account. */
export function newClientSecret(
  account: Pick<ServiceAccount, "id" | "orgId">,
  clock: Clock,
  random: RandomSource,
): IssuedClientSecret {
  const generated = generateKey(CLIENT_SECRET_PREFIX, LIVE_ENVIRONMENT, random);
  return {
    value: generated.key,
    secret: {
      id: newId(clock, random),
      orgId: account.orgId,
      serviceAccountId: account.id,
      hash: generated.hash,
      hint: generated.hint,
      createdAt: clock.now(),
      expiresAt: null,
      revokedAt: null,
    },
  };
}

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

/**
 * OAuth2 clients of service accounts: their client secrets (issued once, rotated with a grace period,
 * revoked) and the client credentials grant that issues `lkat_` access tokens. Revoking a secret, a
 * rotation and deleting the account drop every cached token at once, on every node.
 */
export class OAuthClientService {
  constructor(
    private readonly store: Store,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /**
   * Issues a new client secret. The account's other secrets (and the tokens issued with them) keep
   * working for `gracePeriodSeconds` (0: they stop at once).
   */
  async issueSecret(
    actor: Actor,
    orgId: string,
    accountId: string,
    gracePeriodSeconds = 0,
  ): Promise<IssuedClientSecret> {
    checkGracePeriod(gracePeriodSeconds);
    const account = await this.oauthAccount(actor, orgId, accountId, "service_accounts:write");
    // A secret is the account's power in hand: only someone who holds its role may have one.
    await requireRoleGrantsHeld(this.store, actor, account.role);
    const issued = newClientSecret(account, this.clock, this.random);
    const now = issued.secret.createdAt;
    const graceUntil = new Date(now.getTime() + gracePeriodSeconds * 1000);
    const added = await this.store.oauth.addSecret(issued.secret, graceUntil, [
      auditEventOf(
        actor,
        account.orgId,
        "service_account.secret_created",
        { type: "service_account", id: account.id },
        {
          id: newId(this.clock, this.random),
          at: now,
          detail: { secret_id: issued.secret.id, hint: issued.secret.hint, grace_period_seconds: gracePeriodSeconds },
        },
      ),
    ]);
    // The older secrets' end moved: cached tokens issued with them must be read again.
    this.verifier.forgetAll();
    if (!added) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
    return issued;
  }

  /** The account's client secrets, revoked ones included, newest first. */
  async listSecrets(actor: Actor, orgId: string, accountId: string): Promise<ClientSecret[]> {
    const account = await this.oauthAccount(actor, orgId, accountId, "service_accounts:read");
    return this.store.oauth.listSecrets(account.orgId, account.id);
  }

  /** Revokes a client secret: it, and every access token issued with it, stop working at once. */
  async revokeSecret(actor: Actor, orgId: string, accountId: string, secretId: string): Promise<ClientSecret> {
    const account = await this.oauthAccount(actor, orgId, accountId, "service_accounts:write");
    const notFound = () => new LatchkeyError("NOT_FOUND", "No such client secret.", { parameter: "secret_id" });
    if (!isUuid(secretId)) throw notFound();
    const now = this.clock.now();
    const revoked = await this.store.oauth.revokeSecret(account.orgId, account.id, secretId.toLowerCase(), now, [
      auditEventOf(
        actor,
        account.orgId,
        "service_account.secret_revoked",
        { type: "service_account", id: account.id },
        { id: newId(this.clock, this.random), at: now, detail: { secret_id: secretId.toLowerCase() } },
      ),
    ]);
    this.verifier.forgetAll();
    if (revoked === null) throw notFound();
    return revoked;
  }

  /**
   * The client credentials grant: authenticates the client by its secret (hashes compared in constant
   * time; an unknown client is compared too) and issues an access token for the account's lifetime.
   * Expected refusals are values, never errors.
   */
  async grantToken(request: TokenGrantRequest): Promise<TokenGrantResult> {
    const now = this.clock.now();
    const clientId = request.clientId.toLowerCase();
    const client = isUuid(clientId) ? await this.store.oauth.findClient(clientId) : null;
    const presented = hashKey(request.clientSecret);
    let matched: ClientSecret | null = null;
    for (const secret of client?.secrets ?? []) {
      const live = secret.expiresAt === null || secret.expiresAt.getTime() > now.getTime();
      if (sameHash(presented, secret.hash) && live && matched === null) matched = secret;
    }
    if (client === null) sameHash(presented, NO_HASH);
    if (client === null || matched === null) {
      return { ok: false, error: "invalid_client", description: "Client authentication failed." };
    }
    const { account } = client;
    const scope = decideScope(
      request.scope,
      roleGrants(account.role, await customRolesFor(this.store, account.orgId, [account.role])) ?? [],
    );
    if (!scope.ok) return { ok: false, error: "invalid_scope", description: scope.description };
    const expiresIn = account.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
    const generated = generateKey(ACCESS_TOKEN_PREFIX, LIVE_ENVIRONMENT, this.random);
    const token: AccessToken = {
      id: newId(this.clock, this.random),
      orgId: account.orgId,
      serviceAccountId: account.id,
      clientSecretId: matched.id,
      hash: generated.hash,
      hint: generated.hint,
      permissions: scope.permissions,
      createdAt: now,
      expiresAt: new Date(now.getTime() + expiresIn * 1000),
    };
    const actor = {
      principal: { type: "service_account" as const, id: account.id },
      requestId: request.requestId,
      ip: request.ip,
    };
    await this.store.oauth.insertToken(token, [
      auditEventOf(
        actor,
        account.orgId,
        "oauth.token_issued",
        { type: "access_token", id: token.id },
        {
          id: newId(this.clock, this.random),
          at: now,
          detail: {
            client_secret_id: matched.id,
            expires_at: token.expiresAt.toISOString(),
            permissions: token.permissions,
          },
        },
      ),
    ]);
    const scoped = request.scope !== undefined && request.scope.trim() !== "";
    return {
      ok: true,
      accessToken: generated.key,
      token,
      expiresIn,
      scope: scoped ? scope.permissions.join(" ") : null,
    };
  }

  private async oauthAccount(
    actor: Actor,
    orgId: string,
    accountId: string,
    permission: string,
  ): Promise<ServiceAccount> {
    requireOrg(actor, orgId);
    requirePermission(actor, permission);
    const account = isUuid(accountId)
      ? await this.store.serviceAccounts.get(actor.orgId, accountId.toLowerCase())
      : null;
    if (account === null) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
    if (account.authType !== "oauth_client_secret") {
      throw new LatchkeyError("CONFLICT", "This service account is not an OAuth client (auth_type api_key).");
    }
    return account;
  }
}
