import { readFileSync } from "node:fs";
import { parseCidr, parseMasterKey } from "@latchkey/core";
import { parseDatabaseUrl } from "@latchkey/store";
import { z } from "zod";
import { loadScannerKeys, ScannerKeysError } from "./http/github-signature.js";
import { loadRouteMap, RouteMapError } from "./http/route-map.js";

/** A true/false setting. */
function flag(defaultValue: boolean) {
  return z
    .enum(["true", "false"], { error: "must be true or false" })
    .default(defaultValue ? "true" : "false")
    .transform((value) => value === "true");
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Each setting: its environment variable, its config-file key, and its rule. Defaults live here. */
const schema = z.object({
  databaseUrl: z
    .string()
    .default("sqlite:./data/latchkey.db")
    .superRefine((value, ctx) => {
      try {
        parseDatabaseUrl(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "must be a redis:// or rediss:// URL")
    .optional(),
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce
    .number({ error: "must be a port number from 0 to 65535" })
    .int("must be a port number from 0 to 65535")
    .min(0, "must be a port number from 0 to 65535")
    .max(65535, "must be a port number from 0 to 65535")
    .default(8080),
  publicUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  trustProxy: z
    .string()
    .default("false")
    .transform((value, ctx): boolean | number | string[] => {
      const text = value.trim();
      if (text === "true" || text === "false") return text === "true";
      if (/^\d{1,2}$/.test(text)) return Number(text);
      const addresses = text.split(",").map((part) => part.trim());
      if (addresses.every((part) => parseCidr(part) !== null)) return addresses;
      ctx.addIssue({
        code: "custom",
        message: "must be false, a number of proxy hops (e.g. 1), proxy addresses or CIDRs (comma-separated), or true",
      });
      return z.NEVER;
    }),
  logLevel: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  cacheMaxKeys: z.coerce
    .number({ error: "must be a whole number of keys (0 turns the cache off)" })
    .int("must be a whole number of keys (0 turns the cache off)")
    .min(0, "must be 0 or more")
    .default(100_000),
  cacheTtlSeconds: z.coerce
    .number({ error: "must be a number of seconds from 1 to 3600" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1")
    .max(3600, "must be at most 3600")
    .default(60),
  usageFlushSeconds: z.coerce
    .number({ error: "must be a number of seconds from 1 to 300" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1")
    .max(300, "must be at most 300")
    .default(2),
  staleSeconds: z.coerce
    .number({ error: "must be a number of seconds from 0 to 86400" })
    .int("must be a whole number of seconds")
    .min(0, "must be 0 or more")
    .max(86_400, "must be at most 86400")
    .default(300),
  schedulerIntervalSeconds: z.coerce
    .number({ error: "must be a number of seconds from 1 to 3600" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1")
    .max(3600, "must be at most 3600")
    .default(60),
  quotaLowPercent: z.coerce
    .number({ error: "must be a whole percentage from 0 to 99 (0 turns the alert off)" })
    .int("must be a whole percentage")
    .min(0, "must be 0 or more")
    .max(99, "must be at most 99")
    .default(20),
  authFailureLimit: z.coerce
    .number({ error: "must be a whole number of failures per minute (0 turns the limit off)" })
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .default(50),
  authRoutesFile: z
    .string()
    .superRefine((path, ctx) => {
      try {
        loadRouteMap(path);
      } catch (error) {
        if (!(error instanceof RouteMapError)) throw error;
        ctx.addIssue({ code: "custom", message: `${error.source}: ${error.fault}` });
      }
    })
    .optional(),
  sessionIdleSeconds: z.coerce
    .number({ error: "must be a number of seconds from 60 to 2592000" })
    .int("must be a whole number of seconds")
    .min(60, "must be at least 60")
    .max(2_592_000, "must be at most 2592000 (30 days)")
    .default(43_200),
  sessionMaxSeconds: z.coerce
    .number({ error: "must be a number of seconds from 300 to 7776000" })
    .int("must be a whole number of seconds")
    .min(300, "must be at least 300")
    .max(7_776_000, "must be at most 7776000 (90 days)")
    .default(604_800),
  loginMaxFailures: z.coerce
    .number({ error: "must be a whole number of failed sign-ins from 1 to 1000" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(1000, "must be at most 1000")
    .default(5),
  loginAddressMaxFailures: z.coerce
    .number({ error: "must be a whole number of failed sign-ins from 1 to 100000" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(100_000, "must be at most 100000")
    .default(50),
  loginWindowSeconds: z.coerce
    .number({ error: "must be a number of seconds from 10 to 86400" })
    .int("must be a whole number of seconds")
    .min(10, "must be at least 10")
    .max(86_400, "must be at most 86400")
    .default(900),
  invitationTtlSeconds: z.coerce
    .number({ error: "must be a number of seconds from 300 to 2592000" })
    .int("must be a whole number of seconds")
    .min(300, "must be at least 300")
    .max(2_592_000, "must be at most 2592000 (30 days)")
    .default(604_800),
  secretScanningPublicKeys: z
    .string()
    .superRefine((path, ctx) => {
      try {
        loadScannerKeys(path);
      } catch (error) {
        if (!(error instanceof ScannerKeysError)) throw error;
        ctx.addIssue({ code: "custom", message: `${error.source}: ${error.fault}` });
      }
    })
    .optional(),
  oauthAccessTokenTtlSeconds: z.coerce
    .number({ error: "must be a number of seconds from 60 to 86400" })
    .int("must be a whole number of seconds")
    .min(60, "must be at least 60")
    .max(86_400, "must be at most 86400")
    .default(3600),
  webhooksDeliver: flag(true),
  webhooksAllowPrivate: flag(false),
  webhooksTimeoutSeconds: z.coerce
    .number({ error: "must be a number of seconds from 1 to 30" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1")
    .max(30, "must be at most 30")
    .default(10),
  ownerEmail: z.email({ error: "must be an email address" }).optional(),
  ownerPassword: z.string().min(12, "must be at least 12 characters").optional(),
  // The message never repeats the value: it is the key that protects every vault secret.
  masterKey: z
    .string()
    .refine((value) => parseMasterKey(value) !== null, {
      message:
        "must be 32 random bytes written as base64 (44 characters) or hex (64 characters); generate one with `openssl rand -base64 32`",
    })
    .optional(),
});

/** The validated, frozen configuration of a Latchkey node. */
export type Config = Readonly<z.infer<typeof schema>>;

/** The environment variable behind each setting, as SPEC §6 names them. */
export const CONFIG_VARIABLES: Readonly<Record<keyof Config, string>> = {
  databaseUrl: "LATCHKEY_DATABASE_URL",
  redisUrl: "LATCHKEY_REDIS_URL",
  host: "LATCHKEY_HOST",
  port: "LATCHKEY_PORT",
  publicUrl: "LATCHKEY_PUBLIC_URL",
  trustProxy: "LATCHKEY_TRUST_PROXY",
  logLevel: "LATCHKEY_LOG_LEVEL",
  cacheMaxKeys: "LATCHKEY_CACHE_MAX_KEYS",
  cacheTtlSeconds: "LATCHKEY_CACHE_TTL_SECONDS",
  usageFlushSeconds: "LATCHKEY_USAGE_FLUSH_SECONDS",
  staleSeconds: "LATCHKEY_STALE_SECONDS",
  schedulerIntervalSeconds: "LATCHKEY_SCHEDULER_INTERVAL_SECONDS",
  quotaLowPercent: "LATCHKEY_QUOTA_LOW_PERCENT",
  authFailureLimit: "LATCHKEY_AUTH_FAILURE_LIMIT",
  authRoutesFile: "LATCHKEY_AUTH_ROUTES",
  sessionIdleSeconds: "LATCHKEY_SESSION_IDLE_SECONDS",
  sessionMaxSeconds: "LATCHKEY_SESSION_MAX_SECONDS",
  loginMaxFailures: "LATCHKEY_LOGIN_MAX_FAILURES",
  loginAddressMaxFailures: "LATCHKEY_LOGIN_ADDRESS_MAX_FAILURES",
  loginWindowSeconds: "LATCHKEY_LOGIN_WINDOW_SECONDS",
  invitationTtlSeconds: "LATCHKEY_INVITATION_TTL_SECONDS",
  secretScanningPublicKeys: "LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS",
  oauthAccessTokenTtlSeconds: "LATCHKEY_OAUTH_ACCESS_TOKEN_TTL_SECONDS",
  webhooksDeliver: "LATCHKEY_WEBHOOKS_DELIVER",
  webhooksAllowPrivate: "LATCHKEY_WEBHOOKS_ALLOW_PRIVATE",
  webhooksTimeoutSeconds: "LATCHKEY_WEBHOOKS_TIMEOUT_SECONDS",
  ownerEmail: "LATCHKEY_OWNER_EMAIL",
  ownerPassword: "LATCHKEY_OWNER_PASSWORD",
  masterKey: "LATCHKEY_MASTER_KEY",
};

/** A configuration that cannot start Latchkey; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Latchkey cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function fileKeyOf(setting: string): string {
  return CONFIG_VARIABLES[setting as keyof Config].replace(/^LATCHKEY_/, "").toLowerCase();
}

/**
 * Reads the configuration once: a JSON config file (`LATCHKEY_CONFIG`, keys as the variables without
 * `LATCHKEY_` in lower case, e.g. `database_url`), overridden by the environment. Throws ConfigError
 * naming each bad setting. This is the only place that reads `process.env`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  let file: Record<string, unknown> = {};
  const path = env.LATCHKEY_CONFIG;
  if (path !== undefined && path !== "") {
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
      file = parsed as Record<string, unknown>;
      for (const key of Object.keys(file)) {
        if (!Object.keys(CONFIG_VARIABLES).some((setting) => fileKeyOf(setting) === key)) {
          problems.push(`LATCHKEY_CONFIG (${path}): unknown setting "${key}"`);
        }
      }
    } catch {
      // The parser's message quotes the file around the fault, which may be a secret: say no more.
      problems.push(`LATCHKEY_CONFIG: cannot read ${path} as a JSON object (missing, unreadable or not valid JSON)`);
    }
  }
  const raw: Record<string, unknown> = {};
  for (const [setting, variable] of Object.entries(CONFIG_VARIABLES)) {
    const fromEnv = env[variable];
    const fromFile = file[fileKeyOf(setting)];
    const value = fromEnv !== undefined && fromEnv !== "" ? fromEnv : fromFile;
    if (value !== undefined) raw[setting] = typeof value === "string" ? value : String(value);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const setting = String(issue.path[0]);
      problems.push(`${CONFIG_VARIABLES[setting as keyof Config] ?? setting}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return Object.freeze(result.data);
}
