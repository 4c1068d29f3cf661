import type { AuditActor } from "./audit.js";
import type { Clock, RandomSource } from "./clock.js";
import { newId } from "./ids.js";
import { hashKey, parseKey } from "./key-format.js";
import type { ApiKey, KeyEvent, KeyEventType } from "./model.js";
import type { LeakReport, Store } from "./ports.js";
import type { Verifier } from "./verifier.js";

/** One match a secret scanner reports (GitHub's partner format: `token`, `type`, `url`, `source`). */
export interface ScannerMatch {
  /** The text that matched the published key regular expression: possibly a Latchkey key. */
  token: string;
  /** The name the scanner gives the pattern (GitHub: the secret type agreed at enrolment). */
  type: string;
  /** The public URL where it was found (may be empty). */
  url: string;
  /** Where on the scanner's site it was found (GitHub: `content`, `commit`, `issue_comment`, …). */
  location: string;
}

/** A scanner's verdict label: the token was a real Latchkey key, or not. */
export type LeakLabel = "true_positive" | "false_positive";

/** The answer about one reported match, in the order reported. The token itself is never echoed. */
export interface LeakVerdict {
  /** SHA-256 of the reported token, lower-case hex. */
  tokenHash: string;
  tokenType: string;
  label: LeakLabel;
}

/** Where a report or a self-revocation came from, for the events. */
export interface LeakContext {
  requestId: string | null;
  ip: string | null;
}

/** The actor of every change a GitHub secret-scanning report makes. */
export const GITHUB_SCANNER_ACTOR: Readonly<AuditActor> = Object.freeze({
  type: "system",
  id: "github-secret-scanning",
});

/** The longest URL kept in a key's leak record and events; a longer one is cut. */
export const MAX_LEAK_URL_LENGTH = 2048;

/** The longest token type and location kept in a leak's events; longer ones are cut. */
export const MAX_LEAK_TYPE_LENGTH = 100;

/**
 * Acting on leaked keys: reports from a secret scanner (GitHub's partner program) and revocation by
 * anyone who holds a key. Both revoke at once and drop the key from every node's cache, so the very
 * next verification fails.
 */
export class LeakService {
  constructor(
    private readonly store: Pick<Store, "keys">,
    private readonly verifier: Pick<Verifier, "forgetKey">,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /**
   * Handles a scanner's batch: every match that is a stored Latchkey secret (current or in its grace
   * period) gets its key's leak recorded, with `api_key.leaked` and (unless it was revoked already)
   * `api_key.revoked` events, all in one transaction. A match is labelled `true_positive` when it is a
   * secret Latchkey issued (working or not), `false_positive` otherwise. Replaying a batch gives the
   * same verdicts and writes nothing: a key's leak is recorded once.
   */
  async reportLeaks(source: string, matches: readonly ScannerMatch[], context: LeakContext): Promise<LeakVerdict[]> {
    const hashes = matches.map((match) => hashKey(match.token));
    const reports: LeakReport[] = [];
    const byHash = new Map<string, ScannerMatch>();
    matches.forEach((match, i) => {
      const hash = hashes[i] as string;
      if (parseKey(match.token) === null || byHash.has(hash)) return;
      byHash.set(hash, match);
      reports.push({ hash, source, url: cut(match.url, MAX_LEAK_URL_LENGTH) });
    });
    const at = this.clock.now();
    const found = new Set<string>();
    if (reports.length > 0) {
      const results = await this.store.keys.recordLeaks(reports, at, (key, report, revokedNow) => {
        const match = byHash.get(report.hash) as ScannerMatch;
        const detail = {
          source,
          url: report.url,
          token_type: cut(match.type, MAX_LEAK_TYPE_LENGTH),
          location: cut(match.location, MAX_LEAK_TYPE_LENGTH),
        };
        const events = [this.event(key, "leaked", GITHUB_SCANNER_ACTOR, context, at, detail)];
        if (revokedNow) {
          events.push(
            this.event(key, "revoked", GITHUB_SCANNER_ACTOR, context, at, { via: "secret_scanning", source }),
          );
        }
        return events;
      });
      for (const result of results) {
        found.add(result.hash);
        if (result.recorded || result.revoked) this.verifier.forgetKey(result.keyId);
      }
    }
    return matches.map((match, i) => {
      const hash = hashes[i] as string;
      return {
        tokenHash: hash,
        tokenType: match.type,
        label: found.has(hash) ? "true_positive" : "false_positive",
      };
    });
  }

  /**
   * Revokes the key a secret belongs to, for whoever holds it: no other credential is needed. Returns
   * whether this call revoked a key; callers answer the same either way, so that the answer tells
   * nothing about the secret. A secret past its grace period, a key revoked or deleted already, or a
   * publishable key (whose value is public) changes nothing.
   */
  async revokeBySecret(secret: string, context: LeakContext): Promise<boolean> {
    if (parseKey(secret) === null) return false;
    const stored = await this.store.keys.findBySecretHash(hashKey(secret));
    if (stored === null) return false;
    const now = this.clock.now();
    const { key, secret: found } = stored;
    if (found.expiresAt !== null && found.expiresAt <= now) return false;
    if (key.revokedAt !== null || key.deletedAt !== null) return false;
    // A publishable key's value is public by design: holding it proves nothing, so it cannot revoke it.
    if (key.kind === "publishable") return false;
    const holder: AuditActor = { type: "anonymous", id: key.id };
    const event = this.event(key, "revoked", holder, context, now, { via: "self_revoke" });
    const changed = await this.store.keys.change(key.orgId, key.id, { type: "revoke", at: now }, event);
    this.verifier.forgetKey(key.id);
    return changed !== null;
  }

  private event(
    key: Pick<ApiKey, "id" | "orgId">,
    type: KeyEventType,
    actor: AuditActor,
    context: LeakContext,
    at: Date,
    detail: Record<string, unknown>,
  ): KeyEvent {
    return {
      id: newId(this.clock, this.random),
      orgId: key.orgId,
      keyId: key.id,
      type,
      actor,
      requestId: context.requestId,
      ip: context.ip,
      createdAt: at,
      detail,
    };
  }
}

function cut(text: string, length: number): string {
  return text.length > length ? text.slice(0, length) : text;
}
