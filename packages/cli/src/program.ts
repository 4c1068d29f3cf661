import { LatchkeyApiError } from "@latchkey/sdk";
import { Command, CommanderError } from "commander";
import { registerAuditExport } from "./commands/audit-export.js";
import { registerAuditVerify } from "./commands/audit-verify.js";
import { registerGroups } from "./commands/groups.js";
import { registerKeysChange } from "./commands/keys-change.js";
import { registerKeysCreate } from "./commands/keys-create.js";
import { registerKeysList } from "./commands/keys-list.js";
import { registerKeysPublishable } from "./commands/keys-publishable.js";
import { registerKeysRegenerate } from "./commands/keys-regenerate.js";
import { registerKeysShow } from "./commands/keys-show.js";
import { registerLogin } from "./commands/login.js";
import { registerMembers } from "./commands/members.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerOrgs } from "./commands/orgs.js";
import { registerProjects, registerRoles } from "./commands/roles.js";
import { registerSecrets } from "./commands/secrets.js";
import { registerServe } from "./commands/serve.js";
import { registerServiceAccounts } from "./commands/service-accounts.js";
import { registerVaultRotate } from "./commands/vault-rotate.js";
import { registerVerify } from "./commands/verify.js";
import { registerWebhooksCreate } from "./commands/webhooks-create.js";
import { registerWebhooksDelete } from "./commands/webhooks-delete.js";
import { registerWebhooksDeliveries } from "./commands/webhooks-deliveries.js";
import { registerWebhooksList } from "./commands/webhooks-list.js";
import type { Io } from "./io.js";
import { CliError } from "./remote.js";

/** The `latchkey` command with every subcommand. */
export function createProgram(io: Io): Command {
  const program = new Command("latchkey")
    .description("Latchkey: API keys as a product. Remote commands use LATCHKEY_TOKEN (or latchkey login) and --url.")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  registerServe(program, io);
  registerMigrate(program, io);
  registerVerify(program, io);
  registerLogin(program, io);
  const keys = program
    .command("keys")
    .description("create, list, show, revoke, regenerate, disable, enable and delete keys; publishable keys");
  registerKeysCreate(keys, io);
  registerKeysList(keys, io);
  registerKeysShow(keys, io);
  registerKeysRegenerate(keys, io);
  registerKeysChange(keys, io);
  const publishable = registerKeysPublishable(keys, io);
  const audit = program.command("audit").description("export the audit log, and verify its hash chain");
  registerAuditExport(audit, io);
  registerAuditVerify(audit, io);
  const orgs = registerOrgs(program, io);
  const members = registerMembers(program, io);
  const roles = registerRoles(program, io);
  const projects = registerProjects(program, io);
  const groupsCommand = registerGroups(program, io);
  const serviceAccounts = registerServiceAccounts(program, io);
  const secrets = program.command("secrets").description("list, create, show and delete the org's vault secrets");
  registerSecrets(secrets, io);
  const vault = program.command("vault").description("operate the vault on the database: rotate the master key");
  registerVaultRotate(vault, io);
  const webhooks = program
    .command("webhooks")
    .description("list, create and delete webhook endpoints; show and redeliver their deliveries");
  registerWebhooksList(webhooks, io);
  registerWebhooksCreate(webhooks, io);
  registerWebhooksDelete(webhooks, io);
  registerWebhooksDeliveries(webhooks, io);
  const groups = [
    keys,
    audit,
    orgs,
    members,
    groupsCommand,
    serviceAccounts,
    roles,
    projects,
    secrets,
    vault,
    webhooks,
  ];
  const nested = [...publishable.commands];
  for (const command of [
    program,
    ...groups,
    ...groups.flatMap((group) => group.commands),
    ...nested,
    ...program.commands,
  ]) {
    command.exitOverride();
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  // A command reports a failed outcome (such as an invalid key) through process.exitCode; each run
  // starts from a clean one and leaves the process's own as it found it.
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await createProgram(io).parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) io.err(`error: ${error.message}`);
    else if (error instanceof LatchkeyApiError) io.err(`error: ${error.status} ${error.code}: ${error.detail}`);
    else if (error instanceof TypeError && /fetch failed/.test(error.message))
      io.err("error: cannot reach the server (is latchkey serve running? check --url)");
    else io.err(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    process.exitCode = before;
  }
}
