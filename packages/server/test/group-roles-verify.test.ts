import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { groupOnlyUser, keyIn, orgInOwnersGroup, verifyWith } from "./group-helpers.js";
import { addGroupMembership, addMember, createOrg, createTestApp, send, type TestApp } from "./helpers.js";
import { addPerson, browse, signIn } from "./session-helpers.js";

// A role held in a group covers every org of the group: a user's rights in an org are the union of
// their org role's and their group role's, on the verify hot path too, and a change to the group
// membership is seen on the next request.

let t: TestApp;
let groupId: string;
/** An org of the owner's group where the people below have no org membership. */
let orgX: string;
/** A credential of org X that may verify its keys (the owner acting there). */
let verifierX: string;

beforeAll(async () => {
  t = await createTestApp();
  ({ orgId: orgX, groupId } = await orgInOwnersGroup(t));
  verifierX = (await keyIn(t, orgX, t.owner.userId)).key;
});
afterAll(() => t.close());

describe("a group admin with no membership of the org", () => {
  test("their personal key there verifies with admin rights, and stops on the next request once removed", async () => {
    const admin = await groupOnlyUser(t, groupId, "admin");
    const { key } = await keyIn(t, orgX, admin.userId);
    expect(await verifyWith(t, verifierX, key, ["api_keys:write", "members:write"])).toMatchObject({
      valid: true,
      code: "VALID",
    });
    // It acts as an admin in the org's own API.
    const created = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${orgX}/service_accounts`,
      token: key,
      body: { data: { type: "service_account", attributes: { name: "made by a group admin", role: "admin" } } },
    });
    expect(created.statusCode, created.body).toBe(201);

    const removed = await send(t.app, {
      method: "DELETE",
      url: `/rest/groups/${groupId}/memberships/${admin.membershipId}`,
      token: t.owner.token,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await verifyWith(t, verifierX, key)).toMatchObject({ valid: false, code: "REVOKED" });
    expect((await send(t.app, { url: `/rest/orgs/${orgX}`, token: key })).statusCode).toBe(401);
  });

  test("a lowered group role is seen on the next request", async () => {
    const admin = await groupOnlyUser(t, groupId, "admin");
    const { key } = await keyIn(t, orgX, admin.userId);
    expect((await verifyWith(t, verifierX, key, ["api_keys:write"])).code).toBe("VALID");
    const changed = await send(t.app, {
      method: "PATCH",
      url: `/rest/groups/${groupId}/memberships/${admin.membershipId}`,
      token: t.owner.token,
      body: { data: { type: "group_membership", attributes: { role: "viewer" } } },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const after = await verifyWith(t, verifierX, key, ["api_keys:write"]);
    expect(after.code).toBe("INSUFFICIENT_PERMISSIONS");
    expect(after.permissions).toContain("api_keys:read");
  });
});

describe("the union of org and group roles", () => {
  test("a group viewer who is an org admin is an admin there; an org viewer who is a group admin is too", async () => {
    const orgAdmin = await addMember(t, t.owner.orgId, "admin");
    await addGroupMembership(t, groupId, orgAdmin.userId, "viewer");
    expect((await verifyWith(t, t.owner.token, orgAdmin.token, ["members:write"])).code).toBe("VALID");

    const orgViewer = await addMember(t, t.owner.orgId, "viewer");
    const wide = await keyIn(t, t.owner.orgId, orgViewer.userId);
    expect((await verifyWith(t, t.owner.token, wide.key, ["members:write"])).code).toBe("INSUFFICIENT_PERMISSIONS");
    // Added through the API: the next verification sees the group role.
    const added = await send(t.app, {
      method: "POST",
      url: `/rest/groups/${groupId}/memberships`,
      token: t.owner.token,
      body: {
        data: {
          type: "group_membership",
          attributes: { email: `viewer-${orgViewer.userId}@example.test`, role: "admin" },
        },
      },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect((await verifyWith(t, t.owner.token, wide.key, ["members:write"])).code).toBe("VALID");
  });

  test("a group role covers no org of another group", async () => {
    const b = await createOrg(t, "Elsewhere");
    await addGroupMembership(t, groupId, b.members.viewer.userId, "admin");
    t.app.services.verifier.forgetAll();
    // B's viewer is an admin of A's group: nothing changes for their key in B.
    const answer = await verifyWith(t, b.members.owner.token, b.members.viewer.token, ["members:write"]);
    expect(answer.code).toBe("INSUFFICIENT_PERMISSIONS");
  });
});

describe("sessions", () => {
  test("a signed-in group admin acts as admin in an org of the group where they have no membership", async () => {
    const home = await createOrg(t, "Home of the person");
    const person = await addPerson(t, home.orgId, "viewer");
    await addGroupMembership(t, groupId, person.userId, "admin");
    const browser = await signIn(t, person.email);
    const created = await browse(t, browser, {
      method: "POST",
      url: `/rest/orgs/${orgX}/api_keys`,
      body: { data: { type: "api_key", attributes: { name: "from a session", kind: "personal", expires_in: "1d" } } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json().data.attributes.key as string;
    expect((await verifyWith(t, verifierX, key, ["api_keys:write"])).code).toBe("VALID");
    // In their own org (another group), they are still a viewer.
    const refused = await browse(t, browser, {
      method: "POST",
      url: `/rest/orgs/${home.orgId}/service_accounts`,
      body: { data: { type: "service_account", attributes: { name: "no", role: "viewer" } } },
    });
    expect(refused.statusCode, refused.body).toBe(403);
  });
});
