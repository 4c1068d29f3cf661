import { LatchkeyClient } from "./client.js";
import type { KeyVerifier, VerifyRequestOptions, VerifyResult } from "./verifier.js";

/** The longest a RemoteVerifier may trust a VALID answer: a revoked key fails within this bound. */
export const MAX_REMOTE_CACHE_TTL_MS = 1000;

/** How a RemoteVerifier reaches Latchkey and how long it may reuse answers. */
export interface RemoteVerifierOptions {
  /** The Latchkey server's base URL, e.g. https://keys.example.com. */
  url: string;
  /** A key or token of the org whose keys are verified, holding `api_keys:verify`. */
  token: string;
  /** The API version date (default 2024-06-10). */
  version?: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /**
   * How long a VALID answer is reused, in milliseconds: default 1000, at most 1000
   * (`MAX_REMOTE_CACHE_TTL_MS`), 0 turns the cache off. A key revoked, disabled or changed on the
   * server fails here at most this long after. The constructor refuses a larger value.
   */
  cacheTtlMs?: number;
  /** The most answers held (default 10,000); the oldest go first. */
  cacheMaxEntries?: number;
}

interface CacheEntry {
  result: VerifyResult;
  expiresAt: number;
}

/**
 * Verifies keys with `POST /rest/api_keys/verify` on a Latchkey server.
 *
 * Answers are cached briefly in this process to spare a round trip per request, under rules that
 * keep the cache from ever widening access:
 * - only VALID answers are cached, for at most `cacheTtlMs` (≤ 1000 ms), so a revoked key fails on
 *   the first request after that bound, and every failing key is asked about every time;
 * - answers for a request that names an `ip` are never cached;
 * - answers for keys with a rate limit or a quota are never cached: their units are spent on the server;
 * - entries are keyed by the SHA-256 of the key and the required permissions, so the secret itself
 *   is not held, and a VALID answer for one set of permissions (or resource) never answers another.
 * Cached answers are not counted again in the server's usage.
 */
export class RemoteVerifier implements KeyVerifier {
  private readonly client: LatchkeyClient;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: RemoteVerifierOptions) {
    const ttlMs = options.cacheTtlMs ?? MAX_REMOTE_CACHE_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 0 || ttlMs > MAX_REMOTE_CACHE_TTL_MS) {
      throw new RangeError(
        `cacheTtlMs must be between 0 and ${MAX_REMOTE_CACHE_TTL_MS} ms: a longer cache would let a revoked key work for longer.`,
      );
    }
    const maxEntries = options.cacheMaxEntries ?? 10_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new RangeError("cacheMaxEntries must be a whole number, 0 or more.");
    }
    if (typeof options.token !== "string" || options.token.length === 0) {
      throw new TypeError("token is required: a key or token holding api_keys:verify.");
    }
    if (typeof options.url !== "string" || !URL.canParse(options.url)) {
      throw new TypeError("url must be the Latchkey server's base URL, e.g. https://keys.example.com.");
    }
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.client = new LatchkeyClient({
      url: options.url,
      token: options.token,
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
  }

  /** Verifies a key; rejects with LatchkeyApiError or a network error when the server cannot answer. */
  async verify(key: string, options: VerifyRequestOptions = {}): Promise<VerifyResult> {
    const cacheKey =
      this.ttlMs > 0 && this.maxEntries > 0 && options.ip === undefined ? await entryKey(key, options) : null;
    if (cacheKey !== null) {
      const entry = this.cache.get(cacheKey);
      if (entry !== undefined) {
        if (entry.expiresAt > performance.now()) return entry.result;
        this.cache.delete(cacheKey);
      }
    }
    const result = await this.client.verify(key, options);
    if (cacheKey !== null && result.valid && result.ratelimit === null && result.quota === null) {
      if (this.cache.size >= this.maxEntries) this.evictOldest();
      this.cache.set(cacheKey, { result, expiresAt: performance.now() + this.ttlMs });
    }
    return result;
  }

  /** Drops every cached answer. */
  clear(): void {
    this.cache.clear();
  }

  /** Entries share one TTL, so the first inserted is the first to expire: drop it. */
  private evictOldest(): void {
    const oldest = this.cache.keys().next();
    if (oldest.done !== true) this.cache.delete(oldest.value);
  }
}

/** SHA-256 of the key (Web Crypto, so the SDK runs outside Node too), then what is asked of it. */
async function entryKey(key: string, options: VerifyRequestOptions): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  const permissions = [...new Set(options.permissions ?? [])].sort().join(",");
  return `${hex} ${permissions} ${options.cost ?? 1} ${options.resource?.toLowerCase() ?? ""}`;
}
