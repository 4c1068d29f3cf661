import {
  type Actor,
  type AuditEvent,
  type BuiltInRole,
  type Clock,
  isUuid,
  LatchkeyError,
  type Membership,
  memberGrants,
  newId,
  type RandomSource,
  type Session,
  type Store,
  type User,
} from "@latchkey/core";
import type { LoginLimiter } from "./login-limiter.js";
import { checkNewPassword, checkPassword, hashPassword } from "./passwords.js";
import { csrfTokenOf, sessionIdOf } from "./session-cookie.js";

/** Where a request came from, for sessions, limits and the audit log. */
export interface RequestContext {
  ip: string;
  requestId: string;
  userAgent: string | null;
}

/** How long sessions live. */
export interface SessionLifetimes {
  /** A session not used for this long ends. */
  idleSeconds: number;
  /** A session ends this long after sign-in, however much it is used. */
  maxSeconds: number;
}

/** A session just started: the token goes into the cookie, and is never stored or logged. */
export interface StartedSession {
  token: string;
  csrfToken: string;
  session: Session;
  user: User;
  memberships: Membership[];
}

/** A request's signed-in session. */
export interface SignedIn {
  token: string;
  session: Session;
  user: User;
  memberships: Membership[];
}

/** The outcome of a sign-in: a session, a refusal, or a limit reached. */
export type SignInOutcome =
  | ({ ok: true } & StartedSession)
  | { ok: false; reason: "refused" }
  | { ok: false; reason: "limited"; retryAfterSeconds: number };

/** Sessions are touched at most this often, so reading pages does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

/** The actor an event is done by when a person is not (yet) known: a sign-in attempt. */
const ANONYMOUS = { type: "anonymous", id: "anonymous" } as const;

/**
 * Sign-in with email and password, server-side sessions, sign-out and password change. Each event
 * that concerns a user is audited in every org the user belongs to (audit events belong to an org);
 * a refused sign-in of an unknown email belongs to no org and is only logged.
 */
export class SignInService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly limiter: LoginLimiter,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  /** The events of one action on a user, one per org the user is a member of. */
  private eventsFor(
    memberships: readonly Membership[],
    actor: AuditEvent["actor"],
    action: string,
    userId: string,
    context: RequestContext,
    detail: Record<string, unknown> = {},
  ): AuditEvent[] {
    const at = this.clock.now();
    return memberships.map((membership) => ({
      id: newId(this.clock, this.random),
      orgId: membership.orgId,
      actor,
      action,
      target: { type: "user", id: userId },
      createdAt: at,
      ip: context.ip,
      requestId: context.requestId,
      detail,
    }));
  }

  /** A new session for a user (not stored yet). */
  newSession(userId: string, context: RequestContext): { token: string; session: Session } {
    const token = Buffer.from(this.random.bytes(32)).toString("base64url");
    const now = this.clock.now();
    const absolute = new Date(now.getTime() + this.lifetimes.maxSeconds * 1000);
    const idle = new Date(now.getTime() + this.lifetimes.idleSeconds * 1000);
    return {
      token,
      session: {
        id: sessionIdOf(token),
        userId,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: idle < absolute ? idle : absolute,
        absoluteExpiresAt: absolute,
        ip: context.ip,
        userAgent: context.userAgent === null ? null : context.userAgent.slice(0, 512),
      },
    };
  }

  /** Signs in with email and password; refused and limited attempts start nothing. */
  async signIn(emailInput: string, password: string, context: RequestContext): Promise<SignInOutcome> {
    const email = emailInput.trim().toLowerCase();
    const retryAfterSeconds = await this.limiter.attempt(email, context.ip);
    if (retryAfterSeconds > 0) return { ok: false, reason: "limited", retryAfterSeconds };
    const credentials = await this.store.people.credentialsByEmail(email);
    const valid = await checkPassword(credentials?.passwordHash ?? null, password);
    if (!valid || credentials === null) {
      if (credentials !== null) {
        const memberships = await this.store.people.memberships(credentials.user.id);
        const reason = credentials.passwordHash === null ? "no_password" : "wrong_password";
        await this.store.audit.append(
          this.eventsFor(memberships, ANONYMOUS, "user.sign_in_failed", credentials.user.id, context, { reason }),
        );
      }
      return { ok: false, reason: "refused" };
    }
    await this.limiter.succeeded(email, context.ip);
    const { user } = credentials;
    const memberships = await this.store.people.memberships(user.id);
    const { token, session } = this.newSession(user.id, context);
    const actor = { type: "user", id: user.id } as const;
    await this.store.sessions.create(session, this.eventsFor(memberships, actor, "user.signed_in", user.id, context));
    // Ended sessions are swept on sign-in, the one moment that adds a row anyway.
    await this.store.sessions.deleteEnded(this.clock.now());
    return { ok: true, token, csrfToken: csrfTokenOf(token), session, user, memberships };
  }

  /** The live session of a token, or null (unknown, ended, or its user is gone). Records its use. */
  async resume(token: string): Promise<SignedIn | null> {
    const session = await this.store.sessions.find(sessionIdOf(token));
    const now = this.clock.now();
    if (session === null || session.expiresAt <= now || session.absoluteExpiresAt <= now) return null;
    // A request needs the user, never the password hash.
    const user = await this.store.users.get(session.userId);
    if (user === null) return null;
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      const idle = new Date(now.getTime() + this.lifetimes.idleSeconds * 1000);
      const expiresAt = idle < session.absoluteExpiresAt ? idle : session.absoluteExpiresAt;
      await this.store.sessions.touch(session.id, now, expiresAt);
      session.lastSeenAt = now;
      session.expiresAt = expiresAt;
    }
    const memberships = await this.store.people.memberships(session.userId);
    return { token, session, user, memberships };
  }

  /**
   * The actor of a session's request: the user, with their role's rights in the org the path names
   * (when they are a member there), else in their oldest org. Rights are the role's, as for a
   * personal token of the user, but not narrowed by a token's own permissions. Null for a user who
   * belongs to no org.
   */
  async actorOf(
    signedIn: SignedIn,
    pathOrgId: string | undefined,
    requestId: string,
    ip: string,
  ): Promise<Actor | null> {
    const wanted = pathOrgId?.toLowerCase();
    const own = signedIn.memberships.find((m) => m.orgId === wanted);
    const groupRole = await this.groupRoleIn(signedIn, pathOrgId);
    // A role held in the group of the path's org covers the org, with or without a membership of it.
    const orgId = own?.orgId ?? (groupRole !== null ? wanted : undefined);
    // Not a member of the path's org: act in the oldest org, so the path's org answers 404 as to any stranger.
    const membership = orgId === undefined ? signedIn.memberships[0] : own;
    const actingIn = orgId ?? membership?.orgId;
    if (actingIn === undefined) return null;
    // The group role is the path's org's (the oldest org's when the path names none), so it covers the
    // org acted in: a path org the user has no role in gives none, and the stranger's 404 follows.
    const grants = await memberGrants(this.store, actingIn, membership ?? null, groupRole);
    return {
      principal: { type: "user", id: signedIn.user.id },
      orgId: actingIn,
      keyId: "",
      sessionId: signedIn.session.id,
      grants: grants.org,
      projectGrants: grants.projects,
      requestId,
      ip,
    };
  }

  /**
   * The signed-in user's role in the group of the org a request names (the oldest org's when it names
   * none), or null: a group role covers every org of the group.
   */
  private async groupRoleIn(signedIn: SignedIn, pathOrgId: string | undefined): Promise<BuiltInRole | null> {
    const orgId = pathOrgId ?? signedIn.memberships[0]?.orgId;
    if (orgId === undefined || !isUuid(orgId)) return null;
    const group = await this.store.groups.ofOrg(orgId.toLowerCase());
    if (group === null) return null;
    return (await this.store.groups.membership(group.id, signedIn.user.id))?.role ?? null;
  }

  /** Ends a session. */
  async signOut(signedIn: SignedIn, context: RequestContext): Promise<void> {
    const actor = { type: "user", id: signedIn.user.id } as const;
    await this.store.sessions.delete(
      signedIn.session.id,
      this.eventsFor(signedIn.memberships, actor, "user.signed_out", signedIn.user.id, context),
    );
  }

  /**
   * Changes the signed-in user's password after checking the current one (failures count against the
   * sign-in limit), and ends every other session of the user.
   */
  async changePassword(
    signedIn: SignedIn,
    currentPassword: string,
    newPassword: string,
    context: RequestContext,
  ): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
    const { user } = signedIn;
    checkNewPassword(newPassword, "/new_password");
    const retryAfterSeconds = await this.limiter.attempt(user.email, context.ip);
    if (retryAfterSeconds > 0) return { ok: false, retryAfterSeconds };
    const credentials = await this.store.people.credentialsOf(user.id);
    if (!(await checkPassword(credentials?.passwordHash ?? null, currentPassword))) {
      throw new LatchkeyError("FORBIDDEN", "The current password is not right.", { pointer: "/current_password" });
    }
    await this.limiter.succeeded(user.email, context.ip);
    const actor = { type: "user", id: user.id } as const;
    await this.store.people.changePassword(
      user.id,
      await hashPassword(newPassword),
      signedIn.session.id,
      this.eventsFor(signedIn.memberships, actor, "user.password_changed", user.id, context),
    );
    return { ok: true };
  }
}
