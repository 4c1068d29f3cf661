import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printKey, printTable } from "../output.js";
import { CliError, clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface RegenerateOptions extends RemoteOptions {
  grace: string;
}

/**
 * `latchkey keys publishable [list]`: the org's publishable keys, one per environment, with their
 * values (public by design); `latchkey keys publishable regenerate <environment>`: a new value.
 */
export function registerKeysPublishable(keys: Command, io: Io): Command {
  const publishable = keys
    .command("publishable")
    .description("list the org's publishable keys (one per environment, values shown), or regenerate one");
  withRemoteOptions(
    publishable
      .command("list", { isDefault: true })
      .description("list the org's publishable keys with their values (they are public by design)"),
  ).action(async (options: RemoteOptions) => {
    const client = clientFor(io, options);
    const list = await client.listPublishableKeys(await orgFor(client, options));
    if (options.json) return printJson(io, { data: list });
    printTable(
      io,
      ["id", "env", "status", "permissions", "key"],
      list.map((key) => [
        key.id,
        key.attributes.environment,
        key.attributes.status,
        key.attributes.permissions.join(",") || "-",
        key.attributes.key ?? "",
      ]),
    );
  });
  withRemoteOptions(
    publishable
      .command("regenerate <environment>")
      .description("give the environment's publishable key a new value; the old one stops at once unless --grace")
      .option("--grace <seconds>", "how long the old value keeps working (0 to 604800)", "0"),
  ).action(async (environment: string, options: RegenerateOptions) => {
    const grace = Number(options.grace);
    if (!Number.isInteger(grace) || grace < 0) throw new CliError("--grace must be a whole number of seconds.");
    const client = clientFor(io, options);
    const key = await client.regeneratePublishableKey(await orgFor(client, options), environment, grace);
    if (options.json) return printJson(io, { data: key });
    printKey(io, key);
    io.out("");
    io.out(`key:         ${key.attributes.key}`);
    io.out("A publishable key is public by design: `latchkey keys publishable` shows it again.");
  });
  return publishable;
}
