import { describe, expect, it } from "vitest";
import { expectLatchkeyError, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/** MembershipStore: members with their emails, adding by email, role changes, and the last owner kept. */
export function describeMembershipContract(factory: StoreFactory): void {
  describe("MembershipStore", () => {
    const t = useStoreFixture(factory);

    it("lists and gets the org's members with their emails, in their own org only", async () => {
      const page = await t.store.memberships.list(t.boot.orgId, { limit: 10 });
      expect(page.items).toHaveLength(1);
      const [owner] = page.items;
      expect(owner).toMatchObject({ orgId: t.boot.orgId, userId: t.boot.userId, role: "owner" });
      expect(owner?.email).toContain("@");
      expect(await t.store.memberships.get(t.boot.orgId, owner?.id ?? "")).toEqual(owner);
      const other = await t.addOrg();
      expect(await t.store.memberships.get(other.org.id, owner?.id ?? "")).toBeNull();
      expect((await t.store.memberships.list(other.org.id, { limit: 10 })).items.map((m) => m.userId)).toEqual([
        other.user.id,
      ]);
    });

    it("adds an existing user by email (any case) once; nobody for an unknown email", async () => {
      const other = await t.addOrg();
      const membership = {
        id: t.data.id(),
        orgId: t.boot.orgId,
        email: other.user.email.toLowerCase(),
        role: "member" as const,
        roles: [],
        createdAt: t.clock.now(),
      };
      const added = await t.store.memberships.add(membership, () => t.data.audit("membership.created"));
      expect(added).toMatchObject({
        id: membership.id,
        userId: other.user.id,
        role: "member",
        email: other.user.email,
      });
      await expectLatchkeyError(
        t.store.memberships.add({ ...membership, id: t.data.id() }, () => t.data.audit("membership.created")),
        "CONFLICT",
      );
      const nobody = { ...membership, id: t.data.id(), email: "nobody@example.test" };
      expect(await t.store.memberships.add(nobody, () => t.data.audit("membership.created"))).toBeNull();
      expect((await t.store.memberships.list(t.boot.orgId, { limit: 10 })).items).toHaveLength(2);
    });

    it("changes roles and removes members, but never the org's last owner", async () => {
      const [owner] = (await t.store.memberships.list(t.boot.orgId, { limit: 10 })).items;
      const ownerId = owner?.id ?? "";
      await expectLatchkeyError(
        t.store.memberships.setRoles(t.boot.orgId, ownerId, "admin", [], t.data.audit("membership.updated")),
        "CONFLICT",
      );
      await expectLatchkeyError(
        t.store.memberships.remove(t.boot.orgId, ownerId, t.data.audit("membership.deleted")),
        "CONFLICT",
      );
      const other = await t.addOrg();
      const second = await t.store.memberships.add(
        {
          id: t.data.id(),
          orgId: t.boot.orgId,
          email: other.user.email,
          role: "owner",
          roles: [],
          createdAt: t.clock.now(),
        },
        () => t.data.audit("membership.created"),
      );
      const demoted = await t.store.memberships.setRoles(
        t.boot.orgId,
        ownerId,
        "viewer",
        [],
        t.data.audit("membership.updated"),
      );
      expect(demoted.role).toBe("viewer");
      await expectLatchkeyError(
        t.store.memberships.remove(t.boot.orgId, second?.id ?? "", t.data.audit("membership.deleted")),
        "CONFLICT",
      );
      await t.store.memberships.remove(t.boot.orgId, ownerId, t.data.audit("membership.deleted"));
      expect(await t.store.memberships.get(t.boot.orgId, ownerId)).toBeNull();
      await expectLatchkeyError(
        t.store.memberships.setRoles(t.boot.orgId, ownerId, "admin", [], t.data.audit("membership.updated")),
        "NOT_FOUND",
      );
    });

    it("two owners demoting each other at once leave one owner", async () => {
      const other = await t.addOrg();
      const [first] = (await t.store.memberships.list(t.boot.orgId, { limit: 10 })).items;
      const second = await t.store.memberships.add(
        {
          id: t.data.id(),
          orgId: t.boot.orgId,
          email: other.user.email,
          role: "owner",
          roles: [],
          createdAt: t.clock.now(),
        },
        () => t.data.audit("membership.created"),
      );
      const results = await Promise.allSettled([
        t.store.memberships.setRoles(t.boot.orgId, first?.id ?? "", "admin", [], t.data.audit("membership.updated")),
        t.store.memberships.setRoles(t.boot.orgId, second?.id ?? "", "admin", [], t.data.audit("membership.updated")),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const owners = (await t.store.memberships.list(t.boot.orgId, { limit: 10 })).items.filter(
        (m) => m.role === "owner",
      );
      expect(owners).toHaveLength(1);
    });
  });
}
