import { BlockList, isIP } from "node:net";
import { LatchkeyError } from "./errors.js";

/** At most this many CIDRs per key. */
export const MAX_ALLOWLIST_ENTRIES = 100;

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`), or the address itself. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? (mapped[1] as string) : ip;
}

/** Reads `a.b.c.d/n`, `x::y/n` or a bare address (a /32 or /128); null when malformed. */
export function parseCidr(cidr: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [address = "", prefixText, ...rest] = cidr.trim().split("/");
  if (rest.length > 0) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address: address.toLowerCase(), prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** Validated, de-duplicated CIDRs in canonical `address/prefix` form. */
export function checkAllowlist(cidrs: readonly string[]): string[] {
  if (cidrs.length > MAX_ALLOWLIST_ENTRIES) {
    throw new LatchkeyError("VALIDATION_FAILED", `ip_allowlist holds at most ${MAX_ALLOWLIST_ENTRIES} entries.`, {
      pointer: "/data/attributes/ip_allowlist",
    });
  }
  const out = new Set<string>();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed === null) {
      throw new LatchkeyError(
        "VALIDATION_FAILED",
        "Each ip_allowlist entry must be an IPv4 or IPv6 CIDR, such as 10.0.0.0/8.",
        {
          pointer: "/data/attributes/ip_allowlist",
        },
      );
    }
    out.add(`${parsed.address}/${parsed.prefix}`);
  }
  return [...out];
}

/** A compiled allowlist: answers whether an address is inside any of its CIDRs. */
export interface AllowlistMatcher {
  allows(ip: string | undefined): boolean;
}

const ALLOW_ALL: AllowlistMatcher = Object.freeze({ allows: () => true });

/** Compiles an allowlist once; an empty list allows every address, an unknown address none. */
export function compileAllowlist(cidrs: readonly string[]): AllowlistMatcher {
  if (cidrs.length === 0) return ALLOW_ALL;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return {
    allows(ip) {
      if (ip === undefined) return false;
      const address = normalizeIp(ip);
      const version = isIP(address);
      if (version === 0) return false;
      return list.check(address, version === 4 ? "ipv4" : "ipv6");
    },
  };
}
