import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printKey } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

const ACTIONS = {
  revoke: "revoke a key: final and immediate",
  disable: "disable a key until it is enabled",
  enable: "enable a disabled key",
  delete: "delete a key: it stops working and leaves the lists",
} as const;

/** `latchkey keys revoke|disable|enable|delete <id>`. */
export function registerKeysChange(keys: Command, io: Io): void {
  for (const [action, description] of Object.entries(ACTIONS) as [keyof typeof ACTIONS, string][]) {
    withRemoteOptions(keys.command(`${action} <id>`).description(description)).action(
      async (id: string, options: RemoteOptions) => {
        const client = clientFor(io, options);
        const orgId = await orgFor(client, options);
        if (action === "delete") {
          await client.deleteKey(orgId, id);
          if (options.json) return printJson(io, { id, deleted: true });
          return io.out(`deleted ${id}`);
        }
        const key = await client.changeKey(orgId, id, action);
        if (options.json) return printJson(io, { data: key });
        printKey(io, key);
      },
    );
  }
}
