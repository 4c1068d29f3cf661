import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { ConfirmDialog, CopyButton, Notice, PageHeader, StateView, TableWrap } from "../components/ui";
import { useDirectory } from "../directory";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import { Link } from "../router";
import { useCan, useOrg } from "../session";

/** The vault: secret names and dates; a value only on demand (each reveal is audited as secret.read). */
export function VaultPage() {
  const org = useOrg();
  const canWrite = useCan("secrets:write");
  const canRead = useCan("secrets:read");
  const ids = useId();
  const { who } = useDirectory(org.id);
  const secrets = useLoad(() => client.listSecrets(org.id, { limit: 100 }), [org.id]);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await client.createSecret(org.id, { name: name.trim(), value });
      setName("");
      setValue("");
      secrets.reload();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Vault"
        description="Secrets stored encrypted for the organization. Values are shown only when you ask, and every reveal is in the audit log."
        actions={<Link to={`/orgs/${org.id}/audit?action=secret.read`}>Reads in the audit log</Link>}
      />
      {error ? <Notice tone="error">{error}</Notice> : null}
      {canWrite ? (
        <form className="filters" onSubmit={add} aria-label="Store a secret">
          <div className="field">
            <label htmlFor={`${ids}-name`}>Name</label>
            <input id={`${ids}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field grow">
            <label htmlFor={`${ids}-value`}>Value</label>
            <input
              id={`${ids}-value`}
              type="password"
              autoComplete="off"
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </div>
          <div className="filter-actions">
            <button type="submit" className="primary">
              Store secret
            </button>
          </div>
        </form>
      ) : null}
      <StateView loaded={secrets} isEmpty={(page) => page.data.length === 0} empty={<p>The vault is empty.</p>}>
        {(page) => (
          <TableWrap label="Secrets">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Created by</th>
                  <th scope="col">Value</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((secret) => (
                  <tr key={secret.id}>
                    <th scope="row">{secret.attributes.name}</th>
                    <td>{formatDateTime(secret.attributes.created_at)}</td>
                    <td>{who(secret.attributes.created_by)}</td>
                    <td className="mono small break">
                      {revealed[secret.id] !== undefined ? (
                        <>
                          {revealed[secret.id]} <CopyButton text={revealed[secret.id] ?? ""} className="small" />
                        </>
                      ) : canRead ? (
                        <button
                          type="button"
                          className="small"
                          onClick={async () => {
                            try {
                              const full = await client.revealSecret(org.id, secret.id);
                              setRevealed({ ...revealed, [secret.id]: full.attributes.value });
                            } catch (caught) {
                              setError(messageOf(caught));
                            }
                          }}
                        >
                          Reveal<span className="visually-hidden"> {secret.attributes.name}</span>
                        </button>
                      ) : (
                        "••••••"
                      )}
                    </td>
                    <td>
                      {canWrite ? (
                        <button
                          type="button"
                          className="small danger"
                          onClick={() => setDeleting({ id: secret.id, name: secret.attributes.name })}
                        >
                          Delete<span className="visually-hidden"> {secret.attributes.name}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </StateView>
      {deleting ? (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          body={<p>The secret's value is gone for good.</p>}
          confirm="Delete secret"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await client.deleteSecret(org.id, deleting.id);
            secrets.reload();
          }}
        />
      ) : null}
    </section>
  );
}
