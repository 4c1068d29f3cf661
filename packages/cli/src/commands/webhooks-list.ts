import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface ListOptions extends RemoteOptions {
  limit: string;
  startingAfter?: string;
}

/** `latchkey webhooks list`: the org's webhook endpoints, one page (never their secrets). */
export function registerWebhooksList(webhooks: Command, io: Io): void {
  withRemoteOptions(
    webhooks
      .command("list")
      .description("list the org's webhook endpoints")
      .option("--limit <n>", "page size, 1–100", "100")
      .option("--starting-after <id>", "the page after this endpoint id"),
  ).action(async (options: ListOptions) => {
    const client = clientFor(io, options);
    const page = await client.listWebhooks(await orgFor(client, options), {
      limit: Number(options.limit),
      starting_after: options.startingAfter,
    });
    if (options.json) return printJson(io, page);
    printTable(
      io,
      ["id", "url", "events", "enabled"],
      page.data.map((w) => [w.id, w.attributes.url, w.attributes.event_types.join(","), String(w.attributes.enabled)]),
    );
    const last = page.data[page.data.length - 1];
    if (page.links.next && last) io.out(`(more: --starting-after ${last.id})`);
  });
}
