import type { CreateKeyAttributes } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printKey } from "../output.js";
import { CliError, clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface CreateOptions extends RemoteOptions {
  name: string;
  kind: "service" | "personal";
  serviceAccount?: string;
  env?: string;
  permission: string[];
  role: string[];
  label: string[];
  metadata?: string;
  description?: string;
  expiresIn?: CreateKeyAttributes["expires_in"];
  expiresAt?: string;
  saveToVault?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `role@scope` as the API's pair. */
function rolePair(text: string): { role: string; scope: string } {
  const at = text.indexOf("@");
  if (at < 1) throw new CliError(`--role takes role@scope (e.g. deployer@project:<id>), not ${text}.`);
  return { role: text.slice(0, at), scope: text.slice(at + 1) };
}

/** `latchkey keys create`: creates a key and prints its secret once. */
export function registerKeysCreate(keys: Command, io: Io): void {
  withRemoteOptions(
    keys
      .command("create")
      .description("create a key; its secret is printed this once")
      .requiredOption("--name <name>", "the key's name (1–100 characters)")
      .option("--kind <kind>", "service or personal", "service")
      .option("--service-account <id>", "owner service account (service keys)")
      .option("--env <environment>", "environment, e.g. live or test")
      .option("--permission <permission>", "a permission, resource:action (repeatable)", collect, [])
      .option(
        "--role <role@scope>",
        "a role/scope pair, e.g. deployer@project:<id> or viewer@org (repeatable)",
        collect,
        [],
      )
      .option("--label <label>", "a label (repeatable)", collect, [])
      .option("--metadata <json>", "a JSON object")
      .option("--description <text>", "a description")
      .option("--expires-in <preset>", "1h, 12h, 1d, 5d, 30d, 90d, 1y or never")
      .option("--expires-at <date>", "a custom expiry, ISO 8601")
      .option("--save-to-vault <name>", "also store the new key in the org's vault under this name"),
  ).action(async (options: CreateOptions) => {
    const client = clientFor(io, options);
    const attributes: CreateKeyAttributes = { name: options.name, kind: options.kind };
    if (options.serviceAccount) attributes.service_account_id = options.serviceAccount;
    if (options.env) attributes.environment = options.env;
    if (options.permission.length > 0) attributes.permissions = options.permission;
    if (options.role.length > 0) attributes.roles = options.role.map(rolePair);
    if (options.label.length > 0) attributes.labels = options.label;
    if (options.description) attributes.description = options.description;
    if (options.expiresIn) attributes.expires_in = options.expiresIn;
    if (options.expiresAt) attributes.expires_at = options.expiresAt;
    if (options.saveToVault) attributes.save_to_vault = { name: options.saveToVault };
    if (options.metadata) {
      try {
        attributes.metadata = JSON.parse(options.metadata) as Record<string, unknown>;
      } catch {
        throw new CliError("--metadata must be a JSON object.");
      }
    }
    const key = await client.createKey(await orgFor(client, options), attributes);
    if (options.json) return printJson(io, { data: key });
    printKey(io, key);
    io.out("");
    io.out(`key:         ${key.attributes.key}`);
    io.out("This is the only time the key is shown. Store it in a safe place.");
  });
}
