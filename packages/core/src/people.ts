import type { AuditEvent } from "./audit.js";
import type { Membership, PrincipalRef, User } from "./model.js";
import type { Page, PageRequest } from "./ports.js";

/**
 * A signed-in browser session. The cookie carries a random token; only its SHA-256 is stored (the
 * session's id), as for keys, so a copy of the database signs no one in.
 */
export interface Session {
  /** SHA-256 (hex) of the session token. */
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** When the session ends if it is not used again: the idle limit from `lastSeenAt`, capped by `absoluteExpiresAt`. */
  expiresAt: Date;
  /** When the session ends however much it is used. */
  absoluteExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** A user's sign-in secret as the store keeps it: only the sign-in check ever reads it. */
export interface UserCredentials {
  user: User;
  /** The argon2id hash (PHC string), or null for a user who has no password (seeded, token-only). */
  passwordHash: string | null;
}

/**
 * Sessions, with the changes that end them.
 * Atomicity: each method is one transaction together with the audit events it is given.
 * Concurrency: `touch` only moves `lastSeenAt` forward and never revives an ended session.
 */
export interface SessionStore {
  /** Inserts a session, with its audit events (`user.signed_in`). */
  create(session: Session, audit: readonly AuditEvent[]): Promise<void>;
  /** The session with this id (token hash), ended or not; the caller checks `expiresAt`. */
  find(id: string): Promise<Session | null>;
  /** Records use: moves `lastSeenAt` and `expiresAt` forward. */
  touch(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void>;
  /** Ends a session, with its audit events; false when it did not exist. */
  delete(id: string, audit: readonly AuditEvent[]): Promise<boolean>;
  /** Removes every session that ended at or before `now` (their end is always `expiresAt`); returns how many. */
  deleteEnded(now: Date): Promise<number>;
}

/** Storage of users' sign-in data and memberships beyond what verification reads. */
export interface PeopleStore {
  /** The user with this email (lower case) and their password hash, or null. */
  credentialsByEmail(email: string): Promise<UserCredentials | null>;
  /** The user and their password hash, or null. */
  credentialsOf(userId: string): Promise<UserCredentials | null>;
  /** Every membership of the user, oldest first. */
  memberships(userId: string): Promise<Membership[]>;
  /**
   * Replaces the user's password hash and ends every other session of the user (all but
   * `keepSessionId`), with the audit events, in one transaction.
   */
  changePassword(
    userId: string,
    passwordHash: string,
    keepSessionId: string | null,
    audit: readonly AuditEvent[],
  ): Promise<void>;
}

/** An invitation to join an org with a role; the invitee sets a password through its one-time link. */
export interface Invitation {
  id: string;
  orgId: string;
  /** Lower case. */
  email: string;
  /** A built-in role or one of the org's custom roles. */
  role: string;
  createdBy: PrincipalRef;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
}

/** What accepting an invitation writes, all in one transaction. */
export interface InvitationAcceptance {
  invitation: Invitation;
  at: Date;
  /** A new user with their password hash, or null when the invitee already has an account. */
  newUser: { user: User; passwordHash: string } | null;
  membership: Membership;
  /** The session the invitee is signed in with. */
  session: Session;
  audit: readonly AuditEvent[];
}

/**
 * Invitations. Tokens are stored only as their SHA-256.
 * Atomicity: each write is one transaction with its audit events. Concurrency: `accept` marks the
 * invitation used with a guard (not used, not expired), so of two racing acceptances one wins and the
 * other changes nothing.
 */
export interface InvitationStore {
  /** Inserts an invitation with its token's hash and its audit event. */
  create(invitation: Invitation, tokenHash: string, audit: readonly AuditEvent[]): Promise<void>;
  /** The org's invitations that are not accepted, newest first. */
  list(orgId: string, page: PageRequest): Promise<Page<Invitation>>;
  /** One open (not accepted) invitation of the org. */
  get(orgId: string, id: string): Promise<Invitation | null>;
  /** The invitation a token hash belongs to, used or not. */
  findByTokenHash(tokenHash: string): Promise<Invitation | null>;
  /** Withdraws an invitation that is not accepted yet; false when there is none. */
  delete(orgId: string, id: string, audit: readonly AuditEvent[]): Promise<boolean>;
  /**
   * Marks the invitation accepted if it is still open at `at`, and writes the user (if new), the
   * membership, the session and the audit events. Returns false (writing nothing) when it was used
   * or expired meanwhile; a membership that exists already is a CONFLICT.
   */
  accept(acceptance: InvitationAcceptance): Promise<boolean>;
}
