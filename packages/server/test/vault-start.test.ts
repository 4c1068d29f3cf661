import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ConfigError, loadConfig, type RunningServer, startServer } from "../src/index.js";

// SPEC §6: LATCHKEY_MASTER_KEY, or a key generated into the data folder (0600) on the embedded default;
// a wrong key stops `latchkey serve` (startServer) with a message naming the setting.
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-vault-start-"));
  dirs.push(dir);
  return dir;
}

const newKey = () => randomBytes(32).toString("base64");

async function start(env: Record<string, string>): Promise<{ server: RunningServer; printed: string[] }> {
  const printed: string[] = [];
  const config = loadConfig({ LATCHKEY_PORT: "0", LATCHKEY_LOG_LEVEL: "silent", ...env });
  const server = await startServer(config, { print: (line) => printed.push(line) });
  return { server, printed };
}

async function startFailure(env: Record<string, string>): Promise<Error> {
  const outcome = await start(env).then(
    async ({ server }) => {
      await server.close();
      return new Error("the server started");
    },
    (error: unknown) => error as Error,
  );
  expect(outcome).toBeInstanceOf(ConfigError);
  return outcome;
}

async function storeAndReveal(server: RunningServer, token: string, value: string | null): Promise<string> {
  const self = await fetch(`${server.url}/rest/self?version=2024-06-10`, {
    headers: { authorization: `token ${token}` },
  });
  const orgId = ((await self.json()) as { data: { attributes: { default_org_context: string } } }).data.attributes
    .default_org_context;
  const url = `${server.url}/rest/orgs/${orgId}/secrets`;
  const headers = { authorization: `token ${token}`, "content-type": "application/vnd.api+json" };
  if (value !== null) {
    const created = await fetch(`${url}?version=2024-06-10`, {
      method: "POST",
      headers,
      body: JSON.stringify({ data: { type: "secret", attributes: { name: "kept", value } } }),
    });
    expect(created.status).toBe(201);
  }
  const listed = (await (await fetch(`${url}?version=2024-06-10`, { headers })).json()) as { data: { id: string }[] };
  const revealed = await fetch(`${url}/${listed.data[0]?.id}?version=2024-06-10&reveal=true`, { headers });
  expect(revealed.status).toBe(200);
  return ((await revealed.json()) as { data: { attributes: { value: string } } }).data.attributes.value;
}

function tokenOf(printed: string[]): string {
  const line = printed.find((l) => l.startsWith("owner token: "));
  if (line === undefined) throw new Error("no owner token printed");
  return line.slice("owner token: ".length);
}

describe("the master key at start", () => {
  test("on the embedded default, a key file is generated (0600) beside the database and used again", async () => {
    const dir = tempDir();
    const env = { LATCHKEY_DATABASE_URL: `sqlite:${join(dir, "data", "latchkey.db")}` };
    const first = await start(env);
    const token = tokenOf(first.printed);
    expect(first.printed).toContainEqual(
      expect.stringMatching(/^vault master key generated in .*master\.key \(mode 0600\)/),
    );
    const file = join(dir, "data", "master.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, "utf8").trim(), "base64")).toHaveLength(32);
    try {
      expect(await storeAndReveal(first.server, token, "kept across restarts")).toBe("kept across restarts");
    } finally {
      await first.server.close();
    }
    const contents = readFileSync(file, "utf8");
    const second = await start(env);
    try {
      expect(readFileSync(file, "utf8")).toBe(contents);
      expect(await storeAndReveal(second.server, token, null)).toBe("kept across restarts");
    } finally {
      await second.server.close();
    }
  });

  test("a wrong LATCHKEY_MASTER_KEY stops the start with a message naming the setting, never the key", async () => {
    const dir = tempDir();
    const databaseUrl = `sqlite:${join(dir, "latchkey.db")}`;
    const right = newKey();
    const first = await start({ LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_MASTER_KEY: right });
    await first.server.close();
    const wrong = newKey();
    const error = await startFailure({ LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_MASTER_KEY: wrong });
    expect(error.message).toMatch(/^Latchkey cannot start/);
    expect(error.message).toMatch(/LATCHKEY_MASTER_KEY: .*does not open this database's vault/);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(right);
    // The right key still starts it.
    const again = await start({ LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_MASTER_KEY: right });
    await again.server.close();
  });

  test("a replaced key file stops the start and names the file", async () => {
    const dir = tempDir();
    const env = { LATCHKEY_DATABASE_URL: `sqlite:${join(dir, "latchkey.db")}` };
    await (await start(env)).server.close();
    writeFileSync(join(dir, "master.key"), `${newKey()}\n`);
    const error = await startFailure(env);
    expect(error.message).toContain(join(dir, "master.key"));
    expect(error.message).toMatch(/does not open this database's vault/);
    writeFileSync(join(dir, "master.key"), "not a key\n");
    expect((await startFailure(env)).message).toMatch(/does not hold a 32-byte key/);
    // A lost key file is not replaced by a new key that could never open the vault.
    rmSync(join(dir, "master.key"));
    expect((await startFailure(env)).message).toMatch(/master\.key is missing .*restore the file from your backup/);
    expect(existsSync(join(dir, "master.key"))).toBe(false);
  });

  test("PostgreSQL without LATCHKEY_MASTER_KEY does not start, and says how to make one", async () => {
    const error = await startFailure({ LATCHKEY_DATABASE_URL: "postgres://latchkey@127.0.0.1:1/none" });
    expect(error.message).toMatch(/LATCHKEY_MASTER_KEY: is required with a PostgreSQL database/);
    expect(error.message).toContain("openssl rand -base64 32");
  });

  test.each(["short", "a".repeat(63), randomBytes(16).toString("base64"), randomBytes(31).toString("hex")])(
    "LATCHKEY_MASTER_KEY=%s is refused by the configuration, without repeating it",
    (value) => {
      let error: unknown;
      try {
        loadConfig({ LATCHKEY_MASTER_KEY: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/LATCHKEY_MASTER_KEY: must be 32 random bytes written as base64/);
      expect((error as Error).message).not.toContain(value);
    },
  );

  test("keys of 32 bytes as base64 or hex are accepted", () => {
    const bytes = randomBytes(32);
    for (const value of [bytes.toString("base64"), bytes.toString("hex"), bytes.toString("base64url")]) {
      expect(loadConfig({ LATCHKEY_MASTER_KEY: value }).masterKey).toBe(value);
    }
  });
});
