export { actorRole, requireRoleWithinOwn } from "./actor-role.js";
export { AlertScheduler, type AlertSchedulerOptions, SCHEDULER_LEASE, type TickReport } from "./alert-scheduler.js";
export {
  ALERT_ACTIONS,
  ALERTS_ACTOR,
  AlertEvents,
  type AlertOnce,
  type AlertStore,
  dueExpiryAlert,
  EXPIRY_ALERT_DAYS,
  type ExpiringKey,
  type ExpiryAlertDays,
  expiryAlertOnce,
  IDLE_POLICY_ACTOR,
  type IdlePolicy,
  MAX_IDLE_DISABLE_DAYS,
  type NewNetworkUse,
  networkOf,
  quotaLowThreshold,
} from "./alerts.js";
export {
  type AuditActor,
  type AuditEvent,
  type AuditRecord,
  type AuditTarget,
  auditEventOf,
  auditHash,
  type ChainCheck,
  ChainChecker,
  chainAfter,
  checkChain,
  GENESIS_HASH,
} from "./audit.js";
export { AuditService } from "./audit-service.js";
export { requireOrg, requirePermission, requireUser } from "./authorize.js";
export { type Clock, type RandomSource, systemClock, systemRandom } from "./clock.js";
export { ERROR_CATALOGUE, type ErrorCode, type ErrorSource, isLatchkeyError, LatchkeyError } from "./errors.js";
export { EXPIRY_PRESETS, type ExpiresIn, type ExpiryPolicy, resolveExpiry } from "./expiry.js";
export { GroupService } from "./group-service.js";
export { type CreateGroupServiceAccountInput, GroupServiceAccountService } from "./group-service-account-service.js";
export type { GroupServiceAccountChange, GroupStore, NewGroupMembership } from "./group-store.js";
export { isUuid, newId, UUID_PATTERN } from "./ids.js";
export { type Invalidation, type InvalidationBus, parseInvalidation } from "./invalidation.js";
export {
  type AllowlistMatcher,
  checkAllowlist,
  compileAllowlist,
  MAX_ALLOWLIST_ENTRIES,
  normalizeIp,
  parseCidr,
} from "./ip-allowlist.js";
export { type CachedLookup, KeyCache, type KeyCacheOptions } from "./key-cache.js";
export {
  crc32,
  ENVIRONMENT_PATTERN,
  type GeneratedKey,
  generateKey,
  hashKey,
  hintOf,
  KEY_SCAN_PATTERN,
  keyPrefix,
  LIVE_ENVIRONMENT,
  type ParsedKey,
  PREFIX_PATTERN,
  parseKey,
  toBase62,
} from "./key-format.js";
export {
  checkLabels,
  checkMetadata,
  checkName,
  checkPermissions,
  LABEL_PATTERN,
  MAX_DESCRIPTION_LENGTH,
  MAX_GRACE_PERIOD_SECONDS,
  MAX_LABELS,
  MAX_METADATA_BYTES,
  MAX_NAME_LENGTH,
} from "./key-input.js";
export { type CreateKeyInput, type IssuedKey, KeyService, type UpdateKeyInput } from "./key-service.js";
export {
  GITHUB_SCANNER_ACTOR,
  type LeakContext,
  type LeakLabel,
  LeakService,
  type LeakVerdict,
  MAX_LEAK_TYPE_LENGTH,
  MAX_LEAK_URL_LENGTH,
  type ScannerMatch,
} from "./leak-service.js";
export { MembershipService } from "./membership-service.js";
export {
  type AccessToken,
  type ApiKey,
  type ClientSecret,
  type CredentialKind,
  DEFAULT_KEY_PREFIXES,
  DEFAULT_ORG_POLICY,
  type Group,
  type GroupMembership,
  type GroupMemberView,
  type GroupServiceAccount,
  KEY_KINDS,
  KEY_STATUSES,
  type KeyEvent,
  type KeyEventType,
  type KeyKind,
  type KeyLeak,
  type KeySecret,
  type KeyStatus,
  type Membership,
  type MemberView,
  type Org,
  type OrgPolicy,
  type PrincipalRef,
  type Quota,
  type QuotaRefill,
  type RateLimit,
  SERVICE_ACCOUNT_AUTH_TYPES,
  type SealedSecret,
  type ServiceAccount,
  type ServiceAccountAuthType,
  type SystemActor,
  toVerifiableKey,
  type User,
  type VaultSecret,
  VERIFIABLE_KEY_FIELDS,
  type VerifiableKey,
  type WrappedDataKey,
} from "./model.js";
export {
  ACCESS_TOKEN_PREFIX,
  CLIENT_SECRET_PREFIX,
  checkAccessTokenTtl,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  decideScope,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  MAX_SCOPE_LENGTH,
  MIN_ACCESS_TOKEN_TTL_SECONDS,
  type ScopeDecision,
} from "./oauth.js";
export {
  type IssuedClientSecret,
  newClientSecret,
  OAuthClientService,
  type TokenGrantRequest,
  type TokenGrantResult,
} from "./oauth-client-service.js";
export {
  checkPolicyChange,
  MAX_ENVIRONMENTS,
  MAX_POLICY_LIFETIME_SECONDS,
  MIN_POLICY_LIFETIME_SECONDS,
  OrgService,
  type UpdateOrgInput,
} from "./org-service.js";
export type {
  Invitation,
  InvitationAcceptance,
  InvitationStore,
  PeopleStore,
  Session,
  SessionStore,
  UserCredentials,
} from "./people.js";
export {
  type CatalogueEntry,
  type CreateProductPermissionInput,
  MAX_PRODUCT_PERMISSIONS,
  PermissionCatalogueService,
  type PermissionCatalogueStore,
  PRODUCT_PERMISSION_PATTERN,
  type ProductPermission,
} from "./permission-catalogue.js";
export {
  BUILT_IN_ROLE_GRANTS,
  BUILT_IN_ROLES,
  type BuiltInRole,
  grantCovers,
  grantsOfRole,
  holds,
  intersectGrants,
  isBuiltInRole,
  isPermission,
  LATCHKEY_PERMISSIONS,
  type LatchkeyPermission,
  missingPermissions,
  normalizeGrants,
  PERMISSION_PATTERN,
} from "./permissions.js";
export type {
  AuditFilter,
  AuditStore,
  BootstrapRecords,
  KeyChange,
  KeyFilter,
  KeyStore,
  LeakMatch,
  LeakReport,
  MembershipStore,
  NewMembership,
  OAuthClient,
  OAuthStore,
  OrgStore,
  OrgUpdate,
  Page,
  PageRequest,
  ProjectStore,
  RoleStore,
  ServiceAccountStore,
  Store,
  StoredKeyLookup,
  UserStore,
  VaultStore,
  VaultWrite,
} from "./ports.js";
export { type ProjectInput, ProjectService } from "./project-service.js";
export type { Project } from "./projects.js";
export {
  type NewOrgSealer,
  type OrgSealer,
  type PublishableKeyChanges,
  type PublishableKeyPlan,
  type PublishableKeyRecord,
  PublishableKeyService,
  type PublishableKeyStore,
  type PublishableKeyView,
  preparePublishableKeys,
  type StoredPublishableKey,
} from "./publishable-keys.js";
export { type QuotaLowAlert, QuotaWatch } from "./quota-watch.js";
export { MemoryRateLimiter, type RateLimiter, type RateLimitState } from "./rate-limiter.js";
export {
  checkGrantedBindings,
  memberGrants,
  requireRoleGrantsHeld,
} from "./role-bindings.js";
export { MAX_CUSTOM_ROLES, type RoleInput, RoleService, type RoleView } from "./role-service.js";
export {
  type CustomRole,
  type CustomRoleGrants,
  MAX_ROLE_BINDINGS,
  NO_CUSTOM_ROLES,
  projectOf,
  RESOURCE_PATTERN,
  ROLE_NAME_PATTERN,
  ROLE_SCOPE_PATTERN,
  type RoleBinding,
  roleGrants,
} from "./roles.js";
export {
  type CreatedServiceAccount,
  type CreateServiceAccountInput,
  ServiceAccountService,
  type ServiceAccountServiceOptions,
} from "./service-account-service.js";
export { keyStatus } from "./status.js";
export {
  type LastUse,
  type UsageBucket,
  type UsageCount,
  type UsageGranularity,
  UsageRecorder,
  type UsageStore,
} from "./usage.js";
export {
  formatMasterKey,
  masterKeyCheck,
  matchesMasterKeyCheck,
  open as openSealed,
  packSealed,
  parseMasterKey,
  type Sealed,
  seal,
  secretAad,
  unpackSealed,
  unwrapDataKey,
  VAULT_KEY_BYTES,
  wrapDataKey,
} from "./vault-crypto.js";
export {
  type CreateSecretInput,
  checkSecretName,
  MAX_SECRET_VALUE_BYTES,
  type MasterKeyRotation,
  type RevealedSecret,
  rotateMasterKey,
  SECRET_NAME_PATTERN,
  VaultService,
} from "./vault-service.js";
export {
  type Actor,
  type Authentication,
  prepareLookup,
  refillPeriodStart,
  Verifier,
  type VerifierDeps,
  type VerifyOutcome,
  type VerifyRequest,
} from "./verifier.js";
export {
  decideVerification,
  type KeyLookup,
  VERIFICATION_CODES,
  type VerificationCode,
  type VerificationDecision,
  type VerificationRequest,
} from "./verify-key.js";
export {
  isWebhookEventType,
  retryDelaySeconds,
  subscribes,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_LOG_RETENTION_DAYS,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_REPLAY_WINDOW_SECONDS,
  WEBHOOK_RETRY_DELAYS_SECONDS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEventType,
  type WebhookSubscription,
  webhookPayloadOf,
  webhookSignature,
  webhookSignatureHeader,
} from "./webhook-events.js";
export {
  type CreateWebhookInput,
  type UpdateWebhookInput,
  WebhookService,
  type WebhookServiceOptions,
  type WebhookWithSecret,
} from "./webhook-service.js";
export { checkWebhookUrl, isPrivateAddress, MAX_WEBHOOK_URL_LENGTH } from "./webhook-url.js";
export type {
  ClaimedDelivery,
  WebhookAttempt,
  WebhookAttemptResult,
  WebhookClaimFairness,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointChange,
  WebhookSecretSealer,
  WebhookStore,
} from "./webhooks.js";
export { webhookSecretAad } from "./webhooks.js";
