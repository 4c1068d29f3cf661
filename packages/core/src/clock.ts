import { randomBytes } from "node:crypto";

/** The source of the current time. Tests pass a fake one; nothing in Latchkey calls `Date.now()` directly. */
export interface Clock {
  now(): Date;
}

/** Source of cryptographically secure random bytes (never `Math.random`). */
export interface RandomSource {
  bytes(length: number): Uint8Array;
}

/** The operating system's CSPRNG. */
export const systemRandom: RandomSource = { bytes: (length) => new Uint8Array(randomBytes(length)) };

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
