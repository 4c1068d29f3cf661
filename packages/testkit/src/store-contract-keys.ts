import { type PrincipalRef, toVerifiableKey } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { DAY, expectLatchkeyError, HOUR, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/** KeyStore: create, lookup by secret hash, get, and the created event. */
export function describeKeyLookupContract(factory: StoreFactory): void {
  describe("KeyStore create and lookup", () => {
    const t = useStoreFixture(factory);

    it("finds a created key by its secret hash, with the user owner's membership role", async () => {
      const { org, member } = await t.addOrg("admin");
      const built = await t.addKey(org.id, member, {
        labels: ["ci", "deploy"],
        metadata: { team: "infra", nested: { n: 1 } },
        permissions: ["api_keys:read"],
        description: "for the pipeline",
        expiresAt: new Date(t.clock.now().getTime() + DAY),
        environment: "test",
      });
      const found = await t.store.keys.findBySecretHash(built.secret.hash);
      expect(found).toEqual({
        key: toVerifiableKey(built.key),
        secret: built.secret,
        ownerRole: "admin",
        ownerBindings: [],
        customRoles: {},
        groupRole: null,
      });
    });

    it("gives a service account's key the account's role", async () => {
      const account = t.data.serviceAccount(t.boot.orgId, { role: "viewer" });
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      const built = await t.addKey(t.boot.orgId, { type: "service_account", id: account.id });
      const found = await t.store.keys.findBySecretHash(built.secret.hash);
      expect(found?.ownerRole).toBe("viewer");
      expect(found?.key.kind).toBe("service");
    });

    it("gives no role once the owning service account is deleted", async () => {
      const account = t.data.serviceAccount(t.boot.orgId, { role: "admin" });
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      const built = await t.addKey(t.boot.orgId, { type: "service_account", id: account.id });
      const recorder = t.eventRecorder({ type: "user", id: t.boot.userId });
      expect(
        await t.store.serviceAccounts.delete(
          t.boot.orgId,
          account.id,
          t.clock.now(),
          recorder.eventFor,
          t.data.audit("service_account.deleted"),
        ),
      ).toBe(true);
      const found = await t.store.keys.findBySecretHash(built.secret.hash);
      expect(found?.key.id).toBe(built.key.id);
      expect(found?.ownerRole).toBeNull();
    });

    it("gives no role to a user without a membership in the key's org", async () => {
      const other = await t.addOrg("owner");
      const key = await t.addKey(other.org.id, { type: "user", id: t.boot.userId });
      const found = await t.store.keys.findBySecretHash(key.secret.hash);
      expect(found?.key.id).toBe(key.key.id);
      expect(found?.ownerRole).toBeNull();
    });

    it("takes the role from the membership in the key's org, not from another org", async () => {
      const other = await t.addOrg("owner");
      await t.seed.membership(t.data.membership(other.org.id, t.boot.userId, "viewer"));
      const here = await t.addKey(t.boot.orgId, { type: "user", id: t.boot.userId });
      const there = await t.addKey(other.org.id, { type: "user", id: t.boot.userId });
      expect((await t.store.keys.findBySecretHash(here.secret.hash))?.ownerRole).toBe("owner");
      expect((await t.store.keys.findBySecretHash(there.secret.hash))?.ownerRole).toBe("viewer");
    });

    it("returns null for an unknown hash", async () => {
      const unknown = t.data.secret({ id: t.data.id(), kind: "personal", environment: "live" });
      expect(await t.store.keys.findBySecretHash(unknown.secret.hash)).toBeNull();
    });

    it("finds deleted keys too, marked deleted", async () => {
      const built = await t.addKey(t.boot.orgId, { type: "org", id: t.boot.orgId });
      const at = t.clock.advance(HOUR);
      await t.store.keys.change(t.boot.orgId, built.key.id, { type: "delete", at }, t.data.event(built.key, "deleted"));
      const found = await t.store.keys.findBySecretHash(built.secret.hash);
      expect(found?.key.deletedAt).toEqual(at);
    });

    it("gets a key of its own org only, and never a deleted one", async () => {
      const other = await t.addOrg();
      const built = await t.addKey(t.boot.orgId, { type: "org", id: t.boot.orgId });
      expect(await t.store.keys.get(t.boot.orgId, built.key.id)).toEqual(built.key);
      expect(await t.store.keys.get(other.org.id, built.key.id)).toBeNull();
      expect(await t.store.keys.get(t.boot.orgId, t.data.id())).toBeNull();
      await t.store.keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "delete", at: t.clock.now() },
        t.data.event(built.key, "deleted"),
      );
      expect(await t.store.keys.get(t.boot.orgId, built.key.id)).toBeNull();
    });

    it("refuses a duplicate secret hash with CONFLICT and writes nothing of the second key", async () => {
      const first = await t.addKey(t.boot.orgId, { type: "org", id: t.boot.orgId });
      const second = t.data.key(t.boot.orgId, { type: "org", id: t.boot.orgId });
      const clash = { ...second.secret, hash: first.secret.hash };
      await expectLatchkeyError(t.store.keys.create(second.key, clash, second.event), "CONFLICT");
      expect(await t.store.keys.get(t.boot.orgId, second.key.id)).toBeNull();
      expect(await t.store.keys.listEvents(t.boot.orgId, second.key.id)).toEqual([]);
      expect((await t.store.keys.findBySecretHash(first.secret.hash))?.key.id).toBe(first.key.id);
    });

    it("stores the created event", async () => {
      const built = await t.addKey(t.boot.orgId, { type: "user", id: t.boot.userId });
      expect(await t.store.keys.listEvents(t.boot.orgId, built.key.id)).toEqual([built.event]);
    });
  });
}

/** KeyStore.change: updates, guards on revoked and deleted keys, and the event log. */
export function describeKeyChangeContract(factory: StoreFactory): void {
  describe("KeyStore change", () => {
    const t = useStoreFixture(factory);
    const org = (): PrincipalRef => ({ type: "org", id: t.boot.orgId });

    it("updates fields and replaces labels, so that filter[label] follows", async () => {
      const built = await t.addKey(t.boot.orgId, org(), { labels: ["a", "b"], name: "old" });
      const fields = {
        name: "new",
        description: "changed",
        labels: ["b", "c"],
        metadata: { k: "v" },
        permissions: ["api_keys:read", "api_keys:write"],
      };
      const changed = await t.store.keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "update", fields },
        t.data.event(built.key, "updated"),
      );
      const expected = { ...built.key, ...fields };
      expect(changed).toEqual(expected);
      expect(await t.store.keys.get(t.boot.orgId, built.key.id)).toEqual(expected);
      const byLabel = async (label: string) =>
        (await t.store.keys.list(t.boot.orgId, { label }, { limit: 10 }, t.clock.now())).items.map((k) => k.id);
      expect(await byLabel("a")).toEqual([]);
      expect(await byLabel("b")).toEqual([built.key.id]);
      expect(await byLabel("c")).toEqual([built.key.id]);
    });

    it("clears labels and description", async () => {
      const built = await t.addKey(t.boot.orgId, org(), { labels: ["a"], description: "text" });
      const changed = await t.store.keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "update", fields: { labels: [], description: null } },
        t.data.event(built.key, "updated"),
      );
      expect(changed?.labels).toEqual([]);
      expect(changed?.description).toBeNull();
      const page = await t.store.keys.list(t.boot.orgId, { label: "a" }, { limit: 10 }, t.clock.now());
      expect(page.items).toEqual([]);
    });

    it("disables and enables a live key", async () => {
      const built = await t.addKey(t.boot.orgId, org());
      const off = await t.store.keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "disable" },
        t.data.event(built.key, "disabled"),
      );
      expect(off?.enabled).toBe(false);
      const on = await t.store.keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "enable" },
        t.data.event(built.key, "enabled"),
      );
      expect(on?.enabled).toBe(true);
      expect(await t.eventTypes(t.boot.orgId, built.key.id)).toEqual(["created", "disabled", "enabled"]);
    });

    it("refuses revoke, disable and enable on a revoked key, but updates and deletes it", async () => {
      const built = await t.addKey(t.boot.orgId, org());
      const keys = t.store.keys;
      const at = t.clock.advance(HOUR);
      const revoked = await keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "revoke", at },
        t.data.event(built.key, "revoked"),
      );
      expect(revoked?.revokedAt).toEqual(at);
      const later = t.clock.advance(HOUR);
      expect(
        await keys.change(
          t.boot.orgId,
          built.key.id,
          { type: "revoke", at: later },
          t.data.event(built.key, "revoked"),
        ),
      ).toBeNull();
      expect(
        await keys.change(t.boot.orgId, built.key.id, { type: "disable" }, t.data.event(built.key, "disabled")),
      ).toBeNull();
      expect(
        await keys.change(t.boot.orgId, built.key.id, { type: "enable" }, t.data.event(built.key, "enabled")),
      ).toBeNull();
      expect((await keys.get(t.boot.orgId, built.key.id))?.revokedAt).toEqual(at);
      const updated = await keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "update", fields: { name: "renamed" } },
        t.data.event(built.key, "updated"),
      );
      expect(updated?.name).toBe("renamed");
      const deleted = await keys.change(
        t.boot.orgId,
        built.key.id,
        { type: "delete", at: later },
        t.data.event(built.key, "deleted"),
      );
      expect(deleted?.deletedAt).toEqual(later);
      expect(await t.eventTypes(t.boot.orgId, built.key.id)).toEqual(["created", "revoked", "updated", "deleted"]);
    });

    it("changes nothing of a deleted key", async () => {
      const built = await t.addKey(t.boot.orgId, org());
      const keys = t.store.keys;
      const at = t.clock.now();
      await keys.change(t.boot.orgId, built.key.id, { type: "delete", at }, t.data.event(built.key, "deleted"));
      const update = { type: "update" as const, fields: { name: "x" } };
      expect(await keys.change(t.boot.orgId, built.key.id, update, t.data.event(built.key, "updated"))).toBeNull();
      expect(
        await keys.change(t.boot.orgId, built.key.id, { type: "revoke", at }, t.data.event(built.key, "revoked")),
      ).toBeNull();
      expect(
        await keys.change(t.boot.orgId, built.key.id, { type: "disable" }, t.data.event(built.key, "disabled")),
      ).toBeNull();
      expect(
        await keys.change(t.boot.orgId, built.key.id, { type: "delete", at }, t.data.event(built.key, "deleted")),
      ).toBeNull();
      expect(await t.eventTypes(t.boot.orgId, built.key.id)).toEqual(["created", "deleted"]);
    });

    it("changes nothing of another org's key", async () => {
      const other = await t.addOrg();
      const built = await t.addKey(t.boot.orgId, org());
      const event = t.data.event({ id: built.key.id, orgId: other.org.id }, "revoked");
      const at = t.clock.now();
      expect(await t.store.keys.change(other.org.id, built.key.id, { type: "revoke", at }, event)).toBeNull();
      expect((await t.store.keys.get(t.boot.orgId, built.key.id))?.revokedAt).toBeNull();
      expect(await t.store.keys.listEvents(other.org.id, built.key.id)).toEqual([]);
    });

    it("appends events in order, with their actor and request id", async () => {
      const built = await t.addKey(t.boot.orgId, { type: "user", id: t.boot.userId });
      const user: PrincipalRef = { type: "user", id: t.boot.userId };
      const account: PrincipalRef = { type: "service_account", id: t.data.id() };
      const events = [built.event];
      const steps = [
        { change: { type: "disable" as const }, type: "disabled" as const, actor: user, requestId: "req-1" },
        { change: { type: "enable" as const }, type: "enabled" as const, actor: account, requestId: null },
        {
          change: { type: "update" as const, fields: { name: "n" } },
          type: "updated" as const,
          actor: user,
          requestId: "req-3",
        },
        {
          change: { type: "revoke" as const, at: t.clock.now() },
          type: "revoked" as const,
          actor: account,
          requestId: "req-4",
        },
      ];
      for (const step of steps) {
        t.clock.advance(1000);
        const event = t.data.event(built.key, step.type, {
          actor: step.actor,
          requestId: step.requestId,
          detail: { step: step.type },
        });
        events.push(event);
        expect(await t.store.keys.change(t.boot.orgId, built.key.id, step.change, event)).not.toBeNull();
      }
      expect(await t.store.keys.listEvents(t.boot.orgId, built.key.id)).toEqual(events);
      const other = await t.addOrg();
      expect(await t.store.keys.listEvents(other.org.id, built.key.id)).toEqual([]);
    });
  });
}

/** KeyStore.regenerate: new secret, grace of the old ones, and the guard on revoked keys. */
export function describeKeyRegenerateContract(factory: StoreFactory): void {
  describe("KeyStore regenerate", () => {
    const t = useStoreFixture(factory);
    const org = (): PrincipalRef => ({ type: "org", id: t.boot.orgId });

    it("makes the new secret current and ends the old one at graceUntil", async () => {
      const built = await t.addKey(t.boot.orgId, org());
      const now = t.clock.advance(HOUR);
      const next = t.data.secret(built.key);
      const graceUntil = new Date(now.getTime() + HOUR);
      const event = t.data.event(built.key, "regenerated", { requestId: "req-r" });
      const changed = await t.store.keys.regenerate(t.boot.orgId, built.key.id, next.secret, graceUntil, event);
      expect(changed).toEqual({ ...built.key, hint: next.secret.hint, rotatedAt: now });
      const current = await t.store.keys.findBySecretHash(next.secret.hash);
      expect(current?.secret).toEqual(next.secret);
      expect(current?.key).toEqual(changed && toVerifiableKey(changed));
      const old = await t.store.keys.findBySecretHash(built.secret.hash);
      expect(old?.secret).toEqual({ ...built.secret, expiresAt: graceUntil });
      expect(await t.store.keys.listEvents(t.boot.orgId, built.key.id)).toEqual([built.event, event]);
    });

    it("does not extend an earlier, shorter grace, and shortens a longer one", async () => {
      const built = await t.addKey(t.boot.orgId, org());
      const start = t.clock.now().getTime();
      const second = t.data.secret(built.key);
      const firstGrace = new Date(start + HOUR);
      const regenerate = (secret: typeof second, until: Date) =>
        t.store.keys.regenerate(
          t.boot.orgId,
          built.key.id,
          secret.secret,
          until,
          t.data.event(built.key, "regenerated"),
        );
      await regenerate(second, firstGrace);
      const third = t.data.secret(built.key);
      await regenerate(third, new Date(start + 2 * HOUR));
      const expiryOf = async (hash: string) => (await t.store.keys.findBySecretHash(hash))?.secret.expiresAt;
      expect(await expiryOf(built.secret.hash)).toEqual(firstGrace);
      expect(await expiryOf(second.secret.hash)).toEqual(new Date(start + 2 * HOUR));
      expect(await expiryOf(third.secret.hash)).toBeNull();
      const fourth = t.data.secret(built.key);
      const shortGrace = new Date(start + 30 * 60 * 1000);
      await regenerate(fourth, shortGrace);
      expect(await expiryOf(built.secret.hash)).toEqual(shortGrace);
      expect(await expiryOf(second.secret.hash)).toEqual(shortGrace);
      expect(await expiryOf(third.secret.hash)).toEqual(shortGrace);
      expect(await expiryOf(fourth.secret.hash)).toBeNull();
    });

    it("returns null for a revoked, deleted or unknown key and writes nothing", async () => {
      const revoked = await t.addKey(t.boot.orgId, org());
      const deleted = await t.addKey(t.boot.orgId, org());
      const at = t.clock.now();
      await t.store.keys.change(
        t.boot.orgId,
        revoked.key.id,
        { type: "revoke", at },
        t.data.event(revoked.key, "revoked"),
      );
      await t.store.keys.change(
        t.boot.orgId,
        deleted.key.id,
        { type: "delete", at },
        t.data.event(deleted.key, "deleted"),
      );
      const other = await t.addOrg();
      const live = await t.addKey(t.boot.orgId, org());
      const cases = [
        { orgId: t.boot.orgId, built: revoked, types: ["created", "revoked"] },
        { orgId: t.boot.orgId, built: deleted, types: ["created", "deleted"] },
        { orgId: other.org.id, built: live, types: ["created"] },
      ];
      for (const { orgId, built, types } of cases) {
        const next = t.data.secret(built.key);
        const event = t.data.event(built.key, "regenerated");
        expect(await t.store.keys.regenerate(orgId, built.key.id, next.secret, at, event)).toBeNull();
        expect(await t.store.keys.findBySecretHash(next.secret.hash)).toBeNull();
        expect((await t.store.keys.findBySecretHash(built.secret.hash))?.secret.expiresAt).toBeNull();
        expect(await t.eventTypes(t.boot.orgId, built.key.id)).toEqual(types);
      }
    });

    it("refuses a secret hash another key uses with CONFLICT and keeps the old secret current", async () => {
      const a = await t.addKey(t.boot.orgId, org());
      const b = await t.addKey(t.boot.orgId, org());
      const clash = { ...t.data.secret(b.key).secret, hash: a.secret.hash };
      const event = t.data.event(b.key, "regenerated");
      await expectLatchkeyError(
        t.store.keys.regenerate(t.boot.orgId, b.key.id, clash, t.clock.now(), event),
        "CONFLICT",
      );
      expect((await t.store.keys.findBySecretHash(b.secret.hash))?.secret.expiresAt).toBeNull();
      expect((await t.store.keys.get(t.boot.orgId, b.key.id))?.hint).toBe(b.key.hint);
      expect(await t.eventTypes(t.boot.orgId, b.key.id)).toEqual(["created"]);
    });
  });
}
