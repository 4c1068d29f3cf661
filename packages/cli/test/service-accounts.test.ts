import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliServer, cli, startCliServer } from "./helpers.js";

// `latchkey service-accounts` against a real server: an org's accounts (API-key and OAuth2) and a group's.
let s: CliServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  s = await startCliServer();
  env = { LATCHKEY_TOKEN: s.token, LATCHKEY_URL: s.url };
});
afterAll(() => s?.close());

describe("latchkey service-accounts", () => {
  test("creates, lists, changes and deletes an org's account; its key stops working with it", async () => {
    const created = await cli(["service-accounts", "create", "ci-deployer", "member", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const account = JSON.parse(created.stdout).data;
    expect(account.attributes).toMatchObject({ name: "ci-deployer", role: "member", auth_type: "api_key" });
    const key = await cli(
      ["keys", "create", "--name", "deploy", "--expires-in", "30d", "--service-account", account.id, "--json"],
      env,
    );
    expect(key.code, key.stderr).toBe(0);
    const secret = JSON.parse(key.stdout).data.attributes.key as string;
    expect((await cli(["verify", secret], env)).code).toBe(0);

    const listed = await cli(["service-accounts", "list"], env);
    expect(listed.stdout).toMatch(new RegExp(`${account.id}\\s+ci-deployer\\s+member\\s+api_key`));
    const changed = await cli(["service-accounts", "update", account.id, "--name", "ci", "--role", "viewer"], env);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/ci\s+viewer/);
    expect((await cli(["service-accounts", "update", account.id], env)).stderr).toContain("give --name or --role");

    expect((await cli(["service-accounts", "delete", account.id], env)).stdout).toContain(`deleted ${account.id}`);
    expect((await cli(["service-accounts", "list"], env)).stdout).not.toContain(account.id);
    expect((await cli(["verify", secret], env)).code).not.toBe(0);
  });

  test("an OAuth2 client account prints its client secret once, and only on create", async () => {
    const created = await cli(
      ["service-accounts", "create", "billing-app", "viewer", "--oauth", "--token-ttl", "600"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/billing-app\s+viewer\s+oauth_client_secret/);
    expect(created.stdout).toMatch(/client secret \(shown once\): \S+/);
    const listed = await cli(["service-accounts", "list", "--json"], env);
    const account = JSON.parse(listed.stdout).data.find(
      (a: { attributes: { name: string } }) => a.attributes.name === "billing-app",
    );
    expect(account.attributes.client_id).toEqual(expect.any(String));
    expect(account.attributes).not.toHaveProperty("client_secret");
    expect(account.attributes.access_token_ttl_seconds).toBe(600);
  });

  test("--group acts on the group's accounts, which use API keys", async () => {
    const created = await cli(["service-accounts", "create", "fleet-bot", "viewer", "--group", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const account = JSON.parse(created.stdout).data;
    expect(account.attributes.group_id).toEqual(expect.any(String));
    expect(account.attributes.org_id).toBeNull();
    expect((await cli(["service-accounts", "list", "--group"], env)).stdout).toContain(account.id);
    // An org's list does not hold the group's account.
    expect((await cli(["service-accounts", "list"], env)).stdout).not.toContain(account.id);
    const oauth = await cli(["service-accounts", "create", "x", "viewer", "--group", "--oauth"], env);
    expect(oauth.code).toBe(1);
    expect(oauth.stderr).toContain("use API keys");
    expect((await cli(["service-accounts", "delete", account.id, "--group"], env)).code).toBe(0);
    expect((await cli(["service-accounts", "list", "--group"], env)).stdout).not.toContain(account.id);
  });
});
