import { LatchkeyError } from "@latchkey/core";
import { hash, verify } from "@node-rs/argon2";
import { ARGON2_OPTIONS } from "../bootstrap-owner.js";

/** The shortest password a user may set (the owner's LATCHKEY_OWNER_PASSWORD follows the same rule). */
export const MIN_PASSWORD_LENGTH = 12;
/** The longest: argon2 takes any length, but hashing megabytes on request is a gift to an attacker. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Hashes a password with argon2id and OWASP's parameters (a PHC string with its own salt). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

let dummyHash: Promise<string> | null = null;

/**
 * Checks a password against a stored hash. With no hash (an unknown email, a user without a
 * password) it checks against a dummy hash made with the same parameters, so every refusal costs the
 * same time and the answer's timing does not tell which emails exist.
 */
export async function checkPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword("latchkey-dummy-password-for-timing");
    await verify(await dummyHash, password);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** Throws VALIDATION_FAILED, pointing at `pointer`, unless the new password is long enough. */
export function checkNewPassword(password: string, pointer: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new LatchkeyError(
      "VALIDATION_FAILED",
      `A password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`,
      { pointer },
    );
  }
}
