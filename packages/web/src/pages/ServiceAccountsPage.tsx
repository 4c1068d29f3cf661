import type { ServiceAccount } from "@latchkey/sdk/types";
import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { Dialog, Notice, PageHeader, SecretOnce, StateView, StatusBadge, TableWrap } from "../components/ui";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import { Link } from "../router";
import { useCan, useOrg } from "../session";

const ROLES = ["viewer", "member", "admin", "super_admin", "owner"] as const;

/** Service accounts: list, create (role, org or group level), their keys and OAuth2 client secrets. */
export function ServiceAccountsPage() {
  const org = useOrg();
  const canWrite = useCan("service_accounts:write");
  // The org's accounts, then its group's (which act in every org of the group); a caller who may not
  // list the group's sees the org's only.
  const accounts = useLoad(async () => {
    const [own, detail] = await Promise.all([
      client.listServiceAccounts(org.id, { limit: 100 }),
      client.getOrg(org.id),
    ]);
    const groupId = detail.attributes.group_id;
    const group = await client.listGroupServiceAccounts(groupId, { limit: 100 }).catch(() => ({ data: [] }));
    return {
      groupId,
      data: [
        ...own.data.map((account) => ({ account, level: "org" as const })),
        ...group.data.map((account) => ({ account, level: "group" as const })),
      ],
    };
  }, [org.id]);
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<ServiceAccount | null>(null);
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Service accounts"
        description="Non-human identities for CI/CD and automation, with their own role, API keys or OAuth2 client credentials."
        actions={
          canWrite ? (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              Create service account
            </button>
          ) : null
        }
      />
      <StateView loaded={accounts} isEmpty={(page) => page.data.length === 0} empty={<p>No service accounts yet.</p>}>
        {(page) => (
          <TableWrap label="Service accounts">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Level</th>
                  <th scope="col">Authentication</th>
                  <th scope="col">Client id</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.map(({ account, level }) => (
                  <tr key={account.id}>
                    <th scope="row">{account.attributes.name}</th>
                    <td>{account.attributes.role}</td>
                    <td>{level === "org" ? "Organization" : "Group"}</td>
                    <td>{account.attributes.auth_type === "api_key" ? "API keys" : "OAuth2 client"}</td>
                    <td className="mono small">{account.attributes.client_id ?? "—"}</td>
                    <td>{formatDateTime(account.attributes.created_at)}</td>
                    <td>
                      <button type="button" className="small" onClick={() => setOpen(account)}>
                        Open<span className="visually-hidden"> {account.attributes.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </StateView>
      {creating ? (
        <CreateAccountDialog
          orgId={org.id}
          groupId={accounts.data?.groupId ?? null}
          onClose={() => setCreating(false)}
          onCreated={() => accounts.reload()}
        />
      ) : null}
      {open ? <AccountDialog account={open} canWrite={canWrite} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}

function CreateAccountDialog({
  orgId,
  groupId,
  onClose,
  onCreated,
}: {
  orgId: string;
  groupId: string | null;
  onClose: () => void;
  onCreated: () => void;
}) {
  const ids = useId();
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("viewer");
  const [authType, setAuthType] = useState<"api_key" | "oauth_client_secret">("api_key");
  const [level, setLevel] = useState<"org" | "group">("org");
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ clientId: string; secret: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const account =
        level === "group" && groupId !== null
          ? await client.createGroupServiceAccount(groupId, { name: name.trim(), role, auth_type: "api_key" })
          : await client.createServiceAccount(orgId, { name: name.trim(), role, auth_type: authType });
      onCreated();
      if (account.attributes.client_secret && account.attributes.client_id) {
        setSecret({ clientId: account.attributes.client_id, secret: account.attributes.client_secret });
      } else onClose();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <Dialog title="Create service account" onClose={onClose}>
      {secret ? (
        <>
          <p>
            Client id: <span className="mono">{secret.clientId}</span>
          </p>
          <SecretOnce secret={secret.secret} label="Client secret" onDone={onClose} />
        </>
      ) : (
        <form onSubmit={submit}>
          {error ? <Notice tone="error">{error}</Notice> : null}
          <div className="field">
            <label htmlFor={`${ids}-name`}>Name</label>
            <input id={`${ids}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-level`}>Level</label>
            <select
              id={`${ids}-level`}
              value={level}
              aria-describedby={`${ids}-level-hint`}
              onChange={(e) => {
                setLevel(e.target.value as "org" | "group");
                if (e.target.value === "group") setAuthType("api_key");
              }}
            >
              <option value="org">This organization</option>
              {groupId !== null ? <option value="group">The group (every organization in it)</option> : null}
            </select>
            <p className="hint" id={`${ids}-level-hint`}>
              A group account holds its role in every organization of the group and uses API keys.
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-role`}>Role</label>
            <select id={`${ids}-role`} value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r.replace("_", " ")}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="field">
            <legend>Authentication</legend>
            <label className="check">
              <input
                type="radio"
                name="auth"
                checked={authType === "api_key"}
                onChange={() => setAuthType("api_key")}
              />
              API keys
            </label>
            <label className="check">
              <input
                type="radio"
                name="auth"
                checked={authType === "oauth_client_secret"}
                disabled={level === "group"}
                onChange={() => setAuthType("oauth_client_secret")}
              />
              OAuth2 client credentials
            </label>
          </fieldset>
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Create
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** One service account: its keys, or its OAuth2 client secrets. */
function AccountDialog({
  account,
  canWrite,
  onClose,
}: {
  account: ServiceAccount;
  canWrite: boolean;
  onClose: () => void;
}) {
  const org = useOrg();
  const keys = useLoad(() => client.listKeys(org.id, { owner: account.id }, { limit: 100 }), [org.id, account.id]);
  const oauth = account.attributes.auth_type === "oauth_client_secret";
  const secrets = useLoad(
    async () => (oauth ? client.listClientSecrets(org.id, account.id) : []),
    [org.id, account.id, oauth],
  );
  const [issued, setIssued] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Service account ${account.attributes.name}`} onClose={onClose} wide>
      <p className="muted">
        Role {account.attributes.role}. {oauth ? `OAuth2 client id ${account.attributes.client_id}.` : "Uses API keys."}
      </p>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {oauth ? (
        issued ? (
          <SecretOnce secret={issued} label="New client secret" onDone={() => setIssued(null)} />
        ) : (
          <>
            <h3>Client secrets</h3>
            <StateView loaded={secrets} isEmpty={(list) => list.length === 0} empty={<p>No client secrets.</p>}>
              {(list) => (
                <ul className="plain">
                  {list.map((secret) => (
                    <li key={secret.id}>
                      <span className="mono">{secret.attributes.hint}</span> — {secret.attributes.status}, created{" "}
                      {formatDateTime(secret.attributes.created_at)}
                    </li>
                  ))}
                </ul>
              )}
            </StateView>
            {canWrite ? (
              <button
                type="button"
                onClick={async () => {
                  try {
                    const secret = await client.issueClientSecret(org.id, account.id, 3600);
                    if (secret.attributes.client_secret) setIssued(secret.attributes.client_secret);
                    secrets.reload();
                  } catch (caught) {
                    setError(messageOf(caught));
                  }
                }}
              >
                New client secret
              </button>
            ) : null}
          </>
        )
      ) : (
        <>
          <h3>Keys</h3>
          {canWrite ? (
            <p>
              <Link to={`/orgs/${org.id}/keys/new`}>Add a key</Link> and choose this account as its owner.
            </p>
          ) : null}
          <StateView loaded={keys} isEmpty={(page) => page.data.length === 0} empty={<p>This account has no keys.</p>}>
            {(page) => (
              <ul className="plain">
                {page.data.map((key) => (
                  <li key={key.id}>
                    <strong>{key.attributes.name}</strong> <span className="mono small">{key.attributes.hint}</span>{" "}
                    <StatusBadge status={key.attributes.status} />{" "}
                    <span className="muted small">
                      expires {key.attributes.expires_at ? formatDateTime(key.attributes.expires_at) : "never"}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </StateView>
        </>
      )}
    </Dialog>
  );
}
