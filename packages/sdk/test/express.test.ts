import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";
import { describe, expect, it } from "vitest";
import type { KeyVerifier } from "../src/index.js";
import { latchkeyExpress } from "../src/middleware/express.js";
import { middlewareSuite, type Target } from "./middleware-suite.js";

async function expressTarget(verifier: KeyVerifier): Promise<Target> {
  const app = express();
  const auth = latchkeyExpress({ verifier });
  const answer = (_req: Request, res: Response) => {
    res.json({ key_id: res.locals.latchkey?.key_id, permissions: res.locals.latchkey?.permissions });
  };
  app.get("/public", (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/strict", latchkeyExpress({ verifier, permissions: ["reports:write"] }), answer);
  app.get("/ip", latchkeyExpress({ verifier, ip: true }), answer);
  app.use(auth);
  app.get("/hello", answer);
  app.get("/reports", auth.with({ permissions: ["reports:read"] }), answer);
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async request(path, headers = {}) {
      const response = await fetch(`${base}${path}`, { headers });
      return { status: response.status, headers: response.headers, body: await response.text() };
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

middlewareSuite("Express", "remote", expressTarget);

describe("latchkeyExpress options", () => {
  const verifier: KeyVerifier = { verify: async () => Promise.reject(new Error("unreachable")) };

  it("checks its options once and returns a named middleware", () => {
    expect(() => latchkeyExpress({ verifier: {} as never })).toThrow(/verifier/);
    expect(() => latchkeyExpress({ verifier, permissions: [""] })).toThrow(/permissions/);
    expect(latchkeyExpress({ verifier }).name).toBe("latchkeyExpressMiddleware");
  });
});
