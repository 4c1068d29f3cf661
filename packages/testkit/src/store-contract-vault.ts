import {
  type Actor,
  isLatchkeyError,
  type PrincipalRef,
  rotateMasterKey,
  type SealedSecret,
  VaultService,
} from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { cryptoRandom } from "./builders.js";
import { expectLatchkeyError, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

function actorOf(orgId: string, principal: PrincipalRef, grants: string[] = ["*"]): Actor {
  return { principal, orgId, keyId: "contract", grants, requestId: "req-vault", ip: "127.0.0.1" };
}

/** VaultStore: sealed secrets, one data key per org, master-key check and rotation; audited in the write. */
export function describeVaultContract(factory: StoreFactory): void {
  describe("VaultStore", () => {
    const t = useStoreFixture(factory);
    const vaultWith = (key: Uint8Array) => new VaultService(t.store, key, t.clock, cryptoRandom);

    it("stores the first master check and tells the right key from a wrong one", async () => {
      const key = cryptoRandom.bytes(32);
      expect(await vaultWith(key).matchesDatabase()).toBe(true);
      expect(await vaultWith(key).matchesDatabase()).toBe(true);
      expect(await vaultWith(cryptoRandom.bytes(32)).matchesDatabase()).toBe(false);
    });

    it("creates, lists, reveals and deletes secrets, each audited; names are unique per org", async () => {
      const vault = vaultWith(cryptoRandom.bytes(32));
      await vault.matchesDatabase();
      const { org, member } = await t.addOrg("admin");
      const actor = actorOf(org.id, member);
      const a = await vault.create(actor, org.id, { name: "stripe/live", value: "sk_live_contract_a" });
      // Ids sort by creation time: the second secret a millisecond later.
      t.clock.advance(1);
      const b = await vault.create(actor, org.id, { name: "db-password", value: "päss wörd" });
      await expectLatchkeyError(vault.create(actor, org.id, { name: "stripe/live", value: "x" }), "CONFLICT");
      const page = await t.store.vault.list(org.id, { limit: 10 });
      expect(page.items.map((secret) => secret.name)).toEqual(["db-password", "stripe/live"]);
      expect(page.items[0]).not.toHaveProperty("sealed");
      expect((await vault.reveal(actor, org.id, a.id)).value).toBe("sk_live_contract_a");
      expect((await vault.reveal(actor, org.id, b.id)).value).toBe("päss wörd");
      await vault.delete(actor, org.id, a.id);
      expect(await t.store.vault.get(org.id, a.id)).toBeNull();
      await expectLatchkeyError(vault.reveal(actor, org.id, a.id), "NOT_FOUND");
      // The name is free again once deleted.
      await vault.create(actor, org.id, { name: "stripe/live", value: "sk_live_contract_c" });
      const actions = [];
      for await (const record of t.store.audit.export(org.id, { action: "secret.*" })) {
        actions.push([record.action, record.detail.name]);
        expect(JSON.stringify(record)).not.toContain("sk_live_contract");
      }
      expect(actions).toEqual([
        ["secret.created", "stripe/live"],
        ["secret.created", "db-password"],
        ["secret.read", "stripe/live"],
        ["secret.read", "db-password"],
        ["secret.deleted", "stripe/live"],
        ["secret.created", "stripe/live"],
      ]);
      expect((await t.store.audit.check()).ok).toBe(true);
    });

    it("keeps orgs apart: another org's id is not found, and a ciphertext moved to another row does not open", async () => {
      const vault = vaultWith(cryptoRandom.bytes(32));
      await vault.matchesDatabase();
      const one = await t.addOrg("admin");
      const two = await t.addOrg("admin");
      const mine = await vault.create(actorOf(one.org.id, one.member), one.org.id, { name: "n", value: "v1" });
      expect(await t.store.vault.get(two.org.id, mine.id)).toBeNull();
      await expectLatchkeyError(vault.reveal(actorOf(two.org.id, two.member), two.org.id, mine.id), "NOT_FOUND");
      await expectLatchkeyError(vault.delete(actorOf(two.org.id, two.member), two.org.id, mine.id), "NOT_FOUND");
      expect((await vault.reveal(actorOf(one.org.id, one.member), one.org.id, mine.id)).value).toBe("v1");
    });

    it("gives racing first writers of an org's data key the one that was stored", async () => {
      await vaultWith(cryptoRandom.bytes(32)).matchesDatabase();
      const { org } = await t.addOrg("admin");
      const candidates = Array.from({ length: 8 }, (_, i) => ({
        orgId: org.id,
        version: 1,
        wrapped: `candidate-${i}`,
        createdAt: t.clock.now(),
      }));
      const stored = await Promise.all(candidates.map((candidate) => t.store.vault.ensureDataKey(candidate)));
      expect(new Set(stored.map((key) => key.wrapped)).size).toBe(1);
      expect(await t.store.vault.listDataKeys()).toHaveLength(1);
    });

    it("rotates the master key: every secret stays readable, rows untouched, the old key no longer opens", async () => {
      const oldKey = cryptoRandom.bytes(32);
      const newKey = cryptoRandom.bytes(32);
      const before = vaultWith(oldKey);
      await before.matchesDatabase();
      const orgs = [await t.addOrg("admin"), await t.addOrg("admin")];
      const created: { orgId: string; actor: Actor; id: string; value: string }[] = [];
      for (const [i, { org, member }] of orgs.entries()) {
        for (const n of [1, 2, 3]) {
          const actor = actorOf(org.id, member);
          const value = `value-${i}-${n}`;
          const secret = await before.create(actor, org.id, { name: `s${n}`, value });
          created.push({ orgId: org.id, actor, id: secret.id, value });
        }
      }
      const sealedBefore = await sealedRows(created);
      const outcome = await rotateMasterKey(t.store, oldKey, newKey, t.clock, cryptoRandom);
      expect(outcome).toEqual({ dataKeys: 2, orgs: 2 });
      expect(await sealedRows(created)).toEqual(sealedBefore);
      const after = vaultWith(newKey);
      expect(await after.matchesDatabase()).toBe(true);
      expect(await vaultWith(oldKey).matchesDatabase()).toBe(false);
      for (const secret of created) {
        expect((await after.reveal(secret.actor, secret.orgId, secret.id)).value).toBe(secret.value);
      }
      const stale = await vaultWith(oldKey)
        .reveal(created[0]?.actor as Actor, created[0]?.orgId as string, created[0]?.id as string)
        .catch((error: unknown) => error);
      expect(isLatchkeyError(stale) && stale.code).toBe("SERVICE_UNAVAILABLE");
      // A rotation with a key that is not the database's changes nothing.
      await expectLatchkeyError(
        rotateMasterKey(t.store, oldKey, cryptoRandom.bytes(32), t.clock, cryptoRandom),
        "FORBIDDEN",
      );
      expect(await after.matchesDatabase()).toBe(true);
      const rotated = [];
      for await (const record of t.store.audit.export(orgs[0]?.org.id as string, { action: "vault.*" })) {
        rotated.push(record.action);
      }
      expect(rotated).toEqual(["vault.master_key_rotated"]);

      async function sealedRows(list: typeof created): Promise<SealedSecret[]> {
        const rows = [];
        for (const secret of list) rows.push(await t.store.vault.reveal(secret.orgId, secret.id, auditOf(secret)));
        return rows.filter((row): row is SealedSecret => row !== null);
      }
      function auditOf(secret: { orgId: string; id: string }) {
        return () => ({ ...t.data.audit("secret.read", secret.orgId), target: { type: "secret", id: secret.id } });
      }
    });

    it("saves a new key into the vault in the key's transaction; a taken name creates nothing", async () => {
      const vault = vaultWith(cryptoRandom.bytes(32));
      await vault.matchesDatabase();
      const { org, member } = await t.addOrg("admin");
      const actor = actorOf(org.id, member);
      await vault.create(actor, org.id, { name: "taken", value: "v" });
      const first = t.data.key(org.id, member);
      const write = await vault.prepare(actor, "deploy-key", "lks_contract_value", { api_key_id: first.key.id });
      await t.store.keys.create(first.key, first.secret, first.event, write);
      expect(await t.store.keys.get(org.id, first.key.id)).not.toBeNull();
      expect((await vault.reveal(actor, org.id, write.secret.id)).value).toBe("lks_contract_value");

      const second = t.data.key(org.id, member);
      const clash = await vault.prepare(actor, "taken", "lks_other", { api_key_id: second.key.id });
      const auditBefore = await t.store.audit.check();
      await expectLatchkeyError(t.store.keys.create(second.key, second.secret, second.event, clash), "CONFLICT");
      expect(await t.store.keys.get(org.id, second.key.id)).toBeNull();
      expect(await t.store.audit.check()).toEqual(auditBefore);

      // The same on regenerate: a taken name leaves the key with its current secret.
      const next = t.data.secret(first.key);
      const regenerated = t.data.event(first.key, "regenerated", { actor: member, requestId: null });
      const taken = await vault.prepare(actor, "taken", next.plaintext, { api_key_id: first.key.id });
      await expectLatchkeyError(
        t.store.keys.regenerate(org.id, first.key.id, next.secret, t.clock.now(), regenerated, taken),
        "CONFLICT",
      );
      expect((await t.store.keys.findBySecretHash(first.secret.hash))?.secret.expiresAt).toBeNull();
      expect(await t.store.keys.findBySecretHash(next.secret.hash)).toBeNull();
      const free = await vault.prepare(actor, "deploy-key-2", next.plaintext, { api_key_id: first.key.id });
      expect(
        await t.store.keys.regenerate(org.id, first.key.id, next.secret, t.clock.now(), regenerated, free),
      ).not.toBeNull();
      expect((await vault.reveal(actor, org.id, free.secret.id)).value).toBe(next.plaintext);
    });
  });
}
