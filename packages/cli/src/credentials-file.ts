import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** What `latchkey login` saves: the server and the token for remote commands. */
export interface SavedCredentials {
  url: string;
  token: string;
}

/** Where `latchkey login` saves: `$XDG_CONFIG_HOME/latchkey/credentials.json` (or under `~/.config`). */
export function credentialsPath(env: NodeJS.ProcessEnv): string | null {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, ".config") : "");
  return base === "" ? null : join(base, "latchkey", "credentials.json");
}

/** The saved credentials, or null when there are none (or the file is not what login writes). */
export function readCredentials(env: NodeJS.ProcessEnv): SavedCredentials | null {
  const path = credentialsPath(env);
  if (path === null) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<SavedCredentials>;
    return typeof parsed.url === "string" && typeof parsed.token === "string"
      ? { url: parsed.url, token: parsed.token }
      : null;
  } catch {
    return null;
  }
}

/** Saves the credentials readable by the user only (file 0600 in a 0700 folder). */
export function writeCredentials(env: NodeJS.ProcessEnv, credentials: SavedCredentials): string {
  const path = credentialsPath(env);
  if (path === null) throw new Error("Set HOME or XDG_CONFIG_HOME: there is nowhere to save the login.");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Written with mode 0600 from the start, and chmod'ed in case an older file had looser bits.
  writeFileSync(path, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** Removes the saved credentials; true when there were some. */
export function removeCredentials(env: NodeJS.ProcessEnv): boolean {
  const path = credentialsPath(env);
  if (path === null || readCredentials(env) === null) return false;
  rmSync(path, { force: true });
  return true;
}
