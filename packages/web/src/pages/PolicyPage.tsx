import type { Org } from "@latchkey/sdk/types";
import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { ProjectsCard } from "../components/ProjectsCard";
import { Notice, PageHeader, StateView } from "../components/ui";
import { useLoad } from "../hooks";
import { useCan, useOrg } from "../session";

const DAY = 86_400;

/** Org policy: name, environments, expiry rules, idle policy, key prefixes (PATCH /orgs/{id}). */
export function PolicyPage() {
  const org = useOrg();
  const details = useLoad(() => client.getOrg(org.id), [org.id]);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Org policy" description="Rules every new key of the organization follows." />
      <StateView loaded={details}>{(detail) => <PolicyForm org={detail} onSaved={details.reload} />}</StateView>
      <ProjectsCard orgId={org.id} />
    </section>
  );
}

function PolicyForm({ org, onSaved }: { org: Org; onSaved: () => void }) {
  const canWrite = useCan("org:write");
  const ids = useId();
  const policy = org.attributes.policy;
  const [name, setName] = useState(org.attributes.name);
  const [environments, setEnvironments] = useState(policy.environments.join(", "));
  const [allowNever, setAllowNever] = useState(policy.allow_never_expiring);
  const [maxDays, setMaxDays] = useState(String(Math.round(policy.max_lifetime_seconds / DAY)));
  const [idle, setIdle] = useState(policy.idle_disable_days === null ? "" : String(policy.idle_disable_days));
  const [personalPrefix, setPersonalPrefix] = useState(policy.key_prefixes.personal);
  const [servicePrefix, setServicePrefix] = useState(policy.key_prefixes.service);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    const days = Number(maxDays);
    const idleDays = idle.trim() === "" ? null : Number(idle);
    if (!Number.isInteger(days) || days < 1)
      return setMessage({ tone: "error", text: "The longest lifetime is a whole number of days." });
    if (idleDays !== null && (!Number.isInteger(idleDays) || idleDays < 1)) {
      return setMessage({ tone: "error", text: "Idle days is a whole number, or empty to turn the idle policy off." });
    }
    try {
      await client.updateOrg(org.id, {
        name: name.trim(),
        policy: {
          environments: environments.split(/[\s,]+/).filter((env) => env !== ""),
          allow_never_expiring: allowNever,
          max_lifetime_seconds: days * DAY,
          idle_disable_days: idleDays,
          key_prefixes: { personal: personalPrefix.trim(), service: servicePrefix.trim() },
        },
      });
      setMessage({ tone: "success", text: "Policy saved." });
      onSaved();
    } catch (caught) {
      setMessage({ tone: "error", text: messageOf(caught) });
    }
  };
  return (
    <form className="card" onSubmit={submit}>
      {message ? <Notice tone={message.tone}>{message.text}</Notice> : null}
      <fieldset disabled={!canWrite} className="plain-fieldset">
        <legend className="visually-hidden">Policy</legend>
        <div className="grid-2">
          <div className="field">
            <label htmlFor={`${ids}-name`}>Organization name</label>
            <input id={`${ids}-name`} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-env`}>Environments</label>
            <input id={`${ids}-env`} value={environments} onChange={(e) => setEnvironments(e.target.value)} />
            <p className="hint">Comma-separated, e.g. live, test, staging.</p>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-max`}>Longest key lifetime (days)</label>
            <input id={`${ids}-max`} inputMode="numeric" value={maxDays} onChange={(e) => setMaxDays(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-idle`}>Disable keys unused for (days)</label>
            <input
              id={`${ids}-idle`}
              inputMode="numeric"
              value={idle}
              placeholder="Off"
              onChange={(e) => setIdle(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-pp`}>Personal key prefix</label>
            <input id={`${ids}-pp`} value={personalPrefix} onChange={(e) => setPersonalPrefix(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-sp`}>Service key prefix</label>
            <input id={`${ids}-sp`} value={servicePrefix} onChange={(e) => setServicePrefix(e.target.value)} />
          </div>
        </div>
        <label className="check">
          <input type="checkbox" checked={allowNever} onChange={(e) => setAllowNever(e.target.checked)} />
          Allow keys that never expire
        </label>
        <p className="hint">Roles that may create service keys: {policy.service_key_creator_roles.join(", ")}.</p>
      </fieldset>
      {canWrite ? (
        <div className="dialog-actions">
          <button type="submit" className="primary">
            Save policy
          </button>
        </div>
      ) : (
        <p className="muted">Only members who may change the organization can edit its policy.</p>
      )}
    </form>
  );
}
