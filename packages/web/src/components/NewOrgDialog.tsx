import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { navigate } from "../router";
import { useSession } from "../session";
import { Dialog, Notice } from "./ui";

/** Creates an organization in the current org's group (`POST /orgs`), then opens it. */
export function NewOrgDialog({ onClose }: { onClose: () => void }) {
  const { refresh } = useSession();
  const ids = useId();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const org = await client.createOrg({ name: name.trim() });
      const after = await client.session();
      await refresh();
      if (after.orgs.some((candidate) => candidate.id === org.id)) {
        onClose();
        navigate(`/orgs/${org.id}/keys`);
      } else {
        // The session lists the orgs of the user's memberships; a group role alone does not add it there.
        setCreated(org.attributes.name);
        setBusy(false);
      }
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  };
  return (
    <Dialog title="New organization" onClose={onClose}>
      <form onSubmit={submit}>
        {error ? <Notice tone="error">{error}</Notice> : null}
        {created ? (
          <Notice tone="success">
            Created “{created}” in the group. It appears in the organization switcher of its members.
          </Notice>
        ) : null}
        <p className="muted">The organization joins your current organization's group; group roles cover it.</p>
        <div className="field">
          <label htmlFor={`${ids}-name`}>Name</label>
          <input id={`${ids}-name`} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create organization
          </button>
        </div>
      </form>
    </Dialog>
  );
}
