import type { CustomRole, Project } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { expectLatchkeyError, type StoreFactory, useStoreFixture } from "./store-contract-fixture.js";

/**
 * RoleStore and ProjectStore: custom roles and projects by name, once each per org; neither is deleted
 * while something holds it; the key lookup brings a custom role's grants and a member's role/scope pairs.
 */
export function describeRoleAndProjectContract(factory: StoreFactory): void {
  describe("RoleStore and ProjectStore", () => {
    const t = useStoreFixture(factory);

    const role = (orgId: string, name: string, permissions: string[]): CustomRole => ({
      id: t.data.id(),
      orgId,
      name,
      description: `the ${name} role`,
      permissions,
      createdAt: t.clock.now(),
    });
    const project = (orgId: string, name: string): Project => ({
      id: t.data.id(),
      orgId,
      name,
      description: null,
      createdAt: t.clock.now(),
      createdBy: { type: "user", id: t.boot.userId },
    });

    it("keeps custom roles by name, once per org, and their grants by name", async () => {
      const auditor = role(t.boot.orgId, "auditor", ["audit:read", "usage:read"]);
      await t.store.roles.create(auditor, t.data.audit("role.created"));
      await expectLatchkeyError(
        t.store.roles.create(role(t.boot.orgId, "auditor", []), t.data.audit("role.created")),
        "CONFLICT",
      );
      const other = await t.addOrg();
      await t.store.roles.create(
        role(other.org.id, "auditor", ["jobs:read"]),
        t.data.audit("role.created", other.org.id),
      );
      expect(await t.store.roles.list(t.boot.orgId)).toEqual([auditor]);
      expect(await t.store.roles.get(other.org.id, auditor.id)).toBeNull();
      expect(await t.store.roles.grants(t.boot.orgId)).toEqual({ auditor: ["audit:read", "usage:read"] });
      await t.store.roles.update({ ...auditor, permissions: ["audit:read"] }, t.data.audit("role.updated"));
      expect(await t.store.roles.grants(t.boot.orgId)).toEqual({ auditor: ["audit:read"] });
      expect((await t.store.audit.check()).ok).toBe(true);
    });

    it("refuses to delete a role a membership, a service account or a live key holds", async () => {
      const ops = role(t.boot.orgId, "ops", ["jobs:write"]);
      await t.store.roles.create(ops, t.data.audit("role.created"));
      const member = await t.addOrg();
      await t.seed.membership(t.data.membership(t.boot.orgId, member.user.id, "ops"));
      await expectLatchkeyError(t.store.roles.delete(t.boot.orgId, ops.id, t.data.audit("role.deleted")), "CONFLICT");
      const [membership] = (await t.store.memberships.list(t.boot.orgId, { limit: 10 })).items.filter(
        (m) => m.userId === member.user.id,
      );
      await t.store.memberships.remove(t.boot.orgId, membership?.id ?? "", t.data.audit("membership.deleted"));
      const key = await t.addKey(
        t.boot.orgId,
        { type: "org", id: t.boot.orgId },
        {
          roles: [{ role: "ops", scope: "org" }],
        },
      );
      await expectLatchkeyError(t.store.roles.delete(t.boot.orgId, ops.id, t.data.audit("role.deleted")), "CONFLICT");
      // The lookup brings the org's custom roles when the key names one.
      const found = await t.store.keys.findBySecretHash(key.secret.hash);
      expect(found?.key.roles).toEqual([{ role: "ops", scope: "org" }]);
      expect(found?.customRoles).toEqual({ ops: ["jobs:write"] });
      await t.store.keys.change(
        t.boot.orgId,
        key.key.id,
        { type: "revoke", at: t.clock.now() },
        t.data.event(key.key, "revoked"),
      );
      await t.store.roles.delete(t.boot.orgId, ops.id, t.data.audit("role.deleted"));
      expect(await t.store.roles.list(t.boot.orgId)).toEqual([]);
    });

    it("returns a member's role/scope pairs with their keys, and keeps projects by name", async () => {
      const web = project(t.boot.orgId, "web");
      await t.store.projects.create(web, t.data.audit("project.created"));
      await expectLatchkeyError(
        t.store.projects.create(project(t.boot.orgId, "web"), t.data.audit("project.created")),
        "CONFLICT",
      );
      expect(await t.store.projects.get(t.boot.orgId, web.id)).toEqual(web);
      expect((await t.store.projects.list(t.boot.orgId, { limit: 10 })).items).toEqual([web]);
      expect(await t.store.projects.existing(t.boot.orgId, [web.id, t.data.id()])).toEqual(new Set([web.id]));
      const other = await t.addOrg();
      expect(await t.store.projects.existing(other.org.id, [web.id])).toEqual(new Set());
      const bindings = [{ role: "admin", scope: `project:${web.id}` }];
      const [owner] = (await t.store.memberships.list(t.boot.orgId, { limit: 10 })).items;
      await t.store.memberships.setRoles(
        t.boot.orgId,
        owner?.id ?? "",
        "owner",
        bindings,
        t.data.audit("membership.updated"),
      );
      const found = await t.store.keys.findBySecretHash(t.boot.records.secret.hash);
      expect(found?.ownerBindings).toEqual(bindings);
      expect(found?.customRoles).toEqual({});
      await expectLatchkeyError(
        t.store.projects.delete(t.boot.orgId, web.id, t.data.audit("project.deleted")),
        "CONFLICT",
      );
      await t.store.memberships.setRoles(
        t.boot.orgId,
        owner?.id ?? "",
        "owner",
        [],
        t.data.audit("membership.updated"),
      );
      await t.store.projects.delete(t.boot.orgId, web.id, t.data.audit("project.deleted"));
      expect(await t.store.projects.get(t.boot.orgId, web.id)).toBeNull();
      await expectLatchkeyError(
        t.store.projects.delete(t.boot.orgId, web.id, t.data.audit("project.deleted")),
        "NOT_FOUND",
      );
    });

    it("refuses a write naming a custom role or a project that is gone, and writes nothing", async () => {
      // The service checked these names before its transaction; another request deleted them since.
      const ghost = [{ role: "ghost", scope: "org" }];
      const gonePair = [{ role: "admin", scope: `project:${t.data.id()}` }];
      const built = t.data.key(t.boot.orgId, { type: "org", id: t.boot.orgId }, { roles: ghost });
      await expectLatchkeyError(t.store.keys.create(built.key, built.secret, built.event), "VALIDATION_FAILED");
      expect(await t.store.keys.get(t.boot.orgId, built.key.id)).toBeNull();
      const inProject = t.data.key(t.boot.orgId, { type: "org", id: t.boot.orgId }, { roles: gonePair });
      await expectLatchkeyError(
        t.store.keys.create(inProject.key, inProject.secret, inProject.event),
        "VALIDATION_FAILED",
      );
      const live = await t.addKey(t.boot.orgId, { type: "org", id: t.boot.orgId });
      await expectLatchkeyError(
        t.store.keys.change(
          t.boot.orgId,
          live.key.id,
          { type: "update", fields: { roles: ghost } },
          t.data.event(live.key, "updated"),
        ),
        "VALIDATION_FAILED",
      );
      expect((await t.store.keys.get(t.boot.orgId, live.key.id))?.roles).toEqual([]);

      const [owner] = (await t.store.memberships.list(t.boot.orgId, { limit: 10 })).items;
      await expectLatchkeyError(
        t.store.memberships.setRoles(
          t.boot.orgId,
          owner?.id ?? "",
          "owner",
          gonePair,
          t.data.audit("membership.updated"),
        ),
        "VALIDATION_FAILED",
      );
      const newcomer = t.data.user();
      await t.seed.user(newcomer);
      await expectLatchkeyError(
        t.store.memberships.add(
          {
            id: t.data.id(),
            orgId: t.boot.orgId,
            email: newcomer.email,
            role: "ghost",
            roles: [],
            createdAt: t.clock.now(),
          },
          () => t.data.audit("membership.created"),
        ),
        "VALIDATION_FAILED",
      );
      const account = t.data.serviceAccount(t.boot.orgId, { role: "ghost" });
      await expectLatchkeyError(
        t.store.serviceAccounts.create(account, t.data.audit("service_account.created")),
        "VALIDATION_FAILED",
      );
      expect(await t.store.serviceAccounts.get(t.boot.orgId, account.id)).toBeNull();
      const robot = t.data.serviceAccount(t.boot.orgId);
      await t.store.serviceAccounts.create(robot, t.data.audit("service_account.created"));
      await expectLatchkeyError(
        t.store.serviceAccounts.update(
          t.boot.orgId,
          robot.id,
          { role: "ghost" },
          t.data.audit("service_account.updated"),
        ),
        "VALIDATION_FAILED",
      );
      expect((await t.store.serviceAccounts.get(t.boot.orgId, robot.id))?.role).toBe("member");
      const invitation = {
        id: t.data.id(),
        orgId: t.boot.orgId,
        email: "invitee@example.test",
        role: "ghost",
        createdBy: { type: "user" as const, id: t.boot.userId },
        createdAt: t.clock.now(),
        expiresAt: new Date(t.clock.now().getTime() + 86_400_000),
        acceptedAt: null,
      };
      await expectLatchkeyError(
        t.store.invitations.create(invitation, t.data.id(), [t.data.audit("invitation.created")]),
        "VALIDATION_FAILED",
      );
      expect(await t.store.invitations.get(t.boot.orgId, invitation.id)).toBeNull();
      expect((await t.store.audit.check()).ok).toBe(true);

      // Once the role exists, the same writes go through.
      await t.store.roles.create(role(t.boot.orgId, "ghost", ["jobs:read"]), t.data.audit("role.created"));
      await t.store.keys.create(built.key, built.secret, built.event);
      await t.store.serviceAccounts.create(account, t.data.audit("service_account.created"));
      await t.store.invitations.create(invitation, t.data.id(), [t.data.audit("invitation.created")]);
      expect((await t.store.keys.get(t.boot.orgId, built.key.id))?.roles).toEqual(ghost);
    });

    it("never lets a role's deletion and a key naming it both succeed when they race", async () => {
      for (let round = 0; round < 20; round++) {
        const racer = role(t.boot.orgId, `racer${round}`, ["jobs:read"]);
        await t.store.roles.create(racer, t.data.audit("role.created"));
        const built = t.data.key(
          t.boot.orgId,
          { type: "org", id: t.boot.orgId },
          { roles: [{ role: racer.name, scope: "org" }] },
        );
        const [deleted, created] = await Promise.allSettled([
          t.store.roles.delete(t.boot.orgId, racer.id, t.data.audit("role.deleted")),
          t.store.keys.create(built.key, built.secret, built.event),
        ]);
        const codeOf = (settled: PromiseSettledResult<void>) =>
          settled.status === "fulfilled"
            ? "ok"
            : ((settled.reason as { code?: string }).code ?? String(settled.reason));
        // Either the key went first and the role is held (CONFLICT), or the role went first and the key
        // names nothing (VALIDATION_FAILED); never both.
        expect([codeOf(deleted), codeOf(created)]).toSatisfy(
          ([d, c]: string[]) => (d === "ok" && c === "VALIDATION_FAILED") || (d === "CONFLICT" && c === "ok"),
        );
      }
    });
  });
}
