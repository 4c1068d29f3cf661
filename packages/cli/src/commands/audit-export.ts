import { writeFileSync } from "node:fs";
import type { AuditFilter } from "@latchkey/sdk";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { clientFor, orgFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface ExportOptions extends RemoteOptions {
  action?: string;
  actor?: string;
  target?: string;
  from?: string;
  to?: string;
  output?: string;
}

/** `latchkey audit export`: the org's audit log as NDJSON, to standard output or a file. */
export function registerAuditExport(audit: Command, io: Io): void {
  withRemoteOptions(
    audit
      .command("export")
      .description("export the org's audit log as NDJSON (one event per line, oldest first, with hashes)")
      .option("--action <action>", "only this action, or every action of a resource (api_key.*)")
      .option("--actor <id>", "only events of this actor")
      .option("--target <id>", "only events about this target")
      .option("--from <time>", "from this ISO-8601 time (inclusive)")
      .option("--to <time>", "until this ISO-8601 time (exclusive)")
      .option("-o, --output <file>", "write to this file instead of standard output"),
  ).action(async (options: ExportOptions) => {
    const client = clientFor(io, options);
    const filter: AuditFilter = {
      action: options.action,
      actor: options.actor,
      target: options.target,
      from: options.from,
      to: options.to,
    };
    const text = await client.exportAuditLogs(await orgFor(client, options), filter);
    const lines = text.length === 0 ? [] : text.trimEnd().split("\n");
    if (options.output === undefined) {
      for (const line of lines) io.out(line);
      return;
    }
    writeFileSync(options.output, text, { mode: 0o600 });
    io.err(`wrote ${lines.length} events to ${options.output}`);
  });
}
