import type { CreateWebhookAttributes, Webhook } from "@latchkey/sdk/types";
import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { ConfirmDialog, Dialog, Notice, PageHeader, SecretOnce, StateView, TableWrap } from "../components/ui";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import { useCan, useOrg } from "../session";

/** Webhooks: endpoints, their signing secret (shown once) and their deliveries. */
export function WebhooksPage() {
  const org = useOrg();
  const canWrite = useCan("webhooks:write");
  const ids = useId();
  const hooks = useLoad(() => client.listWebhooks(org.id, { limit: 100 }), [org.id]);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const hook = await client.createWebhook(org.id, {
        url: url.trim(),
        event_types: events.split(/[\s,]+/).filter((type) => type !== "") as CreateWebhookAttributes["event_types"],
      });
      setSecret(hook.attributes.secret ?? null);
      setUrl("");
      hooks.reload();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Webhooks" description="Endpoints that receive the organization's events, signed." />
      {error ? <Notice tone="error">{error}</Notice> : null}
      {canWrite ? (
        <form className="filters" onSubmit={create} aria-label="Add an endpoint">
          <div className="field grow">
            <label htmlFor={`${ids}-url`}>Endpoint URL</label>
            <input
              id={`${ids}-url`}
              type="url"
              required
              placeholder="https://"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-events`}>Event types</label>
            <input id={`${ids}-events`} value={events} onChange={(e) => setEvents(e.target.value)} />
          </div>
          <div className="filter-actions">
            <button type="submit" className="primary">
              Add endpoint
            </button>
          </div>
        </form>
      ) : null}
      {secret ? (
        <Dialog title="Signing secret" onClose={() => setSecret(null)}>
          <SecretOnce secret={secret} label="Signing secret" onDone={() => setSecret(null)} />
        </Dialog>
      ) : null}
      <StateView loaded={hooks} isEmpty={(page) => page.data.length === 0} empty={<p>No webhook endpoints yet.</p>}>
        {(page) => (
          <TableWrap label="Webhook endpoints">
            <table>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((hook) => (
                  <tr key={hook.id}>
                    <th scope="row" className="mono small break">
                      {hook.attributes.url}
                    </th>
                    <td className="small">{hook.attributes.event_types.join(", ")}</td>
                    <td>{hook.attributes.enabled ? "Yes" : "No"}</td>
                    <td>{formatDateTime(hook.attributes.created_at)}</td>
                    <td className="row-actions">
                      <button type="button" className="small" onClick={() => setOpen(hook)}>
                        Deliveries<span className="visually-hidden"> of {hook.attributes.url}</span>
                      </button>
                      {canWrite ? (
                        <button type="button" className="small danger" onClick={() => setDeleting(hook)}>
                          Delete<span className="visually-hidden"> {hook.attributes.url}</span>
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
      {open ? <Deliveries hook={open} canWrite={canWrite} onClose={() => setOpen(null)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this endpoint?"
          body={<p>{deleting.attributes.url} stops receiving events; its deliveries are deleted.</p>}
          confirm="Delete endpoint"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await client.deleteWebhook(org.id, deleting.id);
            hooks.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function Deliveries({ hook, canWrite, onClose }: { hook: Webhook; canWrite: boolean; onClose: () => void }) {
  const org = useOrg();
  const deliveries = useLoad(() => client.listWebhookDeliveries(org.id, hook.id, { limit: 50 }), [hook.id]);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Deliveries to ${hook.attributes.url}`} onClose={onClose} wide>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <StateView loaded={deliveries} isEmpty={(page) => page.data.length === 0} empty={<p>No deliveries yet.</p>}>
        {(page) => (
          <ul className="plain">
            {page.data.map((delivery) => (
              <li key={delivery.id}>
                <span className="mono small">{delivery.attributes.event_type}</span> — {delivery.attributes.status}
                {delivery.attributes.last_status_code ? ` (HTTP ${delivery.attributes.last_status_code})` : ""},{" "}
                {delivery.attributes.attempts} attempt(s), {formatDateTime(delivery.attributes.created_at)}{" "}
                {canWrite ? (
                  <button
                    type="button"
                    className="small"
                    onClick={async () => {
                      await client
                        .redeliverWebhook(org.id, hook.id, delivery.id)
                        .catch((e: unknown) => setError(messageOf(e)));
                      deliveries.reload();
                    }}
                  >
                    Redeliver
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </StateView>
    </Dialog>
  );
}
