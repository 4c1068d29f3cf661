import { createHmac, timingSafeEqual } from "node:crypto";

/** The header Latchkey signs every webhook delivery in. */
export const WEBHOOK_SIGNATURE_HEADER = "latchkey-signature";

/** How old a delivery's signature may be by default before it is refused as a replay: 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** What `verifyWebhookSignature` checks. */
export interface VerifyWebhookSignatureOptions {
  /** The request body exactly as received (not parsed and serialized again). */
  payload: string | Uint8Array;
  /** The `Latchkey-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
  header: string | null | undefined;
  /** The endpoint's signing secret (`whsec_…`). */
  secret: string;
  /** How far the signature's time may be from now, in seconds (default 300; 0 turns the check off). */
  toleranceSeconds?: number;
  /** The current time (default: the wall clock). */
  now?: Date;
}

/** The body of a webhook delivery. `id` is the event's id: the same on every redelivery, so deduplicate on it. */
export interface WebhookEvent {
  id: string;
  type: string;
  created_at: string;
  org_id: string;
  data: {
    target: { type: string; id: string };
    actor: { type: string; id: string };
    detail: Record<string, unknown>;
  };
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at === -1) continue;
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

/**
 * Checks that a webhook delivery comes from Latchkey: recomputes HMAC-SHA256 over
 * `"<t>.<raw body>"` with the endpoint's secret, compares it in constant time with every `v1`
 * signature of the header, and refuses a timestamp further than `toleranceSeconds` from now (a
 * replayed delivery). Returns true only when all of that holds.
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): boolean {
  if (typeof options.header !== "string" || options.secret.length === 0) return false;
  const parsed = parseHeader(options.header);
  if (parsed === null) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (tolerance > 0 && Math.abs(now - parsed.timestamp) > tolerance) return false;
  const expected = createHmac("sha256", options.secret).update(`${parsed.timestamp}.`).update(options.payload).digest();
  let valid = false;
  for (const signature of parsed.signatures) {
    if (timingSafeEqual(expected, Buffer.from(signature, "hex"))) valid = true;
  }
  return valid;
}
