import type { CreateWebhookAttributes } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface CreateOptions extends RemoteOptions {
  endpoint: string;
  events: string;
  description?: string;
}

/** `latchkey webhooks create`: registers an endpoint and prints its signing secret once. */
export function registerWebhooksCreate(webhooks: Command, io: Io): void {
  withRemoteOptions(
    webhooks
      .command("create")
      .description("create a webhook endpoint; its signing secret is printed this once")
      .requiredOption("--endpoint <url>", "the endpoint's http(s) URL (--url is the Latchkey server's)")
      .option("--events <types>", "event types, comma-separated (api_key.created,api_key.revoked), or *", "*")
      .option("--description <text>", "what the endpoint is for"),
  ).action(async (options: CreateOptions) => {
    const client = clientFor(io, options);
    const attributes = {
      url: options.endpoint,
      event_types: options.events.split(",").map((type) => type.trim()),
      ...(options.description !== undefined ? { description: options.description } : {}),
    } as CreateWebhookAttributes;
    const webhook = await client.createWebhook(await orgFor(client, options), attributes);
    if (options.json) return printJson(io, { data: webhook });
    io.out(`id:      ${webhook.id}`);
    io.out(`url:     ${webhook.attributes.url}`);
    io.out(`events:  ${webhook.attributes.event_types.join(",")}`);
    io.out("");
    io.out(`secret:  ${webhook.attributes.secret}`);
    io.out("This is the only time the signing secret is shown. Store it where your receiver reads it.");
  });
}
