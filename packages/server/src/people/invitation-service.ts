import {
  type Actor,
  auditEventOf,
  type Clock,
  hashKey,
  type Invitation,
  LatchkeyError,
  MAX_NAME_LENGTH,
  type Membership,
  newId,
  type Page,
  type PageRequest,
  type RandomSource,
  requireOrg,
  requirePermission,
  requireRoleWithinOwn,
  type Store,
} from "@latchkey/core";
import type { LoginLimiter } from "./login-limiter.js";
import { checkNewPassword, checkPassword, hashPassword } from "./passwords.js";
import { csrfTokenOf } from "./session-cookie.js";
import type { RequestContext, SignInService, StartedSession } from "./sign-in-service.js";

/** The path of the page an invitation link opens (the dashboard's). */
export const ACCEPT_INVITATION_PATH = "/accept-invitation";

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,252}$/;

/** An invitation just made, with its one-time link (shown once, never stored). */
export interface IssuedInvitation {
  invitation: Invitation;
  link: string;
}

const NOT_VALID = "This invitation link is not valid: it is unknown, used, withdrawn or expired.";

/**
 * Invitations to an org. The link is shown to the inviter, who passes it on: it proves nothing about
 * the email address. So accepting it creates a new user with the password given, but joins an
 * existing user to the org only with that user's current password, and never sets or changes an
 * existing user's password.
 */
export class InvitationService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly signIn: SignInService,
    private readonly limiter: LoginLimiter,
    private readonly ttlSeconds: number,
  ) {}

  /** Invites `email` to the org with `role`; needs `members:write` and every right of the role. */
  async create(
    actor: Actor,
    orgId: string,
    input: { email: string; role: string },
    baseUrl: string,
  ): Promise<IssuedInvitation> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:write");
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) {
      throw new LatchkeyError("VALIDATION_FAILED", "Give an email address.", { pointer: "/data/attributes/email" });
    }
    await requireRoleWithinOwn(this.store, actor, input.role, "/data/attributes/role");
    const existing = await this.store.people.credentialsByEmail(email);
    if (existing !== null && (await this.store.users.membership(actor.orgId, existing.user.id)) !== null) {
      throw new LatchkeyError("CONFLICT", "This person is a member of the org already.", {
        pointer: "/data/attributes/email",
      });
    }
    const now = this.clock.now();
    const token = Buffer.from(this.random.bytes(32)).toString("base64url");
    const invitation: Invitation = {
      id: newId(this.clock, this.random),
      orgId: actor.orgId,
      email,
      role: input.role,
      createdBy: actor.principal,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      acceptedAt: null,
    };
    await this.store.invitations.create(invitation, hashKey(token), [
      auditEventOf(
        actor,
        invitation.orgId,
        "invitation.created",
        { type: "invitation", id: invitation.id },
        { id: newId(this.clock, this.random), at: now, detail: { email, role: input.role } },
      ),
    ]);
    const link = `${baseUrl.replace(/\/+$/, "")}${ACCEPT_INVITATION_PATH}?token=${token}`;
    return { invitation, link };
  }

  /** The org's open invitations, newest first; needs `members:read`. */
  async list(actor: Actor, orgId: string, page: PageRequest): Promise<Page<Invitation>> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:read");
    return this.store.invitations.list(actor.orgId, page);
  }

  /** Withdraws an open invitation; needs `members:write`. */
  /** One open invitation of the org (never its link); needs `members:read`. */
  async get(actor: Actor, orgId: string, id: string): Promise<Invitation> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:read");
    const invitation = await this.store.invitations.get(actor.orgId, id.toLowerCase());
    if (invitation === null) throw new LatchkeyError("NOT_FOUND", "No such open invitation.", { parameter: "id" });
    return invitation;
  }

  async delete(actor: Actor, orgId: string, id: string): Promise<void> {
    requireOrg(actor, orgId);
    requirePermission(actor, "members:write");
    const deleted = await this.store.invitations.delete(actor.orgId, id.toLowerCase(), [
      auditEventOf(
        actor,
        actor.orgId,
        "invitation.deleted",
        { type: "invitation", id: id.toLowerCase() },
        { id: newId(this.clock, this.random), at: this.clock.now() },
      ),
    ]);
    if (!deleted) throw new LatchkeyError("NOT_FOUND", "No such open invitation.", { parameter: "id" });
  }

  /**
   * Accepts an invitation: a new user is created with `password` (and `name`); an existing user must
   * give their current password. The membership, the used mark and a new session are written together.
   */
  async accept(
    token: string,
    password: string,
    name: string | undefined,
    context: RequestContext,
  ): Promise<({ ok: true } & StartedSession) | { ok: false; retryAfterSeconds: number }> {
    const invitation = /^[A-Za-z0-9_-]{43}$/.test(token)
      ? await this.store.invitations.findByTokenHash(hashKey(token))
      : null;
    const now = this.clock.now();
    if (invitation === null || invitation.acceptedAt !== null || invitation.expiresAt <= now) {
      throw new LatchkeyError("NOT_FOUND", NOT_VALID, { pointer: "/token" });
    }
    const existing = await this.store.people.credentialsByEmail(invitation.email);
    let newUser: { user: { id: string; email: string; name: string; createdAt: Date }; passwordHash: string } | null =
      null;
    if (existing === null) {
      checkNewPassword(password, "/password");
      const given = name?.trim() ?? "";
      if (given.length > MAX_NAME_LENGTH) {
        throw new LatchkeyError("VALIDATION_FAILED", `A name has at most ${MAX_NAME_LENGTH} characters.`, {
          pointer: "/name",
        });
      }
      newUser = {
        user: {
          id: newId(this.clock, this.random),
          email: invitation.email,
          name: given === "" ? (invitation.email.split("@")[0] as string) : given,
          createdAt: now,
        },
        passwordHash: await hashPassword(password),
      };
    } else {
      if (existing.passwordHash === null) {
        throw new LatchkeyError(
          "CONFLICT",
          "This email belongs to an account without a password; an administrator must add it to the org.",
          { pointer: "/token" },
        );
      }
      const retryAfterSeconds = await this.limiter.attempt(invitation.email, context.ip);
      if (retryAfterSeconds > 0) return { ok: false, retryAfterSeconds };
      if (!(await checkPassword(existing.passwordHash, password))) {
        throw new LatchkeyError("FORBIDDEN", "This email has an account: give its current password.", {
          pointer: "/password",
        });
      }
      await this.limiter.succeeded(invitation.email, context.ip);
    }
    const user = newUser?.user ?? (existing?.user as NonNullable<typeof existing>["user"]);
    const membership: Membership = {
      id: newId(this.clock, this.random),
      orgId: invitation.orgId,
      userId: user.id,
      role: invitation.role,
      roles: [],
      createdAt: now,
    };
    const memberships = [...(existing === null ? [] : await this.store.people.memberships(user.id)), membership];
    const { token: sessionToken, session } = this.signIn.newSession(user.id, context);
    const actor = { principal: { type: "user" as const, id: user.id }, requestId: context.requestId, ip: context.ip };
    const audit = [
      auditEventOf(
        actor,
        invitation.orgId,
        "invitation.accepted",
        { type: "invitation", id: invitation.id },
        {
          id: newId(this.clock, this.random),
          at: now,
          detail: { email: invitation.email, role: invitation.role, user_id: user.id, new_user: newUser !== null },
        },
      ),
      ...memberships.map((m) =>
        auditEventOf(
          actor,
          m.orgId,
          "user.signed_in",
          { type: "user", id: user.id },
          {
            id: newId(this.clock, this.random),
            at: now,
            detail: { via: "invitation" },
          },
        ),
      ),
    ];
    const accepted = await this.store.invitations.accept({ invitation, at: now, newUser, membership, session, audit });
    if (!accepted) throw new LatchkeyError("NOT_FOUND", NOT_VALID, { pointer: "/token" });
    return { ok: true, token: sessionToken, csrfToken: csrfTokenOf(sessionToken), session, user, memberships };
  }
}
