import { describe, expect, it } from "vitest";
import { expectLatchkeyError, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/**
 * GroupStore and the key lookup's group side: orgs of a group, group memberships (the last owner kept),
 * group service accounts, and the owner's group role returned with every key lookup.
 */
export function describeGroupContract(factory: StoreFactory): void {
  describe("GroupStore", () => {
    const t = useStoreFixture(factory);

    /** A second org in the bootstrapped org's group. */
    async function sibling() {
      const org = t.data.org({ groupId: t.boot.records.group.id });
      await t.seed.org(org);
      return org;
    }

    it("knows each org's group and lists a group's orgs only", async () => {
      const group = t.boot.records.group;
      const here = await sibling();
      const elsewhere = await t.addOrg();
      expect(await t.store.groups.ofOrg(here.id)).toEqual(group);
      expect((await t.store.groups.ofOrg(elsewhere.org.id))?.id).toBe(elsewhere.org.groupId);
      expect(await t.store.groups.ofOrg(t.data.id())).toBeNull();
      const orgs = await t.store.groups.orgs(group.id, { limit: 10 });
      expect(orgs.items.map((org) => org.id).sort()).toEqual([t.boot.orgId, here.id].sort());
      expect(await t.store.groups.listForUser(t.boot.userId)).toEqual([group]);
      expect(await t.store.groups.listForUser(elsewhere.user.id)).toEqual([]);
    });

    it("creates an org in a group with its audit event; a taken slug is a CONFLICT and writes nothing", async () => {
      const org = t.data.org({ groupId: t.boot.records.group.id });
      await t.store.groups.createOrg(org, [t.data.audit("org.created", org.id)]);
      expect(await t.store.orgs.get(org.id)).toEqual(org);
      expect((await t.store.audit.list(org.id, {}, { limit: 10 })).items.map((e) => e.action)).toEqual(["org.created"]);
      const twin = t.data.org({ groupId: org.groupId, slug: org.slug });
      await expectLatchkeyError(t.store.groups.createOrg(twin, [t.data.audit("org.created", twin.id)]), "CONFLICT");
      expect(await t.store.orgs.get(twin.id)).toBeNull();
      expect((await t.store.audit.list(twin.id, {}, { limit: 10 })).items).toEqual([]);
    });

    it("adds members by email once, changes roles, removes them, and keeps the last owner", async () => {
      const groupId = t.boot.records.group.id;
      const other = await t.addOrg();
      const input = {
        id: t.data.id(),
        groupId,
        email: other.user.email,
        role: "admin" as const,
        createdAt: t.clock.now(),
      };
      const added = await t.store.groups.addMember(input, () => t.data.audit("group_membership.created"));
      expect(added).toMatchObject({
        id: input.id,
        groupId,
        userId: other.user.id,
        role: "admin",
        email: other.user.email,
      });
      await expectLatchkeyError(
        t.store.groups.addMember({ ...input, id: t.data.id() }, () => t.data.audit("group_membership.created")),
        "CONFLICT",
      );
      const nobody = { ...input, id: t.data.id(), email: "nobody@example.test" };
      expect(await t.store.groups.addMember(nobody, () => t.data.audit("group_membership.created"))).toBeNull();
      expect(await t.store.groups.membership(groupId, other.user.id)).toMatchObject({ role: "admin" });
      expect((await t.store.groups.listMembers(groupId, { limit: 10 })).items).toHaveLength(2);
      expect(await t.store.groups.getMember(other.org.groupId, input.id)).toBeNull();

      const updated = await t.store.groups.setMemberRole(
        groupId,
        input.id,
        "viewer",
        t.data.audit("group_membership.updated"),
      );
      expect(updated.role).toBe("viewer");
      const owner = await t.store.groups.membership(groupId, t.boot.userId);
      await expectLatchkeyError(
        t.store.groups.setMemberRole(groupId, owner?.id ?? "", "admin", t.data.audit("group_membership.updated")),
        "CONFLICT",
      );
      await expectLatchkeyError(
        t.store.groups.removeMember(groupId, owner?.id ?? "", t.data.audit("group_membership.deleted")),
        "CONFLICT",
      );
      await t.store.groups.removeMember(groupId, input.id, t.data.audit("group_membership.deleted"));
      expect(await t.store.groups.membership(groupId, other.user.id)).toBeNull();
      await expectLatchkeyError(
        t.store.groups.removeMember(groupId, input.id, t.data.audit("group_membership.deleted")),
        "NOT_FOUND",
      );
    });

    it("returns the owner's group role with the key lookup, for keys of the group's orgs only", async () => {
      const groupId = t.boot.records.group.id;
      const here = await sibling();
      const elsewhere = await t.addOrg("viewer");
      const user = elsewhere.user;
      const membership = t.data.groupMembership(groupId, user.id, "admin");
      await t.seed.groupMembership(membership);
      // A key in an org of the group where the user has no org membership: the group role alone.
      const inGroup = await t.addKey(here.id, elsewhere.member);
      expect(await t.store.keys.findBySecretHash(inGroup.secret.hash)).toMatchObject({
        ownerRole: null,
        groupRole: "admin",
      });
      // A key in the user's own org (another group): the org role alone.
      const own = await t.addKey(elsewhere.org.id, elsewhere.member);
      expect(await t.store.keys.findBySecretHash(own.secret.hash)).toMatchObject({
        ownerRole: "viewer",
        groupRole: null,
      });
      await t.store.groups.removeMember(groupId, membership.id, t.data.audit("group_membership.deleted"));
      expect(await t.store.keys.findBySecretHash(inGroup.secret.hash)).toMatchObject({
        ownerRole: null,
        groupRole: null,
      });
    });

    it("keeps group service accounts apart from org ones; their keys carry the role in every org of the group", async () => {
      const groupId = t.boot.records.group.id;
      const here = await sibling();
      const elsewhere = await t.addOrg();
      const account = t.data.groupServiceAccount(groupId, { role: "member" });
      await t.store.groups.createAccount(account, [t.data.audit("service_account.created")]);
      expect(await t.store.groups.getAccount(groupId, account.id)).toEqual(account);
      expect(await t.store.groups.getAccount(elsewhere.org.groupId, account.id)).toBeNull();
      expect(await t.store.serviceAccounts.get(t.boot.orgId, account.id)).toBeNull();
      expect((await t.store.serviceAccounts.list(t.boot.orgId, { limit: 10 })).items).toEqual([]);
      expect((await t.store.groups.listAccounts(groupId, { limit: 10 })).items).toEqual([account]);
      await expectLatchkeyError(
        t.store.groups.createAccount(t.data.groupServiceAccount(groupId, { name: account.name }), [
          t.data.audit("service_account.created"),
        ]),
        "CONFLICT",
      );

      const owner = { type: "service_account" as const, id: account.id };
      const first = await t.addKey(t.boot.orgId, owner);
      const second = await t.addKey(here.id, owner);
      const outside = await t.addKey(elsewhere.org.id, owner);
      expect((await t.store.keys.findBySecretHash(first.secret.hash))?.ownerRole).toBe("member");
      expect((await t.store.keys.findBySecretHash(second.secret.hash))?.ownerRole).toBe("member");
      expect((await t.store.keys.findBySecretHash(outside.secret.hash))?.ownerRole).toBeNull();

      const changed = await t.store.groups.updateAccount(groupId, account.id, { role: "viewer" }, t.data.audit("x.y"));
      expect(changed?.role).toBe("viewer");
      expect((await t.store.keys.findBySecretHash(second.secret.hash))?.ownerRole).toBe("viewer");

      const { eventFor, events } = t.eventRecorder({ type: "user", id: t.boot.userId });
      expect(
        await t.store.groups.deleteAccount(groupId, account.id, t.clock.now(), eventFor, t.data.audit("x.y")),
      ).toBe(true);
      expect(events.map((event) => event.keyId).sort()).toEqual([first.key.id, second.key.id, outside.key.id].sort());
      expect((await t.store.keys.findBySecretHash(first.secret.hash))?.ownerRole).toBeNull();
      expect((await t.store.keys.get(here.id, second.key.id))?.revokedAt).not.toBeNull();
      expect(await t.store.groups.getAccount(groupId, account.id)).toBeNull();
      expect(
        await t.store.groups.deleteAccount(groupId, account.id, t.clock.now(), eventFor, t.data.audit("x.y")),
      ).toBe(false);
    });
  });
}
