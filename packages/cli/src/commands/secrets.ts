import { readFileSync } from "node:fs";
import type { Secret } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { CliError, clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface ListOptions extends RemoteOptions {
  limit: string;
  startingAfter?: string;
}

interface CreateOptions extends RemoteOptions {
  valueFile?: string;
  valueEnv?: string;
}

interface ShowOptions extends RemoteOptions {
  reveal?: boolean;
}

function secretRow(secret: Secret): string[] {
  const a = secret.attributes;
  return [secret.id, a.name, a.created_at, `${a.created_by.type} ${a.created_by.id}`];
}

function printSecret(io: Io, secret: Secret): void {
  const a = secret.attributes;
  for (const [name, value] of [
    ["id", secret.id],
    ["name", a.name],
    ["created", `${a.created_at} by ${a.created_by.type} ${a.created_by.id}`],
    ["updated", a.updated_at],
  ] as const) {
    io.out(`${`${name}:`.padEnd(9)}${value}`);
  }
}

/**
 * The value to store: from a file (`-` for standard input) or an environment variable, never from the
 * command line, where the process list and shell history would keep it.
 */
function readValue(io: Io, options: CreateOptions): string {
  if ((options.valueFile === undefined) === (options.valueEnv === undefined)) {
    throw new CliError("Give the value with exactly one of --value-file <path|-> or --value-env <VARIABLE>.");
  }
  let value: string;
  if (options.valueEnv !== undefined) {
    const fromEnv = io.env[options.valueEnv];
    if (fromEnv === undefined) throw new CliError(`The environment variable ${options.valueEnv} is not set.`);
    value = fromEnv;
  } else {
    try {
      value = readFileSync(options.valueFile === "-" ? 0 : (options.valueFile as string), "utf8");
    } catch {
      throw new CliError(`Cannot read ${options.valueFile === "-" ? "standard input" : options.valueFile}.`);
    }
    // A file written by an editor or `echo` ends with a newline that is not part of the value.
    value = value.replace(/\r?\n$/, "");
  }
  if (value.length === 0) throw new CliError("The value is empty.");
  return value;
}

/** `latchkey secrets list|create|show|delete`: the org's vault, remotely. */
export function registerSecrets(secrets: Command, io: Io): void {
  withRemoteOptions(
    secrets
      .command("list")
      .description("list the org's vault secrets (names and dates, never values)")
      .option("--limit <n>", "page size, 1–100", "100")
      .option("--starting-after <id>", "the page after this secret id"),
  ).action(async (options: ListOptions) => {
    const client = clientFor(io, options);
    const page = await client.listSecrets(await orgFor(client, options), {
      limit: Number(options.limit),
      starting_after: options.startingAfter,
    });
    if (options.json) return printJson(io, page);
    printTable(io, ["id", "name", "created", "created by"], page.data.map(secretRow));
    const last = page.data[page.data.length - 1];
    if (page.links.next && last) io.out(`(more: --starting-after ${last.id})`);
  });

  withRemoteOptions(
    secrets
      .command("create <name>")
      .description("store a secret in the vault; the value comes from a file, standard input or a variable")
      .option("--value-file <path>", "read the value from this file (- for standard input)")
      .option("--value-env <variable>", "read the value from this environment variable"),
  ).action(async (name: string, options: CreateOptions) => {
    const value = readValue(io, options);
    const client = clientFor(io, options);
    const secret = await client.createSecret(await orgFor(client, options), { name, value });
    if (options.json) return printJson(io, { data: secret });
    printSecret(io, secret);
  });

  withRemoteOptions(
    secrets
      .command("show <id>")
      .description("show a secret; --reveal prints its value alone (needs secrets:read; audited)")
      .option("--reveal", "print the value (recorded in the audit log as secret.read)"),
  ).action(async (id: string, options: ShowOptions) => {
    const client = clientFor(io, options);
    const orgId = await orgFor(client, options);
    if (options.reveal) {
      const secret = await client.revealSecret(orgId, id);
      if (options.json) return printJson(io, { data: secret });
      return io.out(secret.attributes.value);
    }
    const secret = await client.getSecret(orgId, id);
    if (options.json) return printJson(io, { data: secret });
    printSecret(io, secret);
  });

  withRemoteOptions(secrets.command("delete <id>").description("delete a secret from the vault")).action(
    async (id: string, options: RemoteOptions) => {
      const client = clientFor(io, options);
      await client.deleteSecret(await orgFor(client, options), id);
      if (options.json) return printJson(io, { id, deleted: true });
      io.out(`deleted ${id}`);
    },
  );
}
