export { type CallOptions, type ClientOptions, LatchkeyApiError, LatchkeyClient } from "./client.js";
export { type AccessTokenOptions, type AccessTokenResponse, getAccessToken, OAuthTokenError } from "./oauth.js";
export { MAX_REMOTE_CACHE_TTL_MS, RemoteVerifier, type RemoteVerifierOptions } from "./remote-verifier.js";
export type * from "./types.js";
export type { KeyVerifier, VerifyRequestOptions, VerifyResult } from "./verifier.js";
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  type VerifyWebhookSignatureOptions,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
} from "./webhooks.js";
