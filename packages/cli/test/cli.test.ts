import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { run } from "../src/program.js";
import {
  type CliResult,
  type CliServer,
  capturingIo,
  cli,
  field,
  freePort,
  json,
  KEY_SHAPE,
  startCliServer,
} from "./helpers.js";

// SPEC §6: `latchkey keys …` and `latchkey verify` against a real server, with LATCHKEY_TOKEN and --url.
let s: CliServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  s = await startCliServer();
  env = { LATCHKEY_TOKEN: s.token, LATCHKEY_URL: s.url };
});

afterAll(async () => {
  await s?.close();
});

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

interface JsonKey {
  id: string;
  type: string;
  attributes: Record<string, unknown> & { key?: string; status: string; name: string; hint: string; labels: string[] };
}

/** Creates a service key through `keys create --json`; returns its id and secret. */
async function createKey(name: string, extra: string[] = []): Promise<{ id: string; key: string }> {
  const result = await cli(["keys", "create", "--name", name, "--expires-in", "30d", "--json", ...extra], env);
  expect(result.code, result.stderr).toBe(0);
  const data = resource(result);
  expect(typeof data.attributes.key).toBe("string");
  return { id: data.id, key: String(data.attributes.key) };
}

/**
 * The api_key resource of a `--json` answer. The JSON:API document (`{data: …}`, as `keys list --json`
 * prints it) is what the tests expect; the bare resource is accepted here so that the one test that
 * pins the shape ("--json returns data.attributes.key") is the only one that fails on it.
 */
function resource(result: CliResult): JsonKey {
  const body = json<{ data?: JsonKey } & Partial<JsonKey>>(result);
  return (body.data ?? body) as JsonKey;
}

/** Every full key the output holds. */
function keysIn(text: string): string[] {
  return text.match(KEY_SHAPE) ?? [];
}

function expectNoSecret(result: CliResult, secret?: string): void {
  expect(keysIn(result.stdout)).toEqual([]);
  expect(keysIn(result.stderr)).toEqual([]);
  if (secret !== undefined) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

describe("the server the tests drive", () => {
  test("its first start printed the owner lines once, with a personal token", () => {
    expect(s.printed.filter((l) => l.startsWith("owner email: "))).toHaveLength(1);
    expect(s.printed.filter((l) => l.startsWith("owner password: "))).toHaveLength(1);
    expect(s.printed.filter((l) => l.startsWith("owner token: "))).toHaveLength(1);
    expect(s.token).toMatch(/^lkp_[0-9A-Za-z]{49}$/);
  });
});

describe("help", () => {
  test("--help lists the commands and exits 0", async () => {
    const result = await cli(["--help"], {});
    expect(result.code).toBe(0);
    for (const command of ["serve", "migrate", "verify", "keys"]) expect(result.stdout).toContain(command);
    expect(result.stdout).toContain("Usage: latchkey");
  });

  test("keys --help lists every key command", async () => {
    const result = await cli(["keys", "--help"], {});
    expect(result.code).toBe(0);
    for (const command of ["create", "list", "show", "revoke", "regenerate", "disable", "enable", "delete"]) {
      expect(result.stdout).toMatch(new RegExp(`\\b${command}\\b`));
    }
  });

  test("keys create --help shows its options, and the remote options", async () => {
    const result = await cli(["keys", "create", "--help"], {});
    expect(result.code).toBe(0);
    for (const option of ["--name", "--expires-in", "--label", "--permission", "--url", "--org", "--json"]) {
      expect(result.stdout).toContain(option);
    }
  });

  test("verify --help mentions --permission and reading from standard input", async () => {
    const result = await cli(["verify", "--help"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--permission");
    expect(result.stdout).toContain("standard input");
  });

  test("an unknown command fails with a non-zero code", async () => {
    const result = await cli(["frobnicate"], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command/i);
  });

  test("there is no --token option: the token comes only from LATCHKEY_TOKEN", async () => {
    const result = await cli(["keys", "list", "--token", s.token], { LATCHKEY_URL: s.url });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown option/i);
    expect(result.stderr).not.toContain(s.token);
  });
});

describe("keys create", () => {
  test("prints the key's fields and its lks_ secret on one `key:` line, exactly once", async () => {
    const result = await cli(
      ["keys", "create", "--name", "ci deploy", "--expires-in", "30d", "--label", "ci", "--label", "team:core"],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const keyLines = result.out.filter((line) => line.startsWith("key:"));
    expect(keyLines).toHaveLength(1);
    const secret = field(result, "key") ?? "";
    expect(secret).toMatch(/^lks_[0-9A-Za-z]{49}$/);
    expect(keysIn(result.stdout)).toEqual([secret]);
    expect(result.stdout.split(secret)).toHaveLength(2);
    expect(result.stderr).not.toContain(secret);
    expect(field(result, "name")).toBe("ci deploy");
    expect(field(result, "kind")).toBe("service");
    expect(field(result, "status")).toBe("active");
    expect(field(result, "labels")).toBe("ci, team:core");
    expect(field(result, "id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(field(result, "hint")).toMatch(/^lks_.{4}….{4}$/);
    expect(result.stdout).toMatch(/only time the key is shown/);

    const verified = await cli(["verify", secret], env);
    expect(verified.code, verified.stdout).toBe(0);
    expect(field(verified, "code")).toBe("VALID");
    expect(field(verified, "key id")).toBe(field(result, "id"));
  });

  test("--json returns the JSON:API document with data.attributes.key", async () => {
    const result = await cli(["keys", "create", "--name", "json doc", "--expires-in", "1d", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const body = json<{ data?: JsonKey }>(result);
    // Like `keys list --json`, which prints the whole document ({jsonapi, data, links}).
    expect(body.data?.type).toBe("api_key");
    expect(body.data?.attributes.key).toMatch(/^lks_[0-9A-Za-z]{49}$/);
  });

  test("--json holds the created key, its secret once, in its environment", async () => {
    const result = await cli(
      ["keys", "create", "--name", "json key", "--expires-in", "1d", "--env", "test", "--json"],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const data = resource(result);
    expect(data.type).toBe("api_key");
    expect(data.attributes.name).toBe("json key");
    expect(data.attributes.environment).toBe("test");
    expect(data.attributes.key).toMatch(/^lks_test_[0-9A-Za-z]{49}$/);
    expect(keysIn(result.stdout)).toEqual([data.attributes.key]);
  });

  test("--permission, --metadata and --description reach the key", async () => {
    const result = await cli(
      [
        "keys",
        "create",
        "--name",
        "scoped",
        "--expires-in",
        "30d",
        "--permission",
        "api_keys:read",
        "--metadata",
        '{"team":"core"}',
        "--description",
        "for the dashboard",
        "--json",
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const attributes = resource(result).attributes;
    expect(attributes.permissions).toEqual(["api_keys:read"]);
    expect(attributes.metadata).toEqual({ team: "core" });
    expect(attributes.description).toBe("for the dashboard");
  });

  test("without --name it fails before any request", async () => {
    const result = await cli(["keys", "create", "--expires-in", "30d"], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--name");
  });

  test("without an expiry the org's default policy refuses it, and the message says why", async () => {
    const result = await cli(["keys", "create", "--name", "no expiry"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: 4\d\d /);
    expect(result.stderr).toContain("expires_in");
    expect(result.stdout).toBe("");
  });

  test("--metadata that is not JSON is a usage error", async () => {
    const result = await cli(["keys", "create", "--name", "bad", "--expires-in", "1h", "--metadata", "{nope"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: --metadata must be a JSON object.");
  });
});

describe("keys list", () => {
  let alpha: { id: string; key: string };
  let beta: { id: string; key: string };

  beforeAll(async () => {
    alpha = await createKey("list alpha", ["--label", "alpha"]);
    beta = await createKey("list beta", ["--label", "beta"]);
  });

  test("prints a table with a header and a row per key, without secrets", async () => {
    const result = await cli(["keys", "list"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.out[0]?.split(/\s+/)).toEqual(["ID", "NAME", "HINT", "KIND", "ENV", "STATUS", "LABELS", "EXPIRES"]);
    const row = result.out.find((line) => line.startsWith(alpha.id));
    expect(row).toBeDefined();
    expect(row).toContain("list alpha");
    expect(row).toContain("service");
    expect(row).toContain("live");
    expect(row).toContain("active");
    expect(row).toContain("alpha");
    expect(row).toContain(`${alpha.key.slice(0, 8)}…${alpha.key.slice(-4)}`);
    expect(result.out.some((line) => line.startsWith(beta.id))).toBe(true);
    // The owner's first-start token is in the org too.
    expect(result.stdout).toContain("Owner token (first start)");
    expectNoSecret(result, alpha.key);
    expect(result.stdout).not.toContain(s.token);
  });

  test("--label keeps only the keys with that label", async () => {
    const result = await cli(["keys", "list", "--label", "alpha"], env);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.out.slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.startsWith(alpha.id)).toBe(true);
    expect(result.stdout).not.toContain(beta.id);
  });

  test("--status keeps only the keys in that status", async () => {
    const key = await createKey("list disabled", ["--label", "status-filter"]);
    expect((await cli(["keys", "disable", key.id], env)).code).toBe(0);
    const disabled = await cli(["keys", "list", "--status", "disabled"], env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.out.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([key.id]);
    const active = await cli(["keys", "list", "--status", "active"], env);
    expect(active.code, active.stderr).toBe(0);
    expect(active.stdout).not.toContain(key.id);
    expect(active.stdout).toContain(alpha.id);
    for (const line of active.out.slice(1)) expect(line).toMatch(/\bactive\b/);
  });

  test("--json returns the list document, with no secret in it", async () => {
    const result = await cli(["keys", "list", "--label", "beta", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const body = json<{ data: JsonKey[]; links: Record<string, unknown> }>(result);
    expect(body.data.map((key) => key.id)).toEqual([beta.id]);
    expect(body.data[0]?.type).toBe("api_key");
    expect(body.data[0]?.attributes.key).toBeUndefined();
    expect(body.links).toBeDefined();
    expectNoSecret(result, beta.key);
  });

  test("--limit pages and says how to get the next page", async () => {
    const result = await cli(["keys", "list", "--limit", "1"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.out).toHaveLength(3);
    const more = result.out[2] ?? "";
    expect(more).toMatch(/^\(more: --starting-after [0-9a-f-]{36}\)$/);
    const after = more.replace(/^\(more: --starting-after /, "").replace(/\)$/, "");
    const next = await cli(["keys", "list", "--limit", "1", "--starting-after", after], env);
    expect(next.code, next.stderr).toBe(0);
    expect(next.out[1]?.startsWith(after)).toBe(false);
  });

  test("--org with the token's org works; another org is refused", async () => {
    const self = await cli(["keys", "show", alpha.id, "--json"], env);
    const orgId = String(resource(self).attributes.org_id);
    const ok = await cli(["keys", "list", "--org", orgId, "--label", "alpha"], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(alpha.id);
    const other = await cli(["keys", "list", "--org", "00000000-0000-4000-8000-000000000000"], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error: (403|404) /);
  });
});

describe("keys show", () => {
  test("prints the key's fields and never its secret", async () => {
    const key = await createKey("show me", ["--label", "shown", "--permission", "api_keys:read"]);
    const result = await cli(["keys", "show", key.id], env);
    expect(result.code, result.stderr).toBe(0);
    expect(field(result, "id")).toBe(key.id);
    expect(field(result, "name")).toBe("show me");
    expect(field(result, "status")).toBe("active");
    expect(field(result, "labels")).toBe("shown");
    expect(field(result, "permissions")).toBe("api_keys:read");
    expect(field(result, "hint")).toBe(`${key.key.slice(0, 8)}…${key.key.slice(-4)}`);
    expect(field(result, "key")).toBeUndefined();
    expectNoSecret(result, key.key);

    const asJson = await cli(["keys", "show", key.id, "--json"], env);
    expect(asJson.code, asJson.stderr).toBe(0);
    const data = resource(asJson);
    expect(data.id).toBe(key.id);
    expect(data.attributes.key).toBeUndefined();
    expectNoSecret(asJson, key.key);
  });

  test("an unknown id is a 404 with exit code 1", async () => {
    const result = await cli(["keys", "show", "00000000-0000-4000-8000-000000000000"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: 404 /);
  });
});

describe("disable, enable, revoke, delete", () => {
  test("disable makes verify say DISABLED; enable makes it VALID again", async () => {
    const key = await createKey("toggle");
    const disabled = await cli(["keys", "disable", key.id], env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(field(disabled, "status")).toBe("disabled");
    expectNoSecret(disabled, key.key);

    const whileDisabled = await cli(["verify", key.key], env);
    expect(whileDisabled.code).toBe(1);
    expect(field(whileDisabled, "valid")).toBe("false");
    expect(field(whileDisabled, "code")).toBe("DISABLED");

    const enabled = await cli(["keys", "enable", key.id, "--json"], env);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(resource(enabled).attributes.status).toBe("active");

    const afterEnable = await cli(["verify", key.key], env);
    expect(afterEnable.code).toBe(0);
    expect(field(afterEnable, "code")).toBe("VALID");
  });

  test("revoke is final: status revoked, verify REVOKED, enable refused", async () => {
    const key = await createKey("to revoke");
    const revoked = await cli(["keys", "revoke", key.id], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(field(revoked, "status")).toBe("revoked");

    const listed = await cli(["keys", "list", "--status", "revoked"], env);
    expect(listed.stdout).toContain(key.id);

    const enable = await cli(["keys", "enable", key.id], env);
    expect(enable.code).toBe(1);
    expect(enable.stderr).toMatch(/^error: 4\d\d /);
    const stillRevoked = await cli(["verify", key.key], env);
    expect(field(stillRevoked, "code")).toBe("REVOKED");
  });

  test("delete removes the key from lists and it stops working", async () => {
    const key = await createKey("to delete", ["--label", "deleted-one"]);
    const deleted = await cli(["keys", "delete", key.id], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`deleted ${key.id}`);

    const listed = await cli(["keys", "list", "--label", "deleted-one"], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(key.id);

    const verified = await cli(["verify", key.key], env);
    expect(verified.code).toBe(1);
    expect(field(verified, "valid")).toBe("false");
  });

  test("delete --json answers {id, deleted: true}", async () => {
    const key = await createKey("to delete json");
    const deleted = await cli(["keys", "delete", key.id, "--json"], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(json(deleted)).toEqual({ id: key.id, deleted: true });
  });
});

describe("keys regenerate", () => {
  test("--grace 60 prints a new key once; old and new both verify VALID right after", async () => {
    const key = await createKey("rotate with grace");
    const result = await cli(["keys", "regenerate", key.id, "--grace", "60"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.out.filter((line) => line.startsWith("key:"))).toHaveLength(1);
    const fresh = field(result, "key") ?? "";
    expect(fresh).toMatch(/^lks_[0-9A-Za-z]{49}$/);
    expect(fresh).not.toBe(key.key);
    expect(keysIn(result.stdout)).toEqual([fresh]);
    expect(result.stdout).not.toContain(key.key);
    expect(field(result, "id")).toBe(key.id);
    expect(result.stdout).toMatch(/only time the new key is shown/);

    for (const secret of [key.key, fresh]) {
      const verified = await cli(["verify", secret], env);
      expect(verified.code, `${verified.stdout}\n${verified.stderr}`).toBe(0);
      expect(field(verified, "code")).toBe("VALID");
      expect(field(verified, "key id")).toBe(key.id);
    }
  });

  test("without --grace the old secret stops at once", async () => {
    const key = await createKey("rotate now");
    const result = await cli(["keys", "regenerate", key.id, "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const data = resource(result);
    expect(data.id).toBe(key.id);
    const fresh = String(data.attributes.key);
    expect(fresh).toMatch(/^lks_/);
    expect(fresh).not.toBe(key.key);

    const old = await cli(["verify", key.key], env);
    expect(old.code).toBe(1);
    expect(field(old, "valid")).toBe("false");
    const now = await cli(["verify", fresh], env);
    expect(now.code).toBe(0);
    expect(field(now, "code")).toBe("VALID");
  });

  test("a bad --grace is a usage error", async () => {
    const key = await createKey("bad grace");
    for (const grace of ["-1", "1.5", "soon"]) {
      const result = await cli(["keys", "regenerate", key.id, "--grace", grace], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("error: --grace must be a whole number of seconds.");
    }
    const tooLong = await cli(["keys", "regenerate", key.id, "--grace", String(8 * 24 * 3600)], env);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/^error: 4\d\d /);
    // The refused attempts left the key as it was.
    expect(field(await cli(["verify", key.key], env), "code")).toBe("VALID");
  });
});

describe("verify", () => {
  test("a valid key: exit 0, VALID and the key's details", async () => {
    const key = await createKey("verify me", ["--permission", "api_keys:read"]);
    const result = await cli(["verify", key.key], env);
    expect(result.code, result.stderr).toBe(0);
    expect(field(result, "valid")).toBe("true");
    expect(field(result, "code")).toBe("VALID");
    expect(field(result, "key id")).toBe(key.id);
    expect(field(result, "owner")).toMatch(/^org\b/);
    expect(field(result, "environment")).toBe("live");
    expect(field(result, "permissions")).toBe("api_keys:read");
    expectNoSecret(result, key.key);
  });

  test("--json prints the verification", async () => {
    const key = await createKey("verify json");
    const result = await cli(["verify", key.key, "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const body = json<{ valid: boolean; code: string; key_id: string }>(result);
    expect(body.valid).toBe(true);
    expect(body.code).toBe("VALID");
    expect(body.key_id).toBe(key.id);
    expectNoSecret(result, key.key);
  });

  test("a revoked key: exit 1 and REVOKED", async () => {
    const key = await createKey("verify revoked");
    expect((await cli(["keys", "revoke", key.id], env)).code).toBe(0);
    const result = await cli(["verify", key.key], env);
    expect(result.code).toBe(1);
    expect(field(result, "valid")).toBe("false");
    expect(field(result, "code")).toBe("REVOKED");
    const asJson = await cli(["verify", key.key, "--json"], env);
    expect(asJson.code).toBe(1);
    expect(json(asJson)).toMatchObject({ valid: false, code: "REVOKED" });
  });

  test("--permission the key does not hold: exit 1 and INSUFFICIENT_PERMISSIONS; one it holds: VALID", async () => {
    const key = await createKey("verify scoped", ["--permission", "api_keys:read"]);
    const missing = await cli(["verify", key.key, "--permission", "api_keys:write"], env);
    expect(missing.code).toBe(1);
    expect(field(missing, "valid")).toBe("false");
    expect(field(missing, "code")).toBe("INSUFFICIENT_PERMISSIONS");

    const partly = await cli(["verify", key.key, "--permission", "api_keys:read", "--permission", "audit:read"], env);
    expect(partly.code).toBe(1);
    expect(field(partly, "code")).toBe("INSUFFICIENT_PERMISSIONS");

    const held = await cli(["verify", key.key, "--permission", "api_keys:read"], env);
    expect(held.code).toBe(0);
    expect(field(held, "code")).toBe("VALID");
  });

  test("a malformed or unknown key: exit 1 and NOT_FOUND", async () => {
    const key = await createKey("verify shape");
    const last = key.key.slice(-1);
    const badChecksum = `${key.key.slice(0, -1)}${last === "A" ? "B" : "A"}`;
    for (const candidate of ["lks_nope", badChecksum]) {
      const result = await cli(["verify", candidate], env);
      expect(result.code).toBe(1);
      expect(field(result, "code")).toBe("NOT_FOUND");
      expect(field(result, "key id")).toBeUndefined();
    }
  });

  test("`-` reads the key from standard input", async () => {
    const key = await createKey("verify stdin");
    vi.spyOn(process, "stdin", "get").mockReturnValue(
      Readable.from([Buffer.from(`${key.key}\n`)]) as unknown as typeof process.stdin,
    );
    const result = await cli(["verify", "-"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(field(result, "code")).toBe("VALID");
    expect(field(result, "key id")).toBe(key.id);
  });

  test("`-` with empty standard input says no key was given", async () => {
    vi.spyOn(process, "stdin", "get").mockReturnValue(
      Readable.from([Buffer.from("\n")]) as unknown as typeof process.stdin,
    );
    const result = await cli(["verify", "-"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: No key given.");
  });
});

describe("credentials and reachability", () => {
  test("without LATCHKEY_TOKEN: exit 1 and a message that says how to get one", async () => {
    for (const tokenless of [{ LATCHKEY_URL: s.url }, { LATCHKEY_URL: s.url, LATCHKEY_TOKEN: "" }]) {
      for (const argv of [
        ["keys", "list"],
        ["verify", "lks_whatever"],
        ["keys", "show", "x"],
      ]) {
        const result = await cli(argv, tokenless);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^error: .*LATCHKEY_TOKEN/);
        expect(result.stderr).toContain("latchkey serve");
        expect(result.stdout).toBe("");
      }
    }
  });

  test("a bad token: exit 1 with the 401, and the token is not echoed", async () => {
    const wrong = `${s.token.slice(0, -1)}${s.token.endsWith("A") ? "B" : "A"}`;
    for (const token of [wrong, "not-a-key"]) {
      const result = await cli(["keys", "list"], { LATCHKEY_URL: s.url, LATCHKEY_TOKEN: token });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: 401\b/);
      expect(result.stderr).not.toContain(token);
      expect(result.stdout).toBe("");
    }
  });

  test("an unreachable --url: exit 1, cannot reach the server", async () => {
    const port = await freePort();
    const result = await cli(["keys", "list", "--url", `http://127.0.0.1:${port}`], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot reach the server");
    expect(result.stderr).not.toContain(s.token);
  });

  test("--url wins over LATCHKEY_URL", async () => {
    const port = await freePort();
    const result = await cli(["keys", "list", "--url", s.url], {
      LATCHKEY_TOKEN: s.token,
      LATCHKEY_URL: `http://127.0.0.1:${port}`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.out[0]).toMatch(/^ID\s+NAME/);
  });

  test("a trailing slash on the URL is fine", async () => {
    const result = await cli(["keys", "list", "--url", `${s.url}/`], env);
    expect(result.code, result.stderr).toBe(0);
  });
});

describe("run() as a library", () => {
  test("a failed verify does not make the next, successful command report failure", async () => {
    const key = await createKey("leaky exit code");
    expect((await cli(["keys", "revoke", key.id], env)).code).toBe(0);
    process.exitCode = undefined;
    const failed = await run(["verify", key.key], capturingIo(env));
    expect(failed).toBe(1);
    // No reset in between: `run` should report this command's own outcome.
    const listed = await run(["keys", "list", "--label", "nothing-here"], capturingIo(env));
    expect(listed).toBe(0);
  });
});

describe("keys publishable", () => {
  test("lists the org's publishable keys with their values; regenerate gives one a new value", async () => {
    const listed = await cli(["keys", "publishable"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.out[0]?.split(/\s+/)).toEqual(["ID", "ENV", "STATUS", "PERMISSIONS", "KEY"]);
    const values = keysIn(listed.stdout);
    expect(values).toHaveLength(2);
    const live = values.find((value) => /^lkpk_[0-9A-Za-z]{49}$/.test(value)) ?? "";
    expect(values.some((value) => value.startsWith("lkpk_test_"))).toBe(true);
    const asJson = json<{ data: JsonKey[] }>(await cli(["keys", "publishable", "list", "--json"], env));
    expect(asJson.data.map((key) => key.attributes.environment)).toEqual(["live", "test"]);
    const verified = await cli(["verify", live], env);
    expect(verified.code, verified.stderr).toBe(0);

    const regenerated = await cli(["keys", "publishable", "regenerate", "live"], env);
    expect(regenerated.code, regenerated.stderr).toBe(0);
    const fresh = field(regenerated, "key");
    expect(fresh).toMatch(/^lkpk_/);
    expect(fresh).not.toBe(live);
    expect((await cli(["verify", live], env)).code).not.toBe(0);
    expect((await cli(["keys", "list", "--kind", "publishable"], env)).out).toHaveLength(3);
    const unknown = await cli(["keys", "publishable", "regenerate", "nosuchenv"], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("404");
  });
});
