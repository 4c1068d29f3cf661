import type { ApiKey } from "@latchkey/sdk/types";
import { type FormEvent, useId, useState } from "react";
import { formatDateTime, formatRelative } from "../format";
import { useLoad } from "../hooks";
import { type KeySource, rolesOf } from "../keys-source";
import { cursorOf, EMPTY_FILTERS, filtersFromSearch, type KeyFilters, searchFromFilters } from "../lib/filters";
import { navigate, useLocation } from "../router";
import { KeyManageDialog } from "./KeyManageDialog";
import { ConfirmDialog, Notice, Pager, StateView, StatusBadge, TableWrap } from "./ui";

export interface OwnerOption {
  id: string;
  label: string;
}

/**
 * The key table with its filters (kept in the URL), selection, bulk revoke and per-row management.
 * `who` names principals (users, service accounts) by id.
 */
export function KeyTable({
  source,
  canWrite,
  environments,
  owners,
  who,
}: {
  source: KeySource;
  canWrite: boolean;
  environments: string[];
  owners?: OwnerOption[];
  who: (ref: { type: string; id: string }) => string;
}) {
  const { path, search } = useLocation();
  const filters = filtersFromSearch(search);
  const params = new URLSearchParams(search);
  const cursor = { after: params.get("after") ?? undefined, before: params.get("before") ?? undefined };
  const keys = useLoad(() => source.list(filters, cursor), [search, source]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [managing, setManaging] = useState<ApiKey | null>(null);
  const [bulk, setBulk] = useState<"selected" | "label" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [draft, setDraft] = useState<KeyFilters>(filters);
  const formId = useId();
  const captionId = useId();

  const apply = (next: KeyFilters) => {
    setSelected(new Set());
    navigate(`${path}${searchFromFilters(next)}`);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };
  const rows = keys.state === "ready" ? keys.data.data : [];
  const active = rows.filter((key) => key.attributes.status === "active" || key.attributes.status === "disabled");
  const allSelected = active.length > 0 && active.every((key) => selected.has(key.id));
  const toggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const filtered = Object.values(filters).some((value) => value !== "");

  return (
    <>
      <form className="filters" onSubmit={submit} aria-label="Filter keys" id={formId}>
        <div className="field">
          <label htmlFor={`${formId}-name`}>Name</label>
          <input
            id={`${formId}-name`}
            type="search"
            placeholder="Search by name"
            value={draft.name}
            onChange={(event) => setDraft({ ...draft, name: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${formId}-label`}>Label</label>
          <input
            id={`${formId}-label`}
            value={draft.label}
            placeholder="e.g. ci"
            onChange={(event) => setDraft({ ...draft, label: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${formId}-status`}>Status</label>
          <select
            id={`${formId}-status`}
            value={draft.status}
            onChange={(event) => setDraft({ ...draft, status: event.target.value as KeyFilters["status"] })}
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
            <option value="expired">Expired</option>
            <option value="revoked">Revoked</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${formId}-env`}>Environment</label>
          <select
            id={`${formId}-env`}
            value={draft.environment}
            onChange={(event) => setDraft({ ...draft, environment: event.target.value })}
          >
            <option value="">Any</option>
            {environments.map((environment) => (
              <option key={environment} value={environment}>
                {environment}
              </option>
            ))}
          </select>
        </div>
        {owners ? (
          <div className="field">
            <label htmlFor={`${formId}-owner`}>Owner</label>
            <select
              id={`${formId}-owner`}
              value={draft.owner}
              onChange={(event) => setDraft({ ...draft, owner: event.target.value })}
            >
              <option value="">Anyone</option>
              {owners.map((owner) => (
                <option key={owner.id} value={owner.id}>
                  {owner.label}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="filter-actions">
          <button type="submit">Apply filters</button>
          {filtered ? (
            <button
              type="button"
              className="link"
              onClick={() => {
                setDraft(EMPTY_FILTERS);
                apply(EMPTY_FILTERS);
              }}
            >
              Clear
            </button>
          ) : null}
        </div>
      </form>

      {notice ? <Notice tone="success">{notice}</Notice> : null}

      {canWrite && source.change ? (
        <div className="bulk-bar">
          <button type="button" disabled={selected.size === 0} onClick={() => setBulk("selected")}>
            Revoke selected ({selected.size})
          </button>
          {source.revokeLabel ? (
            <button type="button" disabled={filters.label === ""} onClick={() => setBulk("label")}>
              {filters.label === ""
                ? "Revoke by label (filter a label first)"
                : `Revoke all keys labelled “${filters.label}”`}
            </button>
          ) : null}
        </div>
      ) : null}

      <StateView
        loaded={keys}
        isEmpty={(page) => page.data.length === 0}
        empty={
          filtered ? (
            <p>No keys match these filters.</p>
          ) : (
            <p>No keys yet.{canWrite ? " Create one with “Add API key”." : ""}</p>
          )
        }
      >
        {(page) => (
          <>
            <TableWrap labelledBy={captionId}>
              <table className="keys">
                <caption id={captionId} className="visually-hidden">
                  {source.kind === "org" ? "API keys" : "Personal tokens"}
                </caption>
                <thead>
                  <tr>
                    {canWrite && source.change ? (
                      <th scope="col" className="select">
                        <input
                          type="checkbox"
                          aria-label="Select all keys on this page"
                          checked={allSelected}
                          onChange={() => setSelected(allSelected ? new Set() : new Set(active.map((key) => key.id)))}
                        />
                      </th>
                    ) : null}
                    <th scope="col">Name</th>
                    <th scope="col">Hint</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Env</th>
                    <th scope="col">Labels</th>
                    <th scope="col">Access</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created by</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col" className="sticky-actions">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((key) => (
                    <KeyRow
                      key={key.id}
                      apiKey={key}
                      selectable={canWrite && source.change !== undefined}
                      selected={selected.has(key.id)}
                      onToggle={() => toggle(key.id)}
                      onManage={() => setManaging(key)}
                      who={who}
                    />
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <Pager
              prev={page.links.prev !== undefined}
              next={page.links.next !== undefined}
              onPage={(direction) => {
                const next = cursorOf(direction === "next" ? page.links.next : page.links.prev) ?? {};
                navigate(`${path}${searchFromFilters(filters, next)}`);
              }}
            />
          </>
        )}
      </StateView>

      {managing ? (
        <KeyManageDialog
          apiKey={managing}
          source={source}
          canWrite={canWrite}
          onClose={() => setManaging(null)}
          onChanged={(message) => {
            setNotice(message);
            keys.reload();
          }}
        />
      ) : null}
      {bulk === "selected" && source.change ? (
        <ConfirmDialog
          title={`Revoke ${selected.size} key${selected.size === 1 ? "" : "s"}?`}
          body={<p>Revoking is final: the selected keys stop working at once and cannot be enabled again.</p>}
          confirm="Revoke keys"
          onClose={() => setBulk(null)}
          onConfirm={async () => {
            const change = source.change;
            if (!change) return;
            await Promise.all([...selected].map((id) => change(id, "revoke")));
            setNotice(`Revoked ${selected.size} key${selected.size === 1 ? "" : "s"}.`);
            setSelected(new Set());
            keys.reload();
          }}
        />
      ) : null}
      {bulk === "label" && source.revokeLabel ? (
        <ConfirmDialog
          title={`Revoke every key labelled “${filters.label}”?`}
          body={<p>Every key of the organization with this label is revoked at once, on every page. This is final.</p>}
          confirm="Revoke all"
          onClose={() => setBulk(null)}
          onConfirm={async () => {
            const revoke = source.revokeLabel;
            if (!revoke) return;
            const count = await revoke(filters.label);
            setNotice(`Revoked ${count} key${count === 1 ? "" : "s"} labelled “${filters.label}”.`);
            keys.reload();
          }}
        />
      ) : null}
    </>
  );
}

function KeyRow({
  apiKey,
  selectable,
  selected,
  onToggle,
  onManage,
  who,
}: {
  apiKey: ApiKey;
  selectable: boolean;
  selected: boolean;
  onToggle: () => void;
  onManage: () => void;
  who: (ref: { type: string; id: string }) => string;
}) {
  const a = apiKey.attributes;
  const roles = rolesOf(apiKey);
  const final = a.status === "revoked" || a.status === "expired";
  return (
    <tr data-key-id={apiKey.id}>
      {selectable ? (
        <td className="select">
          <input
            type="checkbox"
            aria-label={`Select ${a.name}`}
            checked={selected}
            disabled={final}
            onChange={onToggle}
          />
        </td>
      ) : null}
      <th scope="row" className="name">
        {a.name}
        {a.description ? (
          <span className="muted small clamp" title={a.description}>
            {a.description}
          </span>
        ) : null}
      </th>
      <td className="mono">{a.hint}</td>
      <td>{a.kind}</td>
      <td>{a.environment}</td>
      <td>
        {a.labels.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="chips">
            {a.labels.map((label) => (
              <li key={label} className="chip">
                {label}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="access">
        {roles.length > 0 ? (
          <ul className="plain">
            {roles.map((binding) => (
              <li key={`${binding.role}@${binding.scope}`}>
                {binding.role} <span className="muted">@ {binding.scope}</span>
              </li>
            ))}
          </ul>
        ) : null}
        {a.permissions.length > 0 ? (
          <span className="mono small">{a.permissions.join(", ")}</span>
        ) : roles.length === 0 ? (
          <span className="muted">{a.kind === "publishable" ? "Publishable permissions" : "Owner's rights"}</span>
        ) : null}
      </td>
      <td>
        <StatusBadge status={a.status} />
      </td>
      <td>{who(a.created_by)}</td>
      <td title={formatDateTime(a.expires_at)}>{a.expires_at ? formatRelative(a.expires_at) : "Never"}</td>
      <td title={a.last_used_ip ? `from ${a.last_used_ip}` : undefined}>
        {a.last_used_at ? formatRelative(a.last_used_at) : "Never"}
      </td>
      <td className="sticky-actions">
        <button type="button" className="small" onClick={onManage}>
          Manage<span className="visually-hidden"> {a.name}</span>
        </button>
      </td>
    </tr>
  );
}
