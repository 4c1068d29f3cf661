import { auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import { checkName } from "./key-input.js";
import type { ServiceAccount, ServiceAccountAuthType } from "./model.js";
import { type BuiltInRole, grantsOfRole, missingPermissions } from "./permissions.js";
import type { Page, PageRequest, Store } from "./ports.js";
import type { Actor, Verifier } from "./verifier.js";

/** What a caller asks for when creating a service account. */
export interface CreateServiceAccountInput {
  name: string;
  role: BuiltInRole;
  authType?: ServiceAccountAuthType | undefined;
}

/** Service accounts of an org: the owners of keys for automation. */
export class ServiceAccountService {
  constructor(
    private readonly store: Store,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Creates an account. Its role may not hold more than the creator does. */
  async create(actor: Actor, orgId: string, input: CreateServiceAccountInput): Promise<ServiceAccount> {
    requireOrg(actor, orgId);
    requirePermission(actor, "service_accounts:write");
    const missing = missingPermissions(actor.grants, grantsOfRole(input.role));
    if (missing.length > 0) {
      throw new LatchkeyError(
        "PERMISSION_ESCALATION",
        `The role ${input.role} holds permissions you do not: ${missing.join(", ")}.`,
        { pointer: "/data/attributes/role" },
      );
    }
    const account: ServiceAccount = {
      id: newId(this.clock, this.random),
      orgId: actor.orgId,
      name: checkName(input.name),
      role: input.role,
      authType: input.authType ?? "api_key",
      createdAt: this.clock.now(),
      createdBy: actor.principal,
    };
    await this.store.serviceAccounts.create(
      account,
      auditEventOf(
        actor,
        account.orgId,
        "service_account.created",
        { type: "service_account", id: account.id },
        {
          id: newId(this.clock, this.random),
          at: account.createdAt,
          detail: { name: account.name, role: account.role },
        },
      ),
    );
    return account;
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

  /** Deletes an account; its keys are revoked in the same transaction. */
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
