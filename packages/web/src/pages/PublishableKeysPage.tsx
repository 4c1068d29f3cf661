import { useId, useState } from "react";
import { client } from "../api";
import { ConfirmDialog, CopyButton, Notice, PageHeader, StateView } from "../components/ui";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import { GRACE_PERIODS } from "../keys-source";
import { useCan, useOrg } from "../session";

/** Publishable keys: one public, low-privilege key per environment, with copy and regenerate. */
export function PublishableKeysPage() {
  const org = useOrg();
  const canWrite = useCan("api_keys:write");
  const keys = useLoad(async () => ({ data: await client.listPublishableKeys(org.id) }), [org.id]);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [grace, setGrace] = useState(0);
  const graceId = useId();
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Publishable keys"
        description="Public keys for browsers and mobile apps: one per environment, with only the permissions marked publishable. They are safe to embed."
      />
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <StateView
        loaded={keys}
        unavailable={<p>Publishable keys are not available on this server yet.</p>}
        isEmpty={(answer) => answer.data.length === 0}
        empty={<p>No publishable keys yet.</p>}
      >
        {(answer) => (
          <div className="cards">
            {answer.data.map((key) => (
              <article className="card publishable" key={key.id} aria-labelledby={`pk-${key.id}`}>
                <h2 id={`pk-${key.id}`}>{key.attributes.environment}</h2>
                <p className="mono key-value" data-testid="publishable-value">
                  {key.attributes.key ?? key.attributes.hint}
                </p>
                <p className="muted small">
                  {key.attributes.rotated_at
                    ? `Regenerated ${formatDateTime(key.attributes.rotated_at)}`
                    : `Created ${formatDateTime(key.attributes.created_at)}`}
                </p>
                <div className="actions">
                  <CopyButton
                    text={key.attributes.key ?? key.attributes.hint}
                    label={`Copy ${key.attributes.environment} key`}
                  />
                  {canWrite ? (
                    <button type="button" onClick={() => setConfirming(key.attributes.environment)}>
                      Regenerate<span className="visually-hidden"> {key.attributes.environment} key</span>
                    </button>
                  ) : null}
                </div>
              </article>
            ))}
          </div>
        )}
      </StateView>
      {confirming !== null ? (
        <ConfirmDialog
          title={`Regenerate the ${confirming} publishable key?`}
          body={
            <>
              <p>The {confirming} publishable key gets a new value; update the apps that embed it.</p>
              <label htmlFor={graceId}>Keep the current value working for</label>
              <select id={graceId} value={grace} onChange={(event) => setGrace(Number(event.target.value))}>
                {GRACE_PERIODS.map((period) => (
                  <option key={period.seconds} value={period.seconds}>
                    {period.label}
                  </option>
                ))}
              </select>
            </>
          }
          confirm="Regenerate"
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            await client.regeneratePublishableKey(org.id, confirming, grace);
            setNotice(`Regenerated the ${confirming} publishable key.`);
            keys.reload();
          }}
        />
      ) : null}
    </section>
  );
}
