export { type AppDeps, BODY_LIMIT, buildApp, type Services } from "./app.js";
export { bootstrapOwner, type OwnerCredentials } from "./bootstrap-owner.js";
export { CONFIG_VARIABLES, type Config, ConfigError, loadConfig } from "./config.js";
export { HTTP_STATUS, UNAUTHORIZED_BODY } from "./http/errors.js";
export {
  EXAMPLE_CUSTOM_ROLE,
  ROUTE_PERMISSION,
  type RoutePermission,
  type RouteRule,
  roleAllows,
  roleTable,
  routeRules,
} from "./http/route-permissions.js";
export { API_VERSIONS } from "./http/versions.js";
export {
  type LocalVerifier,
  type LocalVerifierOptions,
  type LocalVerifyOptions,
  type LocalVerifyResult,
  openLocalVerifier,
} from "./local-verifier.js";
export {
  MASTER_KEY_FILE,
  type MasterKey,
  masterKeyFileFor,
  openVault,
  readMasterKeyFile,
  resolveMasterKey,
  writeMasterKeyFile,
} from "./master-key.js";
export { SERVING_SEMI_SPACE_MIB, tuneHeapForServing } from "./runtime.js";
export { type RunningServer, startServer } from "./serve.js";
