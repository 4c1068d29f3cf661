import { createHash } from "node:crypto";
import type { Invitation, InvitationAcceptance, Session } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import {
  DAY,
  expectLatchkeyError,
  HOUR,
  MINUTE,
  type StoreFactory,
  type StoreFixture,
  useStoreFixture,
} from "./store-contract-fixture.js";

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The number of events in an intact log. */
async function auditCount(t: StoreFixture): Promise<number> {
  const check = await t.store.audit.check();
  expect(check.ok).toBe(true);
  return check.count;
}

function session(t: StoreFixture, userId: string, overrides: Partial<Session> = {}): Session {
  const now = t.clock.now();
  return {
    id: sha256(t.data.id()),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + 12 * HOUR),
    absoluteExpiresAt: new Date(now.getTime() + 7 * DAY),
    ip: "192.0.2.1",
    userAgent: "contract",
    ...overrides,
  };
}

function invitation(t: StoreFixture, orgId: string, overrides: Partial<Invitation> = {}): Invitation {
  const now = t.clock.now();
  return {
    id: t.data.id(),
    orgId,
    email: `invitee-${t.data.unique()}@example.test`,
    role: "member",
    createdBy: { type: "user", id: t.boot.userId },
    createdAt: now,
    expiresAt: new Date(now.getTime() + 7 * DAY),
    acceptedAt: null,
    ...overrides,
  };
}

function acceptance(t: StoreFixture, open: Invitation, userId: string | null): InvitationAcceptance {
  const user = userId === null ? t.data.user({ email: open.email }) : null;
  const id = user?.id ?? (userId as string);
  return {
    invitation: open,
    at: t.clock.now(),
    newUser: user === null ? null : { user, passwordHash: "invitee-hash" },
    membership: t.data.membership(open.orgId, id, open.role),
    session: session(t, id),
    audit: [t.data.audit("invitation.accepted", open.orgId)],
  };
}

/** SessionStore and PeopleStore: sessions by token hash, touch, end; credentials and password change. */
export function describeSessionContract(factory: StoreFactory): void {
  describe("SessionStore and PeopleStore", () => {
    const t = useStoreFixture(factory);

    it("creates, finds, touches and deletes a session, with its audit events", async () => {
      const baseline = await auditCount(t);
      const s = session(t, t.boot.userId);
      await t.store.sessions.create(s, [t.data.audit("user.signed_in", t.boot.orgId)]);
      expect(await t.store.sessions.find(s.id)).toEqual(s);
      expect(await t.store.sessions.find(sha256("unknown"))).toBeNull();

      t.clock.advance(10 * MINUTE);
      const later = t.clock.now();
      const expiresAt = new Date(later.getTime() + 12 * HOUR);
      await t.store.sessions.touch(s.id, later, expiresAt);
      expect(await t.store.sessions.find(s.id)).toEqual({ ...s, lastSeenAt: later, expiresAt });
      // Touching with an older time moves nothing back.
      await t.store.sessions.touch(s.id, s.createdAt, s.expiresAt);
      expect((await t.store.sessions.find(s.id))?.lastSeenAt).toEqual(later);

      expect(await t.store.sessions.delete(s.id, [t.data.audit("user.signed_out", t.boot.orgId)])).toBe(true);
      expect(await t.store.sessions.find(s.id)).toBeNull();
      expect(await t.store.sessions.delete(s.id, [t.data.audit("user.signed_out", t.boot.orgId)])).toBe(false);
      expect(await auditCount(t)).toBe(baseline + 2);
    });

    it("does not revive an ended session by touching it", async () => {
      const s = session(t, t.boot.userId, { expiresAt: new Date(t.clock.now().getTime() + MINUTE) });
      await t.store.sessions.create(s, []);
      t.clock.advance(2 * MINUTE);
      await t.store.sessions.touch(s.id, t.clock.now(), new Date(t.clock.now().getTime() + HOUR));
      expect((await t.store.sessions.find(s.id))?.expiresAt).toEqual(s.expiresAt);
    });

    it("sweeps ended sessions only", async () => {
      const ending = session(t, t.boot.userId, { expiresAt: new Date(t.clock.now().getTime() + MINUTE) });
      const living = session(t, t.boot.userId);
      await t.store.sessions.create(ending, []);
      await t.store.sessions.create(living, []);
      expect(await t.store.sessions.deleteEnded(t.clock.now())).toBe(0);
      t.clock.advance(MINUTE);
      expect(await t.store.sessions.deleteEnded(t.clock.now())).toBe(1);
      expect(await t.store.sessions.find(ending.id)).toBeNull();
      expect(await t.store.sessions.find(living.id)).toEqual(living);
    });

    it("reads credentials by email and id, and memberships oldest first", async () => {
      const byEmail = await t.store.people.credentialsByEmail(t.boot.records.user.email);
      expect(byEmail).toEqual({ user: t.boot.records.user, passwordHash: t.boot.records.passwordHash });
      expect(await t.store.people.credentialsOf(t.boot.userId)).toEqual(byEmail);
      expect(await t.store.people.credentialsByEmail("nobody@example.test")).toBeNull();
      expect(await t.store.people.credentialsOf(t.data.id())).toBeNull();
      t.clock.advance(MINUTE);
      const other = await t.addOrg();
      const second = t.data.membership(other.org.id, t.boot.userId, "viewer");
      await t.seed.membership(second);
      expect(await t.store.people.memberships(t.boot.userId)).toEqual([t.boot.records.membership, second]);
    });

    it("changes a password and ends every other session of the user only, in one write", async () => {
      const kept = session(t, t.boot.userId);
      const ended = session(t, t.boot.userId);
      const other = await t.addOrg();
      const stranger = session(t, other.user.id);
      const baseline = await auditCount(t);
      for (const s of [kept, ended, stranger]) await t.store.sessions.create(s, []);
      await t.store.people.changePassword(t.boot.userId, "new-hash", kept.id, [
        t.data.audit("user.password_changed", t.boot.orgId),
      ]);
      expect((await t.store.people.credentialsOf(t.boot.userId))?.passwordHash).toBe("new-hash");
      expect(await t.store.sessions.find(kept.id)).not.toBeNull();
      expect(await t.store.sessions.find(ended.id)).toBeNull();
      expect(await t.store.sessions.find(stranger.id)).not.toBeNull();
      expect(await auditCount(t)).toBe(baseline + 1);
    });
  });
}

/** InvitationStore: create, list, withdraw, and one-time acceptance. */
export function describeInvitationContract(factory: StoreFactory): void {
  describe("InvitationStore", () => {
    const t = useStoreFixture(factory);

    it("creates an invitation, finds it by its token hash and lists the open ones", async () => {
      const open = invitation(t, t.boot.orgId);
      await t.store.invitations.create(open, sha256("token-a"), [t.data.audit("invitation.created", t.boot.orgId)]);
      expect(await t.store.invitations.findByTokenHash(sha256("token-a"))).toEqual(open);
      expect(await t.store.invitations.findByTokenHash(sha256("token-b"))).toBeNull();
      const other = await t.addOrg();
      expect((await t.store.invitations.list(t.boot.orgId, { limit: 10 })).items).toEqual([open]);
      expect((await t.store.invitations.list(other.org.id, { limit: 10 })).items).toEqual([]);
    });

    it("withdraws an open invitation of its own org only", async () => {
      const open = invitation(t, t.boot.orgId);
      await t.store.invitations.create(open, sha256("token-w"), []);
      const other = await t.addOrg();
      expect(await t.store.invitations.delete(other.org.id, open.id, [])).toBe(false);
      expect(await t.store.invitations.delete(t.boot.orgId, open.id, [t.data.audit("invitation.deleted")])).toBe(true);
      expect(await t.store.invitations.findByTokenHash(sha256("token-w"))).toBeNull();
      expect(await t.store.invitations.delete(t.boot.orgId, open.id, [])).toBe(false);
    });

    it("accepts once: the user, membership, session and events are written; a second acceptance writes nothing", async () => {
      const open = invitation(t, t.boot.orgId);
      await t.store.invitations.create(open, sha256("token-1"), []);
      const first = acceptance(t, open, null);
      const baseline = await auditCount(t);
      expect(await t.store.invitations.accept(first)).toBe(true);
      const userId = first.membership.userId;
      expect((await t.store.people.credentialsByEmail(open.email))?.passwordHash).toBe("invitee-hash");
      expect(await t.store.users.membership(t.boot.orgId, userId)).toEqual(first.membership);
      expect(await t.store.sessions.find(first.session.id)).toEqual(first.session);
      expect((await t.store.invitations.findByTokenHash(sha256("token-1")))?.acceptedAt).toEqual(first.at);
      expect((await t.store.invitations.list(t.boot.orgId, { limit: 10 })).items).toEqual([]);

      const second = acceptance(t, open, userId);
      expect(await t.store.invitations.accept(second)).toBe(false);
      expect(await t.store.sessions.find(second.session.id)).toBeNull();
      expect(await auditCount(t)).toBe(baseline + 1);
    });

    it("refuses an expired invitation, and a duplicate membership with CONFLICT, leaving the invitation open", async () => {
      const late = invitation(t, t.boot.orgId, { expiresAt: new Date(t.clock.now().getTime() + MINUTE) });
      await t.store.invitations.create(late, sha256("token-late"), []);
      t.clock.advance(2 * MINUTE);
      expect(await t.store.invitations.accept(acceptance(t, late, null))).toBe(false);
      expect(await t.store.people.credentialsByEmail(late.email)).toBeNull();

      const again = invitation(t, t.boot.orgId, { email: t.boot.records.user.email });
      await t.store.invitations.create(again, sha256("token-again"), []);
      const attempt = acceptance(t, again, t.boot.userId);
      await expectLatchkeyError(t.store.invitations.accept(attempt), "CONFLICT");
      expect((await t.store.invitations.findByTokenHash(sha256("token-again")))?.acceptedAt).toBeNull();
      expect(await t.store.sessions.find(attempt.session.id)).toBeNull();
    });

    it("lets one of racing acceptances win", async () => {
      const other = await t.addOrg();
      const open = invitation(t, t.boot.orgId);
      await t.store.invitations.create(open, sha256("token-race"), []);
      const attempts = Array.from({ length: 5 }, () => acceptance(t, open, other.user.id));
      const results = await Promise.allSettled(attempts.map((a) => t.store.invitations.accept(a)));
      const won = results.filter((r) => r.status === "fulfilled" && r.value === true);
      expect(won).toHaveLength(1);
      expect(await t.store.people.memberships(other.user.id)).toHaveLength(2);
    });
  });
}
