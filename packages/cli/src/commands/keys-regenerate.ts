import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printKey } from "../output.js";
import { CliError, clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface RegenerateOptions extends RemoteOptions {
  grace: string;
  saveToVault?: string;
}

/** `latchkey keys regenerate <id>`: a new secret, printed once; the old one works for the grace period. */
export function registerKeysRegenerate(keys: Command, io: Io): void {
  withRemoteOptions(
    keys
      .command("regenerate <id>")
      .description("give a key a new secret, keeping its id; the new secret is printed this once")
      .option("--grace <seconds>", "how long the old secret keeps working (0 to 604800)", "0")
      .option("--save-to-vault <name>", "also store the new secret in the org's vault under this name"),
  ).action(async (id: string, options: RegenerateOptions) => {
    const grace = Number(options.grace);
    if (!Number.isInteger(grace) || grace < 0) throw new CliError("--grace must be a whole number of seconds.");
    const client = clientFor(io, options);
    const saveToVault = options.saveToVault === undefined ? undefined : { name: options.saveToVault };
    const key = await client.regenerateKey(await orgFor(client, options), id, grace, saveToVault);
    if (options.json) return printJson(io, { data: key });
    printKey(io, key);
    io.out("");
    io.out(`key:         ${key.attributes.key}`);
    io.out("This is the only time the new key is shown. Store it in a safe place.");
  });
}
