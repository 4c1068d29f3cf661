import type { ApiKey, KeyFilter, PageRequest, PrincipalRef } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import type { BuiltKey } from "./builders.js";
import {
  DAY,
  type SeededOrg,
  type StoreFactory,
  type StoreFixture,
  useStoreFixture,
} from "./store-contract-fixture.js";

/** The keys of one org, one per interesting status and owner, for the filter tests. */
interface FilterWorld {
  seeded: SeededOrg;
  account: PrincipalRef;
  keys: Record<
    "active" | "forever" | "expired" | "revoked" | "disabled" | "disabledExpired" | "revokedExpired" | "service",
    ApiKey
  >;
  deleted: ApiKey;
}

async function buildFilterWorld(t: StoreFixture): Promise<FilterWorld> {
  const seeded = await t.addOrg();
  const orgId = seeded.org.id;
  const now = t.clock.now().getTime();
  const account = t.data.serviceAccount(orgId);
  await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
  const accountRef: PrincipalRef = { type: "service_account", id: account.id };
  const orgRef: PrincipalRef = { type: "org", id: orgId };
  const later = new Date(now + DAY);
  const earlier = new Date(now - DAY);
  const add = (owner: PrincipalRef, overrides: Parameters<StoreFixture["addKey"]>[2]) =>
    t.addKey(orgId, owner, overrides).then((built: BuiltKey) => built.key);
  const keys = {
    active: await add(seeded.member, { name: "Prod Deploy", expiresAt: later, labels: ["ci", "prod"] }),
    forever: await add(seeded.member, { name: "prod_backup", labels: ["backup"] }),
    expired: await add(seeded.member, { name: "100% legit", expiresAt: earlier, environment: "test" }),
    revoked: await add(orgRef, { name: "back\\slash", expiresAt: later, labels: ["ci"] }),
    disabled: await add(orgRef, { name: "PRODUCTION", enabled: false, expiresAt: later, environment: "test" }),
    disabledExpired: await add(orgRef, { name: "old disabled", enabled: false, expiresAt: earlier }),
    revokedExpired: await add(orgRef, { name: "old revoked", expiresAt: earlier, labels: ["ci"] }),
    service: await add(accountRef, { name: "worker", labels: ["ci"], environment: "test" }),
  };
  for (const key of [keys.revoked, keys.revokedExpired]) {
    const revoked = await t.store.keys.change(
      orgId,
      key.id,
      { type: "revoke", at: t.clock.now() },
      t.data.event(key, "revoked"),
    );
    if (revoked === null) throw new Error("could not revoke a fixture key");
    Object.assign(key, revoked);
  }
  const deleted = await add(seeded.member, { name: "prod deleted", labels: ["ci", "prod"], expiresAt: later });
  await t.store.keys.change(orgId, deleted.id, { type: "delete", at: t.clock.now() }, t.data.event(deleted, "deleted"));
  return { seeded, account: accountRef, keys, deleted };
}

/** KeyStore.list filters: status at `now`, label, kind, environment, owner and name. */
export function describeKeyListFilterContract(factory: StoreFactory): void {
  describe("KeyStore list filters", () => {
    const t = useStoreFixture(factory);

    async function names(world: FilterWorld, filter: KeyFilter, now = t.clock.now()): Promise<string[]> {
      const page = await t.store.keys.list(world.seeded.org.id, filter, { limit: 100 }, now);
      const byId = new Map(Object.entries(world.keys).map(([name, key]) => [key.id, name]));
      return page.items.map((key) => byId.get(key.id) ?? `unexpected ${key.name}`).sort();
    }

    it("lists every key of the org that is not deleted, and no other org's", async () => {
      const world = await buildFilterWorld(t);
      expect(await names(world, {})).toEqual(Object.keys(world.keys).sort());
      const page = await t.store.keys.list(t.boot.orgId, {}, { limit: 100 }, t.clock.now());
      expect(page.items.map((key) => key.id)).toEqual([t.boot.keyId]);
    });

    it("filters by status evaluated at the given time", async () => {
      const world = await buildFilterWorld(t);
      expect(await names(world, { status: "active" })).toEqual(["active", "forever", "service"]);
      expect(await names(world, { status: "expired" })).toEqual(["disabledExpired", "expired"]);
      expect(await names(world, { status: "revoked" })).toEqual(["revoked", "revokedExpired"]);
      expect(await names(world, { status: "disabled" })).toEqual(["disabled"]);
      const inTwoDays = new Date(t.clock.now().getTime() + 2 * DAY);
      expect(await names(world, { status: "active" }, inTwoDays)).toEqual(["forever", "service"]);
      expect(await names(world, { status: "expired" }, inTwoDays)).toEqual([
        "active",
        "disabled",
        "disabledExpired",
        "expired",
      ]);
      expect(await names(world, { status: "disabled" }, inTwoDays)).toEqual([]);
    });

    it("counts a key as expired from the very moment of its expiry", async () => {
      const world = await buildFilterWorld(t);
      const expiresAt = world.keys.active.expiresAt;
      if (expiresAt === null) throw new Error("fixture key without expiry");
      expect(await names(world, { status: "expired" }, expiresAt)).toContain("active");
      const justBefore = new Date(expiresAt.getTime() - 1);
      expect(await names(world, { status: "active" }, justBefore)).toContain("active");
    });

    it("filters by label, kind, environment and owner", async () => {
      const world = await buildFilterWorld(t);
      expect(await names(world, { label: "ci" })).toEqual(["active", "revoked", "revokedExpired", "service"]);
      expect(await names(world, { label: "prod" })).toEqual(["active"]);
      expect(await names(world, { label: "nope" })).toEqual([]);
      expect(await names(world, { kind: "service" })).toEqual([
        "disabled",
        "disabledExpired",
        "revoked",
        "revokedExpired",
        "service",
      ]);
      expect(await names(world, { kind: "personal" })).toEqual(["active", "expired", "forever"]);
      expect(await names(world, { environment: "test" })).toEqual(["disabled", "expired", "service"]);
      expect(await names(world, { ownerId: world.seeded.user.id })).toEqual(["active", "expired", "forever"]);
      expect(await names(world, { ownerId: world.account.id })).toEqual(["service"]);
      expect(await names(world, { ownerId: world.seeded.org.id })).toEqual([
        "disabled",
        "disabledExpired",
        "revoked",
        "revokedExpired",
      ]);
    });

    it("filters by a case-insensitive name substring, taking % _ and \\ literally", async () => {
      const world = await buildFilterWorld(t);
      expect(await names(world, { name: "PROD" })).toEqual(["active", "disabled", "forever"]);
      expect(await names(world, { name: "deploy" })).toEqual(["active"]);
      expect(await names(world, { name: "_" })).toEqual(["forever"]);
      expect(await names(world, { name: "d_b" })).toEqual(["forever"]);
      expect(await names(world, { name: "%" })).toEqual(["expired"]);
      expect(await names(world, { name: "0% L" })).toEqual(["expired"]);
      expect(await names(world, { name: "\\" })).toEqual(["revoked"]);
      expect(await names(world, { name: "k\\s" })).toEqual(["revoked"]);
      expect(await names(world, { name: "p%d" })).toEqual([]);
    });

    it("requires every given filter to match", async () => {
      const world = await buildFilterWorld(t);
      expect(await names(world, { label: "ci", status: "active" })).toEqual(["active", "service"]);
      expect(await names(world, { label: "ci", kind: "service", environment: "test" })).toEqual(["service"]);
      expect(await names(world, { name: "prod", status: "disabled", ownerId: world.seeded.org.id })).toEqual([
        "disabled",
      ]);
      expect(await names(world, { name: "prod", environment: "test", status: "active" })).toEqual([]);
    });
  });
}

/** KeyStore.list pagination: newest first, in both directions, without gaps or duplicates. */
export function describeKeyPaginationContract(factory: StoreFactory): void {
  describe("KeyStore list pagination", () => {
    const t = useStoreFixture(factory);

    /** Creates `count` keys a second apart; returns their ids newest first. */
    async function createKeys(orgId: string, count: number, labelled?: (i: number) => boolean): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        t.clock.advance(1000);
        const labels = labelled?.(i) ? ["even"] : [];
        ids.push((await t.addKey(orgId, { type: "org", id: orgId }, { labels })).key.id);
      }
      return ids.reverse();
    }

    async function page(orgId: string, request: PageRequest, filter: KeyFilter = {}) {
      const result = await t.store.keys.list(orgId, filter, request, t.clock.now());
      return { ids: result.items.map((key) => key.id), hasMore: result.hasMore };
    }

    it("walks 25 keys forward in pages of 10, newest first, without gaps or duplicates", async () => {
      const { org } = await t.addOrg();
      const all = await createKeys(org.id, 25);
      const first = await page(org.id, { limit: 10 });
      expect(first).toEqual({ ids: all.slice(0, 10), hasMore: true });
      const second = await page(org.id, { limit: 10, startingAfter: first.ids.at(-1) });
      expect(second).toEqual({ ids: all.slice(10, 20), hasMore: true });
      const third = await page(org.id, { limit: 10, startingAfter: second.ids.at(-1) });
      expect(third).toEqual({ ids: all.slice(20), hasMore: false });
      expect(new Set([...first.ids, ...second.ids, ...third.ids]).size).toBe(25);
    });

    it("walks back with endingBefore, newest first within each page", async () => {
      const { org } = await t.addOrg();
      const all = await createKeys(org.id, 25);
      const second = await page(org.id, { limit: 10, endingBefore: all[20] });
      expect(second).toEqual({ ids: all.slice(10, 20), hasMore: true });
      const first = await page(org.id, { limit: 10, endingBefore: second.ids[0] });
      expect(first).toEqual({ ids: all.slice(0, 10), hasMore: false });
      const nearOldest = await page(org.id, { limit: 10, endingBefore: all[24] });
      expect(nearOldest).toEqual({ ids: all.slice(14, 24), hasMore: true });
      const newest = await page(org.id, { limit: 10, endingBefore: all[0] });
      expect(newest).toEqual({ ids: [], hasMore: false });
    });

    it("answers the edges: after the oldest, a limit above the count, a limit of one", async () => {
      const { org } = await t.addOrg();
      const all = await createKeys(org.id, 5);
      expect(await page(org.id, { limit: 10, startingAfter: all[4] })).toEqual({ ids: [], hasMore: false });
      expect(await page(org.id, { limit: 100 })).toEqual({ ids: all, hasMore: false });
      expect(await page(org.id, { limit: 5 })).toEqual({ ids: all, hasMore: false });
      expect(await page(org.id, { limit: 1, startingAfter: all[1] })).toEqual({ ids: [all[2]], hasMore: true });
      expect(await page(org.id, { limit: 1, endingBefore: all[1] })).toEqual({ ids: [all[0]], hasMore: false });
    });

    it("pages through a filtered list and skips deleted keys", async () => {
      const { org } = await t.addOrg();
      const all = await createKeys(org.id, 25, (i) => i % 2 === 0);
      const deletedId = all[4];
      if (deletedId === undefined) throw new Error("missing fixture key");
      const deleted = await t.store.keys.get(org.id, deletedId);
      if (deleted === null) throw new Error("missing fixture key");
      await t.store.keys.change(
        org.id,
        deletedId,
        { type: "delete", at: t.clock.now() },
        t.data.event(deleted, "deleted"),
      );
      const labelled = (await page(org.id, { limit: 100 }, { label: "even" })).ids;
      expect(labelled).toHaveLength(deleted.labels.includes("even") ? 12 : 13);
      expect(labelled).not.toContain(deletedId);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let hasMore = true; hasMore; ) {
        const next = await page(org.id, { limit: 5, startingAfter: cursor }, { label: "even" });
        seen.push(...next.ids);
        cursor = next.ids.at(-1);
        hasMore = next.hasMore;
      }
      expect(seen).toEqual(labelled);
      const unfiltered = (await page(org.id, { limit: 100 })).ids;
      expect(unfiltered).toEqual(all.filter((id) => id !== deletedId));
    });

    it("does not mix the keys of two orgs across pages", async () => {
      const a = await t.addOrg();
      const b = await t.addOrg();
      const aIds: string[] = [];
      for (let i = 0; i < 12; i++) {
        t.clock.advance(1000);
        aIds.unshift((await t.addKey(a.org.id, a.member)).key.id);
        await t.addKey(b.org.id, b.member);
      }
      const first = await page(a.org.id, { limit: 10 });
      const second = await page(a.org.id, { limit: 10, startingAfter: first.ids.at(-1) });
      expect([...first.ids, ...second.ids]).toEqual(aIds);
      expect(second.hasMore).toBe(false);
    });
  });
}
