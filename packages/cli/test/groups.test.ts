import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliServer, cli, startCliServer } from "./helpers.js";

// `latchkey groups`, `latchkey orgs create` and `latchkey members --group` against a real server.
let s: CliServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  s = await startCliServer();
  env = { LATCHKEY_TOKEN: s.token, LATCHKEY_URL: s.url };
  const db = new SQLite(join(s.dir, "x.db"));
  db.prepare("insert into users (id, email, name, password_hash, created_at) values (?, ?, ?, null, ?)").run(
    "0196f000-0000-7000-8000-000000000002",
    "robin@example.test",
    "Robin",
    new Date().toISOString(),
  );
  db.close();
});
afterAll(() => s?.close());

describe("latchkey groups and orgs create", () => {
  test("creates an org in the credential's group and lists the group's orgs", async () => {
    const groups = await cli(["groups", "list", "--json"], env);
    expect(groups.code, groups.stderr).toBe(0);
    const [group] = JSON.parse(groups.stdout).data;
    expect(group.type).toBe("group");
    const created = await cli(["orgs", "create", "--name", "Staging workspace", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const org = JSON.parse(created.stdout).data;
    expect(org.attributes.group_id).toBe(group.id);
    const explicit = await cli(["orgs", "create", "--name", "Another", "--group", group.id], env);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stdout).toContain("Another");
    const orgs = await cli(["groups", "orgs"], env);
    expect(orgs.code, orgs.stderr).toBe(0);
    expect(orgs.stdout).toContain(org.id);
    expect(orgs.stdout).toContain("Another");
    const unknown = await cli(["groups", "orgs", "0196f000-0000-7000-8000-0000000000ff"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("404 NOT_FOUND");
  });

  test("members --group adds, changes, lists and removes group members", async () => {
    const added = await cli(["members", "add", "robin@example.test", "admin", "--group", "--json"], env);
    expect(added.code, added.stderr).toBe(0);
    const member = JSON.parse(added.stdout).data;
    expect(member.type).toBe("group_membership");
    const changed = await cli(["members", "set-role", member.id, "viewer", "--group"], env);
    expect(changed.stdout).toMatch(/robin@example\.test\s+Robin\s+viewer/);
    expect((await cli(["members", "list", "--group"], env)).stdout).toContain("robin@example.test");
    // Without --group, the org's members: Robin is not one.
    expect((await cli(["members", "list"], env)).stdout).not.toContain("robin@example.test");
    expect((await cli(["members", "remove", member.id, "--group"], env)).code).toBe(0);
    expect((await cli(["members", "list", "--group"], env)).stdout).not.toContain("robin@example.test");
  });
});
