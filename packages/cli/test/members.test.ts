import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliServer, cli, startCliServer } from "./helpers.js";

// `latchkey orgs` and `latchkey members` against a real server.
let s: CliServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  s = await startCliServer();
  env = { LATCHKEY_TOKEN: s.token, LATCHKEY_URL: s.url };
  // A second person with an account (the memberships API adds existing users; invitations bring new ones).
  const db = new SQLite(join(s.dir, "x.db"));
  db.prepare("insert into users (id, email, name, password_hash, created_at) values (?, ?, ?, null, ?)").run(
    "0196f000-0000-7000-8000-000000000001",
    "dana@example.test",
    "Dana",
    new Date().toISOString(),
  );
  db.close();
});
afterAll(() => s?.close());

describe("latchkey orgs", () => {
  test("list and show the credential's org", async () => {
    const list = await cli(["orgs", "list", "--json"], env);
    expect(list.code, list.stderr).toBe(0);
    const [org] = JSON.parse(list.stdout).data;
    expect(org.type).toBe("org");
    const show = await cli(["orgs", "show", org.id], env);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(org.attributes.name);
  });
});

describe("latchkey members", () => {
  test("add, set-role, list and remove", async () => {
    const added = await cli(["members", "add", "dana@example.test", "member", "--json"], env);
    expect(added.code, added.stderr).toBe(0);
    const id = JSON.parse(added.stdout).data.id as string;
    const changed = await cli(["members", "set-role", id, "viewer"], env);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/dana@example\.test\s+Dana\s+viewer/);
    const list = await cli(["members", "list"], env);
    expect(list.stdout).toMatch(/dana@example\.test/);
    expect(list.stdout).toMatch(/owner/);
    expect((await cli(["members", "remove", id], env)).code).toBe(0);
    expect((await cli(["members", "list"], env)).stdout).not.toContain("dana@example.test");
  });

  test("errors are reported with the API's code and exit 1", async () => {
    const unknown = await cli(["members", "add", "nobody@example.test", "viewer"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("404 NOT_FOUND");
    const badRole = await cli(["members", "add", "dana@example.test", "emperor"], env);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain("400");
  });
});

describe("latchkey roles and projects", () => {
  test("a custom role and a project, a key bound to the role at the project, then both deleted", async () => {
    const role = await cli(["roles", "create", "deployer", "--permission", "deploys:write", "--json"], env);
    expect(role.code, role.stderr).toBe(0);
    const roleId = JSON.parse(role.stdout).data.id as string;
    const listed = await cli(["roles", "list"], env);
    expect(listed.stdout).toMatch(/deployer\s+no\s+deploys:write/);
    expect(listed.stdout).toMatch(/owner\s+owner\s+yes/);
    const project = await cli(["projects", "create", "web", "--json"], env);
    expect(project.code, project.stderr).toBe(0);
    const scope = JSON.parse(project.stdout).data.attributes.scope as string;
    expect((await cli(["projects", "list"], env)).stdout).toContain(scope);
    const key = await cli(
      ["keys", "create", "--name", "deploy", "--expires-in", "1d", "--role", `deployer@${scope}`, "--json"],
      env,
    );
    expect(key.code, key.stderr).toBe(0);
    const created = JSON.parse(key.stdout).data;
    expect(created.attributes.roles).toEqual([{ role: "deployer", scope }]);
    const badPair = await cli(["keys", "create", "--name", "x", "--expires-in", "1d", "--role", "deployer"], env);
    expect(badPair.code).toBe(1);
    expect(badPair.stderr).toContain("role@scope");
    const held = await cli(["roles", "delete", roleId], env);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain("409");
    expect((await cli(["keys", "revoke", created.id], env)).code).toBe(0);
    expect((await cli(["roles", "delete", roleId], env)).code).toBe(0);
    expect((await cli(["projects", "delete", scope.slice("project:".length)], env)).code).toBe(0);
  });
});
