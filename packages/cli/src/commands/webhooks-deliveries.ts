import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printTable } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface DeliveriesOptions extends RemoteOptions {
  limit: string;
  redeliver?: string;
}

/** `latchkey webhooks deliveries <id>`: an endpoint's deliveries log; `--redeliver` sends one again. */
export function registerWebhooksDeliveries(webhooks: Command, io: Io): void {
  withRemoteOptions(
    webhooks
      .command("deliveries <id>")
      .description("show a webhook endpoint's deliveries, newest first")
      .option("--limit <n>", "page size, 1–100", "20")
      .option("--redeliver <delivery_id>", "send this delivery's event again instead"),
  ).action(async (id: string, options: DeliveriesOptions) => {
    const client = clientFor(io, options);
    const orgId = await orgFor(client, options);
    if (options.redeliver !== undefined) {
      const delivery = await client.redeliverWebhook(orgId, id, options.redeliver);
      if (options.json) return printJson(io, { data: delivery });
      io.out(`queued ${delivery.id} (event ${delivery.attributes.event_id})`);
      return;
    }
    const page = await client.listWebhookDeliveries(orgId, id, { limit: Number(options.limit) });
    if (options.json) return printJson(io, page);
    printTable(
      io,
      ["id", "event", "type", "status", "attempts", "last", "next"],
      page.data.map((d) => {
        const a = d.attributes;
        const last = a.last_status_code !== null ? String(a.last_status_code) : (a.last_error ?? "-");
        return [d.id, a.event_id, a.event_type, a.status, String(a.attempts), last, a.next_attempt_at ?? "-"];
      }),
    );
  });
}
