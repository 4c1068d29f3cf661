import type { AddGroupMemberAttributes, GroupMembership, Membership } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { clientFor, orgFor } from "../remote.js";
import { type GroupOptions, groupOf, withGroupScope } from "./groups.js";

const HEADERS = ["id", "email", "name", "role", "since"];

function row(member: Membership | GroupMembership): string[] {
  const a = member.attributes;
  return [member.id, a.email, a.name, a.role, a.created_at];
}

/** The options of a members command: `--group` acts on the group's memberships instead of the org's. */
type MemberOptions = GroupOptions;

const withGroupOption = (command: Command) =>
  withGroupScope(
    command,
    "act on a group's memberships (default: your org's group), whose roles cover every org of it",
  );

/** `latchkey members list|add|set-role|remove [--group]`: who belongs to the org (or group), with which role. */
export function registerMembers(program: Command, io: Io): Command {
  const members = program
    .command("members")
    .description("list the org's (or with --group the group's) members, add, change roles, remove");
  withGroupOption(members.command("list").description("list the members and roles")).action(
    async (options: MemberOptions) => {
      const client = clientFor(io, options);
      const group = await groupOf(client, options);
      const page =
        group === null
          ? await client.listMembers(await orgFor(client, options), { limit: 100 })
          : await client.listGroupMembers(group, { limit: 100 });
      if (options.json) return printJson(io, page);
      printTable(io, HEADERS, page.data.map(row));
    },
  );
  withGroupOption(
    members
      .command("add <email> <role>")
      .description("add an existing user with a role (built-in or custom; built-in in a group)"),
  ).action(async (email: string, role: string, options: MemberOptions) => {
    const client = clientFor(io, options);
    const group = await groupOf(client, options);
    const attributes = { email, role };
    const member =
      group === null
        ? await client.addMember(await orgFor(client, options), attributes)
        : await client.addGroupMember(group, { email, role: role as AddGroupMemberAttributes["role"] });
    if (options.json) return printJson(io, { data: member });
    printTable(io, HEADERS, [row(member)]);
  });
  withGroupOption(members.command("set-role <membership-id> <role>").description("give a member another role")).action(
    async (id: string, role: string, options: MemberOptions) => {
      const client = clientFor(io, options);
      const group = await groupOf(client, options);
      const member =
        group === null
          ? await client.updateMember(await orgFor(client, options), id, { role })
          : await client.setGroupMemberRole(group, id, role as AddGroupMemberAttributes["role"]);
      if (options.json) return printJson(io, { data: member });
      printTable(io, HEADERS, [row(member)]);
    },
  );
  withGroupOption(
    members.command("remove <membership-id>").description("remove a member (their keys stop working here)"),
  ).action(async (id: string, options: MemberOptions) => {
    const client = clientFor(io, options);
    const group = await groupOf(client, options);
    if (group === null) await client.removeMember(await orgFor(client, options), id);
    else await client.removeGroupMember(group, id);
    io.out(`removed ${id}`);
  });
  return members;
}
