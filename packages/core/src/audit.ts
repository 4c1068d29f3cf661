import { createHash } from "node:crypto";

/** Who did something: a principal, Latchkey itself (a scheduled job), or someone holding only a key. */
export interface AuditActor {
  type: "user" | "service_account" | "org" | "system" | "anonymous";
  id: string;
}

/** What an event is about. */
export interface AuditTarget {
  type: string;
  id: string;
}

/**
 * One change, as the audit log records it: actor, action (`api_key.created`, `secret.read`, …),
 * target, time (UTC), address and request id. Written in the same transaction as the change.
 */
export interface AuditEvent {
  id: string;
  orgId: string;
  actor: AuditActor;
  action: string;
  target: AuditTarget;
  createdAt: Date;
  ip: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

/** A stored event: its place in the log and the chain's hashes. */
export interface AuditRecord extends AuditEvent {
  /** 1, 2, 3, … over the whole log, without gaps. */
  seq: number;
  /** The hash of the event before (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 of `prevHash` and this event's canonical form. */
  hash: string;
}

/** An event done by an authenticated actor (its principal, request id and address). */
export function auditEventOf(
  actor: { principal: AuditActor; requestId: string | null; ip: string | null },
  orgId: string,
  action: string,
  target: AuditTarget,
  { id, at, detail = {} }: { id: string; at: Date; detail?: Record<string, unknown> },
): AuditEvent {
  return {
    id,
    orgId,
    actor: actor.principal,
    action,
    target,
    createdAt: at,
    ip: actor.ip,
    requestId: actor.requestId,
    detail,
  };
}

/** The hash the first event links to. */
export const GENESIS_HASH = "0".repeat(64);

/** The fields of a record that its hash covers, in a fixed order (JSON with sorted detail keys). */
function canonical(record: Omit<AuditRecord, "hash" | "prevHash">): string {
  return JSON.stringify([
    record.seq,
    record.id,
    record.orgId,
    record.actor.type,
    record.actor.id,
    record.action,
    record.target.type,
    record.target.id,
    record.createdAt.toISOString(),
    record.ip,
    record.requestId,
    sortKeys(record.detail),
  ]);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The hash of a record: SHA-256 over the previous hash and the record's canonical form. */
export function auditHash(prevHash: string, record: Omit<AuditRecord, "hash" | "prevHash">): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonical(record)).digest("hex");
}

/** Chains an event after the log's head (`seq` and hash of the last record, or 0 and GENESIS_HASH). */
export function chainAfter(head: { seq: number; hash: string }, event: AuditEvent): AuditRecord {
  const seq = head.seq + 1;
  const hash = auditHash(head.hash, { ...event, seq });
  return { ...event, seq, prevHash: head.hash, hash };
}

/** The outcome of checking a log: intact, or the first record that is not what the chain says. */
export type ChainCheck =
  | { ok: true; count: number; head: { seq: number; hash: string } }
  | { ok: false; count: number; seq: number; id: string | null; reason: string };

/**
 * Checks records given in `seq` order against the chain, then against the head the log keeps: an
 * edited row fails its own hash, a deleted one leaves a gap, a swapped pair breaks the order and the
 * links, and a removed last row no longer matches the head. Names the first bad record.
 */
export class ChainChecker {
  private previous = { seq: 0, hash: GENESIS_HASH };
  private count = 0;
  private failure: ChainCheck | null = null;

  /** Checks the next record; false once the chain is broken (later records are not looked at). */
  next(record: AuditRecord): boolean {
    if (this.failure !== null) return false;
    this.count += 1;
    const expected = this.previous.seq + 1;
    if (record.seq > expected) {
      const reason = `event ${expected} is missing (the next one is ${record.seq}): it was deleted`;
      this.failure = { ok: false, count: this.count, seq: expected, id: null, reason };
      return false;
    }
    const reason =
      record.seq !== expected
        ? `expected event ${expected} here, found ${record.seq}: events were reordered`
        : record.prevHash !== this.previous.hash
          ? "its link to the event before does not match"
          : auditHash(record.prevHash, record) !== record.hash
            ? "its content does not match its hash"
            : null;
    if (reason !== null) {
      this.failure = { ok: false, count: this.count, seq: record.seq, id: record.id, reason };
      return false;
    }
    this.previous = { seq: record.seq, hash: record.hash };
    return true;
  }

  /** The outcome, given the head the log keeps (null: none, an empty log). */
  finish(head: { seq: number; hash: string } | null): ChainCheck {
    if (this.failure !== null) return this.failure;
    const expected = head ?? { seq: 0, hash: GENESIS_HASH };
    if (expected.seq !== this.previous.seq || expected.hash !== this.previous.hash) {
      return {
        ok: false,
        count: this.count,
        seq: expected.seq,
        id: null,
        reason: `the log's head is event ${expected.seq}, but the chain ends at ${this.previous.seq}: events at the end were removed or changed`,
      };
    }
    return { ok: true, count: this.count, head: this.previous };
  }
}

/** Checks a whole log held in memory (see `ChainChecker`). */
export function checkChain(records: Iterable<AuditRecord>, head: { seq: number; hash: string } | null): ChainCheck {
  const checker = new ChainChecker();
  for (const record of records) if (!checker.next(record)) break;
  return checker.finish(head);
}
