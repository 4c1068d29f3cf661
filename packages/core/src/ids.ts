import type { Clock, RandomSource } from "./clock.js";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * A UUID version 7: 48 bits of milliseconds, then random bits. Ids sort by creation time, which is what
 * cursor pagination orders by.
 */
export function newId(clock: Clock, random: RandomSource): string {
  const bytes = random.bytes(16);
  const ms = clock.now().getTime();
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(bytes, (b) => HEX[b]).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The shape of every id Latchkey issues (any UUID version, lower or upper case). */
export const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const uuidRegex = new RegExp(UUID_PATTERN);

/** True when `value` is shaped like a UUID. */
export function isUuid(value: string): boolean {
  return uuidRegex.test(value);
}
