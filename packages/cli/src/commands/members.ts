import type { Membership } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

const HEADERS = ["id", "email", "name", "role", "since"];

function row(member: Membership): string[] {
  const a = member.attributes;
  return [member.id, a.email, a.name, a.role, a.created_at];
}

type Role = Parameters<ReturnType<typeof clientFor>["setMemberRole"]>[2];

/** `latchkey members list|add|set-role|remove`: who belongs to the org, with which role. */
export function registerMembers(program: Command, io: Io): Command {
  const members = program.command("members").description("list the org's members, add, change roles, remove");
  withRemoteOptions(members.command("list").description("list the org's members and roles")).action(
    async (options: RemoteOptions) => {
      const client = clientFor(io, options);
      const page = await client.listMembers(await orgFor(client, options), { limit: 100 });
      if (options.json) return printJson(io, page);
      printTable(io, HEADERS, page.data.map(row));
    },
  );
  withRemoteOptions(
    members.command("add <email> <role>").description("add an existing user with a role (owner … viewer)"),
  ).action(async (email: string, role: string, options: RemoteOptions) => {
    const client = clientFor(io, options);
    const member = await client.addMember(await orgFor(client, options), { email, role: role as Role });
    if (options.json) return printJson(io, { data: member });
    printTable(io, HEADERS, [row(member)]);
  });
  withRemoteOptions(
    members.command("set-role <membership-id> <role>").description("give a member another role"),
  ).action(async (id: string, role: string, options: RemoteOptions) => {
    const client = clientFor(io, options);
    const member = await client.setMemberRole(await orgFor(client, options), id, role as Role);
    if (options.json) return printJson(io, { data: member });
    printTable(io, HEADERS, [row(member)]);
  });
  withRemoteOptions(
    members.command("remove <membership-id>").description("remove a member (their keys stop working here)"),
  ).action(async (id: string, options: RemoteOptions) => {
    const client = clientFor(io, options);
    await client.removeMember(await orgFor(client, options), id);
    io.out(`removed ${id}`);
  });
  return members;
}
