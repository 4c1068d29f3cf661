import { describe, expect, it } from "vitest";
import { expectLatchkeyError, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/** PermissionCatalogueStore: an org's product permissions, by name, once each, in their own org only. */
export function describePermissionCatalogueContract(factory: StoreFactory): void {
  describe("PermissionCatalogueStore", () => {
    const t = useStoreFixture(factory);

    it("keeps each org's product permissions by name, once, apart from other orgs", async () => {
      const permission = (orgId: string, name: string, publishable = false) => ({
        orgId,
        name,
        description: `the ${name} permission`,
        publishable,
        createdAt: t.clock.now(),
      });
      await t.store.permissions.create(permission(t.boot.orgId, "jobs:write"), t.data.audit("permission.created"));
      await t.store.permissions.create(
        permission(t.boot.orgId, "alerts:read", true),
        t.data.audit("permission.created"),
      );
      await expectLatchkeyError(
        t.store.permissions.create(permission(t.boot.orgId, "jobs:write"), t.data.audit("permission.created")),
        "CONFLICT",
      );
      const other = await t.addOrg();
      await t.store.permissions.create(
        permission(other.org.id, "jobs:write"),
        t.data.audit("permission.created", other.org.id),
      );
      const listed = await t.store.permissions.list(t.boot.orgId);
      expect(listed.map((p) => [p.name, p.publishable])).toEqual([
        ["alerts:read", true],
        ["jobs:write", false],
      ]);
      expect((await t.store.permissions.list(other.org.id)).map((p) => p.name)).toEqual(["jobs:write"]);
      expect((await t.store.audit.check()).ok).toBe(true);
    });
  });
}
