import { BUILT_IN_ROLE_GRANTS, BUILT_IN_ROLES, holds, isBuiltInRole } from "@latchkey/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { addMember, createTestApp, type Member, membershipIdOf, send, type TestApp } from "./helpers.js";

// No escalation, as a property: whatever members, roles (built-in and a custom one whose permissions
// change), role/scope pairs at a project, removals and key requests are generated, no key ever
// verifies (or authenticates) with a permission its owner lacks at that moment and place, and no key
// is created with more than its creator held there.

const UNIVERSE = ["api_keys:read", "api_keys:write", "api_keys:verify", "usage:read", "jobs:read", "jobs:write", "*"];
const MEMBERS = 3;

/** The custom role of the model, whose permissions the steps change. */
const CUSTOM = "ops";

/** A role/scope pair: a role at the org, or at the one project (`P`) of the model. */
type Binding = { role: string; scope: "org" | "P" };

type Op =
  | { kind: "token"; member: number; permissions: string[]; roles: Binding[] }
  | { kind: "orgKey"; member: number; permissions: string[]; roles: Binding[] }
  | { kind: "role"; member: number; role: string }
  | { kind: "bind"; member: number; roles: Binding[] }
  | { kind: "editCustom"; permissions: string[] }
  | { kind: "remove"; member: number }
  | { kind: "readd"; member: number; role: string }
  | { kind: "verify"; key: number; permissions: string[]; atProject: boolean }
  | { kind: "use"; key: number };

const member = fc.integer({ min: 0, max: MEMBERS - 1 });
const role = fc.constantFrom(...BUILT_IN_ROLES.filter((r) => r !== "owner"), CUSTOM);
const permissions = fc.subarray(UNIVERSE, { maxLength: 3 });
const bindings = fc.array(fc.record({ role, scope: fc.constantFrom("org" as const, "P" as const) }), { maxLength: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("token" as const), member, permissions, roles: bindings }),
  fc.record({ kind: fc.constant("orgKey" as const), member, permissions, roles: bindings }),
  fc.record({ kind: fc.constant("role" as const), member, role }),
  fc.record({ kind: fc.constant("bind" as const), member, roles: bindings }),
  fc.record({ kind: fc.constant("editCustom" as const), permissions }),
  fc.record({ kind: fc.constant("remove" as const), member }),
  fc.record({ kind: fc.constant("readd" as const), member, role }),
  fc.record({ kind: fc.constant("verify" as const), key: fc.nat(20), permissions, atProject: fc.boolean() }),
  fc.record({ kind: fc.constant("use" as const), key: fc.nat(20) }),
);

/** What the model knows of a key: whose it is (a member, or the org), its permissions and pairs. */
interface KeyModel {
  secret: string;
  owner: number | "org";
  permissions: string[];
  roles: Binding[];
}

/** The world as the model sees it, next to the real app. */
class World {
  roles: (string | null)[] = [];
  bindings: Binding[][] = [];
  members: Member[] = [];
  keys: KeyModel[] = [];
  custom: string[] = ["jobs:read", "api_keys:read"];
  projectId = "";
  constructor(readonly t: TestApp) {}

  roleGrants(name: string): readonly string[] {
    return isBuiltInRole(name) ? BUILT_IN_ROLE_GRANTS[name] : this.custom;
  }

  /** What pairs give at a place: every pair at the org, and at the project those at the project too. */
  pairGrants(pairs: readonly Binding[], atProject: boolean): string[] {
    return pairs.filter((b) => b.scope === "org" || atProject).flatMap((b) => [...this.roleGrants(b.role)]);
  }

  /** What a member holds now, in the org as a whole or at the project. */
  grantsOf(index: number, atProject = false): readonly string[] {
    const current = this.roles[index];
    if (current === null || current === undefined) return [];
    return [...this.roleGrants(current), ...this.pairGrants(this.bindings[index] ?? [], atProject)];
  }

  /** What a key may do now: its own rights there, capped by its owner's rights there now (an org key: its own). */
  mayNow(key: KeyModel, permission: string, atProject = false): boolean {
    const own = holds([...key.permissions, ...this.pairGrants(key.roles, atProject)], permission);
    return key.owner === "org" ? own : own && holds(this.grantsOf(key.owner, atProject), permission);
  }

  /** A pair as the API takes it. */
  wire(binding: Binding): { role: string; scope: string } {
    return { role: binding.role, scope: binding.scope === "P" ? `project:${this.projectId}` : "org" };
  }

  customId = "";

  /** Creates the custom role and the project. */
  async setUp(): Promise<void> {
    const { t } = this;
    const url = `/rest/orgs/${t.owner.orgId}`;
    const role = await send(t.app, {
      method: "POST",
      url: `${url}/roles`,
      token: t.owner.token,
      body: { data: { type: "role", attributes: { name: CUSTOM, permissions: this.custom } } },
    });
    expect(role.statusCode, role.body).toBe(201);
    this.customId = role.json().data.id;
    const project = await send(t.app, {
      method: "POST",
      url: `${url}/projects`,
      token: t.owner.token,
      body: { data: { type: "project", attributes: { name: "P" } } },
    });
    expect(project.statusCode, project.body).toBe(201);
    this.projectId = project.json().data.id;
  }

  async membership(index: number): Promise<string> {
    return membershipIdOf(this.t, this.t.owner.orgId, (this.members[index] as Member).userId);
  }
}

async function apply(world: World, step: Op): Promise<void> {
  const { t } = world;
  const orgId = t.owner.orgId;
  switch (step.kind) {
    case "token":
    case "orgKey": {
      const creator = world.members[step.member] as Member;
      const res = await send(t.app, {
        method: "POST",
        url: step.kind === "token" ? "/rest/self/tokens" : `/rest/orgs/${orgId}/api_keys`,
        token: creator.token,
        body: {
          data: {
            type: "api_key",
            attributes: {
              name: "prop",
              expires_in: "30d",
              permissions: step.permissions,
              roles: step.roles.map((binding) => world.wire(binding)),
            },
          },
        },
      });
      expect(res.statusCode, res.body).toBeLessThan(500);
      if (res.statusCode !== 201) return;
      // Created: the creator held every permission asked for, and each pair's role where it is bound.
      for (const permission of step.permissions) {
        expect(holds(world.grantsOf(step.member), permission), `${permission} beyond the creator's role`).toBe(true);
      }
      for (const binding of step.roles) {
        for (const permission of world.roleGrants(binding.role)) {
          const there = world.grantsOf(step.member, binding.scope === "P");
          expect(holds(there, permission), `${binding.role}@${binding.scope} beyond the creator's rights`).toBe(true);
        }
      }
      const owner = step.kind === "token" ? step.member : "org";
      world.keys.push({
        secret: res.json().data.attributes.key,
        owner,
        permissions: step.permissions,
        roles: step.roles,
      });
      return;
    }
    case "bind": {
      if (world.roles[step.member] === null) return;
      const res = await send(t.app, {
        method: "PATCH",
        url: `/rest/orgs/${orgId}/memberships/${await world.membership(step.member)}`,
        token: t.owner.token,
        body: { data: { type: "membership", attributes: { roles: step.roles.map((binding) => world.wire(binding)) } } },
      });
      expect(res.statusCode, res.body).toBe(200);
      world.bindings[step.member] = step.roles;
      return;
    }
    case "editCustom": {
      const res = await send(t.app, {
        method: "PATCH",
        url: `/rest/orgs/${orgId}/roles/${world.customId}`,
        token: t.owner.token,
        body: { data: { type: "role", attributes: { permissions: step.permissions } } },
      });
      expect(res.statusCode, res.body).toBe(200);
      world.custom = step.permissions;
      return;
    }
    case "role": {
      if (world.roles[step.member] === null) return;
      const res = await send(t.app, {
        method: "PATCH",
        url: `/rest/orgs/${orgId}/memberships/${await world.membership(step.member)}`,
        token: t.owner.token,
        body: { data: { type: "membership", attributes: { role: step.role } } },
      });
      expect(res.statusCode, res.body).toBe(200);
      world.roles[step.member] = step.role;
      return;
    }
    case "remove": {
      if (world.roles[step.member] === null) return;
      const id = await world.membership(step.member);
      const res = await send(t.app, {
        method: "DELETE",
        url: `/rest/orgs/${orgId}/memberships/${id}`,
        token: t.owner.token,
      });
      expect(res.statusCode, res.body).toBe(204);
      world.roles[step.member] = null;
      world.bindings[step.member] = [];
      return;
    }
    case "readd": {
      if (world.roles[step.member] !== null) return;
      const email = (
        await t.store.db
          .selectFrom("users")
          .select("email")
          .where("id", "=", (world.members[step.member] as Member).userId)
          .executeTakeFirstOrThrow()
      ).email;
      const res = await send(t.app, {
        method: "POST",
        url: `/rest/orgs/${orgId}/memberships`,
        token: t.owner.token,
        body: { data: { type: "membership", attributes: { email, role: step.role } } },
      });
      expect(res.statusCode, res.body).toBe(201);
      world.roles[step.member] = step.role;
      return;
    }
    case "verify": {
      const key = world.keys[step.key % Math.max(1, world.keys.length)];
      if (key === undefined) return;
      const resource = step.atProject ? { resource: `project:${world.projectId}` } : {};
      const res = await send(t.app, {
        method: "POST",
        url: "/rest/api_keys/verify",
        token: t.owner.token,
        body: {
          data: {
            type: "key_verification",
            attributes: { key: key.secret, permissions: step.permissions, ...resource },
          },
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      const answer = res.json().data.attributes as { valid: boolean; permissions: string[] };
      const where = step.atProject ? "at the project" : "in the org";
      if (answer.valid) {
        for (const permission of step.permissions) {
          expect(world.mayNow(key, permission, step.atProject), `verified ${permission} ${where}`).toBe(true);
        }
      }
      for (const granted of answer.permissions) {
        if (granted.includes("*")) continue;
        expect(world.mayNow(key, granted, step.atProject), `reported ${granted} ${where}`).toBe(true);
      }
      return;
    }
    case "use": {
      const key = world.keys[step.key % Math.max(1, world.keys.length)];
      if (key === undefined) return;
      const res = await send(t.app, { url: `/rest/orgs/${orgId}/api_keys?limit=1`, token: key.secret });
      if (res.statusCode === 200)
        expect(world.mayNow(key, "api_keys:read"), "read keys without api_keys:read").toBe(true);
      else expect([401, 403]).toContain(res.statusCode);
    }
  }
}

describe("no escalation", () => {
  test("no key verifies or acts with a permission its owner lacks at that moment", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...BUILT_IN_ROLES.filter((r) => r !== "owner")), {
          minLength: MEMBERS,
          maxLength: MEMBERS,
        }),
        fc.array(op, { minLength: 5, maxLength: 40 }),
        async (initial, steps) => {
          const t = await createTestApp();
          try {
            const world = new World(t);
            await world.setUp();
            for (const [index, startRole] of initial.entries()) {
              // Members act with tokens carrying `*`: what they may do is what they hold, where they hold it.
              world.members[index] = await addMember(t, t.owner.orgId, startRole, ["*"]);
              world.roles[index] = startRole;
              world.bindings[index] = [];
              world.keys.push({
                secret: (world.members[index] as Member).token,
                owner: index,
                permissions: ["*"],
                roles: [],
              });
            }
            for (const step of steps) await apply(world, step);
          } finally {
            await t.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
