import { requireRoleWithinOwn } from "./actor-role.js";
import { auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import { checkName } from "./key-input.js";
import type { ServiceAccount, ServiceAccountAuthType } from "./model.js";
import { checkAccessTokenTtl, DEFAULT_ACCESS_TOKEN_TTL_SECONDS } from "./oauth.js";
import { type IssuedClientSecret, newClientSecret } from "./oauth-client-service.js";
import type { Page, PageRequest, Store } from "./ports.js";
import type { Actor, Verifier } from "./verifier.js";

/** What a caller asks for when creating a service account. */
export interface CreateServiceAccountInput {
  name: string;
  /** A built-in role or one of the org's custom roles. */
  role: string;
  authType?: ServiceAccountAuthType | undefined;
  /** OAuth accounts only: the lifetime of their access tokens (default: the service's). */
  accessTokenTtlSeconds?: number | undefined;
}

/** A created account; an OAuth account comes with its first client secret, shown this once. */
export interface CreatedServiceAccount {
  account: ServiceAccount;
  clientSecret: IssuedClientSecret | null;
}

/** Settings of the service account service. */
export interface ServiceAccountServiceOptions {
  /** The access token lifetime of OAuth accounts created without one, in seconds. */
  defaultAccessTokenTtlSeconds?: number | undefined;
}

/** Service accounts of an org: the owners of keys for automation. */
export class ServiceAccountService {
  constructor(
    private readonly store: Store,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly options: ServiceAccountServiceOptions = {},
  ) {}

  /**
   * Creates an account. Its role may not hold more than the creator does. An OAuth account
   * (`oauth_client_secret`) is created with its first client secret in the same transaction.
   */
  async create(actor: Actor, orgId: string, input: CreateServiceAccountInput): Promise<CreatedServiceAccount> {
    requireOrg(actor, orgId);
    requirePermission(actor, "service_accounts:write");
    await requireRoleWithinOwn(this.store, actor, input.role, "/data/attributes/role");
    const authType = input.authType ?? "api_key";
    if (authType !== "oauth_client_secret" && input.accessTokenTtlSeconds !== undefined) {
      throw new LatchkeyError("VALIDATION_FAILED", "access_token_ttl_seconds is for oauth_client_secret accounts.", {
        pointer: "/data/attributes/access_token_ttl_seconds",
      });
    }
    const account: ServiceAccount = {
      id: newId(this.clock, this.random),
      orgId: actor.orgId,
      name: checkName(input.name),
      role: input.role,
      authType,
      accessTokenTtlSeconds:
        authType === "oauth_client_secret"
          ? checkAccessTokenTtl(
              input.accessTokenTtlSeconds ??
                this.options.defaultAccessTokenTtlSeconds ??
                DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
            )
          : null,
      createdAt: this.clock.now(),
      createdBy: actor.principal,
    };
    const clientSecret = authType === "oauth_client_secret" ? newClientSecret(account, this.clock, this.random) : null;
    const audit = [
      auditEventOf(
        actor,
        account.orgId,
        "service_account.created",
        { type: "service_account", id: account.id },
        {
          id: newId(this.clock, this.random),
          at: account.createdAt,
          detail: { name: account.name, role: account.role, auth_type: account.authType },
        },
      ),
    ];
    if (clientSecret !== null) {
      audit.push(
        auditEventOf(
          actor,
          account.orgId,
          "service_account.secret_created",
          { type: "service_account", id: account.id },
          {
            id: newId(this.clock, this.random),
            at: account.createdAt,
            detail: { secret_id: clientSecret.secret.id, hint: clientSecret.secret.hint, grace_period_seconds: 0 },
          },
        ),
      );
    }
    await this.store.serviceAccounts.create(account, audit, clientSecret?.secret ?? null);
    return { account, clientSecret };
  }

  /** The org's accounts, newest first. */
  async list(actor: Actor, orgId: string, page: PageRequest): Promise<Page<ServiceAccount>> {
    requireOrg(actor, orgId);
    requirePermission(actor, "service_accounts:read");
    return this.store.serviceAccounts.list(actor.orgId, page);
  }

  /** One account of the org. */
  async get(actor: Actor, orgId: string, id: string): Promise<ServiceAccount> {
    requireOrg(actor, orgId);
    requirePermission(actor, "service_accounts:read");
    const account = await this.store.serviceAccounts.get(actor.orgId, id.toLowerCase());
    if (account === null) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
    return account;
  }

  /**
   * Renames an account or gives it another role (audited `service_account.updated`). Nobody changes the
   * role of an account that holds more than they do, nor gives it such a role; its keys and access
   * tokens follow the new role on their next request.
   */
  async update(
    actor: Actor,
    orgId: string,
    id: string,
    input: { name?: string | undefined; role?: string | undefined },
  ): Promise<ServiceAccount> {
    const account = await this.get(actor, orgId, id);
    requirePermission(actor, "service_accounts:write");
    const change: { name?: string; role?: string } = {};
    if (input.name !== undefined && input.name !== account.name) change.name = checkName(input.name);
    if (input.role !== undefined && input.role !== account.role) {
      await requireRoleWithinOwn(this.store, actor, account.role, "/data/attributes/role");
      await requireRoleWithinOwn(this.store, actor, input.role, "/data/attributes/role");
      change.role = input.role;
    }
    if (Object.keys(change).length === 0) return account;
    const updated = await this.store.serviceAccounts.update(
      account.orgId,
      account.id,
      change,
      auditEventOf(
        actor,
        account.orgId,
        "service_account.updated",
        { type: "service_account", id: account.id },
        {
          id: newId(this.clock, this.random),
          at: this.clock.now(),
          detail: { ...change, ...(change.role !== undefined && { from_role: account.role }) },
        },
      ),
    );
    if (updated === null) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
    if (change.role !== undefined) this.verifier.forgetAll();
    return updated;
  }

  /**
   * Deletes an account; its keys are revoked in the same transaction, and its client secrets and
   * access tokens stop working with it (they are looked up through the live account).
   */
  async delete(actor: Actor, orgId: string, id: string): Promise<void> {
    const account = await this.get(actor, orgId, id);
    requirePermission(actor, "service_accounts:write");
    const now = this.clock.now();
    const deleted = await this.store.serviceAccounts.delete(
      account.orgId,
      account.id,
      now,
      (key) => ({
        id: newId(this.clock, this.random),
        orgId: key.orgId,
        keyId: key.id,
        type: "revoked",
        actor: actor.principal,
        requestId: actor.requestId,
        ip: actor.ip,
        createdAt: now,
        detail: { reason: "service_account_deleted" },
      }),
      auditEventOf(
        actor,
        account.orgId,
        "service_account.deleted",
        { type: "service_account", id: account.id },
        {
          id: newId(this.clock, this.random),
          at: now,
          detail: { name: account.name },
        },
      ),
    );
    this.verifier.forgetAll();
    if (!deleted) throw new LatchkeyError("NOT_FOUND", "No such service account.", { parameter: "id" });
  }
}
