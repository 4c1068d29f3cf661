import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  AlertEvents,
  AlertScheduler,
  AuditService,
  type Clock,
  GroupService,
  GroupServiceAccountService,
  type InvalidationBus,
  KEY_SCAN_PATTERN,
  KeyCache,
  KeyService,
  LeakService,
  MembershipService,
  MemoryRateLimiter,
  newId,
  OAuthClientService,
  OrgService,
  PermissionCatalogueService,
  ProjectService,
  PublishableKeyService,
  QuotaWatch,
  type RandomSource,
  type RateLimiter,
  RoleService,
  ServiceAccountService,
  type Store,
  systemClock,
  systemRandom,
  UsageRecorder,
  VAULT_KEY_BYTES,
  type VaultService,
  Verifier,
  WebhookService,
} from "@latchkey/core";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import type { Config } from "./config.js";
import { trustProxyOption } from "./http/client-address.js";
import { DEFAULT_DASHBOARD_DIR, dashboardRoutes } from "./http/dashboard.js";
import { handleError, sendError } from "./http/errors.js";
import { DEFAULT_FAILURE_THROTTLE, FailureThrottle } from "./http/failure-throttle.js";
import { FastLane, fastLaneServer } from "./http/fast-lane.js";
import { ForwardAuth } from "./http/forward-auth.js";
import { loadScannerKeys } from "./http/github-signature.js";
import { Metrics } from "./http/metrics.js";
import { finishDocument } from "./http/openapi.js";
import { requestIdOf } from "./http/request-id.js";
import {
  ApiKeyResource,
  AuditLogResource,
  ClientSecretResource,
  GroupMembershipResource,
  GroupResource,
  KeyEventResource,
  MembershipResource,
  OrgResource,
  SecretResource,
  ServiceAccountResource,
  WebhookDeliveryResource,
  WebhookResource,
} from "./http/resource-schemas.js";
import { loadRouteMap } from "./http/route-map.js";
import { ErrorDocument, UnauthorizedBody } from "./http/schemas.js";
import { buildSerializer } from "./http/serializer.js";
import { validatorCompiler } from "./http/validation.js";
import { API_VERSIONS } from "./http/versions.js";
import { type MasterKey, openVault, resolveMasterKey } from "./master-key.js";
import { InvitationService } from "./people/invitation-service.js";
import { LoginLimiter } from "./people/login-limiter.js";
import { SignInService } from "./people/sign-in-service.js";
import { restConventions } from "./plugins/rest-conventions.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { auditLogRoutes } from "./routes/audit-logs.js";
import { authCheckRoutes } from "./routes/auth-check.js";
import { authSessionRoutes } from "./routes/auth-sessions.js";
import { groupMembershipRoutes } from "./routes/group-memberships.js";
import { groupServiceAccountRoutes } from "./routes/group-service-accounts.js";
import { groupRoutes } from "./routes/groups.js";
import { healthRoutes } from "./routes/health.js";
import { InvitationResource, invitationRoutes } from "./routes/invitations.js";
import { membershipRoutes } from "./routes/memberships.js";
import { metricsRoutes } from "./routes/metrics.js";
import { oauthTokenRoutes } from "./routes/oauth-token.js";
import { orgRoutes } from "./routes/orgs.js";
import { PermissionResource, permissionRoutes } from "./routes/permissions.js";
import { ProjectResource, projectRoutes } from "./routes/projects.js";
import { publishableKeyRoutes } from "./routes/publishable-keys.js";
import { RoleResource, roleRoutes } from "./routes/roles.js";
import { secretScanningRoutes } from "./routes/secret-scanning.js";
import { secretRoutes } from "./routes/secrets.js";
import { selfRoutes } from "./routes/self.js";
import { selfRevokeRoutes } from "./routes/self-revoke.js";
import { selfTokenRoutes } from "./routes/self-tokens.js";
import { serviceAccountSecretRoutes } from "./routes/service-account-secrets.js";
import { serviceAccountRoutes } from "./routes/service-accounts.js";
import { usageRoutes } from "./routes/usage.js";
import { VerifyBody, verifyRoutes } from "./routes/verify.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { WebhookDeliveryWorker } from "./webhooks/delivery-worker.js";

/** The services of a node, built once in `buildApp` and shared by every route. */
export interface Services {
  store: Store;
  clock: Clock;
  verifier: Verifier;
  usage: UsageRecorder;
  /** Slows down and then refuses addresses that keep presenting bad credentials; null when off. */
  failureThrottle: FailureThrottle | null;
  keys: KeyService;
  /** The orgs' publishable keys: one per environment, listed with their (public) values. */
  publishableKeys: PublishableKeyService;
  serviceAccounts: ServiceAccountService;
  memberships: MembershipService;
  /** Groups: their orgs and memberships (roles that cover every org of the group). */
  groups: GroupService;
  /** Service accounts of a group (their keys work in the org they are created in, of the group). */
  groupServiceAccounts: GroupServiceAccountService;
  /** Each org's permission catalogue. */
  permissions: PermissionCatalogueService;
  roles: RoleService;
  projects: ProjectService;
  /** OAuth clients of service accounts: client secrets and the client credentials grant. */
  oauthClients: OAuthClientService;
  audit: AuditService;
  orgs: OrgService;
  /** Notices low quotas on the request path; its alerts are written with the usage flush. */
  quotaWatch: QuotaWatch;
  /** Expiry alerts and the idle policy, run by the node holding the lease (ticks on a timer). */
  scheduler: AlertScheduler;
  /** Sign-in, sessions, sign-out and password change. */
  signIn: SignInService;
  invitations: InvitationService;
  /** Leaked keys: secret-scanning reports and revocation by a key's holder. */
  leaks: LeakService;
  vault: VaultService;
  webhooks: WebhookService;
  /** Sends the webhook outbox; started by `startServer` unless LATCHKEY_WEBHOOKS_DELIVER=false. */
  webhookWorker: WebhookDeliveryWorker;
}

declare module "fastify" {
  interface FastifyInstance {
    services: Services;
  }
}

/** What `buildApp` is given besides the configuration. */
export interface AppDeps {
  store: Store;
  clock?: Clock;
  random?: RandomSource;
  /** The rate limiter (default: this process's memory). */
  rateLimiter?: RateLimiter;
  /** Where key changes are announced to and heard from other nodes (default: none, a single node). */
  bus?: InvalidationBus | null;
  /** How webhooks reach the outside network (default: the global fetch). */
  fetch?: typeof fetch;
  /** How webhook host names are resolved before each attempt (default: the system resolver). */
  resolve?: (host: string) => Promise<string[]>;
  /** Where log lines go (default: standard output). Tests capture them here. */
  logStream?: NodeJS.WritableStream;
  /**
   * The vault's master key (`startServer` resolves it: see `resolveMasterKey`). Without it, the app uses
   * LATCHKEY_MASTER_KEY, or else a key that lives only as long as the process (in-memory databases).
   */
  masterKey?: Pick<MasterKey, "key" | "source">;
  /** The built dashboard's folder (default: packages/web/dist beside this package). */
  dashboardDir?: string;
}

/** The largest request body: 1 MiB. */
export const BODY_LIMIT = 1024 * 1024;

/** Only the path of a URL is logged: a query string may carry what a careless client put there. */
function loggedUrl(url: string): string {
  const cut = url.indexOf("?");
  return cut === -1 ? url : `${url.slice(0, cut)}?…`;
}

/** The API's OpenAPI document title and description. */
const API_DESCRIPTION = `Latchkey's REST API. Credentials go in \`Authorization: token <key>\`, \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`, never in the URL. Every /rest route needs \`?version=YYYY-MM-DD\` (base version ${API_VERSIONS[0]?.date}). Keys match the regular expression \`${KEY_SCAN_PATTERN}\`. A missing, malformed, unknown, revoked or expired credential gets 401 with exactly \`{"status":"401","code":"Unauthorized"}\`. Bodies are \`application/vnd.api+json\` (at most 1 MiB). Every answer carries \`x-request-id\`; /rest answers carry \`latchkey-version-requested\` and \`latchkey-version-served\` (and \`deprecation\` / \`sunset\` where they apply); 429 answers carry \`Retry-After\`. Each route declares the permission it needs as \`x-latchkey-permission\`; \`x-latchkey-scope: group\` means it is needed in the group of the credential's org (the principal's group role, capped by the credential), and another group answers 404. Outside /rest: \`/auth/check\` (forward auth: the permissions needed come from \`X-Latchkey-Require\`, comma-separated, and the route map; where they are needed from \`X-Latchkey-Resource: project:<id>\`, absent meaning the whole org; a malformed header is 400; 200 carries \`X-Latchkey-Key-Id\`, \`X-Latchkey-Org-Id\`, \`X-Latchkey-Owner\` and \`X-Latchkey-Permissions\`, else 401, 403 or 429), \`POST /oauth2/token\` (client credentials), \`/auth/login|logout|session\`, \`POST /secret-scanning/github\` and \`POST /revoke\` — see the README.`;

/** Builds the Fastify app: every store and service is made here once and decorated onto the instance. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? systemRandom;
  const logger: FastifyServerOptions["logger"] = {
    level: config.logLevel,
    ...(deps.logStream ? { stream: deps.logStream } : {}),
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        url: loggedUrl(req.url),
        id: req.id,
      }),
    },
  };
  const verbose = config.logLevel === "debug" || config.logLevel === "trace";
  const trustProxy = trustProxyOption(config);
  let fastLane: FastLane | null = null;
  const app = Fastify({
    logger,
    bodyLimit: BODY_LIMIT,
    // Two log lines and a child logger per verification would cost more than the verification: both
    // come only at debug and trace. Other log lines carry the request id themselves.
    logController: new LogController({ disableRequestLogging: !verbose }),
    ...(verbose ? {} : { childLoggerFactory: (parent: FastifyBaseLogger) => parent }),
    trustProxy,
    genReqId: requestIdOf,
    // The fast lane answers forward auth and plain verifications before Fastify (made below).
    serverFactory: fastLaneServer(() => fastLane),
    routerOptions: { ignoreTrailingSlash: true },
    schemaController: { compilersFactory: { buildSerializer } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const masterKey =
    deps.masterKey ??
    (config.masterKey !== undefined
      ? resolveMasterKey(config, random)
      : { key: random.bytes(VAULT_KEY_BYTES), source: "a key made for this process" });
  // A wrong master key stops the start here, before anything is served.
  const vault = await openVault(deps.store, masterKey, clock, random);
  const alertEvents = new AlertEvents(clock, random);
  const usage = new UsageRecorder(deps.store.usage, alertEvents);
  const quotaWatch = new QuotaWatch(config.quotaLowPercent, deps.store.alerts, alertEvents);
  const rateLimiter = deps.rateLimiter ?? new MemoryRateLimiter();
  const metrics = new Metrics();
  const verifier = new Verifier(deps.store.keys, clock, {
    cache: new KeyCache({
      maxEntries: config.cacheMaxKeys,
      ttlMs: config.cacheTtlSeconds * 1000,
      negativeTtlMs: Math.min(config.cacheTtlSeconds, 10) * 1000,
      staleMs: config.staleSeconds * 1000,
    }),
    rateLimiter,
    bus: deps.bus ?? null,
    onBusError: (error) => app.log.warn({ err: error }, "could not announce a key change to other nodes"),
    usage,
    quotaWatch,
    observe: metrics.observe,
  });
  const scheduler = new AlertScheduler(deps.store.alerts, clock, alertEvents, {
    holder: newId(clock, random),
    // A lease outlives a few missed ticks, and a stopped node's lease ends soon after.
    leaseMs: config.schedulerIntervalSeconds * 3 * 1000,
    onKeyDisabled: (keyId) => verifier.forgetKey(keyId),
  });
  const failureThrottle =
    config.authFailureLimit === 0
      ? null
      : new FailureThrottle(clock, {
          ...DEFAULT_FAILURE_THROTTLE,
          max: config.authFailureLimit,
          free: Math.max(1, Math.floor(config.authFailureLimit / 5)),
        });
  const loginLimiter = new LoginLimiter(rateLimiter, clock, {
    perAccount: config.loginMaxFailures,
    perAddress: config.loginAddressMaxFailures,
    windowSeconds: config.loginWindowSeconds,
  });
  const signIn = new SignInService(deps.store, clock, random, loginLimiter, {
    idleSeconds: config.sessionIdleSeconds,
    maxSeconds: config.sessionMaxSeconds,
  });
  const publishableKeys = new PublishableKeyService(deps.store, verifier, clock, random, vault);
  app.decorate("services", {
    store: deps.store,
    clock,
    verifier,
    usage,
    failureThrottle,
    keys: new KeyService(deps.store, verifier, clock, random, vault),
    publishableKeys,
    serviceAccounts: new ServiceAccountService(deps.store, verifier, clock, random, {
      defaultAccessTokenTtlSeconds: config.oauthAccessTokenTtlSeconds,
    }),
    memberships: new MembershipService(deps.store, verifier, clock, random),
    groups: new GroupService(deps.store, verifier, clock, random),
    groupServiceAccounts: new GroupServiceAccountService(deps.store, verifier, clock, random),
    permissions: new PermissionCatalogueService(deps.store, clock, random, (keyIds) => {
      for (const keyId of keyIds) verifier.forgetKey(keyId);
    }),
    roles: new RoleService(deps.store, verifier, clock, random),
    projects: new ProjectService(deps.store, clock, random),
    oauthClients: new OAuthClientService(deps.store, verifier, clock, random),
    audit: new AuditService(deps.store),
    orgs: new OrgService(deps.store, clock, random, publishableKeys),
    quotaWatch,
    scheduler,
    signIn,
    invitations: new InvitationService(deps.store, clock, random, signIn, loginLimiter, config.invitationTtlSeconds),
    leaks: new LeakService(deps.store, verifier, clock, random),
    vault,
    webhooks: new WebhookService(deps.store, clock, random, {
      allowPrivateUrls: config.webhooksAllowPrivate,
      sealer: vault,
    }),
    webhookWorker: new WebhookDeliveryWorker({
      store: deps.store,
      clock,
      random,
      log: { warn: (object, message) => app.log.warn(object, message) },
      sealer: vault,
      timeoutMs: config.webhooksTimeoutSeconds * 1000,
      allowPrivate: config.webhooksAllowPrivate,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
    }),
  } satisfies Services);
  const flushUsage = () =>
    Promise.all([
      usage
        .flush()
        .catch((error: unknown) => app.log.warn({ err: error }, "usage flush failed; counts kept for the next one")),
      quotaWatch
        .flush()
        .catch((error: unknown) => app.log.warn({ err: error }, "quota alerts not written; kept for the next flush")),
    ]);
  const flushTimer = setInterval(flushUsage, config.usageFlushSeconds * 1000);
  flushTimer.unref();
  const tick = () =>
    scheduler
      .tick()
      .catch((error: unknown) => app.log.warn({ err: error }, "scheduled jobs failed; retried next tick"));
  const schedulerTimer = setInterval(tick, config.schedulerIntervalSeconds * 1000);
  schedulerTimer.unref();
  app.addHook("onClose", async () => {
    clearInterval(flushTimer);
    clearInterval(schedulerTimer);
    await app.services.webhookWorker.stop();
    await flushUsage();
    await scheduler
      .stop()
      .catch((error: unknown) => app.log.warn({ err: error }, "could not release the scheduler lease"));
    await deps.bus?.close();
  });
  await verifier.listen();
  app.decorateRequest("actor", null);
  app.decorateRequest("apiVersion", null);
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, "NOT_FOUND", `No route ${request.method} ${loggedUrl(request.url)}.`),
  );
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  for (const schema of [
    ErrorDocument,
    UnauthorizedBody,
    ApiKeyResource,
    KeyEventResource,
    ServiceAccountResource,
    MembershipResource,
    PermissionResource,
    RoleResource,
    ProjectResource,
    ClientSecretResource,
    OrgResource,
    GroupResource,
    GroupMembershipResource,
    AuditLogResource,
    InvitationResource,
    SecretResource,
    WebhookResource,
    WebhookDeliveryResource,
  ]) {
    app.addSchema(schema);
  }

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Latchkey API",
        version: API_VERSIONS[API_VERSIONS.length - 1]?.date ?? "",
        description: API_DESCRIPTION,
      },
      servers: config.publicUrl ? [{ url: config.publicUrl }] : [],
      components: {
        securitySchemes: {
          token: { type: "apiKey", in: "header", name: "Authorization", description: "token <key>" },
          bearer: { type: "http", scheme: "bearer" },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
          session: {
            type: "apiKey",
            in: "cookie",
            name: "latchkey_session",
            description: "The dashboard's session (POST /auth/login); writes also need X-CSRF-Token.",
          },
        },
      },
      security: [{ token: [] }, { bearer: [] }, { apiKey: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (documents) =>
      finishDocument("openapiObject" in documents ? documents.openapiObject : documents.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { url: "/docs/json" } });

  await app.register(healthRoutes);
  const forwardAuth = new ForwardAuth({
    verifier,
    clock,
    failureThrottle,
    routeMap:
      config.authRoutesFile === undefined || config.authRoutesFile === "" ? null : loadRouteMap(config.authRoutesFile),
    onRefused: (requestId, reason) => app.log.info({ reqId: requestId, reason }, "forward auth: credential refused"),
  });
  await app.register(authCheckRoutes, { forwardAuth });
  await app.register(oauthTokenRoutes);
  await app.register(metricsRoutes(metrics));
  await app.register(authSessionRoutes, { publicUrl: config.publicUrl, maxAgeSeconds: config.sessionMaxSeconds });
  await app.register(secretScanningRoutes, {
    leaks: app.services.leaks,
    keys:
      config.secretScanningPublicKeys === undefined || config.secretScanningPublicKeys === ""
        ? null
        : loadScannerKeys(config.secretScanningPublicKeys),
    failureThrottle,
  });
  await app.register(selfRevokeRoutes, { leaks: app.services.leaks, failureThrottle });
  await app.register(
    async (rest) => {
      restConventions(rest, { verifier, clock, failureThrottle, signIn, publicUrl: config.publicUrl });
      await rest.register(selfRoutes);
      await rest.register(orgRoutes);
      await rest.register(apiKeyRoutes);
      await rest.register(publishableKeyRoutes);
      await rest.register(selfTokenRoutes);
      await rest.register(serviceAccountRoutes);
      await rest.register(membershipRoutes);
      await rest.register(groupRoutes);
      await rest.register(groupMembershipRoutes);
      await rest.register(groupServiceAccountRoutes);
      await rest.register(permissionRoutes);
      await rest.register(roleRoutes);
      await rest.register(projectRoutes);
      await rest.register(serviceAccountSecretRoutes);
      await rest.register(verifyRoutes);
      await rest.register(usageRoutes);
      await rest.register(auditLogRoutes);
      await rest.register(invitationRoutes, { publicUrl: config.publicUrl });
      await rest.register(secretRoutes);
      await rest.register(webhookRoutes);
      rest.get("/openapi", { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
        reply.type("application/json").send(app.swagger()),
      );
    },
    { prefix: "/rest" },
  );
  await app.register(dashboardRoutes, { dir: deps.dashboardDir ?? DEFAULT_DASHBOARD_DIR });
  // With request logging on (debug, trace) every request goes through Fastify, which logs it.
  if (!verbose) {
    fastLane = new FastLane({
      forwardAuth,
      verifier,
      keys: app.services.keys,
      failureThrottle,
      trustProxy,
      bodyLimit: BODY_LIMIT,
      validateVerifyBody: validatorCompiler({ schema: VerifyBody, httpPart: "body", method: "POST", url: "" }) as (
        body: unknown,
      ) => boolean,
      clock,
      log: app.log,
    });
  }
  return app;
}
