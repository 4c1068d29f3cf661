import {
  type ApiKey,
  type Clock,
  DEFAULT_KEY_PREFIXES,
  DEFAULT_ORG_POLICY,
  EXPIRY_PRESETS,
  generateKey,
  newId,
  preparePublishableKeys,
  type RandomSource,
  type Store,
  toBase62,
  type VaultService,
} from "@latchkey/core";
import { hash } from "@node-rs/argon2";

/** OWASP's argon2id parameters: 19 MiB of memory, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** What the first start prints once: the owner's login and first personal token. */
export interface OwnerCredentials {
  email: string;
  /** The generated password, or null when it was given by LATCHKEY_OWNER_PASSWORD (never printed then). */
  password: string | null;
  token: string;
}

/**
 * On an empty database, creates the owner, a first group (the owner owns it), a first org in it and a
 * personal token for the owner, in one transaction; with the node's vault, also the org's publishable
 * keys (one per environment, their values sealed under the org's new data key). Returns what to print
 * once, or null when the database already has users.
 */
export async function bootstrapOwner(
  store: Store,
  options: { email?: string | undefined; password?: string | undefined },
  clock: Clock,
  random: RandomSource,
  vault?: Pick<VaultService, "sealerForNewOrg">,
): Promise<OwnerCredentials | null> {
  if ((await store.users.count()) > 0) return null;
  const now = clock.now();
  const email = (options.email ?? "owner@latchkey.local").toLowerCase();
  const generatedPassword =
    options.password === undefined ? toBase62(BigInt(`0x${Buffer.from(random.bytes(18)).toString("hex")}`), 24) : null;
  const password = options.password ?? (generatedPassword as string);
  const user = { id: newId(clock, random), email, name: "Owner", createdAt: now };
  const group = { id: newId(clock, random), name: "Default", slug: "default", createdAt: now };
  const org = {
    id: newId(clock, random),
    groupId: group.id,
    name: "Default",
    slug: "default",
    policy: { ...DEFAULT_ORG_POLICY },
    createdAt: now,
  };
  const generated = generateKey(DEFAULT_KEY_PREFIXES.personal, "live", random);
  const key: ApiKey = {
    id: newId(clock, random),
    orgId: org.id,
    kind: "personal",
    owner: { type: "user", id: user.id },
    name: "Owner token (first start)",
    description: "Created by the first start of latchkey serve.",
    environment: "live",
    permissions: ["*"],
    roles: [],
    labels: [],
    metadata: {},
    expiresAt: new Date(now.getTime() + EXPIRY_PRESETS["90d"] * 1000),
    enabled: true,
    revokedAt: null,
    deletedAt: null,
    createdAt: now,
    createdBy: { type: "user", id: user.id },
    lastUsedAt: null,
    lastUsedIp: null,
    hint: generated.hint,
    rotatedAt: null,
    leak: null,
    ipAllowlist: [],
    rateLimit: null,
    quota: null,
  };
  const sealer = vault?.sealerForNewOrg(org.id);
  const publishable =
    sealer === undefined
      ? undefined
      : {
          dataKey: sealer.dataKey,
          keys: await preparePublishableKeys(org, org.policy.environments, {
            clock,
            random,
            seal: sealer.seal,
            context: { actor: { type: "user", id: user.id }, requestId: null, ip: null },
            reason: "first_start",
          }),
        };
  const wrote = await store.bootstrap({
    publishable,
    user,
    passwordHash: await hash(password, ARGON2_OPTIONS),
    group,
    groupMembership: { id: newId(clock, random), groupId: group.id, userId: user.id, role: "owner", createdAt: now },
    org,
    membership: { id: newId(clock, random), orgId: org.id, userId: user.id, role: "owner", roles: [], createdAt: now },
    key,
    secret: { hash: generated.hash, keyId: key.id, hint: generated.hint, createdAt: now, expiresAt: null },
    event: {
      id: newId(clock, random),
      orgId: org.id,
      keyId: key.id,
      type: "created",
      actor: { type: "user", id: user.id },
      requestId: null,
      createdAt: now,
      detail: { reason: "first_start" },
    },
  });
  return wrote ? { email, password: generatedPassword, token: generated.key } : null;
}
