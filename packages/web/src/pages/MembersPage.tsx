import type { CreateInvitationAttributes } from "@latchkey/sdk/types";
import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { RolesSection } from "../components/RolesSection";
import { ConfirmDialog, CopyButton, Notice, PageHeader, StateView, TableWrap } from "../components/ui";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import { listRoles } from "../roles-source";
import { useCan, useOrg, useSession } from "../session";

type Role = CreateInvitationAttributes["role"];
const ROLES: Role[] = ["viewer", "member", "admin", "super_admin", "owner"];

/** Members & roles: memberships with their roles, and open invitations. */
export function MembersPage() {
  const org = useOrg();
  const { session } = useSession();
  const canWrite = useCan("members:write");
  const ids = useId();
  const members = useLoad(() => client.listMembers(org.id, { limit: 100 }), [org.id]);
  const invitations = useLoad(() => client.listInvitations(org.id, { limit: 100 }), [org.id]);
  // Members may hold a custom role too; without the roles route, the built-in ones.
  const roles = useLoad(() => listRoles(org.id).catch(() => null), [org.id]);
  const memberRoles = roles.data?.map((role) => role.name) ?? ROLES;
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ id: string; email: string } | null>(null);
  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const invitation = await client.createInvitation(org.id, { email: email.trim(), role });
      setLink(invitation.attributes.link ?? null);
      setEmail("");
      invitations.reload();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Members & roles" description="Who belongs to the organization, and with which role." />
      {error ? <Notice tone="error">{error}</Notice> : null}
      <StateView loaded={members} isEmpty={(page) => page.data.length === 0} empty={<p>No members.</p>}>
        {(page) => (
          <TableWrap label="Members">
            <table>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((member) => {
                  const self = member.attributes.user_id === session.user.id;
                  return (
                    <tr key={member.id}>
                      <th scope="row">
                        {member.attributes.name || member.attributes.email}
                        <span className="muted small">{member.attributes.email}</span>
                      </th>
                      <td>
                        {canWrite && !self ? (
                          <select
                            aria-label={`Role of ${member.attributes.email}`}
                            value={member.attributes.role}
                            onChange={async (e) => {
                              setError(null);
                              try {
                                await client.updateMember(org.id, member.id, { role: e.target.value });
                                members.reload();
                              } catch (caught) {
                                setError(messageOf(caught));
                              }
                            }}
                          >
                            {memberRoles.map((r) => (
                              <option key={r} value={r}>
                                {r.replace("_", " ")}
                              </option>
                            ))}
                          </select>
                        ) : (
                          member.attributes.role.replace("_", " ")
                        )}
                      </td>
                      <td>{formatDateTime(member.attributes.created_at)}</td>
                      <td>
                        {canWrite && !self ? (
                          <button
                            type="button"
                            className="small danger"
                            onClick={() => setRemoving({ id: member.id, email: member.attributes.email })}
                          >
                            Remove<span className="visually-hidden"> {member.attributes.email}</span>
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </StateView>

      <RolesSection orgId={org.id} />

      <h2 className="section-title">Invitations</h2>
      {canWrite ? (
        <form className="filters" onSubmit={invite} aria-label="Invite someone">
          <div className="field">
            <label htmlFor={`${ids}-email`}>Email</label>
            <input id={`${ids}-email`} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-role`}>Role</label>
            <select id={`${ids}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r.replace("_", " ")}
                </option>
              ))}
            </select>
          </div>
          <div className="filter-actions">
            <button type="submit" className="primary">
              Invite
            </button>
          </div>
        </form>
      ) : null}
      {link ? (
        <Notice tone="success">
          Send this one-time link to the invitee (it is shown once): <span className="mono break">{link}</span>{" "}
          <CopyButton text={link} label="Copy link" className="small" />
        </Notice>
      ) : null}
      <StateView loaded={invitations} isEmpty={(page) => page.data.length === 0} empty={<p>No open invitations.</p>}>
        {(page) => (
          <ul className="plain">
            {page.data.map((invitation) => (
              <li key={invitation.id}>
                {invitation.attributes.email} as {invitation.attributes.role}, expires{" "}
                {formatDateTime(invitation.attributes.expires_at)}{" "}
                {canWrite ? (
                  <button
                    type="button"
                    className="small"
                    onClick={async () => {
                      await client
                        .deleteInvitation(org.id, invitation.id)
                        .catch((e: unknown) => setError(messageOf(e)));
                      invitations.reload();
                    }}
                  >
                    Withdraw<span className="visually-hidden"> the invitation of {invitation.attributes.email}</span>
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </StateView>
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.email}?`}
          body={<p>Their personal keys stop working in this organization at once.</p>}
          confirm="Remove member"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await client.removeMember(org.id, removing.id);
            members.reload();
          }}
        />
      ) : null}
    </section>
  );
}
