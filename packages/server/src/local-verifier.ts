import {
  AlertEvents,
  type Clock,
  KeyCache,
  MemoryRateLimiter,
  type PrincipalRef,
  type RateLimiter,
  systemClock,
  systemRandom,
  UsageRecorder,
  type VerificationCode,
  Verifier,
} from "@latchkey/core";
import { openStore } from "@latchkey/store";
import { verificationAttributes } from "./http/resources.js";

/** What a verification asks beyond the key (the SDK's `VerifyRequestOptions`). */
export interface LocalVerifyOptions {
  /** Every one of these must be covered by the key's effective permissions. */
  permissions?: string[] | undefined;
  /** Where the permissions are needed: `project:<id>` (absent: the org as a whole). */
  resource?: string | undefined;
  /** The caller's address, checked against the key's IP allowlist. */
  ip?: string | undefined;
  /** Quota and rate-limit units to spend (default 1). */
  cost?: number | undefined;
}

/** A verification answer, shaped as `POST /rest/api_keys/verify` answers (the SDK's `VerifyResult`). */
export interface LocalVerifyResult {
  valid: boolean;
  code: VerificationCode;
  key_id: string | null;
  org_id: string | null;
  owner: PrincipalRef | null;
  environment: string | null;
  permissions: string[];
  labels: string[];
  metadata: Record<string, unknown>;
  expires_at: string | null;
  ratelimit: { limit: number; remaining: number; reset: number } | null;
  quota: { remaining: number } | null;
}

/** Options of `openLocalVerifier`. */
export interface LocalVerifierOptions {
  /** Only this org's keys pass; another org's key answers NOT_FOUND. Default: any org's key. */
  orgId?: string;
  /**
   * How long a found key is trusted without reading the database again, in milliseconds (default
   * 1000). Changes made by the Latchkey server, another process, reach this verifier within this bound.
   */
  cacheTtlMs?: number;
  /** The most keys cached (default 100,000; 0 turns the cache off). */
  cacheMaxKeys?: number;
  /** How often usage counts are written to the database, in milliseconds (default 2000). */
  usageFlushMs?: number;
  /** The rate limiter (default: this process's memory, so limits count per process). */
  rateLimiter?: RateLimiter;
  clock?: Clock;
}

/** A verifier working in this process against Latchkey's database. */
export interface LocalVerifier {
  verify(key: string, options?: LocalVerifyOptions): Promise<LocalVerifyResult>;
  /** Writes the usage counted so far and closes the database. */
  close(): Promise<void>;
}

/**
 * Opens Latchkey's database (`sqlite:…` or `postgres://…`, migrated if needed) and verifies keys in
 * this process with the same decisions as the server: checksum rejection before any lookup, a key
 * cache, rate limits, quotas (spent atomically in the database, so shared with the server), IP
 * allowlists and usage counting flushed in batches. A key revoked on the server fails here once
 * `cacheTtlMs` has passed (default 1 s). Rate limits count in this process unless a shared
 * `rateLimiter` is given.
 */
export async function openLocalVerifier(
  databaseUrl: string,
  options: LocalVerifierOptions = {},
): Promise<LocalVerifier> {
  const ttlMs = options.cacheTtlMs ?? 1000;
  const maxKeys = options.cacheMaxKeys ?? 100_000;
  const flushMs = options.usageFlushMs ?? 2000;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError("cacheTtlMs must be 0 or more milliseconds.");
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw new RangeError("cacheMaxKeys must be a whole number, 0 or more.");
  if (!Number.isFinite(flushMs) || flushMs < 1) throw new RangeError("usageFlushMs must be at least 1 millisecond.");

  const store = await openStore(databaseUrl);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  // Uses it records are the server's too: a network first seen here raises `api_key.new_ip` here.
  const usage = new UsageRecorder(store.usage, new AlertEvents(clock, systemRandom));
  const verifier = new Verifier(store.keys, clock, {
    cache: new KeyCache({ maxEntries: ttlMs === 0 ? 0 : maxKeys, ttlMs, negativeTtlMs: ttlMs }),
    rateLimiter: options.rateLimiter ?? new MemoryRateLimiter(),
    usage,
  });
  // A failed flush keeps its counts for the next one; close() flushes once more and reports.
  const timer = setInterval(() => usage.flush().catch(() => {}), flushMs);
  timer.unref();
  let closed: Promise<void> | null = null;

  return {
    verify(key, request = {}) {
      if (closed !== null) return Promise.reject(new Error("the local verifier is closed"));
      return verifier
        .verify(key, {
          orgId: options.orgId,
          permissions: request.permissions,
          resource: request.resource?.toLowerCase(),
          ip: request.ip,
          cost: request.cost,
        })
        .then(verificationAttributes);
    },
    close() {
      closed ??= (async () => {
        clearInterval(timer);
        try {
          await usage.flush();
        } finally {
          await store.close();
        }
      })();
      return closed;
    },
  };
}
