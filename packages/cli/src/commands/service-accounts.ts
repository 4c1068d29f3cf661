import type { CreateGroupServiceAccountAttributes, ServiceAccount } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { CliError, clientFor, orgFor } from "../remote.js";
import { type GroupOptions, groupOf, withGroupScope } from "./groups.js";

const HEADERS = ["id", "name", "role", "auth", "client id", "created"];

function row(account: ServiceAccount): string[] {
  const a = account.attributes;
  return [account.id, a.name, a.role, a.auth_type, a.client_id ?? "", a.created_at];
}

type GroupRole = CreateGroupServiceAccountAttributes["role"];

const withGroupOption = (command: Command) =>
  withGroupScope(
    command,
    "act on a group's service accounts (default: your org's group), whose keys work in every org of it",
  );

/** Prints an account, with its OAuth2 client secret when the answer holds it (create only). */
function printAccount(io: Io, account: ServiceAccount, json: boolean | undefined): void {
  if (json) {
    printJson(io, { data: account });
    return;
  }
  printTable(io, HEADERS, [row(account)]);
  const secret = account.attributes.client_secret;
  if (secret !== undefined) io.out(`client secret (shown once): ${secret}`);
}

/**
 * `latchkey service-accounts list|create|update|delete [--group]`: the org's (or group's) service
 * accounts. Their keys are made with `latchkey keys create --service-account <id>`.
 */
export function registerServiceAccounts(program: Command, io: Io): Command {
  const accounts = program
    .command("service-accounts")
    .description("list, create, change and delete the org's (or with --group the group's) service accounts");
  withGroupOption(accounts.command("list").description("list the service accounts and their roles")).action(
    async (options: GroupOptions) => {
      const client = clientFor(io, options);
      const group = await groupOf(client, options);
      const page =
        group === null
          ? await client.listServiceAccounts(await orgFor(client, options), { limit: 100 })
          : await client.listGroupServiceAccounts(group, { limit: 100 });
      if (options.json) return printJson(io, page);
      printTable(io, HEADERS, page.data.map(row));
    },
  );
  withGroupOption(
    accounts
      .command("create <name> <role>")
      .description("create an account with a role (built-in or custom; built-in in a group)")
      .option("--oauth", "make it an OAuth2 client (client credentials): prints its client secret once")
      .option("--token-ttl <seconds>", "the lifetime of its OAuth2 access tokens", (v) => Number.parseInt(v, 10)),
  ).action(async (name: string, role: string, options: GroupOptions & { oauth?: boolean; tokenTtl?: number }) => {
    const client = clientFor(io, options);
    const group = await groupOf(client, options);
    if (group !== null && (options.oauth || options.tokenTtl !== undefined)) {
      throw new CliError("a group's service accounts use API keys; --oauth is for an org's");
    }
    const account =
      group === null
        ? await client.createServiceAccount(await orgFor(client, options), {
            name,
            role,
            ...(options.oauth && { auth_type: "oauth_client_secret" as const }),
            ...(options.tokenTtl !== undefined && { access_token_ttl_seconds: options.tokenTtl }),
          })
        : await client.createGroupServiceAccount(group, { name, role: role as GroupRole });
    printAccount(io, account, options.json);
  });
  withGroupOption(
    accounts
      .command("update <account-id>")
      .description("rename an account or change its role (its keys follow on the next request)")
      .option("--name <name>", "the new name")
      .option("--role <role>", "the new role"),
  ).action(async (id: string, options: GroupOptions & { name?: string; role?: string }) => {
    if (options.name === undefined && options.role === undefined) throw new CliError("give --name or --role");
    const client = clientFor(io, options);
    const group = await groupOf(client, options);
    const change = { ...(options.name !== undefined && { name: options.name }) };
    const account =
      group === null
        ? await client.updateServiceAccount(await orgFor(client, options), id, {
            ...change,
            ...(options.role !== undefined && { role: options.role }),
          })
        : await client.updateGroupServiceAccount(group, id, {
            ...change,
            ...(options.role !== undefined && { role: options.role as GroupRole }),
          });
    printAccount(io, account, options.json);
  });
  withGroupOption(
    accounts.command("delete <account-id>").description("delete an account: its keys stop working at once"),
  ).action(async (id: string, options: GroupOptions) => {
    const client = clientFor(io, options);
    const group = await groupOf(client, options);
    if (group === null) await client.deleteServiceAccount(await orgFor(client, options), id);
    else await client.deleteGroupServiceAccount(group, id);
    io.out(`deleted ${id}`);
  });
  return accounts;
}
