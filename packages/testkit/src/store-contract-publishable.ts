import { type Org, type PublishableKeyPlan, preparePublishableKeys } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { expectLatchkeyError, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/**
 * PublishableKeyStore: at most one live publishable key per org and environment (racing first uses
 * create one), keys following the policy's environments and the catalogue's publishable permissions.
 */
export function describePublishableKeyContract(factory: StoreFactory): void {
  describe("PublishableKeyStore", () => {
    const t = useStoreFixture(factory);

    /** A plan with fresh candidates for `environments`; the "sealed" value is a marker, not a key. */
    async function plan(org: Org, environments: readonly string[] = org.policy.environments) {
      const candidates = await preparePublishableKeys(org, environments, {
        clock: t.clock,
        random: t.data.random,
        seal: (_value, aad) => `sealed-for:${aad}`,
        reason: "test",
      });
      return {
        at: t.clock.now(),
        candidates,
        revokeEventFor: (key) => t.data.event(key, "revoked"),
      } satisfies PublishableKeyPlan;
    }

    it("racing first uses create one live key per environment, with its sealed value", async () => {
      const { org } = await t.addOrg();
      expect(await t.store.publishableKeys.list(org.id)).toEqual([]);
      const results = await Promise.all(
        [1, 2, 3].map(async () => t.store.publishableKeys.ensure(org.id, await plan(org))),
      );
      const ids = results.map((result) => result.keys.map((stored) => stored.key.id).join(","));
      expect(new Set(ids).size).toBe(1);
      expect(results.flatMap((result) => result.created)).toHaveLength(2);
      const listed = await t.store.publishableKeys.list(org.id);
      expect(listed.map((stored) => stored.key.environment)).toEqual(["live", "test"]);
      for (const stored of listed) {
        expect(stored.key).toMatchObject({ kind: "publishable", owner: { type: "org", id: org.id }, expiresAt: null });
        expect(stored.sealed).toBe(`sealed-for:latchkey:publishable_key:${org.id}:${stored.key.id}`);
      }
      expect((await t.store.audit.check()).ok).toBe(true);
    });

    it("refuses a second live key for an org and environment; a revoked key frees its environment", async () => {
      const { org } = await t.addOrg();
      const [live] = (await t.store.publishableKeys.ensure(org.id, await plan(org))).keys;
      const second = t.data.key(org.id, { type: "org", id: org.id }, { kind: "publishable", environment: "live" });
      await expectLatchkeyError(t.store.keys.create(second.key, second.secret, second.event), "CONFLICT");
      const other = t.data.key(org.id, { type: "org", id: org.id }, { kind: "publishable", environment: "test" });
      await expectLatchkeyError(t.store.keys.create(other.key, other.secret, other.event), "CONFLICT");
      const id = live?.key.id ?? "";
      await t.store.keys.change(
        org.id,
        id,
        { type: "revoke", at: t.clock.now() },
        t.data.event({ id, orgId: org.id }, "revoked"),
      );
      await t.store.keys.create(second.key, second.secret, second.event);
      expect((await t.store.keys.get(org.id, second.key.id))?.kind).toBe("publishable");
    });

    it("follows the policy's environments in the org change's transaction, and regenerates a key's value", async () => {
      const { org } = await t.addOrg();
      await t.store.publishableKeys.ensure(org.id, await plan(org));
      const staging = { ...org, policy: { ...org.policy, environments: ["live", "staging"] } };
      const changed = await t.store.orgs.update(
        org.id,
        { policy: { environments: ["live", "staging"] } },
        t.data.audit("org.updated", org.id),
        await plan(staging, ["staging"]),
      );
      expect(changed?.policy.environments).toEqual(["live", "staging"]);
      const listed = await t.store.publishableKeys.list(org.id);
      expect(listed.map((stored) => stored.key.environment)).toEqual(["live", "staging"]);
      const revoked = await t.store.keys.list(
        org.id,
        { kind: "publishable", status: "revoked" },
        { limit: 10 },
        t.clock.now(),
      );
      expect(revoked.items.map((key) => key.environment)).toEqual(["test"]);

      const live = listed[0]?.key;
      if (live === undefined) throw new Error("no live key");
      const fresh = t.data.key(org.id, { type: "org", id: org.id }, { kind: "publishable" }).secret;
      const secret = { ...fresh, keyId: live.id };
      const updated = await t.store.publishableKeys.regenerate(
        org.id,
        live.id,
        secret,
        "sealed-again",
        t.clock.now(),
        t.data.event(live, "regenerated"),
      );
      expect(updated?.hint).toBe(secret.hint);
      expect((await t.store.publishableKeys.list(org.id))[0]?.sealed).toBe("sealed-again");
      expect((await t.store.keys.findBySecretHash(secret.hash))?.key.id).toBe(live.id);
      // Not a publishable key: nothing changes.
      const plain = await t.addKey(org.id, { type: "org", id: org.id });
      expect(
        await t.store.publishableKeys.regenerate(
          org.id,
          plain.key.id,
          { ...fresh, keyId: plain.key.id },
          "x",
          t.clock.now(),
          t.data.event(plain.key, "regenerated"),
        ),
      ).toBeNull();
      expect(await t.eventTypes(org.id, live.id)).toEqual(["created", "regenerated"]);
    });

    it("gives the live keys a new publishable permission in the catalogue's transaction", async () => {
      const { org } = await t.addOrg();
      const { keys } = await t.store.publishableKeys.ensure(org.id, await plan(org));
      const add = (name: string, publishable: boolean) =>
        t.store.permissions.create(
          { orgId: org.id, name, description: name, publishable, createdAt: t.clock.now() },
          t.data.audit("permission.created", org.id),
          (key) => t.data.event(key, "updated"),
        );
      expect(await add("jobs:write", false)).toEqual([]);
      expect((await add("widgets:read", true)).sort()).toEqual(keys.map((stored) => stored.key.id).sort());
      expect(await add("gadgets:read", true)).toHaveLength(2);
      for (const stored of await t.store.publishableKeys.list(org.id)) {
        expect(stored.key.permissions).toEqual(["gadgets:read", "widgets:read"]);
      }
      // A key made later starts with the catalogue's publishable permissions.
      await t.store.orgs.update(
        org.id,
        { policy: { environments: ["live", "test", "dev"] } },
        t.data.audit("org.updated", org.id),
        await plan(org, ["dev"]),
      );
      const dev = (await t.store.publishableKeys.list(org.id)).find((stored) => stored.key.environment === "dev");
      expect(dev?.key.permissions).toEqual(["gadgets:read", "widgets:read"]);
      expect((await t.store.audit.check()).ok).toBe(true);
    });
  });

  describe("Store bootstrap with publishable keys", () => {
    const t = useStoreFixture(factory, { bootstrap: false });

    it("writes the org's data key and its publishable keys in the first start's transaction", async () => {
      const records = t.data.bootstrapRecords();
      const dataKey = { orgId: records.org.id, version: 1, wrapped: "v1.test.wrapped.key", createdAt: t.clock.now() };
      const keys = await preparePublishableKeys(records.org, records.org.policy.environments, {
        clock: t.clock,
        random: t.data.random,
        seal: (_value, aad) => `sealed-for:${aad}`,
        reason: "first_start",
      });
      expect(await t.store.bootstrap({ ...records, publishable: { dataKey, keys } })).toBe(true);
      expect(await t.store.vault.dataKey(records.org.id, 1)).toEqual(dataKey);
      const listed = await t.store.publishableKeys.list(records.org.id);
      expect(listed.map((stored) => stored.key.id).sort()).toEqual(keys.map((record) => record.key.id).sort());
      expect((await t.store.keys.findBySecretHash(keys[0]?.secret.hash ?? ""))?.key.kind).toBe("publishable");
      expect((await t.store.audit.check()).ok).toBe(true);
    });
  });
}
