import type { AuditEvent } from "./audit.js";
import type { ApiKey, Group, GroupMembership, GroupMemberView, GroupServiceAccount, KeyEvent, Org } from "./model.js";
import type { BuiltInRole } from "./permissions.js";
import type { Page, PageRequest } from "./ports.js";

/** What adding a group member writes: the membership of the user who has `email`. */
export interface NewGroupMembership {
  id: string;
  groupId: string;
  email: string;
  role: BuiltInRole;
  createdAt: Date;
}

/** What a change to a group service account may set. */
export interface GroupServiceAccountChange {
  name?: string | undefined;
  role?: BuiltInRole | undefined;
}

/**
 * Storage of groups, their orgs, memberships and service accounts.
 * Atomicity: every write is one transaction with its audit events (appended last). Concurrency: a
 * group never loses its last owner; that check runs inside the write (PostgreSQL: under the group's row lock).
 */
export interface GroupStore {
  /** A group by id, or null. */
  get(id: string): Promise<Group | null>;
  /** The group an org belongs to; null when there is no such org. */
  ofOrg(orgId: string): Promise<Group | null>;
  /** The groups a user holds a membership in. */
  listForUser(userId: string): Promise<Group[]>;
  /** The group's orgs, newest first. */
  orgs(groupId: string, page: PageRequest): Promise<Page<Org>>;
  /** Inserts an org (of an existing group) with its audit events; a taken slug is a CONFLICT. */
  createOrg(org: Org, audit: readonly AuditEvent[]): Promise<void>;
  /** A user's membership in a group, or null. */
  membership(groupId: string, userId: string): Promise<GroupMembership | null>;
  /** The group's members with their emails, newest first. */
  listMembers(groupId: string, page: PageRequest): Promise<Page<GroupMemberView>>;
  /** One membership of the group, or null (a membership of another group is null too). */
  getMember(groupId: string, id: string): Promise<GroupMemberView | null>;
  /** Adds the user who has this email; null when nobody has it; CONFLICT when already a member. */
  addMember(membership: NewGroupMembership, auditFor: (userId: string) => AuditEvent): Promise<GroupMemberView | null>;
  /** Gives the member another role; CONFLICT when it would leave the group without an owner. */
  setMemberRole(groupId: string, id: string, role: BuiltInRole, audit: AuditEvent): Promise<GroupMemberView>;
  /** Removes the member; CONFLICT when it would leave the group without an owner. */
  removeMember(groupId: string, id: string, audit: AuditEvent): Promise<void>;
  /** Inserts a group service account with its audit event; a duplicate live name in the group is a CONFLICT. */
  createAccount(account: GroupServiceAccount, audit: readonly AuditEvent[]): Promise<void>;
  /** A live account of the group, or null (an org's account, or another group's, is null). */
  getAccount(groupId: string, id: string): Promise<GroupServiceAccount | null>;
  /** The group's live accounts, newest first. */
  listAccounts(groupId: string, page: PageRequest): Promise<Page<GroupServiceAccount>>;
  /** Changes a live account's name or role; null when there is none. */
  updateAccount(
    groupId: string,
    id: string,
    change: GroupServiceAccountChange,
    audit: AuditEvent,
  ): Promise<GroupServiceAccount | null>;
  /** Deletes the account and revokes its keys in every org, with their events and the audit event. */
  deleteAccount(
    groupId: string,
    id: string,
    at: Date,
    eventFor: (key: ApiKey) => KeyEvent,
    audit: AuditEvent,
  ): Promise<boolean>;
}
