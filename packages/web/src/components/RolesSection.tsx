import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { useLoad } from "../hooks";
import { createRole, listRoles } from "../roles-source";
import { useCan } from "../session";
import { PermissionChecklist } from "./PermissionChecklist";
import { Dialog, Notice, StateView, TableWrap } from "./ui";

/** The org's roles (built-in and custom) and, for those who may, a form to add a custom role. */
export function RolesSection({ orgId }: { orgId: string }) {
  const roles = useLoad(() => listRoles(orgId), [orgId]);
  const canWrite = useCan("members:write");
  const [creating, setCreating] = useState(false);
  return (
    <>
      <div className="section-head">
        <h2>Roles</h2>
        {canWrite && roles.state === "ready" ? (
          <button type="button" onClick={() => setCreating(true)}>
            Create role
          </button>
        ) : null}
      </div>
      <StateView
        loaded={roles}
        unavailable={<p>Custom roles are not available on this server yet; members hold the built-in roles.</p>}
        isEmpty={(list) => list.length === 0}
        empty={<p>No roles.</p>}
      >
        {(list) => (
          <TableWrap label="Roles">
            <table>
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Permissions</th>
                </tr>
              </thead>
              <tbody>
                {list.map((role) => (
                  <tr key={role.id}>
                    <th scope="row">
                      {role.name}
                      {role.description ? <span className="muted small">{role.description}</span> : null}
                    </th>
                    <td className="nowrap">{role.builtIn ? "Built-in" : "Custom"}</td>
                    <td className="mono small">{role.permissions.join(", ") || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </StateView>
      {creating ? <CreateRoleDialog orgId={orgId} onClose={() => setCreating(false)} onCreated={roles.reload} /> : null}
    </>
  );
}

function CreateRoleDialog({
  orgId,
  onClose,
  onCreated,
}: {
  orgId: string;
  onClose: () => void;
  onCreated: () => void;
}) {
  const ids = useId();
  const catalogue = useLoad(() => client.listPermissions(orgId), [orgId]);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [permissions, setPermissions] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await createRole(orgId, { name: name.trim(), description: description.trim(), permissions: [...permissions] });
      onCreated();
      onClose();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <Dialog title="Create role" onClose={onClose} wide>
      <form onSubmit={submit}>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <div className="grid-2">
          <div className="field">
            <label htmlFor={`${ids}-name`}>Name</label>
            <input id={`${ids}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-description`}>Description</label>
            <input id={`${ids}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
        </div>
        <StateView loaded={catalogue}>
          {(list) => <PermissionChecklist catalogue={list} selected={permissions} onChange={setPermissions} />}
        </StateView>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Create role
          </button>
        </div>
      </form>
    </Dialog>
  );
}
