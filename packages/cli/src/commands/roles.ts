import type { Project, Role } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

const ROLE_HEADERS = ["id", "name", "built in", "permissions"];
const PROJECT_HEADERS = ["id", "name", "scope", "created"];

function roleRow(role: Role): string[] {
  const a = role.attributes;
  return [role.id, a.name, a.built_in ? "yes" : "no", a.permissions.join(",")];
}

function projectRow(project: Project): string[] {
  const a = project.attributes;
  return [project.id, a.name, a.scope, a.created_at];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `latchkey roles list|create|delete`: the org's built-in and custom roles. */
export function registerRoles(program: Command, io: Io): Command {
  const roles = program.command("roles").description("list the org's roles; create and delete custom roles");
  withRemoteOptions(roles.command("list").description("the built-in roles, then the org's custom roles")).action(
    async (options: RemoteOptions) => {
      const client = clientFor(io, options);
      const all = await client.listRoles(await orgFor(client, options));
      if (options.json) return printJson(io, { data: all });
      printTable(io, ROLE_HEADERS, all.map(roleRow));
    },
  );
  withRemoteOptions(
    roles
      .command("create <name>")
      .description("create a custom role")
      .requiredOption("--permission <permission>", "a permission it grants (repeatable)", collect, [])
      .option("--description <text>", "what the role is for"),
  ).action(async (name: string, options: RemoteOptions & { permission: string[]; description?: string }) => {
    const client = clientFor(io, options);
    const attributes = { name, permissions: options.permission, description: options.description };
    const role = await client.createRole(await orgFor(client, options), attributes);
    if (options.json) return printJson(io, { data: role });
    printTable(io, ROLE_HEADERS, [roleRow(role)]);
  });
  withRemoteOptions(roles.command("delete <role-id>").description("delete a custom role nobody holds")).action(
    async (id: string, options: RemoteOptions) => {
      const client = clientFor(io, options);
      await client.deleteRole(await orgFor(client, options), id);
      io.out(`deleted ${id}`);
    },
  );
  return roles;
}

/** `latchkey projects list|create|delete`: the org's projects, the scopes of role/scope pairs. */
export function registerProjects(program: Command, io: Io): Command {
  const projects = program.command("projects").description("list, create and delete the org's projects");
  withRemoteOptions(projects.command("list").description("the org's projects")).action(
    async (options: RemoteOptions) => {
      const client = clientFor(io, options);
      const page = await client.listProjects(await orgFor(client, options), { limit: 100 });
      if (options.json) return printJson(io, page);
      printTable(io, PROJECT_HEADERS, page.data.map(projectRow));
    },
  );
  withRemoteOptions(
    projects.command("create <name>").description("create a project").option("--description <text>", "a description"),
  ).action(async (name: string, options: RemoteOptions & { description?: string }) => {
    const client = clientFor(io, options);
    const project = await client.createProject(await orgFor(client, options), {
      name,
      description: options.description,
    });
    if (options.json) return printJson(io, { data: project });
    printTable(io, PROJECT_HEADERS, [projectRow(project)]);
  });
  withRemoteOptions(
    projects.command("delete <project-id>").description("delete a project no role/scope pair names"),
  ).action(async (id: string, options: RemoteOptions) => {
    const client = clientFor(io, options);
    await client.deleteProject(await orgFor(client, options), id);
    io.out(`deleted ${id}`);
  });
  return projects;
}
