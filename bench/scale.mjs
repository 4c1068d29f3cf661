// (e) verify throughput with 10 thousand vs 1 million keys stored.
// For each size, a child process seeds an SQLite file in a temp dir: Latchkey migrates it, bootstraps
// the owner (user, org, membership) and creates one service key through its key service; that key's
// api_keys and api_key_secrets rows are then cloned with better-sqlite3 in large transactions, each clone
// with its own id and a key from @latchkey/core's generateKey (api_key_secrets.hash = SHA-256 hex).
// Then one fresh process per mode measures app.services.verifier.verify on random keys of the set:
//   uncached       cache off (LATCHKEY_CACHE_MAX_KEYS=0), keys drawn uniformly from every stored key
//   cached-hot     default cache, keys drawn from a hot set of 10k of the stored keys (fits the cache)
//   cached-uniform default cache (100k entries), keys drawn uniformly from every stored key — shown
//                  for information: with 1M keys most draws miss a 100k-entry cache
//   naive          for information, SQLite's own scaling: SHA-256 + `SELECT * FROM api_key_secrets
//                  WHERE hash = ?` (better-sqlite3, read-only, same file), keys drawn from every stored key
//   node bench/scale.mjs            both sizes, prints the rows
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  answerParent,
  clock,
  createServiceKeys,
  fmtInt,
  fmtOps,
  fmtPct,
  measureOps,
  openLatchkey,
  runChild,
  SETTINGS,
  tempDir,
} from "./lib.mjs";

const SELF = fileURLToPath(import.meta.url);
const HOT_SET = 10_000;
const TARGET_RATIO = 0.85;
const MODES = ["uncached", "cached-hot", "cached-uniform", "naive"];

/** A CSPRNG source that hands out slices of large randomBytes buffers: seeding calls it millions of times. */
async function pooledRandom() {
  const { randomBytes } = await import("node:crypto");
  let pool = randomBytes(1 << 20);
  let offset = 0;
  return {
    bytes(n) {
      if (offset + n > pool.length) {
        pool = randomBytes(1 << 20);
        offset = 0;
      }
      const out = pool.subarray(offset, offset + n);
      offset += n;
      return Buffer.from(out);
    },
  };
}

/** Seeds `size` keys into `dir`/latchkey.db and writes their secrets to `dir`/keys.txt. */
async function seed(dir, size) {
  const { default: Database } = await import("better-sqlite3");
  const { DEFAULT_KEY_PREFIXES, generateKey, newId } = await import("@latchkey/core");
  const started = performance.now();
  const url = `sqlite:${dir}/latchkey.db`;
  const lk = await openLatchkey(url);
  const [template] = await createServiceKeys(lk.app, lk.actor, 1);
  await lk.close();

  const db = new Database(`${dir}/latchkey.db`);
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -1000000");
  const { createHash } = await import("node:crypto");
  const secretRow = db
    .prepare("SELECT * FROM api_key_secrets WHERE hash = ?")
    .get(createHash("sha256").update(template).digest("hex"));
  if (secretRow === undefined) throw new Error("the template key's secret row is missing");
  const keyRow = db.prepare("SELECT * FROM api_keys WHERE id = ?").get(secretRow.key_id);
  const keyColumns = Object.keys(keyRow);
  const secretColumns = Object.keys(secretRow);
  const insertKey = db.prepare(
    `INSERT INTO api_keys (${keyColumns.join(", ")}) VALUES (${keyColumns.map((c) => `@${c}`).join(", ")})`,
  );
  const insertSecret = db.prepare(
    `INSERT INTO api_key_secrets (${secretColumns.join(", ")}) VALUES (${secretColumns.map((c) => `@${c}`).join(", ")})`,
  );
  const random = await pooledRandom();
  const secrets = [template];
  const chunk = 50_000;
  for (let done = 1; done < size; ) {
    const upTo = Math.min(size, done + chunk);
    db.transaction(() => {
      for (let i = done; i < upTo; i++) {
        const generated = generateKey(DEFAULT_KEY_PREFIXES.service, "live", random);
        const id = newId(clock, random);
        insertKey.run({ ...keyRow, id, name: `bench key ${i}`, hint: generated.hint });
        insertSecret.run({ ...secretRow, hash: generated.hash, key_id: id, hint: generated.hint });
        secrets.push(generated.key);
      }
    })();
    done = upTo;
  }
  const stored = db.prepare("SELECT count(*) AS n FROM api_key_secrets").get().n;
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  if (stored !== size + 1) throw new Error(`seeded ${stored} secrets, expected ${size + 1} (with the owner's)`);
  writeFileSync(`${dir}/keys.txt`, secrets.join("\n"));
  return { seconds: (performance.now() - started) / 1000 };
}

/** The naive lookup on the same file: SHA-256, then one prepared single-table SELECT by hash. */
async function measureNaive(dir, all) {
  const { default: Database } = await import("better-sqlite3");
  const { createHash } = await import("node:crypto");
  const db = new Database(`${dir}/latchkey.db`, { readonly: true });
  try {
    const lookup = db.prepare("SELECT * FROM api_key_secrets WHERE hash = ?");
    const verify = async (secret) => {
      if (lookup.get(createHash("sha256").update(secret).digest("hex")) === undefined) {
        throw new Error("the naive lookup missed a seeded key");
      }
    };
    return { ...(await measureOps(verify, all)), keys: all.length };
  } finally {
    db.close();
  }
}

/**
 * The keys a mode draws from. The hot set is copied into fresh strings and the full list dropped, so
 * that both sizes draw from alike arrays of 10k keys: the benchmark's own list of a million secrets
 * must not be what is measured.
 */
function drawnKeys(dir, mode) {
  const all = readFileSync(`${dir}/keys.txt`, "utf8").split("\n");
  if (mode !== "cached-hot") return all;
  const step = Math.ceil(all.length / HOT_SET);
  return all.filter((_, i) => i % step === 0).map((secret) => Buffer.from(secret, "utf8").toString("utf8"));
}

/** Measures one mode against a seeded directory. */
async function measure(dir, mode) {
  const items = drawnKeys(dir, mode);
  globalThis.gc?.();
  if (mode === "naive") return measureNaive(dir, items);
  const overrides = mode === "uncached" ? { LATCHKEY_CACHE_MAX_KEYS: "0" } : {};
  const lk = await openLatchkey(`sqlite:${dir}/latchkey.db`, overrides);
  try {
    const verifier = lk.app.services.verifier;
    const verify = async (secret) => {
      const outcome = await verifier.verify(secret, {});
      if (!outcome.decision.valid) throw new Error(`Latchkey answered ${outcome.decision.code} for a seeded key`);
    };
    return { ...(await measureOps(verify, items)), keys: items.length };
  } finally {
    await lk.close();
  }
}

function rowsOf(results) {
  const small = results[SETTINGS.smallKeys];
  const large = results[SETTINGS.largeKeys];
  const sizes = `${fmtInt(SETTINGS.largeKeys)} vs ${fmtInt(SETTINGS.smallKeys)} keys stored`;
  const rows = [];
  for (const [mode, label, hasTarget] of [
    ["uncached", "Verify uncached (cache off), random key of all stored", true],
    ["cached-hot", `Verify cached, random key of a hot set of ${fmtInt(HOT_SET)}`, true],
    ["cached-uniform", "Verify with the default cache (100k entries), random key of all stored — informational", false],
  ]) {
    const ratio = large[mode].median / small[mode].median;
    rows.push({
      id: "e",
      benchmark: `${label}: ${sizes}`,
      latchkey: `${fmtOps(large[mode].median)} (${fmtInt(SETTINGS.largeKeys)})`,
      baseline: `${fmtOps(small[mode].median)} (${fmtInt(SETTINGS.smallKeys)})`,
      ratio: fmtPct(ratio),
      target: hasTarget ? `within 15% (≥ ${fmtPct(TARGET_RATIO)})` : "—",
      met: hasTarget ? ratio >= TARGET_RATIO : null,
    });
  }
  rows.push({
    id: "e",
    benchmark: `SQLite's own scaling — naive SHA-256 + one-table lookup (api_key_secrets by hash) on the same file: ${sizes} — informational`,
    latchkey: "—",
    baseline: `naive ${fmtOps(large.naive.median)} (${fmtInt(SETTINGS.largeKeys)}) vs ${fmtOps(small.naive.median)} (${fmtInt(SETTINGS.smallKeys)})`,
    ratio: fmtPct(large.naive.median / small.naive.median),
    target: "—",
    met: null,
  });
  return rows;
}

const role = process.argv[2];
if (role === "--seed") {
  answerParent(() => seed(process.argv[3], Number(process.argv[4])));
} else if (role === "--measure") {
  answerParent(async () => ({ result: await measure(process.argv[3], process.argv[4]) }));
} else {
  answerParent(async () => {
    console.error(
      `Scale benchmarks: ${fmtInt(SETTINGS.smallKeys)} vs ${fmtInt(SETTINGS.largeKeys)} keys, ${SETTINGS.inProcessMs} ms × ${SETTINGS.runs} runs each`,
    );
    const results = {};
    for (const size of [SETTINGS.smallKeys, SETTINGS.largeKeys]) {
      const temp = tempDir(`scale-${size}`);
      try {
        const seeded = await runChild(SELF, ["--seed", temp.dir, String(size)], {
          execArgv: ["--max-old-space-size=4096"],
        });
        console.error(`  seeded ${fmtInt(size)} keys in ${seeded.seconds.toFixed(1)} s`);
        results[size] = {};
        for (const mode of MODES) {
          const { result } = await runChild(SELF, ["--measure", temp.dir, mode], {
            execArgv: ["--expose-gc", "--max-old-space-size=4096"],
          });
          results[size][mode] = result;
          const redone = result.discarded ? ` (${result.discarded} disturbed runs redone)` : "";
          console.error(
            `  ${fmtInt(size).padStart(9)} keys ${mode.padEnd(14)} median ${fmtOps(result.median)}  runs ${result.samples.map(fmtInt).join(", ")}${redone}`,
          );
        }
      } finally {
        temp.remove();
      }
    }
    const rows = rowsOf(results);
    if (!process.send) console.table(rows);
    return { rows, raw: results };
  });
}
