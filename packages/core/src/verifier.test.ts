import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Invalidation, InvalidationBus } from "./invalidation.js";
import { KeyCache } from "./key-cache.js";
import { generateKey } from "./key-format.js";
import type { VerifiableKey } from "./model.js";
import type { StoredKeyLookup } from "./ports.js";
import { MemoryRateLimiter } from "./rate-limiter.js";
import { Verifier } from "./verifier.js";

const random = { bytes: (n: number) => new Uint8Array(randomBytes(n)) };

function setup(options: { staleMs?: number } = {}) {
  let now = Date.parse("2026-01-01T00:00:00.000Z");
  const generated = generateKey("lks", "live", random);
  const key: VerifiableKey = {
    id: "k1",
    orgId: "o1",
    kind: "service",
    owner: { type: "org", id: "o1" },
    environment: "live",
    permissions: [],
    roles: [],
    labels: [],
    metadata: {},
    expiresAt: null,
    enabled: true,
    revokedAt: null,
    deletedAt: null,
    ipAllowlist: [],
    rateLimit: null,
    quota: null,
  };
  const stored: StoredKeyLookup = {
    key,
    secret: { hash: generated.hash, keyId: "k1", hint: generated.hint, createdAt: new Date(now), expiresAt: null },
    ownerRole: null,
    ownerBindings: [],
    customRoles: {},
    groupRole: null,
  };
  // Storage here is the outside world failing: a reachable database, then an outage.
  const storage = { down: false, reads: 0 };
  const keys = {
    findBySecretHash: async (hash: string) => {
      storage.reads += 1;
      if (storage.down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      return hash === generated.hash ? stored : null;
    },
    consumeQuota: async () => null,
  };
  const published: Invalidation[] = [];
  let handler: ((message: Invalidation) => void) | null = null;
  const bus: InvalidationBus = {
    publish: async (message) => {
      published.push(message);
    },
    subscribe: async (h) => {
      handler = h;
    },
    close: async () => {},
  };
  const verifier = new Verifier(
    keys,
    { now: () => new Date(now) },
    {
      cache: new KeyCache({ maxEntries: 100, ttlMs: 10_000, negativeTtlMs: 1_000, staleMs: options.staleMs ?? 0 }),
      rateLimiter: new MemoryRateLimiter(),
      usage: null,
      bus,
    },
  );
  return {
    verifier,
    secret: generated.key,
    storage,
    published,
    hear: (message: Invalidation) => handler?.(message),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("Verifier and its cache", () => {
  it("answers from the cache until the TTL, then asks storage again", async () => {
    const t = setup();
    expect((await t.verifier.verify(t.secret, {})).decision.code).toBe("VALID");
    expect((await t.verifier.verify(t.secret, {})).decision.code).toBe("VALID");
    expect(t.storage.reads).toBe(1);
    t.advance(10_001);
    await t.verifier.verify(t.secret, {});
    expect(t.storage.reads).toBe(2);
  });

  it("keeps verifying cached keys within the stale window while storage is down, and not after", async () => {
    const t = setup({ staleMs: 60_000 });
    await t.verifier.verify(t.secret, {});
    t.storage.down = true;
    t.advance(30_000);
    expect((await t.verifier.verify(t.secret, {})).decision.code).toBe("VALID");
    t.advance(45_000);
    await expect(t.verifier.verify(t.secret, {})).rejects.toThrow(/ECONNREFUSED/);
  });

  it("refuses unknown keys without a stale entry when storage is down (an error, not a guess)", async () => {
    const t = setup({ staleMs: 60_000 });
    t.storage.down = true;
    await expect(t.verifier.verify(t.secret, {})).rejects.toThrow();
  });

  it("announces changes to other nodes and drops what they announce", async () => {
    const t = setup();
    await t.verifier.listen();
    await t.verifier.verify(t.secret, {});
    t.verifier.forgetKey("k1");
    expect(t.published).toEqual([{ kind: "key", keyId: "k1" }]);
    await t.verifier.verify(t.secret, {});
    expect(t.storage.reads).toBe(2);
    t.hear({ kind: "key", keyId: "k1" });
    await t.verifier.verify(t.secret, {});
    expect(t.storage.reads).toBe(3);
    t.hear({ kind: "all" });
    await t.verifier.verify(t.secret, {});
    expect(t.storage.reads).toBe(4);
  });

  it("refuses malformed keys without asking storage", async () => {
    const t = setup();
    const last = t.secret.slice(-1);
    const tampered = `${t.secret.slice(0, -1)}${last === "x" ? "y" : "x"}`;
    expect((await t.verifier.verify(tampered, {})).decision.code).toBe("NOT_FOUND");
    expect((await t.verifier.verify("garbage", {})).decision.code).toBe("NOT_FOUND");
    expect(t.storage.reads).toBe(0);
  });
});
