import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson, printKey } from "../output.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

/** `latchkey keys show <id>`: one key, never its secret. */
export function registerKeysShow(keys: Command, io: Io): void {
  withRemoteOptions(keys.command("show <id>").description("show a key (never its secret)")).action(
    async (id: string, options: RemoteOptions) => {
      const client = clientFor(io, options);
      const key = await client.getKey(await orgFor(client, options), id);
      if (options.json) return printJson(io, { data: key });
      printKey(io, key);
    },
  );
}
