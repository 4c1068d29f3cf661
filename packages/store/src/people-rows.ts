import type { Invitation, PrincipalRef, Session } from "@latchkey/core";
import type { Selectable } from "kysely";
import { toTime } from "./rows.js";
import type { InvitationsTable, SessionsTable } from "./schema.js";

export function sessionToRow(session: Session): Selectable<SessionsTable> {
  return {
    id: session.id,
    user_id: session.userId,
    created_at: toTime(session.createdAt),
    last_seen_at: toTime(session.lastSeenAt),
    expires_at: toTime(session.expiresAt),
    absolute_expires_at: toTime(session.absoluteExpiresAt),
    ip: session.ip,
    user_agent: session.userAgent,
  };
}

export function rowToSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    expiresAt: new Date(row.expires_at),
    absoluteExpiresAt: new Date(row.absolute_expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

export function invitationToRow(invitation: Invitation, tokenHash: string): Selectable<InvitationsTable> {
  return {
    id: invitation.id,
    org_id: invitation.orgId,
    email: invitation.email,
    role: invitation.role,
    token_hash: tokenHash,
    created_by_type: invitation.createdBy.type,
    created_by_id: invitation.createdBy.id,
    created_at: toTime(invitation.createdAt),
    expires_at: toTime(invitation.expiresAt),
    accepted_at: invitation.acceptedAt === null ? null : toTime(invitation.acceptedAt),
  };
}

export function rowToInvitation(row: Omit<Selectable<InvitationsTable>, "token_hash">): Invitation {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    role: row.role,
    createdBy: { type: row.created_by_type, id: row.created_by_id } as PrincipalRef,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    acceptedAt: row.accepted_at === null ? null : new Date(row.accepted_at),
  };
}
