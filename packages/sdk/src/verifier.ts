import type { KeyVerification, VerifyOptions } from "./types.js";

/** What a verification asks beyond the key: required permissions (all of them), caller address, cost. */
export type VerifyRequestOptions = VerifyOptions;

/**
 * The answer of a verification, the same wherever it was made: `valid`, the SPEC §5 `code`, the key's
 * id, org, owner, environment, effective permissions, labels, metadata, expiry, and its rate limit
 * (`reset` in epoch milliseconds) and quota after this verification.
 */
export type VerifyResult = KeyVerification;

/**
 * Verifies presented keys. Two implementations: `RemoteVerifier` asks a Latchkey server over HTTP;
 * `openLocalVerifier` from `@latchkey/server` verifies in-process against the same database.
 * Expected outcomes (unknown, revoked, rate limited…) resolve with `valid: false` and a code; only a
 * verifier that cannot answer at all (server unreachable, database down) rejects.
 */
export interface KeyVerifier {
  verify(key: string, options?: VerifyRequestOptions): Promise<VerifyResult>;
}
