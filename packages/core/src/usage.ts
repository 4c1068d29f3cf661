import { type AlertEvents, type NewNetworkUse, networkOf } from "./alerts.js";
import type { AuditEvent } from "./audit.js";
import type { VerificationCode } from "./verify-key.js";

/** A count of verifications of one key (or of the org, key id "") in one minute with one outcome. */
export interface UsageCount {
  orgId: string;
  keyId: string;
  /** The minute, ISO-8601 UTC truncated to the minute (`2026-11-24T14:05:00.000Z`). */
  minute: string;
  code: VerificationCode;
  count: number;
}

/** When and from where a key was last used, and the networks it was used from since the last flush. */
export interface LastUse {
  keyId: string;
  orgId: string;
  at: Date;
  ip: string | null;
  /** Each network (`/24` or `/64`) used from since the last flush, with the first address seen in it. */
  networks: { network: string; ip: string }[];
}

/** At most this many distinct networks of one key are kept between flushes, for new-network alerts. */
const MAX_NETWORKS_PER_FLUSH = 8;

/** A key's use as the recorder keeps it until the flush. */
interface PendingUse {
  keyId: string;
  orgId: string;
  at: Date;
  ip: string | null;
  /** Each network used from since the last flush, with the first address seen in it. */
  networks: Map<string, string>;
}

/** A bucket of a usage series. */
export interface UsageBucket {
  /** The bucket's start, ISO-8601 UTC. */
  start: string;
  counts: Partial<Record<VerificationCode, number>>;
  total: number;
}

/** The granularities usage is reported in. */
export type UsageGranularity = "minute" | "hour" | "day";

/**
 * Storage of usage counters.
 * Atomicity: `write` increments each (org, key, minute, code) counter, moves each key's
 * `last_used_at` forward (never back) and records each key's networks in one transaction; concurrent
 * writes from several nodes sum exactly. A network a key had not been used from, when the key had been
 * used from another before, gets the audit event `newNetworkEvent` builds, in the same transaction and
 * once per key and network however many nodes race (a unique row per key and network).
 */
export interface UsageStore {
  write(
    counts: readonly UsageCount[],
    uses: readonly LastUse[],
    newNetworkEvent?: ((use: NewNetworkUse) => AuditEvent) | undefined,
  ): Promise<void>;
  /** Buckets with at least one count between `from` (inclusive) and `to` (exclusive), oldest first. */
  series(
    orgId: string,
    keyId: string | null,
    from: Date,
    to: Date,
    granularity: UsageGranularity,
  ): Promise<UsageBucket[]>;
}

/**
 * Counts verifications in memory and writes them in batches, so that verifying never writes to the
 * database. A failed flush keeps its counts for the next one.
 */
export class UsageRecorder {
  /**
   * Counts of the current minute by key id (by NUL and the org id for keys not found), then by code:
   * the key id is the cached record's own string, so a count costs no new string and no hashing.
   */
  private current = new Map<string, Map<VerificationCode, UsageCount>>();
  private currentMinuteMs = -1;
  private currentMinute = "";
  /** Counts of earlier minutes, not yet written. */
  private done: UsageCount[] = [];
  private uses = new Map<string, PendingUse>();
  private flushing: Promise<void> | null = null;

  /** With `alerts`, keys used from a new network raise `api_key.new_ip` when their use is written. */
  constructor(
    private readonly store: UsageStore,
    private readonly alerts: AlertEvents | null = null,
  ) {}

  /** Counts one verification. `keyId` is null for a key that was not found. */
  record(orgId: string, keyId: string | null, code: VerificationCode, at: Date, ip: string | null): void {
    const ms = at.getTime();
    const minuteMs = ms - (ms % 60_000);
    if (minuteMs !== this.currentMinuteMs) this.startMinute(minuteMs);
    const slot = keyId ?? `\u0000${orgId}`;
    let byCode = this.current.get(slot);
    if (byCode === undefined) {
      byCode = new Map();
      this.current.set(slot, byCode);
    }
    const existing = byCode.get(code);
    if (existing) existing.count += 1;
    else byCode.set(code, { orgId, keyId: keyId ?? "", minute: this.currentMinute, code, count: 1 });
    if (keyId !== null && code === "VALID") this.touch(orgId, keyId, at, ip);
  }

  /** Notes a key's use without counting it. */
  touch(orgId: string, keyId: string, at: Date, ip: string | null): void {
    const use = this.uses.get(keyId);
    if (use === undefined) {
      const networks = new Map<string, string>();
      if (ip !== null) noteNetwork(networks, ip);
      this.uses.set(keyId, { keyId, orgId, at, ip, networks });
    } else {
      // A key mostly calls from one address: only a different one can be in another network.
      if (ip !== null && ip !== use.ip) noteNetwork(use.networks, ip);
      use.at = at;
      use.ip = ip;
    }
  }

  /** Writes what was counted since the last flush. Concurrent calls share one write. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    const counts = merge([...this.done, ...countsOf(this.current)]);
    const pending = [...this.uses.values()];
    if (counts.length === 0 && pending.length === 0) return Promise.resolve();
    const uses = pending.map(lastUseOf);
    this.done = [];
    this.current = new Map();
    this.currentMinuteMs = -1;
    this.uses = new Map();
    this.flushing = (async () => {
      try {
        const alerts = this.alerts;
        await this.store.write(counts, uses, alerts === null ? undefined : (use) => alerts.newIp(use));
      } catch (error) {
        this.restore(counts, pending);
        throw error;
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  private startMinute(minuteMs: number): void {
    for (const count of countsOf(this.current)) this.done.push(count);
    this.current = new Map();
    this.currentMinuteMs = minuteMs;
    this.currentMinute = new Date(minuteMs).toISOString();
  }

  private restore(counts: readonly UsageCount[], uses: readonly PendingUse[]): void {
    // Written back as earlier counts; the store sums equal (org, key, minute, code) rows.
    // One at a time: a flush of many keys has more counts than a call may take as arguments.
    for (const count of counts) this.done.push(count);
    for (const use of uses) if (!this.uses.has(use.keyId)) this.uses.set(use.keyId, use);
  }
}

/** Adds the network of `ip` (with `ip` as its first address) unless it is known or the map is full. */
function noteNetwork(networks: Map<string, string>, ip: string): void {
  if (networks.size >= MAX_NETWORKS_PER_FLUSH) return;
  const network = networkOf(ip);
  if (network !== null && !networks.has(network)) networks.set(network, ip);
}

/** A pending use as written: one address per network, in the order first seen. */
function lastUseOf(use: PendingUse): LastUse {
  return {
    keyId: use.keyId,
    orgId: use.orgId,
    at: use.at,
    ip: use.ip,
    networks: [...use.networks].map(([network, ip]) => ({ network, ip })),
  };
}

/** The counts of a minute, each key's by code. */
function* countsOf(current: ReadonlyMap<string, ReadonlyMap<VerificationCode, UsageCount>>): Iterable<UsageCount> {
  for (const byCode of current.values()) yield* byCode.values();
}

/** Sums counts of the same (org, key, minute, code): a batch writes each counter once. */
function merge(counts: readonly UsageCount[]): UsageCount[] {
  const merged = new Map<string, UsageCount>();
  for (const count of counts) {
    const slot = `${count.orgId}|${count.keyId}|${count.minute}|${count.code}`;
    const existing = merged.get(slot);
    if (existing) existing.count += count.count;
    else merged.set(slot, { ...count });
  }
  return [...merged.values()];
}
