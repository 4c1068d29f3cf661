import { randomBytes } from "node:crypto";
import {
  type ApiKey,
  type AuditEvent,
  type BootstrapRecords,
  type BuiltInRole,
  type Clock,
  DEFAULT_KEY_PREFIXES,
  DEFAULT_ORG_POLICY,
  type Group,
  type GroupMembership,
  type GroupServiceAccount,
  generateKey,
  type KeyEvent,
  type KeyEventType,
  type KeyKind,
  type KeySecret,
  type Membership,
  newId,
  type Org,
  type PrincipalRef,
  type RandomSource,
  type ServiceAccount,
  type Store,
  type User,
} from "@latchkey/core";

/** Random bytes from node:crypto: ids and secrets in tests are built the way production builds them. */
export const cryptoRandom: RandomSource = { bytes: (length) => new Uint8Array(randomBytes(length)) };

/** The moment every fake clock starts at unless told otherwise. */
export const FAKE_CLOCK_START = new Date("2030-01-01T00:00:00.000Z");

/** A clock that moves only when the test moves it. */
export class FakeClock implements Clock {
  #ms: number;

  constructor(start: Date = FAKE_CLOCK_START) {
    this.#ms = start.getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  set(date: Date): void {
    this.#ms = date.getTime();
  }

  /** Moves the clock forward by `ms` milliseconds (backward when negative) and returns the new time. */
  advance(ms: number): Date {
    this.#ms += ms;
    return this.now();
  }
}

/** A key as a test builds it: the record, its first secret (with the plaintext) and its `created` event. */
export interface BuiltKey {
  key: ApiKey;
  secret: KeySecret;
  plaintext: string;
  event: KeyEvent;
}

/** A secret as a test builds it, with its plaintext. */
export interface BuiltSecret {
  secret: KeySecret;
  plaintext: string;
}

/** Key fields a test may set, plus the prefix its secret gets (the kind's default otherwise). */
export type KeyOverrides = Partial<Omit<ApiKey, "orgId" | "owner" | "hint">> & { prefix?: string };

/**
 * Builds records for tests. Ids are UUIDv7 like production's, but strictly increasing in the order they
 * are built (even when the fake clock stands still), so "newest first" means "built last first".
 */
export class TestData {
  readonly clock: Clock;
  readonly random: RandomSource;
  #lastIdMs = 0;
  #counter = 0;

  constructor(clock: Clock, random: RandomSource = cryptoRandom) {
    this.clock = clock;
    this.random = random;
  }

  /** A fresh UUIDv7, greater than every id this builder made before. */
  id(): string {
    const ms = Math.max(this.clock.now().getTime(), this.#lastIdMs + 1);
    this.#lastIdMs = ms;
    return newId({ now: () => new Date(ms) }, this.random);
  }

  /** An audit event for a store call that needs one (its content does not matter to the call). */
  audit(action: string, orgId = "00000000-0000-7000-8000-000000000000"): AuditEvent {
    return {
      id: this.id(),
      orgId,
      actor: { type: "system", id: "testkit" },
      action,
      target: { type: action.split(".")[0] ?? "test", id: this.id() },
      createdAt: this.clock.now(),
      ip: null,
      requestId: null,
      detail: {},
    };
  }

  /** A short random suffix that keeps unique columns (slugs, emails, names) unique. */
  unique(): string {
    this.#counter += 1;
    return `${this.#counter}-${Buffer.from(this.random.bytes(4)).toString("hex")}`;
  }

  org(overrides: Partial<Org> = {}): Org {
    const suffix = this.unique();
    return {
      id: this.id(),
      groupId: this.id(),
      name: `Org ${suffix}`,
      slug: `org-${suffix}`,
      policy: { ...DEFAULT_ORG_POLICY, environments: [...DEFAULT_ORG_POLICY.environments] },
      createdAt: this.clock.now(),
      ...overrides,
    };
  }

  user(overrides: Partial<User> = {}): User {
    const suffix = this.unique();
    return {
      id: this.id(),
      email: `user-${suffix}@example.test`,
      name: `User ${suffix}`,
      createdAt: this.clock.now(),
      ...overrides,
    };
  }

  group(overrides: Partial<Group> = {}): Group {
    const suffix = this.unique();
    return {
      id: this.id(),
      name: `Group ${suffix}`,
      slug: `group-${suffix}`,
      createdAt: this.clock.now(),
      ...overrides,
    };
  }

  groupMembership(
    groupId: string,
    userId: string,
    role: BuiltInRole = "member",
    overrides: Partial<GroupMembership> = {},
  ): GroupMembership {
    return { id: this.id(), groupId, userId, role, createdAt: this.clock.now(), ...overrides };
  }

  groupServiceAccount(groupId: string, overrides: Partial<Omit<GroupServiceAccount, "groupId">> = {}) {
    const { orgId: _orgId, ...account } = this.serviceAccount("", overrides);
    return { ...account, groupId } satisfies GroupServiceAccount;
  }

  membership(orgId: string, userId: string, role: string = "member", overrides: Partial<Membership> = {}): Membership {
    return { id: this.id(), orgId, userId, role, roles: [], createdAt: this.clock.now(), ...overrides };
  }

  serviceAccount(orgId: string, overrides: Partial<Omit<ServiceAccount, "orgId">> = {}): ServiceAccount {
    return {
      id: this.id(),
      orgId,
      name: `account-${this.unique()}`,
      role: "member",
      authType: "api_key",
      accessTokenTtlSeconds: null,
      createdAt: this.clock.now(),
      createdBy: { type: "org", id: orgId },
      ...overrides,
    };
  }

  /** A secret for `key`, current (no expiry) unless told otherwise. */
  secret(
    key: Pick<ApiKey, "id" | "kind" | "environment">,
    overrides: Partial<Omit<KeySecret, "keyId">> & { prefix?: string } = {},
  ): BuiltSecret {
    const { prefix, ...fields } = overrides;
    const generated = generateKey(prefix ?? DEFAULT_KEY_PREFIXES[key.kind], key.environment, this.random);
    const secret: KeySecret = {
      hash: generated.hash,
      keyId: key.id,
      hint: generated.hint,
      createdAt: this.clock.now(),
      expiresAt: null,
      ...fields,
    };
    return { secret, plaintext: generated.key };
  }

  /** A live key of `orgId` owned by `owner`: personal for a user, service otherwise. */
  key(orgId: string, owner: PrincipalRef, overrides: KeyOverrides = {}): BuiltKey {
    const { prefix, ...fields } = overrides;
    const kind: KeyKind = fields.kind ?? (owner.type === "user" ? "personal" : "service");
    const base: ApiKey = {
      id: this.id(),
      orgId,
      kind,
      owner,
      name: `key ${this.unique()}`,
      description: null,
      environment: "live",
      permissions: [],
      roles: [],
      labels: [],
      metadata: {},
      expiresAt: null,
      enabled: true,
      revokedAt: null,
      deletedAt: null,
      createdAt: this.clock.now(),
      createdBy: owner,
      lastUsedAt: null,
      lastUsedIp: null,
      hint: "",
      rotatedAt: null,
      leak: null,
      ipAllowlist: [],
      rateLimit: null,
      quota: null,
      ...fields,
    };
    const { secret, plaintext } = this.secret(base, prefix === undefined ? {} : { prefix });
    const key: ApiKey = { ...base, hint: secret.hint };
    return { key, secret, plaintext, event: this.event(key, "created", { actor: key.createdBy }) };
  }

  /** An event of `key`, by the org itself and without a request id unless told otherwise. */
  event(
    key: Pick<ApiKey, "id" | "orgId">,
    type: KeyEventType,
    overrides: Partial<Omit<KeyEvent, "type">> = {},
  ): KeyEvent {
    return {
      id: this.id(),
      orgId: key.orgId,
      keyId: key.id,
      type,
      actor: { type: "org", id: key.orgId },
      requestId: null,
      createdAt: this.clock.now(),
      detail: {},
      ...overrides,
    };
  }

  /** What a first start writes: an owner, their org, the membership and a personal token. */
  bootstrapRecords(overrides: { user?: Partial<User>; org?: Partial<Org> } = {}): BootstrapRecords {
    const user = this.user(overrides.user);
    const group = this.group();
    const org = this.org({ groupId: group.id, ...overrides.org });
    const groupMembership = this.groupMembership(group.id, user.id, "owner");
    const membership = this.membership(org.id, user.id, "owner");
    const { key, secret, event } = this.key(
      org.id,
      { type: "user", id: user.id },
      { name: "bootstrap", permissions: ["*"] },
    );
    return { user, passwordHash: "test-password-hash", group, groupMembership, org, membership, key, secret, event };
  }
}

/** The ids (and records) a bootstrapped store starts with. */
export interface BootstrappedStore {
  orgId: string;
  userId: string;
  membershipId: string;
  keyId: string;
  records: BootstrapRecords;
}

/** Bootstraps `store` with an org and its owner; fails when the store already had a user. */
export async function bootstrapStore(store: Store, data: TestData): Promise<BootstrappedStore> {
  const records = data.bootstrapRecords();
  if (!(await store.bootstrap(records))) throw new Error("bootstrapStore: the store already had a user");
  return {
    orgId: records.org.id,
    userId: records.user.id,
    membershipId: records.membership.id,
    keyId: records.key.id,
    records,
  };
}
