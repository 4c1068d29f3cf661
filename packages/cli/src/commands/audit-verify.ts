import { ConfigError, loadConfig } from "@latchkey/server";
import { openStore } from "@latchkey/store";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { CliError } from "../remote.js";

/**
 * `latchkey audit verify`: checks the whole audit log in the database (LATCHKEY_DATABASE_URL) against
 * its hash chain and head. Exit 0 when intact; 1 naming the first bad event otherwise.
 */
export function registerAuditVerify(audit: Command, io: Io): void {
  audit
    .command("verify")
    .description("check the audit log in the database against its hash chain; names the first bad event")
    .option("--json", "print the outcome as JSON")
    .action(async (options: { json?: boolean }) => {
      let databaseUrl: string;
      try {
        databaseUrl = loadConfig(io.env).databaseUrl;
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      const store = await openStore(databaseUrl);
      try {
        const outcome = await store.audit.check();
        if (options.json) io.out(JSON.stringify({ data: outcome }, null, 2));
        else if (outcome.ok)
          io.out(`audit log intact: ${outcome.count} events, head ${outcome.head.seq} ${outcome.head.hash}`);
        else {
          const which = outcome.id === null ? `event ${outcome.seq}` : `event ${outcome.seq} (id ${outcome.id})`;
          io.err(`audit log broken at ${which}: ${outcome.reason}`);
        }
        if (!outcome.ok) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
