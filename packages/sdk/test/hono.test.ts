import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { KeyVerifier } from "../src/index.js";
import { type LatchkeyEnv, latchkeyHono } from "../src/middleware/hono.js";
import { middlewareSuite, type Target } from "./middleware-suite.js";

async function honoTarget(verifier: KeyVerifier): Promise<Target> {
  const app = new Hono<LatchkeyEnv>();
  const auth = latchkeyHono({ verifier });
  const answer = (c: Context<LatchkeyEnv>) =>
    c.json({ key_id: c.get("latchkey").key_id, permissions: c.get("latchkey").permissions });
  app.get("/public", (c) => c.json({ ok: true }));
  app.get("/strict", latchkeyHono({ verifier, permissions: ["reports:write"] }), answer);
  app.get("/ip", latchkeyHono({ verifier, ip: () => "127.0.0.1" }), answer);
  app.use("/hello", auth);
  app.use("/reports", auth);
  app.get("/hello", answer);
  app.get("/reports", auth.with({ permissions: ["reports:read"] }), answer);
  return {
    async request(path, headers = {}) {
      const response = await app.request(path, { headers });
      return { status: response.status, headers: response.headers, body: await response.text() };
    },
    close: async () => {},
  };
}

middlewareSuite("Hono", "remote", honoTarget);

describe("latchkeyHono options", () => {
  const verifier: KeyVerifier = { verify: async () => Promise.reject(new Error("unreachable")) };

  it("checks its options once and returns a named middleware", () => {
    expect(() => latchkeyHono({ verifier, ip: true as never })).toThrow(/ip/);
    expect(() => latchkeyHono({ verifier, cost: Number.NaN })).toThrow(/cost/);
    expect(latchkeyHono({ verifier }).name).toBe("latchkeyHonoMiddleware");
  });
});
