import {
  type ApiKey,
  type Group,
  type GroupMembership,
  isLatchkeyError,
  type KeyEvent,
  type Membership,
  type Org,
  type PrincipalRef,
  type Store,
  type User,
} from "@latchkey/core";
import { afterEach, beforeEach, expect } from "vitest";
import {
  type BootstrappedStore,
  type BuiltKey,
  bootstrapStore,
  FakeClock,
  type KeyOverrides,
  TestData,
} from "./builders.js";

/**
 * Writes the records the Store port cannot create yet (orgs, users, memberships), so that a contract
 * test can have more than the one org a bootstrap makes.
 */
export interface StoreSeed {
  /** Inserts the org, and its group (named after it) unless that group exists. */
  org(org: Org): Promise<void>;
  group(group: Group): Promise<void>;
  groupMembership(membership: GroupMembership): Promise<void>;
  user(user: User): Promise<void>;
  membership(membership: Membership): Promise<void>;
}

/** A migrated, empty store for one test, with a way to seed it and to throw it away. */
export interface StoreHarness {
  store: Store;
  seed: StoreSeed;
  /** Closes the store and removes what the harness created (files, schemas). */
  close(): Promise<void>;
}

/** Makes a fresh harness; called once per test. */
export type StoreFactory = () => Promise<StoreHarness>;

/** An org seeded for a test, with one member. */
export interface SeededOrg {
  org: Org;
  user: User;
  membership: Membership;
  /** The member as a key owner or actor. */
  member: PrincipalRef;
}

/** Per-test state of a contract suite: a fresh harness, a fake clock and a builder. */
export class StoreFixture {
  clock = new FakeClock();
  data = new TestData(this.clock);
  #harness: StoreHarness | undefined;
  #boot: BootstrappedStore | undefined;

  get store(): Store {
    return this.#required(this.#harness).store;
  }

  get seed(): StoreSeed {
    return this.#required(this.#harness).seed;
  }

  /** The org and owner the bootstrap wrote. */
  get boot(): BootstrappedStore {
    return this.#required(this.#boot);
  }

  async open(factory: StoreFactory, bootstrap: boolean): Promise<void> {
    this.clock = new FakeClock();
    this.data = new TestData(this.clock);
    this.#harness = await factory();
    this.#boot = bootstrap ? await bootstrapStore(this.#harness.store, this.data) : undefined;
  }

  async close(): Promise<void> {
    const harness = this.#harness;
    this.#harness = undefined;
    this.#boot = undefined;
    await harness?.close();
  }

  /** Seeds a new org with one member of `role`. */
  async addOrg(role: string = "owner"): Promise<SeededOrg> {
    const org = this.data.org();
    const user = this.data.user();
    const membership = this.data.membership(org.id, user.id, role);
    await this.seed.org(org);
    await this.seed.user(user);
    await this.seed.membership(membership);
    return { org, user, membership, member: { type: "user", id: user.id } };
  }

  /** Builds a key and creates it in the store. */
  async addKey(orgId: string, owner: PrincipalRef, overrides: KeyOverrides = {}): Promise<BuiltKey> {
    const built = this.data.key(orgId, owner, overrides);
    await this.store.keys.create(built.key, built.secret, built.event);
    return built;
  }

  /** A function for revokeMatching / service account delete that builds (and remembers) each event. */
  eventRecorder(
    actor: PrincipalRef,
    requestId: string | null = null,
  ): {
    eventFor: (key: ApiKey) => KeyEvent;
    events: KeyEvent[];
  } {
    const events: KeyEvent[] = [];
    const eventFor = (key: ApiKey): KeyEvent => {
      const event = this.data.event(key, "revoked", { actor, requestId });
      events.push(event);
      return event;
    };
    return { eventFor, events };
  }

  /** The types of a key's stored events, oldest first. */
  async eventTypes(orgId: string, keyId: string): Promise<string[]> {
    return (await this.store.keys.listEvents(orgId, keyId)).map((event) => event.type);
  }

  #required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error("the store fixture is used outside a test");
    return value;
  }
}

/** Registers hooks that give every test of the enclosing `describe` a fresh store. */
export function useStoreFixture(factory: StoreFactory, options: { bootstrap?: boolean } = {}): StoreFixture {
  const fixture = new StoreFixture();
  beforeEach(async () => {
    await fixture.open(factory, options.bootstrap ?? true);
  });
  afterEach(async () => {
    await fixture.close();
  });
  return fixture;
}

/** Asserts that `promise` rejects with a LatchkeyError of `code`. */
export async function expectLatchkeyError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected a LatchkeyError ${code}`).toBeDefined();
  expect(isLatchkeyError(error) ? error.code : error).toBe(code);
}

/** Time constants for readable offsets. */
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
