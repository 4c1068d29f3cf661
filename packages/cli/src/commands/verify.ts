import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson } from "../output.js";
import { CliError, clientFor, type RemoteOptions } from "../remote.js";
import { withRemoteOptions } from "./remote-options.js";

interface VerifyOptions extends RemoteOptions {
  permission: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

/** `latchkey verify <key>`: verifies a key of the token's org (`-` reads the key from standard input). */
export function registerVerify(program: Command, io: Io): void {
  withRemoteOptions(
    program
      .command("verify <key>")
      .description("verify a key of your org; pass - to read the key from standard input")
      .option("--permission <permission>", "a permission the key must hold (repeatable)", collect, []),
  ).action(async (key: string, options: VerifyOptions) => {
    const secret = key === "-" ? await readStdin() : key;
    if (secret.length === 0) throw new CliError("No key given.");
    const client = clientFor(io, options);
    const result = await client.verify(secret, options.permission.length > 0 ? options.permission : undefined);
    if (options.json) printJson(io, result);
    else {
      io.out(`valid:       ${result.valid}`);
      io.out(`code:        ${result.code}`);
      if (result.key_id) io.out(`key id:      ${result.key_id}`);
      if (result.owner) io.out(`owner:       ${result.owner.type} ${result.owner.id}`);
      if (result.environment) io.out(`environment: ${result.environment}`);
      if (result.key_id) io.out(`permissions: ${result.permissions.join(", ") || "-"}`);
    }
    if (!result.valid) process.exitCode = 1;
  });
}
