import { auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import { checkPermissions } from "./key-input.js";
import { BUILT_IN_ROLE_GRANTS, BUILT_IN_ROLES, isBuiltInRole } from "./permissions.js";
import type { Store } from "./ports.js";
import { type CustomRole, ROLE_NAME_PATTERN } from "./roles.js";
import type { Actor, Verifier } from "./verifier.js";

/** A role as the roles API shows it: built-in or the org's own. */
export interface RoleView {
  /** The role's name for built-in roles; the custom role's UUID otherwise. */
  id: string;
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
  createdAt: Date | null;
}

/** What a caller gives to create a custom role, or to change one. */
export interface RoleInput {
  name?: string | undefined;
  description?: string | undefined;
  permissions?: string[] | undefined;
}

const BUILT_IN_DESCRIPTIONS: Readonly<Record<(typeof BUILT_IN_ROLES)[number], string>> = {
  owner: "Everything, including the org's ownership",
  super_admin: "Everything an owner does but own the org",
  admin: "Every permission of the org",
  member: "Read the org and verify its keys",
  viewer: "Read the org (never secret values)",
};

const BUILT_IN_VIEWS: readonly RoleView[] = BUILT_IN_ROLES.map((name) => ({
  id: name,
  name,
  description: BUILT_IN_DESCRIPTIONS[name],
  permissions: [...BUILT_IN_ROLE_GRANTS[name]],
  builtIn: true,
  createdAt: null,
}));

/** The most custom roles an org may have: their grants are read whole by verification. */
export const MAX_CUSTOM_ROLES = 100;

function invalid(message: string, field: string): never {
  throw new LatchkeyError("VALIDATION_FAILED", message, { pointer: `/data/attributes/${field}` });
}

function view(role: CustomRole): RoleView {
  return { ...role, builtIn: false };
}

/**
 * The org's roles: the built-in ones and its custom roles (a name and a set of permissions). Reading
 * needs `members:read`, changing `members:write`; nobody creates or widens a role beyond what they hold
 * themselves. Changing or deleting a role changes its holders' keys on the next request.
 */
export class RoleService {
  constructor(
    private readonly store: Pick<Store, "roles">,
    private readonly verifier: Verifier,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** The built-in roles, most powerful first, then the org's custom roles by name. */
  async list(actor: Actor, orgId: string): Promise<RoleView[]> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:read");
    return [...BUILT_IN_VIEWS, ...(await this.store.roles.list(actor.orgId)).map(view)];
  }

  /** One role, by the built-in name or the custom role's id. */
  async get(actor: Actor, orgId: string, id: string): Promise<RoleView> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:read");
    const builtIn = BUILT_IN_VIEWS.find((role) => role.id === id);
    if (builtIn !== undefined) return builtIn;
    return view(await this.custom(actor, id));
  }

  /** Creates a custom role (audited `role.created`). */
  async create(actor: Actor, orgId: string, input: RoleInput): Promise<RoleView> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:write");
    const name = input.name ?? "";
    if (!new RegExp(ROLE_NAME_PATTERN).test(name)) invalid(`must match ${ROLE_NAME_PATTERN}.`, "name");
    if (isBuiltInRole(name)) invalid("is a built-in role's name.", "name");
    const role: CustomRole = {
      id: newId(this.clock, this.random),
      orgId: actor.orgId,
      name,
      description: checkDescription(input.description ?? ""),
      permissions: this.checkPermissions(actor, input.permissions ?? []),
      createdAt: this.clock.now(),
    };
    await this.store.roles.create(role, this.audit(actor, role, "role.created", { permissions: role.permissions }));
    return view(role);
  }

  /** Changes a custom role's description or permissions (audited `role.updated`); its name stays. */
  async update(actor: Actor, orgId: string, id: string, input: RoleInput): Promise<RoleView> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:write");
    const role = await this.custom(actor, id);
    if (input.name !== undefined && input.name !== role.name) invalid("A role's name cannot change.", "name");
    // Nobody changes a role that holds more than they do, nor gives it more.
    this.checkPermissions(actor, role.permissions);
    const updated: CustomRole = {
      ...role,
      description: input.description === undefined ? role.description : checkDescription(input.description),
      permissions: input.permissions === undefined ? role.permissions : this.checkPermissions(actor, input.permissions),
    };
    await this.store.roles.update(
      updated,
      this.audit(actor, updated, "role.updated", { from: role.permissions, to: updated.permissions }),
    );
    this.verifier.forgetAll();
    return view(updated);
  }

  /** Deletes a custom role nobody holds any more (audited `role.deleted`); CONFLICT while it is held. */
  async delete(actor: Actor, orgId: string, id: string): Promise<void> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:write");
    const role = await this.custom(actor, id);
    this.checkPermissions(actor, role.permissions);
    await this.store.roles.delete(role.orgId, role.id, this.audit(actor, role, "role.deleted", {}));
    this.verifier.forgetAll();
  }

  private async custom(actor: Actor, id: string): Promise<CustomRole> {
    const role = await this.store.roles.get(actor.orgId, id.toLowerCase());
    if (role === null) throw new LatchkeyError("NOT_FOUND", "No such role.", { parameter: "id" });
    return role;
  }

  private checkPermissions(actor: Actor, permissions: readonly string[]): string[] {
    if (permissions.length > 100) invalid("At most 100 permissions.", "permissions");
    // The same rule as a key's: well-formed, and none the actor lacks.
    return checkPermissions(actor, permissions);
  }

  private audit(actor: Actor, role: CustomRole, action: string, detail: Record<string, unknown>) {
    return auditEventOf(
      actor,
      role.orgId,
      action,
      { type: "role", id: role.id },
      { id: newId(this.clock, this.random), at: this.clock.now(), detail: { name: role.name, ...detail } },
    );
  }
}

function checkDescription(description: string): string {
  const trimmed = description.trim();
  if (trimmed.length > 200) invalid("must have at most 200 characters.", "description");
  return trimmed;
}
