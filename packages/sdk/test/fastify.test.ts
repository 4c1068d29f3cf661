import type { AddressInfo } from "node:net";
import Fastify, { type FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import type { KeyVerifier } from "../src/index.js";
import { latchkeyFastify } from "../src/middleware/fastify.js";
import { middlewareSuite, type Target } from "./middleware-suite.js";

async function fastifyTarget(verifier: KeyVerifier): Promise<Target> {
  const app = Fastify();
  app.decorateRequest("latchkey", null);
  const auth = latchkeyFastify({ verifier });
  const answer = async (request: FastifyRequest) => ({
    key_id: request.latchkey?.key_id,
    permissions: request.latchkey?.permissions,
  });
  await app.register(async (scope) => {
    scope.addHook("onRequest", auth);
    scope.get("/hello", answer);
    scope.get("/reports", { config: { latchkey: { permissions: ["reports:read"] } } }, answer);
    scope.get("/public", { config: { latchkey: false } }, async () => ({ ok: true }));
  });
  app.get("/strict", { onRequest: latchkeyFastify({ verifier, permissions: ["reports:write"] }) }, answer);
  app.get("/ip", { onRequest: latchkeyFastify({ verifier, ip: true }) }, answer);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    async request(path, headers = {}) {
      const response = await fetch(`${base}${path}`, { headers });
      return { status: response.status, headers: response.headers, body: await response.text() };
    },
    close: () => app.close(),
  };
}

middlewareSuite("Fastify", "remote", fastifyTarget);
middlewareSuite("Fastify", "local", fastifyTarget);

describe("latchkeyFastify options", () => {
  const verifier: KeyVerifier = { verify: async () => Promise.reject(new Error("unreachable")) };

  it("checks its options once, when it is made", () => {
    expect(() => latchkeyFastify({} as never)).toThrow(/verifier/);
    expect(() => latchkeyFastify({ verifier, permissions: "a:b" as never })).toThrow(/permissions/);
    expect(() => latchkeyFastify({ verifier, cost: -1 })).toThrow(/cost/);
    expect(() => latchkeyFastify({ verifier, ip: "yes" as never })).toThrow(/ip/);
    expect(() => latchkeyFastify({ verifier }).with({ cost: 1.5 })).toThrow(/cost/);
  });

  it("returns a named hook", () => {
    const hook = latchkeyFastify({ verifier });
    expect(hook.name).toBe("latchkeyFastifyHook");
    expect(hook.with({ permissions: ["a:b"] }).name).toBe("latchkeyFastifyHook");
  });

  it("refuses the request with 503 when the verifier cannot answer", async () => {
    const errors: unknown[] = [];
    const app = Fastify();
    app.get(
      "/",
      { onRequest: latchkeyFastify({ verifier, onError: (error) => errors.push(error) }) },
      async () => "ok",
    );
    const response = await app.inject({ url: "/", headers: { "x-api-key": "lks_anything" } });
    expect(response.statusCode).toBe(503);
    expect(response.json().errors[0].code).toBe("SERVICE_UNAVAILABLE");
    expect(errors).toHaveLength(1);
    await app.close();
  });
});
