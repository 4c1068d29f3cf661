import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliServer, cli, startCliServer } from "./helpers.js";

let s: CliServer;
let home: string;

beforeAll(async () => {
  s = await startCliServer();
  home = mkdtempSync(join(tmpdir(), "latchkey-cli-home-"));
});
afterAll(async () => {
  await s?.close();
  rmSync(home, { recursive: true, force: true });
});

test("login saves the token with mode 0600; remote commands then need no LATCHKEY_TOKEN; logout forgets it", async () => {
  const env = { HOME: home };
  const refused = await cli(["keys", "list"], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("latchkey login");

  const bad = await cli(["login", "--url", s.url], { ...env, LATCHKEY_TOKEN: "lkp_wrong" });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("401");

  const login = await cli(["login", "--url", s.url], { ...env, LATCHKEY_TOKEN: s.token });
  expect(login.code, login.stderr).toBe(0);
  expect(login.stdout).toContain("logged in");
  expect(login.stdout).not.toContain(s.token);
  const path = join(home, ".config", "latchkey", "credentials.json");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(join(home, ".config", "latchkey")).mode & 0o777).toBe(0o700);
  expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ url: s.url, token: s.token });

  const listed = await cli(["keys", "list", "--json"], env);
  expect(listed.code, listed.stderr).toBe(0);
  // The saved token goes to no other server.
  const elsewhere = await cli(["keys", "list"], { ...env, LATCHKEY_URL: "http://127.0.0.1:9" });
  expect(elsewhere.code).toBe(1);
  expect(elsewhere.stderr).toContain("saved login is for");

  expect((await cli(["logout"], env)).stdout).toBe("logged out");
  expect((await cli(["keys", "list"], env)).code).toBe(1);
  expect((await cli(["logout"], env)).stdout).toBe("not logged in");
});
