import { auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import { checkName } from "./key-input.js";
import type { Page, PageRequest, Store } from "./ports.js";
import type { Project } from "./projects.js";
import type { Actor } from "./verifier.js";

/** What a caller gives to create a project. */
export interface ProjectInput {
  name: string;
  description?: string | null | undefined;
}

function invalid(message: string, field: string): never {
  throw new LatchkeyError("VALIDATION_FAILED", message, { pointer: `/data/attributes/${field}` });
}

/**
 * An org's projects: named sub-resources that role/scope pairs bind roles to (`project:<id>`), and that
 * verification checks with `resource`. Reading needs `org:read`, changing `org:write`.
 */
export class ProjectService {
  constructor(
    private readonly store: Pick<Store, "projects">,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  async list(actor: Actor, orgId: string, page: PageRequest): Promise<Page<Project>> {
    requireOrg(actor, orgId);
    requirePermission(actor, "org:read");
    return this.store.projects.list(actor.orgId, page);
  }

  async get(actor: Actor, orgId: string, id: string): Promise<Project> {
    requireOrg(actor, orgId);
    requirePermission(actor, "org:read");
    const project = await this.store.projects.get(actor.orgId, id.toLowerCase());
    if (project === null) throw new LatchkeyError("NOT_FOUND", "No such project.", { parameter: "id" });
    return project;
  }

  /** Creates a project (audited `project.created`); a name the org uses already is a CONFLICT. */
  async create(actor: Actor, orgId: string, input: ProjectInput): Promise<Project> {
    requireOrg(actor, orgId);
    requirePermission(actor, "org:write");
    const name = checkName(input.name);
    const description = input.description?.trim() || null;
    if (description !== null && description.length > 500) invalid("must have at most 500 characters.", "description");
    const project: Project = {
      id: newId(this.clock, this.random),
      orgId: actor.orgId,
      name,
      description,
      createdAt: this.clock.now(),
      createdBy: actor.principal,
    };
    await this.store.projects.create(project, this.audit(actor, project, "project.created"));
    return project;
  }

  /** Deletes a project no role/scope pair names any more (audited); CONFLICT while one does. */
  async delete(actor: Actor, orgId: string, id: string): Promise<void> {
    const project = await this.get(actor, orgId, id);
    requirePermission(actor, "org:write");
    await this.store.projects.delete(project.orgId, project.id, this.audit(actor, project, "project.deleted"));
  }

  private audit(actor: Actor, project: Project, action: string) {
    return auditEventOf(
      actor,
      project.orgId,
      action,
      { type: "project", id: project.id },
      { id: newId(this.clock, this.random), at: this.clock.now(), detail: { name: project.name } },
    );
  }
}
