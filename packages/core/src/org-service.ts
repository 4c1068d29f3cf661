import { MAX_IDLE_DISABLE_DAYS } from "./alerts.js";
import { auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import { ENVIRONMENT_PATTERN, PREFIX_PATTERN } from "./key-format.js";
import { checkName } from "./key-input.js";
import { DEFAULT_KEY_PREFIXES, KEY_KINDS, type Org, type OrgPolicy } from "./model.js";
import { BUILT_IN_ROLES, isBuiltInRole } from "./permissions.js";
import type { OrgUpdate, Store } from "./ports.js";
import type { PublishableKeyService } from "./publishable-keys.js";
import type { Actor } from "./verifier.js";

/** The shortest key lifetime an org's policy may set as its longest: an hour. */
export const MIN_POLICY_LIFETIME_SECONDS = 3600;
/** The longest key lifetime an org's policy may allow: ten years. */
export const MAX_POLICY_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

/** At most this many environments per org. */
export const MAX_ENVIRONMENTS = 20;

/** What a caller may change about an org. */
export interface UpdateOrgInput {
  name?: string | undefined;
  policy?: Partial<OrgPolicy> | undefined;
}

function invalid(message: string, pointer: string): never {
  throw new LatchkeyError("VALIDATION_FAILED", message, { pointer: `/data/attributes/${pointer}` });
}

/** Checks the policy fields a change gives; returns them as they will be stored. */
export function checkPolicyChange(policy: Partial<OrgPolicy>): Partial<OrgPolicy> {
  const out: Partial<OrgPolicy> = {};
  if (policy.allowNeverExpiring !== undefined) {
    if (typeof policy.allowNeverExpiring !== "boolean")
      invalid("must be true or false.", "policy/allow_never_expiring");
    out.allowNeverExpiring = policy.allowNeverExpiring;
  }
  if (policy.maxLifetimeSeconds !== undefined) {
    const seconds = policy.maxLifetimeSeconds;
    if (!Number.isInteger(seconds) || seconds < MIN_POLICY_LIFETIME_SECONDS || seconds > MAX_POLICY_LIFETIME_SECONDS) {
      invalid(
        `must be a whole number of seconds from ${MIN_POLICY_LIFETIME_SECONDS} to ${MAX_POLICY_LIFETIME_SECONDS}.`,
        "policy/max_lifetime_seconds",
      );
    }
    out.maxLifetimeSeconds = seconds;
  }
  if (policy.environments !== undefined) {
    const environments = policy.environments;
    const pattern = new RegExp(ENVIRONMENT_PATTERN);
    if (
      !Array.isArray(environments) ||
      environments.length < 1 ||
      environments.length > MAX_ENVIRONMENTS ||
      !environments.every((environment) => typeof environment === "string" && pattern.test(environment)) ||
      new Set(environments).size !== environments.length
    ) {
      invalid(
        `must be 1 to ${MAX_ENVIRONMENTS} distinct names, each matching ${ENVIRONMENT_PATTERN}.`,
        "policy/environments",
      );
    }
    out.environments = [...environments];
  }
  if (policy.idleDisableDays !== undefined) {
    const days = policy.idleDisableDays;
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_IDLE_DISABLE_DAYS)) {
      invalid(
        `must be null (off) or a whole number of days from 1 to ${MAX_IDLE_DISABLE_DAYS}.`,
        "policy/idle_disable_days",
      );
    }
    out.idleDisableDays = days;
  }
  if (policy.serviceKeyCreatorRoles !== undefined) {
    const roles = policy.serviceKeyCreatorRoles;
    if (!Array.isArray(roles) || !roles.every((role) => isBuiltInRole(role)) || new Set(roles).size !== roles.length) {
      invalid(`must be distinct built-in roles (${BUILT_IN_ROLES.join(", ")}).`, "policy/service_key_creator_roles");
    }
    out.serviceKeyCreatorRoles = BUILT_IN_ROLES.filter((role) => roles.includes(role));
  }
  if (policy.keyPrefixes !== undefined) {
    // A change naming only the personal and service prefixes (clients older than publishable keys)
    // gives publishable keys the default prefix.
    const given: Partial<OrgPolicy["keyPrefixes"]> = policy.keyPrefixes;
    const prefixes = { ...given, publishable: given.publishable ?? DEFAULT_KEY_PREFIXES.publishable };
    const pattern = new RegExp(PREFIX_PATTERN);
    for (const kind of KEY_KINDS) {
      const prefix = prefixes[kind];
      if (typeof prefix !== "string" || !pattern.test(prefix)) {
        invalid(`must match ${PREFIX_PATTERN}.`, `policy/key_prefixes/${kind}`);
      }
    }
    if (prefixes.personal === prefixes.service) {
      invalid("personal and service keys need different prefixes.", "policy/key_prefixes/service");
    }
    if (prefixes.publishable === prefixes.personal || prefixes.publishable === prefixes.service) {
      invalid("publishable keys need a prefix of their own.", "policy/key_prefixes/publishable");
    }
    out.keyPrefixes = {
      personal: prefixes.personal as string,
      service: prefixes.service as string,
      publishable: prefixes.publishable,
    };
  }
  return out;
}

/** Reading and changing orgs: a credential acts only in its own org. */
export class OrgService {
  constructor(
    private readonly store: Pick<Store, "orgs">,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    /** Keeps the org's publishable keys in step with its environments (none: they are left alone). */
    private readonly publishable: PublishableKeyService | null = null,
  ) {}

  /** The org. Needs `org:read`. */
  async get(actor: Actor, orgId: string): Promise<Org> {
    requireOrg(actor, orgId);
    requirePermission(actor, "org:read");
    const org = await this.store.orgs.get(actor.orgId);
    if (org === null) throw new LatchkeyError("NOT_FOUND", "No such org.", { parameter: "org_id" });
    return org;
  }

  /**
   * Changes the org's name and policy fields (those given; the others stay), with an `org.updated`
   * audit event naming the fields. Needs `org:write`.
   */
  async update(actor: Actor, orgId: string, input: UpdateOrgInput): Promise<Org> {
    requireOrg(actor, orgId);
    requirePermission(actor, "org:write");
    const update: OrgUpdate = {};
    const fields: string[] = [];
    if (input.name !== undefined) {
      update.name = checkName(input.name);
      fields.push("name");
    }
    if (input.policy !== undefined) {
      update.policy = checkPolicyChange(input.policy);
      fields.push(...Object.keys(update.policy).map((field) => `policy.${snakeCase(field)}`));
    }
    if (fields.length === 0) return this.get(actor, orgId);
    const event = auditEventOf(
      actor,
      actor.orgId,
      "org.updated",
      { type: "org", id: actor.orgId },
      {
        id: newId(this.clock, this.random),
        at: this.clock.now(),
        detail: { fields },
      },
    );
    const environments = update.policy?.environments;
    if (environments === undefined || this.publishable === null) {
      const org = await this.store.orgs.update(actor.orgId, update, event);
      if (org === null) throw new LatchkeyError("NOT_FOUND", "No such org.", { parameter: "org_id" });
      return org;
    }
    // New environments get their publishable key, removed ones lose it, in the change's transaction.
    const current = await this.store.orgs.get(actor.orgId);
    if (current === null) throw new LatchkeyError("NOT_FOUND", "No such org.", { parameter: "org_id" });
    // The new keys take the policy as changed (a new publishable prefix in the same change applies).
    const changed = { ...current, policy: { ...current.policy, ...update.policy } };
    const plan = await this.publishable.planFor(actor, changed, environments);
    const org = await this.store.orgs.update(actor.orgId, update, event, plan);
    if (org === null) throw new LatchkeyError("NOT_FOUND", "No such org.", { parameter: "org_id" });
    this.publishable.forgetRevoked(plan);
    return org;
  }
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
