import { ConfigError, loadConfig } from "@latchkey/server";
import { openStore } from "@latchkey/store";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { CliError } from "../remote.js";

/** `latchkey migrate`: brings the database schema up to date and exits. */
export function registerMigrate(program: Command, io: Io): void {
  program
    .command("migrate")
    .description("bring the database schema up to date")
    .action(async () => {
      let databaseUrl: string;
      try {
        databaseUrl = loadConfig(io.env).databaseUrl;
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      const store = await openStore(databaseUrl);
      try {
        const ran = await store.migrate();
        io.out(ran.length === 0 ? "schema is up to date" : `applied: ${ran.join(", ")}`);
      } finally {
        await store.close();
      }
    });
}
