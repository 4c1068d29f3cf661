import type { Org } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { clientFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

const HEADERS = ["id", "name", "slug", "environments", "never expiring"];

function row(org: Org): string[] {
  const a = org.attributes;
  return [org.id, a.name, a.slug, a.policy.environments.join(","), a.policy.allow_never_expiring ? "allowed" : "no"];
}

/** `latchkey orgs list|show|create`: the orgs the credential can act in; a new org in a group. */
export function registerOrgs(program: Command, io: Io): Command {
  const orgs = program.command("orgs").description("list and show the orgs you can act in; create one in your group");
  withRemoteOptions(orgs.command("list").description("list the orgs this credential can act in")).action(
    async (options: RemoteOptions) => {
      const client = clientFor(io, options);
      const page = await client.listOrgs({ limit: 100 });
      if (options.json) return printJson(io, page);
      printTable(io, HEADERS, page.data.map(row));
    },
  );
  withRemoteOptions(
    orgs
      .command("create")
      .description("create an org in a group (default: your org's group); needs org:write in the group")
      .requiredOption("--name <name>", "the new org's name")
      .option("--group <group-id>", "the group to create it in (default: the group of your org)"),
  ).action(async (options: RemoteOptions & { name: string; group?: string }) => {
    const client = clientFor(io, options);
    const org = await client.createOrg({ name: options.name, ...(options.group && { group_id: options.group }) });
    if (options.json) return printJson(io, { data: org });
    printTable(io, HEADERS, [row(org)]);
  });
  withRemoteOptions(orgs.command("show <org-id>").description("show an org and its policy")).action(
    async (id: string, options: RemoteOptions) => {
      const client = clientFor(io, options);
      const org = await client.getOrg(id);
      if (options.json) return printJson(io, { data: org });
      printTable(io, HEADERS, [row(org)]);
    },
  );
  return orgs;
}
