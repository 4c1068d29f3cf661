import { type PrincipalRef, toVerifiableKey } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { expectLatchkeyError, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/** ServiceAccountStore: create, names, list, and delete with the revocation of the account's keys. */
export function describeServiceAccountContract(factory: StoreFactory): void {
  describe("ServiceAccountStore", () => {
    const t = useStoreFixture(factory);

    it("creates an account and gets it in its own org only", async () => {
      const account = t.data.serviceAccount(t.boot.orgId, {
        role: "admin",
        createdBy: { type: "user", id: t.boot.userId },
      });
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      expect(await t.store.serviceAccounts.get(t.boot.orgId, account.id)).toEqual(account);
      const other = await t.addOrg();
      expect(await t.store.serviceAccounts.get(other.org.id, account.id)).toBeNull();
      expect(await t.store.serviceAccounts.get(t.boot.orgId, t.data.id())).toBeNull();
    });

    it("refuses a second live account of the same name in the org with CONFLICT", async () => {
      const first = t.data.serviceAccount(t.boot.orgId, { name: "deployer" });
      await t.store.serviceAccounts.create(first, t.data.audit("service_account.created"));
      const twin = t.data.serviceAccount(t.boot.orgId, { name: "deployer" });
      await expectLatchkeyError(
        t.store.serviceAccounts.create(twin, t.data.audit("service_account.created")),
        "CONFLICT",
      );
      expect(await t.store.serviceAccounts.get(t.boot.orgId, twin.id)).toBeNull();
      const other = await t.addOrg();
      await t.store.serviceAccounts.create(
        t.data.serviceAccount(other.org.id, { name: "deployer" }),
        t.data.audit("service_account.created"),
      );
    });

    it("allows the name again once the account is deleted", async () => {
      const first = t.data.serviceAccount(t.boot.orgId, { name: "deployer" });
      await t.store.serviceAccounts.create(first, t.data.audit("service_account.created"));
      const recorder = t.eventRecorder({ type: "user", id: t.boot.userId });
      expect(
        await t.store.serviceAccounts.delete(
          t.boot.orgId,
          first.id,
          t.clock.now(),
          recorder.eventFor,
          t.data.audit("service_account.deleted"),
        ),
      ).toBe(true);
      expect(await t.store.serviceAccounts.get(t.boot.orgId, first.id)).toBeNull();
      const again = t.data.serviceAccount(t.boot.orgId, { name: "deployer" });
      await t.store.serviceAccounts.create(again, t.data.audit("service_account.created"));
      expect(await t.store.serviceAccounts.get(t.boot.orgId, again.id)).toEqual(again);
    });

    it("lists the org's live accounts newest first, in pages both ways", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        t.clock.advance(1000);
        const account = t.data.serviceAccount(t.boot.orgId);
        await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
        ids.unshift(account.id);
      }
      const gone = ids.splice(3, 1)[0] ?? "";
      const recorder = t.eventRecorder({ type: "org", id: t.boot.orgId });
      await t.store.serviceAccounts.delete(
        t.boot.orgId,
        gone,
        t.clock.now(),
        recorder.eventFor,
        t.data.audit("service_account.deleted"),
      );
      const other = await t.addOrg();
      await t.store.serviceAccounts.create(
        t.data.serviceAccount(other.org.id),
        t.data.audit("service_account.created"),
      );

      const list = async (page: Parameters<typeof t.store.serviceAccounts.list>[1]) => {
        const result = await t.store.serviceAccounts.list(t.boot.orgId, page);
        return { ids: result.items.map((account) => account.id), hasMore: result.hasMore };
      };
      const first = await list({ limit: 5 });
      expect(first).toEqual({ ids: ids.slice(0, 5), hasMore: true });
      const second = await list({ limit: 5, startingAfter: first.ids.at(-1) });
      expect(second).toEqual({ ids: ids.slice(5, 10), hasMore: true });
      const third = await list({ limit: 5, startingAfter: second.ids.at(-1) });
      expect(third).toEqual({ ids: ids.slice(10), hasMore: false });
      expect(await list({ limit: 5, endingBefore: third.ids[0] })).toEqual({ ids: ids.slice(5, 10), hasMore: true });
      expect(await list({ limit: 5, endingBefore: second.ids[0] })).toEqual({ ids: ids.slice(0, 5), hasMore: false });
    });

    it("deletes an account by revoking its live keys, one event each, and answers false the second time", async () => {
      const orgId = t.boot.orgId;
      const account = t.data.serviceAccount(orgId);
      const neighbour = t.data.serviceAccount(orgId);
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      await t.store.serviceAccounts.create(neighbour, t.data.audit("service_account.created"));
      const owner: PrincipalRef = { type: "service_account", id: account.id };
      const live = await t.addKey(orgId, owner);
      const disabled = await t.addKey(orgId, owner, { enabled: false });
      const revoked = await t.addKey(orgId, owner);
      const revokedAt = t.clock.now();
      await t.store.keys.change(
        orgId,
        revoked.key.id,
        { type: "revoke", at: revokedAt },
        t.data.event(revoked.key, "revoked"),
      );
      const untouched = await t.addKey(orgId, { type: "service_account", id: neighbour.id });

      const at = t.clock.advance(60_000);
      const actor: PrincipalRef = { type: "user", id: t.boot.userId };
      const recorder = t.eventRecorder(actor, "req-delete");
      expect(
        await t.store.serviceAccounts.delete(
          orgId,
          account.id,
          at,
          recorder.eventFor,
          t.data.audit("service_account.deleted"),
        ),
      ).toBe(true);

      expect(await t.store.serviceAccounts.get(orgId, account.id)).toBeNull();
      for (const built of [live, disabled]) {
        expect((await t.store.keys.get(orgId, built.key.id))?.revokedAt).toEqual(at);
        const events = await t.store.keys.listEvents(orgId, built.key.id);
        expect(events.map((event) => event.type)).toEqual(["created", "revoked"]);
        expect(events[1]).toMatchObject({ actor, requestId: "req-delete", createdAt: at });
      }
      expect((await t.store.keys.get(orgId, revoked.key.id))?.revokedAt).toEqual(revokedAt);
      expect(await t.eventTypes(orgId, revoked.key.id)).toEqual(["created", "revoked"]);
      expect((await t.store.keys.get(orgId, untouched.key.id))?.revokedAt).toBeNull();
      expect(await t.store.serviceAccounts.get(orgId, neighbour.id)).toEqual(neighbour);

      expect(
        await t.store.serviceAccounts.delete(
          orgId,
          account.id,
          t.clock.now(),
          recorder.eventFor,
          t.data.audit("service_account.deleted"),
        ),
      ).toBe(false);
      expect(await t.eventTypes(orgId, live.key.id)).toEqual(["created", "revoked"]);
    });

    it("does not revive or re-revoke a deleted key of the account", async () => {
      const orgId = t.boot.orgId;
      const account = t.data.serviceAccount(orgId);
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      const deleted = await t.addKey(orgId, { type: "service_account", id: account.id });
      await t.store.keys.change(
        orgId,
        deleted.key.id,
        { type: "delete", at: t.clock.now() },
        t.data.event(deleted.key, "deleted"),
      );
      const recorder = t.eventRecorder({ type: "org", id: orgId });
      expect(
        await t.store.serviceAccounts.delete(
          orgId,
          account.id,
          t.clock.advance(1000),
          recorder.eventFor,
          t.data.audit("service_account.deleted"),
        ),
      ).toBe(true);
      expect(await t.store.keys.get(orgId, deleted.key.id)).toBeNull();
      expect(await t.eventTypes(orgId, deleted.key.id)).toEqual(["created", "deleted"]);
    });

    it("does not delete another org's account", async () => {
      const other = await t.addOrg();
      const account = t.data.serviceAccount(other.org.id);
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      const key = await t.addKey(other.org.id, { type: "service_account", id: account.id });
      const recorder = t.eventRecorder({ type: "org", id: t.boot.orgId });
      expect(
        await t.store.serviceAccounts.delete(
          t.boot.orgId,
          account.id,
          t.clock.now(),
          recorder.eventFor,
          t.data.audit("service_account.deleted"),
        ),
      ).toBe(false);
      expect(
        await t.store.serviceAccounts.delete(
          t.boot.orgId,
          t.data.id(),
          t.clock.now(),
          recorder.eventFor,
          t.data.audit("service_account.deleted"),
        ),
      ).toBe(false);
      expect(await t.store.serviceAccounts.get(other.org.id, account.id)).toEqual(account);
      expect((await t.store.keys.get(other.org.id, key.key.id))?.revokedAt).toBeNull();
    });

    it("lets one of 5 concurrent deletes win, with one revoked event per key", async () => {
      const orgId = t.boot.orgId;
      const account = t.data.serviceAccount(orgId);
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await t.addKey(orgId, { type: "service_account", id: account.id }));
      const recorder = t.eventRecorder({ type: "org", id: orgId });
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.store.serviceAccounts.delete(
            orgId,
            account.id,
            t.clock.now(),
            recorder.eventFor,
            t.data.audit("service_account.deleted"),
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      for (const built of keys) expect(await t.eventTypes(orgId, built.key.id)).toEqual(["created", "revoked"]);
    });
  });
}

/** Store.bootstrap: the first start writes once, and only once. */
export function describeBootstrapContract(factory: StoreFactory): void {
  describe("Store bootstrap", () => {
    const t = useStoreFixture(factory);

    it("writes the owner, group, org, memberships and token, readable through the ports", async () => {
      const { records } = t.boot;
      expect(await t.store.users.count()).toBe(1);
      expect(await t.store.groups.get(records.group.id)).toEqual(records.group);
      expect(await t.store.groups.ofOrg(records.org.id)).toEqual(records.group);
      expect(await t.store.groups.membership(records.group.id, records.user.id)).toEqual(records.groupMembership);
      expect(await t.store.users.get(records.user.id)).toEqual(records.user);
      expect(await t.store.orgs.get(records.org.id)).toEqual(records.org);
      expect(await t.store.users.membership(records.org.id, records.user.id)).toEqual(records.membership);
      expect(await t.store.keys.get(records.org.id, records.key.id)).toEqual(records.key);
      expect(await t.store.keys.findBySecretHash(records.secret.hash)).toEqual({
        key: toVerifiableKey(records.key),
        secret: records.secret,
        ownerRole: "owner",
        ownerBindings: [],
        customRoles: {},
        groupRole: "owner",
      });
      expect(await t.store.keys.listEvents(records.org.id, records.key.id)).toEqual([records.event]);
    });

    it("writes nothing and answers false once a user exists", async () => {
      const again = t.data.bootstrapRecords();
      expect(await t.store.bootstrap(again)).toBe(false);
      expect(await t.store.users.count()).toBe(1);
      expect(await t.store.users.get(again.user.id)).toBeNull();
      expect(await t.store.orgs.get(again.org.id)).toBeNull();
      expect(await t.store.keys.findBySecretHash(again.secret.hash)).toBeNull();
    });

    it("answers for unknown ids with null", async () => {
      expect(await t.store.orgs.get(t.data.id())).toBeNull();
      expect(await t.store.users.get(t.data.id())).toBeNull();
      expect(await t.store.users.membership(t.boot.orgId, t.data.id())).toBeNull();
      await t.store.ping();
    });
  });

  describe("Store bootstrap races", () => {
    const t = useStoreFixture(factory, { bootstrap: false });

    it("lets one of 5 concurrent first starts with the same owner email write", async () => {
      const records = Array.from({ length: 5 }, () =>
        t.data.bootstrapRecords({ user: { email: "owner@example.test" } }),
      );
      const results = await Promise.all(records.map((r) => t.store.bootstrap(r)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await t.store.users.count()).toBe(1);
    });

    it("lets one of 5 concurrent first starts with different owners write", async () => {
      const records = Array.from({ length: 5 }, () => t.data.bootstrapRecords());
      const results = await Promise.all(records.map((r) => t.store.bootstrap(r)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await t.store.users.count()).toBe(1);
      const winner = records[results.indexOf(true)];
      expect(winner && (await t.store.orgs.get(winner.org.id))).toEqual(winner?.org);
    });
  });
}
