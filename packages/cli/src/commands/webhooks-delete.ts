import type { Command } from "commander";
import type { Io } from "../io.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

/** `latchkey webhooks delete <id>`: deletes an endpoint and its queued deliveries. */
export function registerWebhooksDelete(webhooks: Command, io: Io): void {
  withRemoteOptions(webhooks.command("delete <id>").description("delete a webhook endpoint")).action(
    async (id: string, options: RemoteOptions) => {
      const client = clientFor(io, options);
      await client.deleteWebhook(await orgFor(client, options), id);
      if (!options.json) io.out(`deleted ${id}`);
    },
  );
}
