import { client } from "./api";

/** A role of the org (`GET /orgs/{org_id}/roles`): built-in or custom. */
export interface OrgRole {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
}

/** A project of the org (`GET /orgs/{org_id}/projects`), a scope for role bindings. */
export interface OrgProject {
  id: string;
  name: string;
  /** `project:<id>`. */
  scope: string;
}

export async function listRoles(orgId: string): Promise<OrgRole[]> {
  return (await client.listRoles(orgId)).map((role) => ({
    id: role.id,
    name: role.attributes.name,
    description: role.attributes.description,
    permissions: role.attributes.permissions,
    builtIn: role.attributes.built_in,
  }));
}

export async function createRole(
  orgId: string,
  attributes: { name: string; description: string; permissions: string[] },
): Promise<void> {
  await client.createRole(orgId, attributes);
}

export async function listProjects(orgId: string): Promise<OrgProject[]> {
  return (await client.listProjects(orgId, { limit: 100 })).data.map((project) => ({
    id: project.id,
    name: project.attributes.name,
    scope: project.attributes.scope,
  }));
}

export async function createProject(orgId: string, name: string): Promise<void> {
  await client.createProject(orgId, { name });
}
