import type { ApiKey } from "@latchkey/sdk/types";
import { useId, useState } from "react";
import { messageOf } from "../api";
import { formatDateTime } from "../format";
import { GRACE_PERIODS, type KeySource, rolesOf } from "../keys-source";
import { CopyButton, Dialog, Notice, SecretOnce, StatusBadge } from "./ui";

type Step = "menu" | "regenerate" | "revoke" | "delete" | { secret: string };

/** One key's details and its actions: copy id, disable/enable, regenerate, revoke, delete. */
export function KeyManageDialog({
  apiKey,
  source,
  canWrite,
  onClose,
  onChanged,
}: {
  apiKey: ApiKey;
  source: KeySource;
  canWrite: boolean;
  onClose: () => void;
  onChanged: (message: string) => void;
}) {
  const [step, setStep] = useState<Step>("menu");
  const [grace, setGrace] = useState(source.kind === "token" ? 0 : 3600);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const graceId = useId();
  const a = apiKey.attributes;
  const final = a.status === "revoked" || a.status === "expired";
  const act = async (run: () => Promise<string | { secret: string }>) => {
    setBusy(true);
    setError(null);
    try {
      const outcome = await run();
      if (typeof outcome === "string") {
        onChanged(outcome);
        onClose();
      } else {
        setStep(outcome);
        onChanged(`Regenerated “${a.name}”.`);
      }
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  const regenerate = async () => {
    const key = (await source.regenerate(apiKey.id, grace)).attributes.key;
    if (key === undefined) throw new Error("The server answered without the new key.");
    return { secret: key };
  };

  if (typeof step === "object") {
    return (
      <Dialog title={`New key for “${a.name}”`} onClose={onClose} wide>
        <SecretOnce secret={step.secret} label="New key" onDone={onClose} />
      </Dialog>
    );
  }
  return (
    <Dialog title={a.name} onClose={onClose} wide>
      <dl className="details">
        <dt>Id</dt>
        <dd className="mono">
          {apiKey.id} <CopyButton text={apiKey.id} label="Copy id" className="small" />
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={a.status} />
        </dd>
        <dt>Hint</dt>
        <dd className="mono">{a.hint}</dd>
        <dt>Environment</dt>
        <dd>{a.environment}</dd>
        <dt>Permissions</dt>
        <dd className="mono small">{a.permissions.length ? a.permissions.join(", ") : "The owner's rights"}</dd>
        {rolesOf(apiKey).length > 0 ? (
          <>
            <dt>Roles</dt>
            <dd>
              {rolesOf(apiKey)
                .map((binding) => `${binding.role} @ ${binding.scope}`)
                .join(", ")}
            </dd>
          </>
        ) : null}
        <dt>Created</dt>
        <dd>{formatDateTime(a.created_at)}</dd>
        <dt>Expires</dt>
        <dd>{a.expires_at ? formatDateTime(a.expires_at) : "Never"}</dd>
        <dt>Last used</dt>
        <dd>
          {a.last_used_at
            ? `${formatDateTime(a.last_used_at)}${a.last_used_ip ? ` from ${a.last_used_ip}` : ""}`
            : "Never"}
        </dd>
      </dl>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {!canWrite ? (
        <p className="muted">You can look at this key but not change it.</p>
      ) : step === "menu" ? (
        <div className="action-list">
          {source.change && !final ? (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  const change = source.change;
                  if (!change) return "";
                  await change(apiKey.id, a.enabled ? "disable" : "enable");
                  return a.enabled ? `Disabled “${a.name}”.` : `Enabled “${a.name}”.`;
                })
              }
            >
              {a.enabled ? "Disable" : "Enable"}
            </button>
          ) : null}
          {!final ? (
            <button type="button" onClick={() => setStep("regenerate")}>
              Regenerate…
            </button>
          ) : null}
          {source.kind === "token" && !final ? (
            <button type="button" className="danger" disabled={busy} onClick={() => act(regenerate)}>
              Revoke & regenerate
            </button>
          ) : null}
          {source.change && !final ? (
            <button type="button" className="danger" onClick={() => setStep("revoke")}>
              Revoke…
            </button>
          ) : null}
          <button type="button" className="danger" onClick={() => setStep("delete")}>
            Delete…
          </button>
        </div>
      ) : step === "regenerate" ? (
        <div className="confirm-step">
          <p>The key keeps its id, settings and history and gets a new secret, shown once.</p>
          <label htmlFor={graceId}>Keep the old key working for</label>
          <select id={graceId} value={grace} onChange={(event) => setGrace(Number(event.target.value))}>
            {GRACE_PERIODS.map((period) => (
              <option key={period.seconds} value={period.seconds}>
                {period.label}
              </option>
            ))}
          </select>
          <div className="dialog-actions">
            <button type="button" onClick={() => setStep("menu")}>
              Back
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => act(regenerate)}>
              Regenerate key
            </button>
          </div>
        </div>
      ) : (
        <div className="confirm-step">
          <p>
            {step === "revoke"
              ? "Revoking is final: the key stops working at once and cannot be enabled again."
              : "The key is removed from lists and stops working; its audit trail is kept."}
          </p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setStep("menu")}>
              Back
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  if (step === "revoke") {
                    await source.change?.(apiKey.id, "revoke");
                    return `Revoked “${a.name}”.`;
                  }
                  await source.delete(apiKey.id);
                  return `Deleted “${a.name}”.`;
                })
              }
            >
              {step === "revoke" ? "Revoke key" : "Delete key"}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
