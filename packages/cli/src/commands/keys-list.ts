import type { KeyFilter } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { KEY_HEADERS, keyRow, printJson, printTable } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface ListOptions extends RemoteOptions {
  status?: KeyFilter["status"];
  label?: string;
  kind?: KeyFilter["kind"];
  env?: string;
  owner?: string;
  name?: string;
  limit: string;
  startingAfter?: string;
}

/** `latchkey keys list`: the org's keys, filtered, one page. */
export function registerKeysList(keys: Command, io: Io): void {
  withRemoteOptions(
    keys
      .command("list")
      .description("list the org's keys")
      .option("--status <status>", "active, expired, revoked or disabled")
      .option("--label <label>", "only keys with this label")
      .option("--kind <kind>", "personal, service or publishable")
      .option("--env <environment>", "only keys of this environment")
      .option("--owner <id>", "only keys of this owner")
      .option("--name <text>", "only keys whose name contains this")
      .option("--limit <n>", "page size, 1–100", "100")
      .option("--starting-after <id>", "the page after this key id"),
  ).action(async (options: ListOptions) => {
    const client = clientFor(io, options);
    const filter: KeyFilter = {
      status: options.status,
      label: options.label,
      kind: options.kind,
      environment: options.env,
      owner: options.owner,
      name: options.name,
    };
    const page = await client.listKeys(await orgFor(client, options), filter, {
      limit: Number(options.limit),
      starting_after: options.startingAfter,
    });
    if (options.json) return printJson(io, page);
    printTable(io, KEY_HEADERS, page.data.map(keyRow));
    const last = page.data[page.data.length - 1];
    if (page.links.next && last) io.out(`(more: --starting-after ${last.id})`);
  });
}
