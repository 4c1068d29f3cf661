import type { CreateKeyAttributes, Org, Permission } from "@latchkey/sdk/types";
import { type FormEvent, useId, useState } from "react";
import { client, isNotFound, messageOf } from "../api";
import { PermissionChecklist } from "../components/PermissionChecklist";
import { Notice, PageHeader, SecretOnce, StateView } from "../components/ui";
import { useDirectory } from "../directory";
import { useLoad } from "../hooks";
import { defaultExpiry, type ExpiryChoice, expiryAttributes, expiryOptions, latestCustomDate } from "../lib/expiry";
import { LABEL_PATTERN, parseLabels } from "../lib/filters";
import { listProjects, listRoles, type OrgProject, type OrgRole } from "../roles-source";
import { navigate } from "../router";
import { useSession } from "../session";

/** What the wizard needs from the server: the org's policy, catalogue, roles and projects. */
interface WizardData {
  org: Org;
  catalogue: Permission[];
  /** null: this server has no role/scope pairs (GET …/roles answered 404). */
  roles: OrgRole[] | null;
  projects: OrgProject[];
}

async function loadWizard(orgId: string, withRoles: boolean): Promise<WizardData> {
  // Roles and projects are optional: a server without them answers 404, and the wizard says so.
  const optional = <T,>(promise: Promise<T>): Promise<T | null> =>
    promise.catch((error: unknown) => {
      if (isNotFound(error)) return null;
      throw error;
    });
  const [org, catalogue, roles, projects] = await Promise.all([
    client.getOrg(orgId),
    client.listPermissions(orgId),
    withRoles ? optional(listRoles(orgId)) : Promise.resolve(null),
    withRoles ? optional(listProjects(orgId)) : Promise.resolve(null),
  ]);
  return { org, catalogue, roles, projects: projects ?? [] };
}

/** The Add API key wizard (org keys) and the Create token wizard (personal tokens). */
export function KeyWizardPage({ mode }: { mode: "org" | "token" }) {
  const { session, org: current } = useSession();
  const org = mode === "org" ? current : (session.orgs[0] ?? null);
  const data = useLoad(async () => {
    if (org === null) throw new Error("You are not a member of any organization.");
    return loadWizard(org.id, mode === "org");
  }, [org?.id, mode]);
  const back = mode === "org" && org ? `/orgs/${org.id}/keys` : "/account/tokens";
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title={mode === "org" ? "Add API key" : "Create personal token"}
        description={
          mode === "org"
            ? "Name the key, choose what it may do, then store it: it is shown once."
            : "A token that acts as you; it never holds more than your role does now."
        }
      />
      <StateView loaded={data}>{(loaded) => <Wizard mode={mode} data={loaded} back={back} />}</StateView>
    </section>
  );
}

type Owner = "org" | "me" | `sa:${string}`;

function Wizard({ mode, data, back }: { mode: "org" | "token"; data: WizardData; back: string }) {
  const policy = data.org.attributes.policy;
  const ids = useId();
  const { accounts } = useDirectory(mode === "org" ? data.org.id : null);
  const [step, setStep] = useState<1 | 2 | 3>(1);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [environment, setEnvironment] = useState(policy.environments[0] ?? "live");
  const [expiry, setExpiry] = useState<ExpiryChoice>(defaultExpiry(policy));
  const [customDate, setCustomDate] = useState("");
  const [labelText, setLabelText] = useState("");
  const [owner, setOwner] = useState<Owner>("org");
  const [permissions, setPermissions] = useState<Set<string>>(new Set());
  const [roles, setRoles] = useState<{ role: string; scope: string }[]>([]);
  const [vault, setVault] = useState(false);
  const [vaultName, setVaultName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  const labels = parseLabels(labelText);
  const badLabels = labels.filter((label) => !LABEL_PATTERN.test(label));
  const scopes = [
    { value: "org", label: "This organization" },
    { value: "group", label: "The whole group" },
    ...data.projects.map((project) => ({ value: project.scope, label: `Project ${project.name}` })),
  ];

  const next = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (name.trim() === "") return setError("Give the key a name.");
    if (badLabels.length > 0) return setError(`Labels may use a–z, 0–9 and _ . : - only: ${badLabels.join(", ")}.`);
    if (labels.length > 20) return setError("A key has at most 20 labels.");
    const expires = expiryAttributes(expiry, customDate, policy, new Date());
    if ("error" in expires) return setError(expires.error);
    setStep(2);
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const expires = expiryAttributes(expiry, customDate, policy, new Date());
    if ("error" in expires) return setError(expires.error);
    if (vault && vaultName.trim() === "") return setError("Name the vault secret, or untick “Save to the vault”.");
    const attributes: CreateKeyAttributes & { roles?: { role: string; scope: string }[] } = {
      name: name.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      environment,
      labels,
      ...(permissions.size > 0 ? { permissions: [...permissions] } : {}),
      ...expires,
    };
    const pairs = roles.filter((pair) => pair.role !== "");
    if (pairs.length > 0) attributes.roles = pairs;
    setBusy(true);
    try {
      let created: { attributes: { key?: string } };
      if (mode === "token") {
        const { name: n, description: d, environment: e, labels: l, permissions: p } = attributes;
        created = await client.createToken({
          name: n,
          description: d,
          environment: e,
          labels: l,
          permissions: p,
          ...expires,
        });
      } else {
        if (owner === "me") attributes.kind = "personal";
        else {
          attributes.kind = "service";
          if (owner.startsWith("sa:")) attributes.service_account_id = owner.slice(3);
        }
        if (vault) attributes.save_to_vault = { name: vaultName.trim() };
        created = await client.createKey(data.org.id, attributes);
      }
      if (created.attributes.key === undefined) throw new Error("The server answered without the key.");
      setSecret(created.attributes.key);
      setStep(3);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const steps = ["Details", "Access", "Your key"];
  return (
    <div className="wizard card">
      <ol className="steps" aria-label="Steps">
        {steps.map((label, index) => (
          <li
            key={label}
            aria-current={step === index + 1 ? "step" : undefined}
            className={step > index + 1 ? "done" : ""}
          >
            <span className="step-number">{index + 1}</span> {label}
          </li>
        ))}
      </ol>
      {error ? <Notice tone="error">{error}</Notice> : null}

      {step === 1 ? (
        <form onSubmit={next} noValidate>
          <div className="grid-2">
            <div className="field">
              <label htmlFor={`${ids}-name`}>Name</label>
              <input
                id={`${ids}-name`}
                required
                maxLength={100}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${ids}-env`}>Environment</label>
              <select id={`${ids}-env`} value={environment} onChange={(e) => setEnvironment(e.target.value)}>
                {policy.environments.map((env) => (
                  <option key={env} value={env}>
                    {env}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-description`}>Description (optional)</label>
            <textarea
              id={`${ids}-description`}
              rows={2}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <div className="grid-2">
            <div className="field">
              <label htmlFor={`${ids}-expiry`}>Expiration</label>
              <select id={`${ids}-expiry`} value={expiry} onChange={(e) => setExpiry(e.target.value as ExpiryChoice)}>
                {expiryOptions(policy).map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
              {!policy.allow_never_expiring ? <p className="hint">The org's policy requires an expiry.</p> : null}
            </div>
            {expiry === "custom" ? (
              <div className="field">
                <label htmlFor={`${ids}-date`}>Expiry date</label>
                <input
                  id={`${ids}-date`}
                  type="date"
                  value={customDate}
                  min={new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}
                  max={latestCustomDate(policy, new Date()) ?? undefined}
                  onChange={(e) => setCustomDate(e.target.value)}
                />
              </div>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={`${ids}-labels`}>Labels (optional)</label>
            <input
              id={`${ids}-labels`}
              aria-describedby={`${ids}-labels-hint`}
              value={labelText}
              placeholder="ci, deploy"
              onChange={(e) => setLabelText(e.target.value)}
            />
            <p className="hint" id={`${ids}-labels-hint`}>
              Separate labels with commas. Lower-case letters, digits and _ . : - only.
            </p>
            {labels.length > 0 ? (
              <ul className="chips" aria-label="Labels to add">
                {labels.map((label) => (
                  <li key={label} className={LABEL_PATTERN.test(label) ? "chip" : "chip bad"}>
                    {label}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
          {mode === "org" ? (
            <div className="field">
              <label htmlFor={`${ids}-owner`}>Owner</label>
              <select id={`${ids}-owner`} value={owner} onChange={(e) => setOwner(e.target.value as Owner)}>
                <option value="org">The organization (a standalone service key)</option>
                <option value="me">Me (a personal key)</option>
                {accounts.map((account) => (
                  <option key={account.id} value={`sa:${account.id}`}>
                    Service account {account.attributes.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="dialog-actions">
            <button type="button" onClick={() => navigate(back)}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Next: access
            </button>
          </div>
        </form>
      ) : step === 2 ? (
        <form onSubmit={create}>
          <h2 className="section-title">Permissions</h2>
          <p className="hint">
            Tick what the key may do. With none ticked it carries its owner's rights. It can never hold more than you
            do.
          </p>
          <PermissionChecklist catalogue={data.catalogue} selected={permissions} onChange={setPermissions} />
          {mode === "org" ? (
            <>
              <h2 className="section-title">Roles</h2>
              {data.roles === null ? (
                <p className="hint">Role/scope pairs are not available on this server yet.</p>
              ) : (
                <>
                  <p className="hint">Bind a role at a scope; a wider scope covers narrower ones.</p>
                  {roles.map((pair, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their place
                    <div className="role-row" key={index}>
                      <div className="field">
                        <label htmlFor={`${ids}-role-${index}`}>Role {index + 1}</label>
                        <select
                          id={`${ids}-role-${index}`}
                          value={pair.role}
                          onChange={(e) =>
                            setRoles(roles.map((r, i) => (i === index ? { ...r, role: e.target.value } : r)))
                          }
                        >
                          <option value="">Choose a role</option>
                          {(data.roles ?? []).map((role) => (
                            <option key={role.name} value={role.name}>
                              {role.name}
                            </option>
                          ))}
                        </select>
                      </div>
                      <div className="field">
                        <label htmlFor={`${ids}-scope-${index}`}>Scope {index + 1}</label>
                        <select
                          id={`${ids}-scope-${index}`}
                          value={pair.scope}
                          onChange={(e) =>
                            setRoles(roles.map((r, i) => (i === index ? { ...r, scope: e.target.value } : r)))
                          }
                        >
                          {scopes.map((scope) => (
                            <option key={scope.value} value={scope.value}>
                              {scope.label}
                            </option>
                          ))}
                        </select>
                      </div>
                      <button
                        type="button"
                        className="icon"
                        aria-label={`Remove role ${index + 1}`}
                        onClick={() => setRoles(roles.filter((_, i) => i !== index))}
                      >
                        −
                      </button>
                    </div>
                  ))}
                  <button type="button" onClick={() => setRoles([...roles, { role: "", scope: "org" }])}>
                    + Add role
                  </button>
                </>
              )}
              <h2 className="section-title">Vault</h2>
              <label className="check">
                <input type="checkbox" checked={vault} onChange={(e) => setVault(e.target.checked)} />
                Also save the key in the organization's vault
              </label>
              {vault ? (
                <div className="field">
                  <label htmlFor={`${ids}-vault`}>Vault secret name</label>
                  <input id={`${ids}-vault`} value={vaultName} onChange={(e) => setVaultName(e.target.value)} />
                </div>
              ) : null}
            </>
          ) : null}
          <div className="dialog-actions">
            <button type="button" onClick={() => setStep(1)}>
              Back
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Creating…" : mode === "org" ? "Create key" : "Create token"}
            </button>
          </div>
        </form>
      ) : secret !== null ? (
        <SecretOnce
          secret={secret}
          label={mode === "org" ? "Your new API key" : "Your new token"}
          onDone={() => navigate(back)}
        >
          {vault ? <Notice tone="success">Also saved in the vault as “{vaultName.trim()}”.</Notice> : null}
        </SecretOnce>
      ) : null}
    </div>
  );
}
