import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../src/index.js";

// SPEC §6: settings from the environment or a JSON config file; a bad one stops the start, named.
const dir = mkdtempSync(join(tmpdir(), "latchkey-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes `content` (an object as JSON, or a raw string) to a fresh file; returns its path. */
function configFile(content: unknown): string {
  files += 1;
  const path = join(dir, `config-${files}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** The ConfigError that `loadConfig(env)` throws (fails the test when it does not throw one). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** The variables a ConfigError names, in order. */
function named(error: ConfigError): string[] {
  return error.problems.map((problem) => problem.split(/[: ]/, 1)[0] ?? "");
}

describe("defaults", () => {
  test("an empty environment gives the documented defaults", () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe("sqlite:./data/latchkey.db");
    expect(config.host).toBe("127.0.0.1");
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe("info");
    expect(config.trustProxy).toBe(false);
    expect(config.publicUrl).toBeUndefined();
    expect(config.ownerEmail).toBeUndefined();
    expect(config.ownerPassword).toBeUndefined();
  });

  test("an empty variable counts as unset", () => {
    const config = loadConfig({ LATCHKEY_PORT: "", LATCHKEY_DATABASE_URL: "", LATCHKEY_LOG_LEVEL: "" });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe("sqlite:./data/latchkey.db");
    expect(config.logLevel).toBe("info");
  });

  test("variables that are not Latchkey's are ignored", () => {
    expect(loadConfig({ PORT: "abc", HOST: "", LATCHKEY: "x", PATH: "/usr/bin" }).port).toBe(8080);
  });

  test("the configuration is frozen", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
  });

  test("every variable SPEC §6 and the README document has a setting (others may be added)", () => {
    expect(Object.values(CONFIG_VARIABLES)).toEqual(
      expect.arrayContaining([
        "LATCHKEY_DATABASE_URL",
        "LATCHKEY_HOST",
        "LATCHKEY_LOG_LEVEL",
        "LATCHKEY_OWNER_EMAIL",
        "LATCHKEY_OWNER_PASSWORD",
        "LATCHKEY_PORT",
        "LATCHKEY_PUBLIC_URL",
        "LATCHKEY_TRUST_PROXY",
      ]),
    );
  });

  test("every setting is named LATCHKEY_<FILE KEY IN UPPER CASE>", () => {
    for (const variable of Object.values(CONFIG_VARIABLES)) expect(variable).toMatch(/^LATCHKEY_[A-Z][A-Z0-9_]*$/);
  });
});

describe("good values", () => {
  test("each variable is read", () => {
    const config = loadConfig({
      LATCHKEY_DATABASE_URL: "postgres://latchkey:pw@db.internal:5432/latchkey",
      LATCHKEY_HOST: "0.0.0.0",
      LATCHKEY_PORT: "9090",
      LATCHKEY_PUBLIC_URL: "https://keys.example.com",
      LATCHKEY_TRUST_PROXY: "true",
      LATCHKEY_LOG_LEVEL: "debug",
      LATCHKEY_OWNER_EMAIL: "admin@example.com",
      LATCHKEY_OWNER_PASSWORD: "a long enough password",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgres://latchkey:pw@db.internal:5432/latchkey",
      host: "0.0.0.0",
      port: 9090,
      publicUrl: "https://keys.example.com",
      trustProxy: true,
      logLevel: "debug",
      ownerEmail: "admin@example.com",
      ownerPassword: "a long enough password",
    });
  });

  test.each([
    "sqlite:./data/latchkey.db",
    "sqlite:/var/lib/latchkey/latchkey.db",
    "sqlite::memory:",
    "postgres://u:p@localhost/db",
    "postgresql://localhost:5432/db",
  ])("LATCHKEY_DATABASE_URL=%s is accepted", (url) => {
    expect(loadConfig({ LATCHKEY_DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  test("the scheduler interval and the quota-low share default to 60 s and 20 %, and are read", () => {
    expect(loadConfig({})).toMatchObject({ schedulerIntervalSeconds: 60, quotaLowPercent: 20 });
    expect(loadConfig({ LATCHKEY_SCHEDULER_INTERVAL_SECONDS: "5", LATCHKEY_QUOTA_LOW_PERCENT: "0" })).toMatchObject({
      schedulerIntervalSeconds: 5,
      quotaLowPercent: 0,
    });
  });

  test.each(["0", "1", "8080", "65535"])("LATCHKEY_PORT=%s is accepted", (port) => {
    expect(loadConfig({ LATCHKEY_PORT: port }).port).toBe(Number(port));
  });

  test.each(["fatal", "error", "warn", "info", "debug", "trace", "silent"])("LATCHKEY_LOG_LEVEL=%s", (level) => {
    expect(loadConfig({ LATCHKEY_LOG_LEVEL: level }).logLevel).toBe(level);
  });

  test("LATCHKEY_TRUST_PROXY takes a hop count or proxy addresses", () => {
    expect(loadConfig({ LATCHKEY_TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ LATCHKEY_TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
    ]);
    expect(loadConfig({ LATCHKEY_TRUST_PROXY: "true" }).trustProxy).toBe(true);
  });

  test("LATCHKEY_TRUST_PROXY=false and http public URLs", () => {
    const config = loadConfig({ LATCHKEY_TRUST_PROXY: "false", LATCHKEY_PUBLIC_URL: "http://localhost:8080" });
    expect(config.trustProxy).toBe(false);
    expect(config.publicUrl).toBe("http://localhost:8080");
  });
});

describe("a bad value stops with a ConfigError naming the variable", () => {
  test.each([
    ["LATCHKEY_PORT", "abc"],
    ["LATCHKEY_PORT", "70000"],
    ["LATCHKEY_PORT", "-1"],
    ["LATCHKEY_PORT", "80.5"],
    ["LATCHKEY_DATABASE_URL", "mysql://x"],
    ["LATCHKEY_DATABASE_URL", "sqlite:"],
    ["LATCHKEY_LOG_LEVEL", "loud"],
    ["LATCHKEY_PUBLIC_URL", "ftp://x"],
    ["LATCHKEY_PUBLIC_URL", "not a url"],
    ["LATCHKEY_TRUST_PROXY", "maybe"],
    ["LATCHKEY_TRUST_PROXY", "yes"],
    ["LATCHKEY_OWNER_EMAIL", "nope"],
    ["LATCHKEY_OWNER_PASSWORD", "short"],
    ["LATCHKEY_SCHEDULER_INTERVAL_SECONDS", "0"],
    ["LATCHKEY_SCHEDULER_INTERVAL_SECONDS", "3601"],
    ["LATCHKEY_SCHEDULER_INTERVAL_SECONDS", "soon"],
    ["LATCHKEY_QUOTA_LOW_PERCENT", "100"],
    ["LATCHKEY_QUOTA_LOW_PERCENT", "-5"],
    ["LATCHKEY_QUOTA_LOW_PERCENT", "12.5"],
  ])("%s=%s", (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.name).toBe("ConfigError");
    expect(error).toBeInstanceOf(Error);
    expect(named(error)).toEqual([variable]);
    expect(error.message).toContain(variable);
    expect(error.message).toMatch(/^Latchkey cannot start/);
  });

  test("the messages say what is expected", () => {
    expect(configError({ LATCHKEY_PORT: "abc" }).message).toMatch(
      /LATCHKEY_PORT: must be a port number from 0 to 65535/,
    );
    expect(configError({ LATCHKEY_PORT: "70000" }).message).toMatch(/LATCHKEY_PORT: must be a port number/);
    expect(configError({ LATCHKEY_DATABASE_URL: "mysql://x" }).message).toMatch(/sqlite:.*postgres:\/\//);
    expect(configError({ LATCHKEY_LOG_LEVEL: "loud" }).message).toMatch(/LATCHKEY_LOG_LEVEL: must be one of .*silent/);
    expect(configError({ LATCHKEY_PUBLIC_URL: "ftp://x" }).message).toMatch(/LATCHKEY_PUBLIC_URL: must be an http/);
    expect(configError({ LATCHKEY_TRUST_PROXY: "maybe" }).message).toMatch(
      /LATCHKEY_TRUST_PROXY: must be false, a number of proxy hops/,
    );
    expect(configError({ LATCHKEY_OWNER_EMAIL: "nope" }).message).toMatch(/LATCHKEY_OWNER_EMAIL: must be an email/);
    expect(configError({ LATCHKEY_OWNER_PASSWORD: "short" }).message).toMatch(
      /LATCHKEY_OWNER_PASSWORD: must be at least 12 characters/,
    );
  });

  test("all bad settings are named at once", () => {
    const error = configError({
      LATCHKEY_PORT: "abc",
      LATCHKEY_DATABASE_URL: "mysql://x",
      LATCHKEY_LOG_LEVEL: "loud",
      LATCHKEY_PUBLIC_URL: "ftp://x",
      LATCHKEY_TRUST_PROXY: "maybe",
      LATCHKEY_OWNER_EMAIL: "nope",
      LATCHKEY_OWNER_PASSWORD: "short",
      LATCHKEY_HOST: "0.0.0.0",
    });
    const expected = [
      "LATCHKEY_DATABASE_URL",
      "LATCHKEY_PORT",
      "LATCHKEY_PUBLIC_URL",
      "LATCHKEY_TRUST_PROXY",
      "LATCHKEY_LOG_LEVEL",
      "LATCHKEY_OWNER_EMAIL",
      "LATCHKEY_OWNER_PASSWORD",
    ];
    expect([...named(error)].sort()).toEqual([...expected].sort());
    for (const variable of expected) expect(error.message).toContain(variable);
    expect(error.message).not.toContain("LATCHKEY_HOST");
    // One line per problem, after the heading.
    expect(error.message.split("\n")).toHaveLength(expected.length + 1);
  });

  test("the owner password never appears in the error", () => {
    for (const password of ["Sh0rtPw!", "tiny"]) {
      const error = configError({ LATCHKEY_OWNER_PASSWORD: password, LATCHKEY_PORT: "abc" });
      expect(error.message).not.toContain(password);
      expect(JSON.stringify(error.problems)).not.toContain(password);
      expect(String(error.stack)).not.toContain(password);
    }
  });

  test("a good owner password next to a bad setting does not appear in the error", () => {
    const password = "Correct-Horse-Battery-Staple-42";
    const error = configError({ LATCHKEY_OWNER_PASSWORD: password, LATCHKEY_OWNER_EMAIL: "nope" });
    expect(error.message).not.toContain(password);
  });
});

describe("a JSON config file (LATCHKEY_CONFIG)", () => {
  test("gives settings with the variables' names in lower case without LATCHKEY_", () => {
    const path = configFile({
      database_url: "sqlite:/tmp/from-file.db",
      host: "0.0.0.0",
      port: 9191,
      public_url: "https://keys.example.com",
      trust_proxy: true,
      log_level: "warn",
      owner_email: "file@example.com",
      owner_password: "from the file, long enough",
    });
    const config = loadConfig({ LATCHKEY_CONFIG: path });
    expect(config).toMatchObject({
      databaseUrl: "sqlite:/tmp/from-file.db",
      host: "0.0.0.0",
      port: 9191,
      publicUrl: "https://keys.example.com",
      trustProxy: true,
      logLevel: "warn",
      ownerEmail: "file@example.com",
      ownerPassword: "from the file, long enough",
    });
  });

  test("the port may be a string in the file, too", () => {
    expect(loadConfig({ LATCHKEY_CONFIG: configFile({ port: "9292" }) }).port).toBe(9292);
  });

  test("the environment overrides the file; unset settings keep their defaults", () => {
    const path = configFile({ database_url: "sqlite:/tmp/file.db", port: 9191, log_level: "warn" });
    const config = loadConfig({ LATCHKEY_CONFIG: path, LATCHKEY_PORT: "7070", LATCHKEY_LOG_LEVEL: "error" });
    expect(config.port).toBe(7070);
    expect(config.logLevel).toBe("error");
    expect(config.databaseUrl).toBe("sqlite:/tmp/file.db");
    expect(config.host).toBe("127.0.0.1");
  });

  test("an empty variable does not override the file", () => {
    const config = loadConfig({ LATCHKEY_CONFIG: configFile({ port: 9191 }), LATCHKEY_PORT: "" });
    expect(config.port).toBe(9191);
  });

  test("a good environment value fixes a bad file value", () => {
    const path = configFile({ port: "abc" });
    expect(named(configError({ LATCHKEY_CONFIG: path }))).toEqual(["LATCHKEY_PORT"]);
    expect(loadConfig({ LATCHKEY_CONFIG: path, LATCHKEY_PORT: "8081" }).port).toBe(8081);
  });

  test("a bad value in the file is named by its variable", () => {
    const error = configError({ LATCHKEY_CONFIG: configFile({ port: 70000, log_level: "loud" }) });
    expect([...named(error)].sort()).toEqual(["LATCHKEY_LOG_LEVEL", "LATCHKEY_PORT"]);
  });

  test("an unknown key is an error that names the key and LATCHKEY_CONFIG", () => {
    const path = configFile({ port: 8080, prot: 8081 });
    const error = configError({ LATCHKEY_CONFIG: path });
    expect(named(error)).toEqual(["LATCHKEY_CONFIG"]);
    expect(error.message).toContain('"prot"');
    expect(error.message).toContain(path);
  });

  test("keys in the variables' own spelling are unknown keys too", () => {
    const error = configError({ LATCHKEY_CONFIG: configFile({ LATCHKEY_PORT: 8080 }) });
    expect(named(error)).toEqual(["LATCHKEY_CONFIG"]);
    expect(error.message).toContain('"LATCHKEY_PORT"');
  });

  test("an unknown key and bad values are all named at once", () => {
    const error = configError({
      LATCHKEY_CONFIG: configFile({ colour: "blue", trust_proxy: "maybe" }),
      LATCHKEY_OWNER_EMAIL: "nope",
    });
    expect([...named(error)].sort()).toEqual(["LATCHKEY_CONFIG", "LATCHKEY_OWNER_EMAIL", "LATCHKEY_TRUST_PROXY"]);
  });

  test("a missing file is an error naming LATCHKEY_CONFIG", () => {
    const path = join(dir, "does-not-exist.json");
    const error = configError({ LATCHKEY_CONFIG: path });
    expect(named(error)).toEqual(["LATCHKEY_CONFIG"]);
    expect(error.message).toContain(path);
  });

  test.each([
    ["not JSON", "port = 8080"],
    ["an array", "[1, 2]"],
    ["a string", '"sqlite:./x.db"'],
    ["null", "null"],
  ])("a file that is %s is an error naming LATCHKEY_CONFIG", (_what, content) => {
    expect(named(configError({ LATCHKEY_CONFIG: configFile(content) }))).toEqual(["LATCHKEY_CONFIG"]);
  });

  test("the owner password in the file never appears in the error", () => {
    const password = "Sh0rtPw!";
    const error = configError({ LATCHKEY_CONFIG: configFile({ owner_password: password, port: "abc" }) });
    expect([...named(error)].sort()).toEqual(["LATCHKEY_OWNER_PASSWORD", "LATCHKEY_PORT"]);
    expect(error.message).not.toContain(password);
  });

  test("the owner password in a malformed file never appears in the error", () => {
    // A hand-written file with an unquoted value: the JSON parser's message quotes the text around the fault.
    const password = "Zq8vLw3Tp9Xk2Rm7";
    const error = configError({ LATCHKEY_CONFIG: configFile(`{"owner_password": ${password}}`) });
    expect(named(error)).toEqual(["LATCHKEY_CONFIG"]);
    for (let i = 0; i + 6 <= password.length; i += 1) {
      expect(error.message).not.toContain(password.slice(i, i + 6));
    }
  });
});
