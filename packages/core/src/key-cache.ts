import { LRUCache } from "lru-cache";
import type { KeyLookup } from "./verify-key.js";

/** Sizes and lifetimes of the verified-key cache. */
export interface KeyCacheOptions {
  /** The most entries held (0 turns the cache off). */
  maxEntries: number;
  /** How long a found key is trusted without asking storage again, in milliseconds. */
  ttlMs: number;
  /** How long an unknown secret hash is remembered as unknown, in milliseconds. */
  negativeTtlMs: number;
  /**
   * How long past its TTL an entry may still answer while storage is unreachable, in milliseconds
   * (0: never). Invalidations drop entries whatever their age.
   */
  staleMs?: number | undefined;
}

/** A cached answer: the lookup (null: the hash is unknown) and until when it is fresh. */
export interface CachedLookup {
  lookup: KeyLookup | null;
  /** Epoch milliseconds after which storage should be asked again. */
  freshUntil: number;
  /** Epoch milliseconds after which the entry may not answer even while storage is unreachable. */
  staleUntil: number;
}

/**
 * Verified key records by secret hash, with negative entries for unknown hashes. Every change to a
 * key drops its entries at once (`forgetKey`, also when another node announces the change); the TTL
 * only bounds how long a change nobody announced can go unseen.
 */
export class KeyCache {
  private readonly cache: LRUCache<string, CachedLookup> | null;
  private readonly hashesByKey = new Map<string, Set<string>>();
  private generation = 0;
  /**
   * The doorkeeper of a full cache: one bit per slot for hashes looked up recently. Once the cache is
   * full, a hash is cached on its second lookup only, so keys used once in a while (more keys in use
   * than the cache holds) do not each evict a key in steady use, and do not cost an eviction each.
   * The bits are cleared when a quarter of them are set.
   */
  private readonly seen: Uint32Array;
  private readonly seenMask: number;
  private seenCount = 0;

  constructor(private readonly options: KeyCacheOptions) {
    // No TTL of the LRU's own: entries carry their lifetimes by the verifier's clock, and one past
    // `staleUntil` never answers; the LRU bounds their number. (Its TTL would read the time on every
    // get and set a timer every millisecond.)
    this.cache =
      options.maxEntries > 0
        ? new LRUCache<string, CachedLookup>({
            max: options.maxEntries,
            dispose: (entry, hash) => {
              if (entry.lookup !== null) this.unindex(entry.lookup.key.id, hash);
            },
          })
        : null;
    const slots = 2 ** Math.max(10, Math.ceil(Math.log2(Math.max(1, options.maxEntries) * 4)));
    this.seen = new Uint32Array(options.maxEntries > 0 ? slots / 32 : 0);
    this.seenMask = slots - 1;
  }

  /** The cached answer for a hash, fresh or stale (check `freshUntil`), or undefined. */
  get(hash: string): CachedLookup | undefined {
    return this.cache?.get(hash);
  }

  /**
   * A token to take before reading storage and give back to `set`: a lookup read while something was
   * forgotten may predate that change, so it is not cached.
   */
  get epoch(): number {
    return this.generation;
  }

  /** Remembers a lookup (or that the hash is unknown), unless anything was forgotten since `epoch`. */
  set(hash: string, lookup: KeyLookup | null, epoch: number, nowMs: number): void {
    if (this.cache === null || epoch !== this.generation) return;
    if (this.cache.size >= this.options.maxEntries && !this.cache.has(hash) && this.firstSighting(hash)) return;
    const ttl = lookup === null ? this.options.negativeTtlMs : this.options.ttlMs;
    this.cache.set(hash, { lookup, freshUntil: nowMs + ttl, staleUntil: nowMs + ttl + (this.options.staleMs ?? 0) });
    if (lookup === null) return;
    let hashes = this.hashesByKey.get(lookup.key.id);
    if (hashes === undefined) {
      hashes = new Set();
      this.hashesByKey.set(lookup.key.id, hashes);
    }
    hashes.add(hash);
  }

  /** Drops every entry of a key. */
  forgetKey(keyId: string): void {
    this.generation += 1;
    const hashes = this.hashesByKey.get(keyId);
    if (hashes === undefined) return;
    for (const hash of [...hashes]) this.cache?.delete(hash);
    this.hashesByKey.delete(keyId);
  }

  /** Drops one hash (a new secret that may have been remembered as unknown). */
  forgetHash(hash: string): void {
    this.generation += 1;
    this.cache?.delete(hash);
  }

  /** Drops everything (a role or owner change can touch many keys). */
  clear(): void {
    this.generation += 1;
    this.cache?.clear();
    this.hashesByKey.clear();
  }

  /** Notes a hash as seen; true when it was not seen since the bits were last cleared. */
  private firstSighting(hash: string): boolean {
    // The hash is SHA-256 hex: its first eight digits are as good as any index.
    const slot = Number.parseInt(hash.slice(0, 8), 16) & this.seenMask;
    const word = slot >>> 5;
    const bit = 1 << (slot & 31);
    const bits = this.seen[word] ?? 0;
    if ((bits & bit) !== 0) return false;
    if (++this.seenCount > (this.seenMask + 1) / 4) {
      this.seen.fill(0);
      this.seenCount = 1;
    }
    this.seen[word] = (this.seen[word] ?? 0) | bit;
    return true;
  }

  private unindex(keyId: string, hash: string): void {
    const hashes = this.hashesByKey.get(keyId);
    if (hashes === undefined) return;
    hashes.delete(hash);
    if (hashes.size === 0) this.hashesByKey.delete(keyId);
  }
}
