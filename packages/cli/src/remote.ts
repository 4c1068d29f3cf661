import { LatchkeyClient } from "@latchkey/sdk";
import { readCredentials } from "./credentials-file.js";
import type { Io } from "./io.js";

/** Options every remote command takes. */
export interface RemoteOptions {
  url?: string;
  org?: string;
  json?: boolean;
}

/** A usage problem that the CLI reports without a stack trace. */
export class CliError extends Error {}

/**
 * The client for a remote command: `--url` (or LATCHKEY_URL, default http://127.0.0.1:8080) and
 * LATCHKEY_TOKEN, or else what `latchkey login` saved. The token is read only from the environment or
 * that file, so it never shows in the process list.
 */
export function clientFor(io: Io, options: RemoteOptions): LatchkeyClient {
  const fromEnv = io.env.LATCHKEY_TOKEN;
  const saved = fromEnv === undefined || fromEnv === "" ? readCredentials(io.env) : null;
  const token = saved?.token ?? fromEnv;
  if (token === undefined || token === "") {
    throw new CliError(
      "Set LATCHKEY_TOKEN to a personal token or key (latchkey serve prints one on first start), or run latchkey login.",
    );
  }
  const url = options.url ?? io.env.LATCHKEY_URL ?? saved?.url ?? "http://127.0.0.1:8080";
  // A saved token goes only to the server it was saved for.
  if (saved !== null && url.replace(/\/+$/, "") !== saved.url.replace(/\/+$/, "")) {
    throw new CliError(`The saved login is for ${saved.url}; run latchkey login --url ${url}, or set LATCHKEY_TOKEN.`);
  }
  return new LatchkeyClient({ url, token });
}

/** The org a command acts in: `--org`, or the org of the credential. */
export async function orgFor(client: LatchkeyClient, options: RemoteOptions): Promise<string> {
  if (options.org !== undefined) return options.org;
  const self = await client.self();
  // An OAuth access token has no api_key: its service account names the org.
  return self.meta.api_key?.attributes.org_id ?? String(self.data.attributes.org_id);
}
