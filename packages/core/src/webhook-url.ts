import { isIP } from "node:net";
import { LatchkeyError } from "./errors.js";
import { compileAllowlist, normalizeIp } from "./ip-allowlist.js";

/** The longest endpoint URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Loopback, private, link-local, shared and unspecified ranges: no webhook goes there unless allowed. */
const PRIVATE_RANGES = compileAllowlist([
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "::/128",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
]);

/** The IPv4 address inside an IPv4-mapped IPv6 address as the URL parser writes it (`::ffff:a00:1`). */
function unmapped(host: string): string {
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped === null) return normalizeIp(host);
  const high = Number.parseInt(mapped[1] as string, 16);
  const low = Number.parseInt(mapped[2] as string, 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

function refuse(detail: string): never {
  throw new LatchkeyError("VALIDATION_FAILED", detail, { pointer: "/data/attributes/url" });
}

/**
 * Checks an endpoint URL: http or https, no credentials in it, and (unless `allowPrivate`) no
 * loopback, private or link-local address literal and no `localhost`. Host names are not resolved
 * here; returns the URL as given.
 */
export function checkWebhookUrl(url: string, allowPrivate: boolean): string {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) refuse(`The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    refuse("The URL is not a valid absolute URL.");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") refuse("The URL must use http or https.");
  if (parsed.username !== "" || parsed.password !== "") refuse("The URL must not hold a user name or password.");
  if (!allowPrivate) {
    const host = unmapped(parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase());
    const local = host === "localhost" || host.endsWith(".localhost");
    if (local || (isIP(host) !== 0 && PRIVATE_RANGES.allows(host))) {
      refuse("The URL points to a loopback, private or link-local address.");
    }
  }
  return url;
}

/** True when an IP address is loopback, private, link-local, shared or unspecified (IPv4-mapped too). */
export function isPrivateAddress(address: string): boolean {
  const host = unmapped(address.toLowerCase());
  return isIP(host) !== 0 && PRIVATE_RANGES.allows(host);
}
