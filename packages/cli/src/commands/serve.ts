import { ConfigError, loadConfig, startServer } from "@latchkey/server";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { CliError } from "../remote.js";

/** `latchkey serve`: migrate, bootstrap an empty database, then serve until SIGINT or SIGTERM. */
export function registerServe(program: Command, io: Io): void {
  program
    .command("serve")
    .description("migrate the database, then serve the API (the first start prints the owner's login and token once)")
    .action(async () => {
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(io.env);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      const server = await startServer(config, { print: io.out });
      io.err(`latchkey listening on ${server.url} (database: ${config.databaseUrl.split(":")[0]})`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void server.close().then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
