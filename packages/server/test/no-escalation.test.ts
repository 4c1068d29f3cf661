import { BUILT_IN_ROLE_GRANTS, BUILT_IN_ROLES, type BuiltInRole, holds } from "@latchkey/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { addMember, createTestApp, type Member, membershipIdOf, send, type TestApp } from "./helpers.js";

// No escalation, as a property: whatever members, roles, role changes, removals and key requests are
// generated, no key ever verifies (or authenticates) with a permission its owner lacks at that moment,
// and no key is created with more than its creator held.

const UNIVERSE = ["api_keys:read", "api_keys:write", "api_keys:verify", "usage:read", "jobs:read", "jobs:write", "*"];
const MEMBERS = 3;

type Op =
  | { kind: "token"; member: number; permissions: string[] }
  | { kind: "orgKey"; member: number; permissions: string[] }
  | { kind: "role"; member: number; role: BuiltInRole }
  | { kind: "remove"; member: number }
  | { kind: "readd"; member: number; role: BuiltInRole }
  | { kind: "verify"; key: number; permissions: string[] }
  | { kind: "use"; key: number };

const member = fc.integer({ min: 0, max: MEMBERS - 1 });
const role = fc.constantFrom(...BUILT_IN_ROLES.filter((r) => r !== "owner"));
const permissions = fc.subarray(UNIVERSE, { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("token" as const), member, permissions }),
  fc.record({ kind: fc.constant("orgKey" as const), member, permissions }),
  fc.record({ kind: fc.constant("role" as const), member, role }),
  fc.record({ kind: fc.constant("remove" as const), member }),
  fc.record({ kind: fc.constant("readd" as const), member, role }),
  fc.record({ kind: fc.constant("verify" as const), key: fc.nat(20), permissions }),
  fc.record({ kind: fc.constant("use" as const), key: fc.nat(20) }),
);

/** What the model knows of a key: whose it is (a member, or the org) and the permissions it asked for. */
interface KeyModel {
  secret: string;
  owner: number | "org";
  permissions: string[];
}

/** The world as the model sees it, next to the real app. */
class World {
  roles: (BuiltInRole | null)[] = [];
  members: Member[] = [];
  keys: KeyModel[] = [];
  constructor(readonly t: TestApp) {}

  grantsOf(index: number): readonly string[] {
    const current = this.roles[index];
    return current === null || current === undefined ? [] : BUILT_IN_ROLE_GRANTS[current];
  }

  /** What a key may do now: its own permissions, capped by its owner's role now (an org key: its own). */
  mayNow(key: KeyModel, permission: string): boolean {
    const own = holds(key.permissions, permission);
    return key.owner === "org" ? own : own && holds(this.grantsOf(key.owner), permission);
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
          data: { type: "api_key", attributes: { name: "prop", expires_in: "30d", permissions: step.permissions } },
        },
      });
      expect(res.statusCode, res.body).toBeLessThan(500);
      if (res.statusCode !== 201) return;
      // Created: the creator held every permission asked for, at that moment.
      for (const permission of step.permissions) {
        expect(holds(world.grantsOf(step.member), permission), `${permission} beyond the creator's role`).toBe(true);
      }
      const owner = step.kind === "token" ? step.member : "org";
      world.keys.push({ secret: res.json().data.attributes.key, owner, permissions: step.permissions });
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
      const res = await send(t.app, {
        method: "POST",
        url: "/rest/api_keys/verify",
        token: t.owner.token,
        body: { data: { type: "key_verification", attributes: { key: key.secret, permissions: step.permissions } } },
      });
      expect(res.statusCode, res.body).toBe(200);
      const answer = res.json().data.attributes as { valid: boolean; permissions: string[] };
      if (answer.valid) {
        for (const permission of step.permissions) {
          expect(world.mayNow(key, permission), `verified ${permission} beyond what the key may do now`).toBe(true);
        }
      }
      for (const granted of answer.permissions) {
        if (granted.includes("*")) continue;
        expect(world.mayNow(key, granted), `reported ${granted} beyond what the key may do now`).toBe(true);
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
            for (const [index, startRole] of initial.entries()) {
              world.members[index] = await addMember(t, t.owner.orgId, startRole);
              world.roles[index] = startRole;
              world.keys.push({
                secret: (world.members[index] as Member).token,
                owner: index,
                permissions: [...BUILT_IN_ROLE_GRANTS[startRole]],
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
