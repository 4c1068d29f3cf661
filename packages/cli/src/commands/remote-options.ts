import type { Command } from "commander";

/** Adds the options every remote command takes. */
export function withRemoteOptions(command: Command): Command {
  return command
    .option("--url <url>", "server URL (default: $LATCHKEY_URL or http://127.0.0.1:8080)")
    .option("--org <id>", "org id (default: the org of LATCHKEY_TOKEN)")
    .option("--json", "print JSON instead of a table");
}
