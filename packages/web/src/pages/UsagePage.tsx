import { useId, useState } from "react";
import { client } from "../api";
import { UsageChart } from "../components/UsageChart";
import { PageHeader, StateView } from "../components/ui";
import { formatRelative } from "../format";
import { useLoad } from "../hooks";
import { useOrg } from "../session";

const RANGES = [
  { value: "1h", label: "Last hour", ms: 3_600_000, granularity: "minute" },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000, granularity: "hour" },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000, granularity: "hour" },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000, granularity: "day" },
] as const;

/** Usage: the org's (or one key's) requests over time by outcome, top keys and last use. */
export function UsagePage() {
  const org = useOrg();
  const ids = useId();
  const [range, setRange] = useState<(typeof RANGES)[number]["value"]>("24h");
  const [keyId, setKeyId] = useState("");
  const chosen = RANGES.find((candidate) => candidate.value === range) ?? RANGES[1];
  const keys = useLoad(() => client.listKeys(org.id, {}, { limit: 100 }), [org.id]);
  const usage = useLoad(() => {
    const to = new Date();
    const options = {
      from: new Date(to.getTime() - chosen.ms).toISOString(),
      to: to.toISOString(),
      granularity: chosen.granularity,
    };
    return keyId ? client.keyUsage(org.id, keyId, options) : client.orgUsage(org.id, options);
  }, [org.id, range, keyId]);
  const top = useLoad(async () => {
    const list = keys.data?.data ?? [];
    const used = list.filter((key) => key.attributes.last_used_at !== null).slice(0, 10);
    const to = new Date();
    const from = new Date(to.getTime() - chosen.ms);
    const counts = await Promise.all(
      used.map(async (key) => ({
        key,
        total: (await client.keyUsage(org.id, key.id, { from: from.toISOString(), to: to.toISOString() })).attributes
          .total,
      })),
    );
    return counts
      .filter((entry) => entry.total > 0)
      .sort((a, b) => b.total - a.total)
      .slice(0, 5);
  }, [keys.data, range]);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Usage" description="Verifications of the organization's keys over time, by outcome." />
      <div className="filters">
        <div className="field">
          <label htmlFor={`${ids}-range`}>Time range</label>
          <select id={`${ids}-range`} value={range} onChange={(e) => setRange(e.target.value as typeof range)}>
            {RANGES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field wide">
          <label htmlFor={`${ids}-key`}>Key</label>
          <select id={`${ids}-key`} value={keyId} onChange={(e) => setKeyId(e.target.value)}>
            <option value="">All keys of the organization</option>
            {(keys.data?.data ?? []).map((key) => (
              <option key={key.id} value={key.id}>
                {key.attributes.name} ({key.attributes.hint})
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="card">
        <h2 className="section-title">Requests by outcome</h2>
        <StateView loaded={usage}>
          {(data) =>
            data.attributes.total === 0 ? (
              <div className="state empty">No requests in this range.</div>
            ) : (
              <UsageChart usage={data} title="Requests by outcome" />
            )
          }
        </StateView>
      </div>
      <div className="grid-2">
        <div className="card">
          <h2 className="section-title">Top keys</h2>
          <StateView loaded={top} isEmpty={(list) => list.length === 0} empty={<p>No key was used in this range.</p>}>
            {(list) => (
              <ol className="plain ranked">
                {list.map(({ key, total }) => (
                  <li key={key.id}>
                    <span>{key.attributes.name}</span> <span className="mono small">{key.attributes.hint}</span>
                    <strong>{total}</strong>
                  </li>
                ))}
              </ol>
            )}
          </StateView>
        </div>
        <div className="card">
          <h2 className="section-title">Last used</h2>
          <StateView
            loaded={keys}
            isEmpty={(page) => !page.data.some((key) => key.attributes.last_used_at)}
            empty={<p>No key has been used yet.</p>}
          >
            {(page) => (
              <ul className="plain">
                {page.data
                  .filter((key) => key.attributes.last_used_at)
                  .sort((a, b) => String(b.attributes.last_used_at).localeCompare(String(a.attributes.last_used_at)))
                  .slice(0, 8)
                  .map((key) => (
                    <li key={key.id}>
                      {key.attributes.name}: {formatRelative(key.attributes.last_used_at)}
                      {key.attributes.last_used_ip ? (
                        <span className="muted"> from {key.attributes.last_used_ip}</span>
                      ) : null}
                    </li>
                  ))}
              </ul>
            )}
          </StateView>
        </div>
      </div>
    </section>
  );
}
