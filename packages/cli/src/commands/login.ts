import { LatchkeyClient } from "@latchkey/sdk";
import type { Command } from "commander";
import { removeCredentials, writeCredentials } from "../credentials-file.js";
import type { Io } from "../io.js";
import { CliError } from "../remote.js";

async function readFirstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return (Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "").trim();
}

/**
 * `latchkey login`: checks a token against the server and saves it with the URL for later remote
 * commands (file mode 0600). The token comes from LATCHKEY_TOKEN or standard input, never from an
 * argument, so it does not show in the process list. `latchkey logout` forgets it.
 */
export function registerLogin(program: Command, io: Io): void {
  program
    .command("login")
    .description("save a token for remote commands (from $LATCHKEY_TOKEN or standard input; file mode 0600)")
    .option("--url <url>", "server URL (default: $LATCHKEY_URL or http://127.0.0.1:8080)")
    .action(async (options: { url?: string }) => {
      const fromEnv = io.env.LATCHKEY_TOKEN;
      const token = fromEnv !== undefined && fromEnv !== "" ? fromEnv : await readFirstLine();
      if (token === "") throw new CliError("Give the token in LATCHKEY_TOKEN or on standard input.");
      const url = options.url ?? io.env.LATCHKEY_URL ?? "http://127.0.0.1:8080";
      const self = await new LatchkeyClient({ url, token }).self();
      const path = writeCredentials(io.env, { url, token });
      const who = self.data.attributes.email ?? self.data.attributes.name ?? self.data.id;
      io.out(`logged in to ${url} as ${self.data.type} ${String(who)}; saved to ${path}`);
    });
  program
    .command("logout")
    .description("forget the token saved by latchkey login")
    .action(() => {
      io.out(removeCredentials(io.env) ? "logged out" : "not logged in");
    });
}
