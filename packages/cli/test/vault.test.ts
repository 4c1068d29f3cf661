import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type RunningServer, startServer } from "@latchkey/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliServer, cli, field, json, startCliServer } from "./helpers.js";

// The vault from the command line: `latchkey secrets …` remotely, and `latchkey vault
// rotate-master-key` on the database, which keeps every secret readable under the new key only.
let s: CliServer;
let env: NodeJS.ProcessEnv;
let databaseUrl: string;
const values = new Map<string, string>();

beforeAll(async () => {
  s = await startCliServer();
  env = { LATCHKEY_TOKEN: s.token, LATCHKEY_URL: s.url };
  databaseUrl = `sqlite:${join(s.dir, "x.db")}`;
});

afterAll(async () => {
  await s?.close();
});

async function createFromFile(name: string, value: string) {
  const file = join(s.dir, `${name.replace(/\W/g, "_")}.txt`);
  writeFileSync(file, `${value}\n`);
  const created = await cli(["secrets", "create", name, "--value-file", file, "--json"], env);
  expect(created.code, created.stderr).toBe(0);
  const id = json<{ data: { id: string } }>(created).data.id;
  values.set(id, value);
  return id;
}

describe("latchkey secrets", () => {
  test("create from a file or a variable, list, show, reveal and delete", async () => {
    const id = await createFromFile("stripe/live", "sk_live_cli_value");
    const fromEnv = await cli(["secrets", "create", "from-env", "--value-env", "MY_VALUE"], {
      ...env,
      MY_VALUE: "value from env",
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(field(fromEnv, "name")).toBe("from-env");
    expect(fromEnv.stdout).not.toContain("value from env");
    values.set(field(fromEnv, "id") as string, "value from env");

    const listed = await cli(["secrets", "list"], env);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(/^ID\s+NAME\s+CREATED\s+CREATED BY$/);
    expect(listed.stdout).toContain("stripe/live");
    expect(listed.stdout).not.toContain("sk_live_cli_value");
    const shown = await cli(["secrets", "show", id], env);
    expect(field(shown, "name")).toBe("stripe/live");
    expect(shown.stdout).not.toContain("sk_live_cli_value");
    const revealed = await cli(["secrets", "show", id, "--reveal"], env);
    expect(revealed.code, revealed.stderr).toBe(0);
    expect(revealed.stdout).toBe("sk_live_cli_value");
    const asJson = await cli(["secrets", "show", id, "--reveal", "--json"], env);
    expect(json<{ data: { attributes: { value: string } } }>(asJson).data.attributes.value).toBe("sk_live_cli_value");

    const doomed = await createFromFile("doomed", "to be deleted");
    const deleted = await cli(["secrets", "delete", doomed], env);
    expect(deleted.stdout).toBe(`deleted ${doomed}`);
    values.delete(doomed);
    const gone = await cli(["secrets", "show", doomed], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("404 NOT_FOUND");
  });

  test("a value is never taken from the command line; a taken name is a 409", async () => {
    const none = await cli(["secrets", "create", "x"], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("--value-file");
    const missing = await cli(["secrets", "create", "x", "--value-env", "NOT_SET_ANYWHERE"], env);
    expect(missing.stderr).toContain("NOT_SET_ANYWHERE is not set");
    await createFromFile("unique-name", "first");
    const file = join(s.dir, "second.txt");
    writeFileSync(file, "second");
    const again = await cli(["secrets", "create", "unique-name", "--value-file", file], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("409 CONFLICT");
  });

  test("keys create --save-to-vault stores the new key in the vault", async () => {
    const created = await cli(
      ["keys", "create", "--name", "vaulted", "--expires-in", "30d", "--save-to-vault", "ci/vaulted", "--json"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const key = json<{ data: { attributes: { key: string } } }>(created).data.attributes.key;
    const listed = json<{ data: { id: string; attributes: { name: string } }[] }>(
      await cli(["secrets", "list", "--json"], env),
    );
    const saved = listed.data.find((secret) => secret.attributes.name === "ci/vaulted");
    expect(saved).toBeDefined();
    expect((await cli(["secrets", "show", saved?.id as string, "--reveal"], env)).stdout).toBe(key);
    values.set(saved?.id as string, key);
  });

  test("keys regenerate --save-to-vault stores the new secret under a new name", async () => {
    const created = await cli(["keys", "create", "--name", "rotating", "--expires-in", "30d", "--json"], env);
    const id = json<{ data: { id: string } }>(created).data.id;
    const regenerated = await cli(["keys", "regenerate", id, "--save-to-vault", "rotating/v2", "--json"], env);
    expect(regenerated.code, regenerated.stderr).toBe(0);
    const key = json<{ data: { attributes: { key: string } } }>(regenerated).data.attributes.key;
    const listed = json<{ data: { id: string; attributes: { name: string } }[] }>(
      await cli(["secrets", "list", "--json"], env),
    );
    const saved = listed.data.find((secret) => secret.attributes.name === "rotating/v2");
    expect((await cli(["secrets", "show", saved?.id as string, "--reveal"], env)).stdout).toBe(key);
    values.set(saved?.id as string, key);
  });
});

describe("latchkey vault rotate-master-key", () => {
  const local = () => ({ LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_LOG_LEVEL: "silent" });
  let restarted: RunningServer | undefined;

  afterAll(async () => {
    await restarted?.close();
  });

  async function restart(extra: Record<string, string> = {}): Promise<RunningServer> {
    const config = loadConfig({ ...local(), LATCHKEY_PORT: "0", ...extra });
    return startServer(config, { print: () => {} });
  }

  async function expectAllReadable(url: string) {
    for (const [id, value] of values) {
      const revealed = await cli(["secrets", "show", id, "--reveal"], { ...env, LATCHKEY_URL: url });
      expect(revealed.stdout, revealed.stderr).toBe(value);
    }
  }

  test("re-wraps the data keys under a new generated key file; every secret stays readable; the old key fails", async () => {
    expect(values.size).toBeGreaterThanOrEqual(3);
    await s.server.close();
    const keyFile = join(s.dir, "master.key");
    const oldKey = readFileSync(keyFile, "utf8").trim();
    const rowsBefore = await secretRows();

    const refused = await cli(["vault", "rotate-master-key"], local());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--generate");

    const rotated = await cli(["vault", "rotate-master-key", "--generate"], local());
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.out[0]).toBe("re-wrapped 1 data keys of 1 orgs under the new master key; secrets untouched");
    const newKey = readFileSync(keyFile, "utf8").trim();
    expect(newKey).not.toBe(oldKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${keyFile}.new`)).toBe(false);
    expect(rotated.stdout).not.toContain(newKey);
    expect(await secretRows()).toEqual(rowsBefore);

    // The old key no longer starts the node, with the start-up message `latchkey serve` prints.
    const served = await cli(["serve"], { ...local(), LATCHKEY_PORT: "0", LATCHKEY_MASTER_KEY: oldKey });
    expect(served.code).toBe(1);
    expect(served.stderr).toMatch(/LATCHKEY_MASTER_KEY: .*does not open this database's vault/);
    expect(served.stderr).not.toContain(oldKey);

    restarted = await restart();
    await expectAllReadable(restarted.url);
    await restarted.close();
    restarted = undefined;

    // A key given in the environment rotates to the one in LATCHKEY_NEW_MASTER_KEY; the file is left alone.
    const next = randomBytes(32).toString("hex");
    const byEnv = await cli(["vault", "rotate-master-key", "--json"], {
      ...local(),
      LATCHKEY_MASTER_KEY: newKey,
      LATCHKEY_NEW_MASTER_KEY: next,
    });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(json<{ data: unknown }>(byEnv).data).toEqual({ dataKeys: 1, orgs: 1, key_file: null });
    expect(readFileSync(keyFile, "utf8").trim()).toBe(newKey);
    const stale = await cli(["vault", "rotate-master-key", "--generate"], local());
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("does not open");
    restarted = await restart({ LATCHKEY_MASTER_KEY: next });
    await expectAllReadable(restarted.url);
  });

  test("a malformed new key is refused before anything changes", async () => {
    const bad = await cli(["vault", "rotate-master-key"], { ...local(), LATCHKEY_NEW_MASTER_KEY: "too-short" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("LATCHKEY_NEW_MASTER_KEY must be 32 random bytes");
    expect(bad.stderr).not.toContain("too-short");
  });
});

async function secretRows(): Promise<unknown[]> {
  const { default: SQLite } = await import("better-sqlite3");
  const db = new SQLite(databaseUrl.slice("sqlite:".length), { readonly: true });
  try {
    return db.prepare("select id, name, ciphertext, nonce, auth_tag, key_version from vault_secrets order by id").all();
  } finally {
    db.close();
  }
}
