import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Metrics } from "../http/metrics.js";

/** `GET /metrics`: Prometheus text format (verification counts by code, latency histogram, process). */
export function metricsRoutes(metrics: Metrics): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      "/metrics",
      { schema: { tags: ["Operations"], summary: "Prometheus metrics", produces: ["text/plain"] } },
      async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
}
