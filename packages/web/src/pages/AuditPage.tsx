import type { AuditFilter } from "@latchkey/sdk/types";
import { type FormEvent, useId, useState } from "react";
import { client, messageOf } from "../api";
import { Notice, PageHeader, Pager, StateView, TableWrap } from "../components/ui";
import { shortId, useDirectory } from "../directory";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import { cursorOf } from "../lib/filters";
import { useOrg } from "../session";

/** The audit log: filters, pages, and an NDJSON export of what the filters match. */
export function AuditPage() {
  const org = useOrg();
  const ids = useId();
  const { who } = useDirectory(org.id);
  // Other pages link here with a filter, e.g. the vault's reads: ?action=secret.read.
  const [initial] = useState(() => {
    const params = new URLSearchParams(window.location.search);
    return { action: params.get("action") ?? "", actor: params.get("actor") ?? "", target: params.get("target") ?? "" };
  });
  const [draft, setDraft] = useState(initial);
  const [filter, setFilter] = useState<AuditFilter>(() =>
    Object.fromEntries(Object.entries(initial).filter(([, value]) => value !== "")),
  );
  const [cursor, setCursor] = useState<{ after?: string; before?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const logs = useLoad(
    () =>
      client.listAuditLogs(org.id, filter, { limit: 25, starting_after: cursor.after, ending_before: cursor.before }),
    [org.id, filter, cursor],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: AuditFilter = {};
    if (draft.action.trim()) next.action = draft.action.trim();
    if (draft.actor.trim()) next.actor = draft.actor.trim();
    if (draft.target.trim()) next.target = draft.target.trim();
    setCursor({});
    setFilter(next);
  };
  const exportLog = async () => {
    setError(null);
    try {
      const text = await client.exportAuditLogs(org.id, filter);
      const url = URL.createObjectURL(new Blob([text], { type: "application/x-ndjson" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `latchkey-audit-${org.id}.ndjson`;
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Audit log"
        description="Every change, sign-in and secret read in the organization, in a hash chain."
        actions={
          <button type="button" onClick={() => void exportLog()}>
            Export NDJSON
          </button>
        }
      />
      {error ? <Notice tone="error">{error}</Notice> : null}
      <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor={`${ids}-action`}>Action</label>
          <input
            id={`${ids}-action`}
            placeholder="api_key.created"
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-actor`}>Actor id</label>
          <input
            id={`${ids}-actor`}
            value={draft.actor}
            onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-target`}>Target id</label>
          <input
            id={`${ids}-target`}
            value={draft.target}
            onChange={(e) => setDraft({ ...draft, target: e.target.value })}
          />
        </div>
        <div className="filter-actions">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      <StateView loaded={logs} isEmpty={(page) => page.data.length === 0} empty={<p>No events match.</p>}>
        {(page) => (
          <>
            <TableWrap label="Audit events">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Action</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Target</th>
                    <th scope="col">Address</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((event) => (
                    <tr key={event.id}>
                      <td>{formatDateTime(event.attributes.created_at)}</td>
                      <th scope="row" className="mono small">
                        {event.attributes.action}
                      </th>
                      <td>{who(event.attributes.actor)}</td>
                      <td className="small">
                        {event.attributes.target.type}{" "}
                        <span className="mono" title={event.attributes.target.id}>
                          …{shortId(event.attributes.target.id)}
                        </span>
                      </td>
                      <td className="mono small">{event.attributes.ip ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <Pager
              prev={page.links.prev !== undefined}
              next={page.links.next !== undefined}
              onPage={(direction) =>
                setCursor(cursorOf(direction === "next" ? page.links.next : page.links.prev) ?? {})
              }
            />
          </>
        )}
      </StateView>
    </section>
  );
}
