import type { Group, LatchkeyClient, Org } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { CliError, clientFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

const HEADERS = ["id", "name", "slug", "since"];
const ORG_HEADERS = ["id", "name", "slug", "group"];

function row(group: Group): string[] {
  const a = group.attributes;
  return [group.id, a.name, a.slug, a.created_at];
}

function orgRow(org: Org): string[] {
  const a = org.attributes;
  return [org.id, a.name, a.slug, a.group_id];
}

/** The group a command acts on: `--group`, else the group of the credential's org. */
export async function groupFor(client: LatchkeyClient, group: string | undefined): Promise<string> {
  if (group !== undefined) return group;
  const [own] = (await client.listGroups()).data;
  if (own === undefined) throw new CliError("this credential sees no group; give --group");
  return own.id;
}

/** The options of a command that acts on an org's objects, or with `--group [group-id]` on a group's. */
export type GroupOptions = RemoteOptions & { group?: string | boolean };

/** Adds the remote options and `--group [group-id]` (default: the group of the credential's org). */
export function withGroupScope(command: Command, help: string): Command {
  return withRemoteOptions(command).option("--group [group-id]", help);
}

/** The group a `--group` command acts on, or null for the org. */
export async function groupOf(client: LatchkeyClient, options: GroupOptions): Promise<string | null> {
  if (options.group === undefined || options.group === false) return null;
  return groupFor(client, options.group === true ? undefined : options.group);
}

/** `latchkey groups list|orgs`: the credential's group and the orgs in it. */
export function registerGroups(program: Command, io: Io): Command {
  const groups = program.command("groups").description("list your group and the orgs in it");
  withRemoteOptions(groups.command("list").description("list the groups this credential can see")).action(
    async (options: RemoteOptions) => {
      const client = clientFor(io, options);
      const page = await client.listGroups();
      if (options.json) return printJson(io, page);
      printTable(io, HEADERS, page.data.map(row));
    },
  );
  withRemoteOptions(
    groups
      .command("orgs [group-id]")
      .description("list the orgs of a group (default: your org's group; needs org:read in the group)"),
  ).action(async (id: string | undefined, options: RemoteOptions) => {
    const client = clientFor(io, options);
    const page = await client.listGroupOrgs(await groupFor(client, id), { limit: 100 });
    if (options.json) return printJson(io, page);
    printTable(io, ORG_HEADERS, page.data.map(orgRow));
  });
  return groups;
}
