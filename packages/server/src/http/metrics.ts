import { collectDefaultMetrics, Registry } from "prom-client";

const LATENCY_BUCKETS = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25];

type MetricValue = { value: number; labels?: Record<string, string | number>; metricName?: string };

/**
 * The Prometheus metrics of one node. Verification counts and latencies are kept in plain arrays (a
 * few nanoseconds per verification, where prom-client's own metrics cost more than a cached
 * verification) and handed to prom-client's registry in its metric format when scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly counts = new Map<string, number>();
  private readonly buckets = new Float64Array(LATENCY_BUCKETS.length);
  /** Sum and count of latencies, in a typed array so that adding allocates nothing. */
  private readonly totals = new Float64Array(2);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "latchkey_" });
    this.registry.registerMetric(
      this.metric("latchkey_verifications_total", "Key verifications by outcome code.", "counter", () =>
        [...this.counts].map(([code, value]) => ({ value, labels: { code } })),
      ),
    );
    this.registry.registerMetric(
      this.metric(
        "latchkey_verification_duration_seconds",
        "Time to verify a key, from lookup to decision, limits included.",
        "histogram",
        () => {
          const name = "latchkey_verification_duration_seconds";
          const values: MetricValue[] = LATENCY_BUCKETS.map((le, i) => ({
            value: this.buckets[i] as number,
            labels: { le },
            metricName: `${name}_bucket`,
          }));
          const [sum = 0, count = 0] = this.totals;
          values.push({ value: count, labels: { le: "+Inf" }, metricName: `${name}_bucket` });
          values.push({ value: sum, metricName: `${name}_sum` });
          values.push({ value: count, metricName: `${name}_count` });
          return values;
        },
      ),
    );
  }

  /** Counts one verification outcome and its duration. */
  readonly observe = (code: string, seconds: number): void => {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    this.totals[0] = (this.totals[0] as number) + seconds;
    this.totals[1] = (this.totals[1] as number) + 1;
    // Buckets are cumulative: every bucket at or above the duration counts it.
    let i = LATENCY_BUCKETS.length - 1;
    while (i >= 0 && seconds <= (LATENCY_BUCKETS[i] as number)) {
      this.buckets[i] = (this.buckets[i] as number) + 1;
      i -= 1;
    }
  };

  private metric(name: string, help: string, type: "counter" | "histogram", values: () => MetricValue[]) {
    // The shape prom-client's registry reads from a metric: a name, and `get()` giving its values.
    const metric = {
      name,
      help,
      type,
      aggregator: "sum",
      get: async () => ({ name, help, type, values: values(), aggregator: "sum" }),
      reset: () => {},
    };
    return metric as unknown as Parameters<Registry["registerMetric"]>[0];
  }
}
