import { isIP } from "node:net";
import type { AuditEvent } from "./audit.js";
import type { Clock, RandomSource } from "./clock.js";
import { newId } from "./ids.js";
import { normalizeIp } from "./ip-allowlist.js";
import type { KeyEvent, SystemActor } from "./model.js";

/** The audit actions of alerts. Webhooks deliver audit events, so these are also the webhook event names. */
export const ALERT_ACTIONS = {
  expiring: "api_key.expiring",
  newIp: "api_key.new_ip",
  quotaLow: "api_key.quota_low",
} as const;

/** Who raises alerts in the audit log. */
export const ALERTS_ACTOR: Readonly<SystemActor> = Object.freeze({ type: "system", id: "alerts" });

/** Who disables idle keys. */
export const IDLE_POLICY_ACTOR: Readonly<SystemActor> = Object.freeze({ type: "system", id: "idle-policy" });

/** The days before expiry at which `api_key.expiring` fires, largest first. */
export const EXPIRY_ALERT_DAYS = [7, 1] as const;

/** A number of days before expiry that `api_key.expiring` fires at. */
export type ExpiryAlertDays = (typeof EXPIRY_ALERT_DAYS)[number];

/** The longest idle period an org's policy may set: ten years. */
export const MAX_IDLE_DISABLE_DAYS = 3650;

const DAY_MS = 24 * 3600 * 1000;

/**
 * The network an address belongs to for new-network alerts: its /24 for IPv4 (`203.0.113.0/24`), its
 * /64 for IPv6 (`2001:db8:1:2::/64`). IPv4-mapped IPv6 addresses count as IPv4. Null when malformed.
 */
export function networkOf(ip: string): string | null {
  const address = normalizeIp(ip.trim());
  const version = isIP(address);
  if (version === 4) {
    const octets = address.split(".");
    return `${octets[0]}.${octets[1]}.${octets[2]}.0/24`;
  }
  if (version !== 6) return null;
  const groups = expandIpv6(address);
  if (groups === null) return null;
  const head = groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16));
  // The canonical short form of the network: trailing zero groups of the first four collapse into `::`.
  while (head.length > 0 && head[head.length - 1] === "0") head.pop();
  return `${head.join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (without a zone), or null. */
function expandIpv6(address: string): string[] | null {
  const bare = address.split("%")[0] ?? "";
  let text = bare;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const octets = (dotted[1] as string).split(".").map(Number);
    const hi = (((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16);
    const lo = (((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16);
    text = `${text.slice(0, dotted.index)}${hi}:${lo}`;
  }
  const [left = "", right, ...rest] = text.split("::");
  if (rest.length > 0) return null;
  const leftGroups = left === "" ? [] : left.split(":");
  const rightGroups = right === undefined || right === "" ? [] : right.split(":");
  const missing = 8 - leftGroups.length - rightGroups.length;
  if (right === undefined ? missing !== 0 : missing < 1) return null;
  return [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill("0"), ...rightGroups];
}

/**
 * The expiry alert due for a key at `now`: the smallest threshold (7 or 1 days) whose window the key
 * is in, provided the key was created with a longer lifetime than that threshold (a key made to live
 * five days gets the one-day alert, not a seven-day alert at its creation). Null when none is due.
 */
export function dueExpiryAlert(key: { createdAt: Date; expiresAt: Date | null }, now: Date): ExpiryAlertDays | null {
  if (key.expiresAt === null) return null;
  const left = key.expiresAt.getTime() - now.getTime();
  if (left <= 0) return null;
  const lifetime = key.expiresAt.getTime() - key.createdAt.getTime();
  let due: ExpiryAlertDays | null = null;
  for (const days of EXPIRY_ALERT_DAYS) {
    if (left <= days * DAY_MS && lifetime > days * DAY_MS) due = days;
  }
  return due;
}

/** The remaining units at or below which a quota of `limit` units is low (`percent` of it, rounded down). */
export function quotaLowThreshold(limit: number, percent: number): number {
  return Math.floor((limit * percent) / 100);
}

/** The once-only identity of an alert: a key, a kind of alert, and what distinguishes repeats. */
export interface AlertOnce {
  keyId: string;
  kind: "expiring" | "quota_low";
  /** `7d@<expires_at>`, `1d@<expires_at>`, or the quota period's start. */
  discriminator: string;
}

/** A key whose expiry is near, as the expiring job reads it. */
export interface ExpiringKey {
  id: string;
  orgId: string;
  createdAt: Date;
  expiresAt: Date;
  /** The discriminators of the `expiring` alerts already recorded for the key. */
  sent: string[];
}

/** The once-only identity of a key's expiry alert: one per threshold and expiry time. */
export function expiryAlertOnce(key: Pick<ExpiringKey, "id" | "expiresAt">, days: ExpiryAlertDays): AlertOnce {
  return { keyId: key.id, kind: "expiring", discriminator: `${days}d@${key.expiresAt.toISOString()}` };
}

/** An org whose policy disables idle keys. */
export interface IdlePolicy {
  orgId: string;
  idleDisableDays: number;
}

/** A key's first use from a network after its first network, as the usage flush finds it. */
export interface NewNetworkUse {
  orgId: string;
  keyId: string;
  ip: string;
  network: string;
  at: Date;
}

/**
 * Storage of the scheduled jobs and their alerts.
 * Atomicity: each alert's once-only row and its audit event commit in one transaction, the audit
 * event as its last write. Concurrency: a unique constraint on the once-only row makes each alert
 * fire once however many nodes race; the lease only spares the others the work.
 */
export interface AlertStore {
  /**
   * Takes or renews the lease `name` for `holder` until `until`, as one conditional write: it succeeds
   * when no one holds it, `holder` holds it already, or the holder's lease ended before `now`.
   */
  takeLease(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
  /** Gives the lease up if `holder` holds it, so another node need not wait for it to end. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Keys not revoked nor deleted whose expiry lies in (`now`, `horizon`], with the expiry alerts sent. */
  expiringKeys(now: Date, horizon: Date): Promise<ExpiringKey[]>;
  /** Records the alert and its audit event unless it was recorded before. Returns whether it recorded. */
  recordOnce(alert: AlertOnce, event: AuditEvent): Promise<boolean>;
  /** The orgs whose policy sets `idleDisableDays`. */
  idlePolicies(): Promise<IdlePolicy[]>;
  /**
   * The org's enabled, live keys with no activity (use, creation, regeneration or enabling) since
   * before `cutoff`.
   */
  idleKeys(orgId: string, cutoff: Date, now: Date): Promise<string[]>;
  /**
   * Disables the key with its `disabled` event (key history and audit log), only if it is still
   * enabled, live and idle since before `cutoff`. Returns whether it disabled it.
   */
  disableIdleKey(orgId: string, keyId: string, cutoff: Date, now: Date, event: KeyEvent): Promise<boolean>;
}

/** Builds the audit events of alerts: ids from the clock and the CSPRNG, actor `system:alerts`. */
export class AlertEvents {
  constructor(
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** `api_key.expiring` for a key, `days` before its expiry. */
  expiring(key: ExpiringKey, days: ExpiryAlertDays): AuditEvent {
    return this.event(key.orgId, key.id, ALERT_ACTIONS.expiring, null, {
      expires_at: key.expiresAt.toISOString(),
      days_before: days,
    });
  }

  /** `api_key.new_ip` for a key first used from a network. */
  newIp(use: NewNetworkUse): AuditEvent {
    return this.event(use.orgId, use.keyId, ALERT_ACTIONS.newIp, use.ip, { ip: use.ip, network: use.network });
  }

  /** `api_key.quota_low` for a key whose quota fell to its threshold. */
  quotaLow(orgId: string, keyId: string, detail: { remaining: number; limit: number; threshold: number }): AuditEvent {
    return this.event(orgId, keyId, ALERT_ACTIONS.quotaLow, null, { ...detail });
  }

  /** The `disabled` key event of the idle policy. */
  idleDisabled(orgId: string, keyId: string, idleDays: number): KeyEvent {
    return {
      id: newId(this.clock, this.random),
      orgId,
      keyId,
      type: "disabled",
      actor: { ...IDLE_POLICY_ACTOR },
      requestId: null,
      ip: null,
      createdAt: this.clock.now(),
      detail: { reason: "idle", idle_days: idleDays },
    };
  }

  private event(
    orgId: string,
    keyId: string,
    action: string,
    ip: string | null,
    detail: Record<string, unknown>,
  ): AuditEvent {
    return {
      id: newId(this.clock, this.random),
      orgId,
      actor: { ...ALERTS_ACTOR },
      action,
      target: { type: "api_key", id: keyId },
      createdAt: this.clock.now(),
      ip,
      requestId: null,
      detail,
    };
  }
}
