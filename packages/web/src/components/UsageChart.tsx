import type { Usage } from "@latchkey/sdk/types";

/** Outcome codes, the successful one first, with the colour of each series (CSS variables). */
export const OUTCOMES = [
  { code: "VALID", label: "Valid", color: "var(--ok)" },
  { code: "RATE_LIMITED", label: "Rate limited", color: "var(--warn)" },
  { code: "USAGE_EXCEEDED", label: "Quota used up", color: "var(--warn-2)" },
  { code: "INSUFFICIENT_PERMISSIONS", label: "Missing permission", color: "var(--accent-2)" },
  { code: "IP_NOT_ALLOWED", label: "Address refused", color: "var(--accent-3)" },
  { code: "NOT_FOUND", label: "Unknown key", color: "var(--bad)" },
  { code: "EXPIRED", label: "Expired", color: "var(--muted)" },
  { code: "REVOKED", label: "Revoked", color: "var(--bad-2)" },
  { code: "DISABLED", label: "Disabled", color: "var(--muted-2)" },
] as const;

type Counts = Usage["attributes"]["totals"];

/** Requests over time by outcome: stacked bars in hand-written SVG, with a table for screen readers. */
export function UsageChart({ usage, title }: { usage: Usage; title: string }) {
  const { buckets, from, to, granularity } = usage.attributes;
  const step = granularity === "minute" ? 60_000 : granularity === "hour" ? 3_600_000 : 86_400_000;
  const start = Math.floor(new Date(from).getTime() / step) * step;
  const end = new Date(to).getTime();
  const slots = Math.max(1, Math.min(400, Math.ceil((end - start) / step)));
  const byStart = new Map(buckets.map((bucket) => [Math.floor(new Date(bucket.start).getTime() / step), bucket]));
  const max = Math.max(1, ...buckets.map((bucket) => bucket.total));
  const width = 720;
  const height = 200;
  const barWidth = width / slots;
  const present = OUTCOMES.filter((outcome) => (usage.attributes.totals as Counts)[outcome.code]);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height + 20}`}
        role="img"
        aria-label={`${title}: ${usage.attributes.total} requests`}
      >
        <line x1="0" y1={height} x2={width} y2={height} className="axis" />
        {Array.from({ length: slots }, (_, index) => {
          const bucket = byStart.get(Math.floor(start / step) + index);
          if (!bucket) return null;
          let y = height;
          return (
            <g key={bucket.start}>
              {OUTCOMES.map((outcome) => {
                const count = (bucket.counts as Counts)[outcome.code] ?? 0;
                if (count === 0) return null;
                const h = (count / max) * (height - 10);
                y -= h;
                return (
                  <rect
                    key={outcome.code}
                    x={index * barWidth + barWidth * 0.1}
                    y={y}
                    width={Math.max(1, barWidth * 0.8)}
                    height={h}
                    fill={outcome.color}
                  >
                    <title>{`${new Date(bucket.start).toLocaleString()}: ${count} ${outcome.label}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
        <text x="0" y={height + 16} className="tick">
          {new Date(start).toLocaleString()}
        </text>
        <text x={width} y={height + 16} className="tick" textAnchor="end">
          {new Date(end).toLocaleString()}
        </text>
      </svg>
      <figcaption>
        <ul className="legend">
          {(present.length ? present : OUTCOMES.slice(0, 1)).map((outcome) => (
            <li key={outcome.code}>
              <span className="swatch" style={{ background: outcome.color }} aria-hidden="true" />
              {outcome.label}: {(usage.attributes.totals as Counts)[outcome.code] ?? 0}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
