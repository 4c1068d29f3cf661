// (c) in-process verify, Latchkey cached and uncached (cache off, SQLite) with the app's own verifier
// (app.services.verifier), and through the SDK's in-process path (openLocalVerifier), against a naive SHA-256 +
// SQLite lookup; (d) the same against better-auth's api-key plugin on SQLite.
// Each variant runs in its own fresh Node process (no JIT or heap left over from another), with its own
// SQLite file (WAL, synchronous=NORMAL) in a temp dir, the same number of keys, and the same loop:
// verify a random key of the set, await it, check it came back valid.
//   node bench/in-process.mjs                 all variants, prints the rows
//   node bench/in-process.mjs --variant NAME  one variant (latchkey-cached, latchkey-uncached,
//                                             sdk-local-verifier, naive, better-auth)
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  answerParent,
  createServiceKeys,
  fmtInt,
  fmtOps,
  fmtTimes,
  measureOps,
  openLatchkey,
  random,
  runChild,
  SETTINGS,
  tempDir,
} from "./lib.mjs";

const SELF = fileURLToPath(import.meta.url);
const TARGETS = { cached: 500_000, uncached: 100_000, versusBetterAuth: 50 };

/** Latchkey's own verifier (app.services.verifier), with the default cache or with the cache off. */
async function latchkey(cached) {
  const temp = tempDir("inproc");
  const overrides = cached ? {} : { LATCHKEY_CACHE_MAX_KEYS: "0" };
  const lk = await openLatchkey(`sqlite:${temp.dir}/latchkey.db`, overrides);
  try {
    const secrets = await createServiceKeys(lk.app, lk.actor, SETTINGS.keySet);
    const verifier = lk.app.services.verifier;
    const verify = async (secret) => {
      const outcome = await verifier.verify(secret, {});
      if (!outcome.decision.valid) throw new Error(`Latchkey answered ${outcome.decision.code} for a valid key`);
    };
    return await measureOps(verify, secrets);
  } finally {
    await lk.close();
    temp.remove();
  }
}

/**
 * The SDK's in-process path: `openLocalVerifier` from @latchkey/server on the same kind of database,
 * with its defaults (100k keys cached for at most 1 s). Keys are created through the app first.
 */
async function localVerifier() {
  const server = await import("@latchkey/server");
  if (typeof server.openLocalVerifier !== "function") throw new Error("@latchkey/server exports no openLocalVerifier");
  const temp = tempDir("local");
  const url = `sqlite:${temp.dir}/latchkey.db`;
  const lk = await openLatchkey(url);
  let local = null;
  try {
    const secrets = await createServiceKeys(lk.app, lk.actor, SETTINGS.keySet);
    await lk.close();
    local = await server.openLocalVerifier(url);
    const verify = async (secret) => {
      const result = await local.verify(secret);
      if (!result.valid) throw new Error(`the local verifier answered ${result.code} for a valid key`);
    };
    return await measureOps(verify, secrets);
  } finally {
    await local?.close();
    temp.remove();
  }
}

/** The naive baseline: SHA-256 of the key, one prepared `SELECT * FROM keys WHERE hash = ?`, a few checks. */
async function naive() {
  const { default: Database } = await import("better-sqlite3");
  const { generateKey } = await import("@latchkey/core");
  const temp = tempDir("naive");
  const db = new Database(`${temp.dir}/naive.db`);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(`CREATE TABLE keys (
      id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL, name TEXT NOT NULL,
      permissions TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, enabled INTEGER NOT NULL)`);
    const insert = db.prepare("INSERT INTO keys VALUES (?, ?, ?, ?, '[]', ?, NULL, 1)");
    const expiresAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const secrets = [];
    db.transaction(() => {
      for (let i = 0; i < SETTINGS.keySet; i++) {
        const generated = generateKey("lks", "live", random);
        insert.run(`key-${i}`, generated.hash, "org", `bench key ${i}`, expiresAt);
        secrets.push(generated.key);
      }
    })();
    const lookup = db.prepare("SELECT * FROM keys WHERE hash = ?");
    const verify = async (secret) => {
      const row = lookup.get(createHash("sha256").update(secret).digest("hex"));
      const valid =
        row !== undefined &&
        row.enabled === 1 &&
        row.revoked_at === null &&
        (row.expires_at === null || Date.parse(row.expires_at) > Date.now());
      if (!valid) throw new Error("the naive lookup found no valid key");
    };
    return await measureOps(verify, secrets);
  } finally {
    db.close();
    temp.remove();
  }
}

/**
 * better-auth with its api-key plugin (@better-auth/api-key) on better-sqlite3, tables made by its own
 * migrations. Keys are created with auth.api.createApiKey for a user and checked with
 * auth.api.verifyApiKey({ body: { key } }). The plugin's default per-key rate limit (10 a day) is
 * turned off, or every key would fail after ten verifications; everything else is its default.
 */
async function betterAuth() {
  const { default: Database } = await import("better-sqlite3");
  const { betterAuth: createAuth } = await import("better-auth");
  const { getMigrations } = await import("better-auth/db/migration");
  const { apiKey } = await import("@better-auth/api-key");
  const temp = tempDir("better-auth");
  const db = new Database(`${temp.dir}/better-auth.db`);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const auth = createAuth({
      database: db,
      secret: random.bytes(32).toString("hex"),
      baseURL: "http://127.0.0.1",
      emailAndPassword: { enabled: true },
      plugins: [apiKey({ rateLimit: { enabled: false } })],
      logger: { disabled: true },
      telemetry: { enabled: false },
    });
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
    const { user } = await auth.api.signUpEmail({
      body: { email: "bench@example.com", password: random.bytes(12).toString("hex"), name: "Bench" },
    });
    const secrets = [];
    for (let i = 0; i < SETTINGS.keySet; i++) {
      const created = await auth.api.createApiKey({ body: { userId: user.id, name: `bench key ${i}` } });
      secrets.push(created.key);
    }
    const verify = async (key) => {
      const result = await auth.api.verifyApiKey({ body: { key } });
      if (!result.valid) throw new Error(`better-auth answered ${JSON.stringify(result.error)} for a valid key`);
    };
    return await measureOps(verify, secrets, { batch: 16 });
  } finally {
    db.close();
    temp.remove();
  }
}

const VARIANTS = {
  "latchkey-cached": () => latchkey(true),
  "latchkey-uncached": () => latchkey(false),
  "sdk-local-verifier": localVerifier,
  naive,
  "better-auth": betterAuth,
};

function rowsOf(r) {
  const naiveBase = `naive SHA-256 + SQLite ${fmtOps(r.naive.median)}`;
  const baBase = `better-auth api-key ${fmtOps(r["better-auth"].median)}`;
  const cached = r["latchkey-cached"].median;
  const uncached = r["latchkey-uncached"].median;
  const local = r["sdk-local-verifier"].median;
  const ba = r["better-auth"].median;
  const keys = `${fmtInt(SETTINGS.keySet)} keys`;
  return [
    {
      id: "c",
      benchmark: `In-process verify, cached (${keys})`,
      latchkey: fmtOps(cached),
      baseline: naiveBase,
      ratio: fmtTimes(cached / r.naive.median),
      target: `≥ ${fmtInt(TARGETS.cached)} ops/s`,
      met: cached >= TARGETS.cached,
    },
    {
      id: "c",
      benchmark: `In-process verify through the SDK's openLocalVerifier (defaults: cached, 1 s TTL) (${keys})`,
      latchkey: fmtOps(local),
      baseline: naiveBase,
      ratio: fmtTimes(local / r.naive.median),
      target: `≥ ${fmtInt(TARGETS.cached)} ops/s`,
      met: local >= TARGETS.cached,
    },
    {
      id: "c",
      benchmark: `In-process verify, uncached — cache off, SQLite (${keys})`,
      latchkey: fmtOps(uncached),
      baseline: naiveBase,
      ratio: fmtTimes(uncached / r.naive.median),
      target: `≥ ${fmtInt(TARGETS.uncached)} ops/s`,
      met: uncached >= TARGETS.uncached,
    },
    {
      id: "d",
      benchmark: `In-process verify, uncached, vs better-auth api-key on SQLite (${keys})`,
      latchkey: fmtOps(uncached),
      baseline: baBase,
      ratio: fmtTimes(uncached / ba),
      target: `≥ ${TARGETS.versusBetterAuth}× better-auth`,
      met: uncached / ba >= TARGETS.versusBetterAuth,
    },
    {
      id: "d",
      benchmark: `In-process verify, cached, vs better-auth api-key on SQLite (${keys})`,
      latchkey: fmtOps(cached),
      baseline: baBase,
      ratio: fmtTimes(cached / ba),
      target: `≥ ${TARGETS.versusBetterAuth}× better-auth`,
      met: cached / ba >= TARGETS.versusBetterAuth,
    },
  ];
}

const variantIndex = process.argv.indexOf("--variant");
if (variantIndex !== -1) {
  const name = process.argv[variantIndex + 1];
  answerParent(async () => {
    const run = VARIANTS[name];
    if (run === undefined) throw new Error(`unknown variant ${name}; one of ${Object.keys(VARIANTS).join(", ")}`);
    return { result: await run() };
  });
} else {
  answerParent(async () => {
    console.error(
      `In-process benchmarks: ${fmtInt(SETTINGS.keySet)} keys, ${SETTINGS.inProcessMs} ms × ${SETTINGS.runs} runs each, one process per variant`,
    );
    const results = {};
    for (const name of Object.keys(VARIANTS)) {
      const { result } = await runChild(SELF, ["--variant", name], { execArgv: ["--expose-gc"] });
      results[name] = result;
      const redone = result.discarded ? ` (${result.discarded} disturbed runs redone)` : "";
      console.error(
        `  ${name.padEnd(18)} median ${fmtOps(result.median)}  runs ${result.samples.map(fmtInt).join(", ")}${redone}`,
      );
    }
    const rows = rowsOf(results);
    if (!process.send) console.table(rows);
    return { rows, raw: results };
  });
}
