import { generateKey } from "@latchkey/core";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createKey, createToken, cryptoRandom, expectError, send, type TestApp, verify } from "./helpers.js";
import { auditEvents, BACKENDS, createLeakTestApp } from "./leaks-harness.js";

const ACCEPTED = '{"status":"accepted"}';

function revoke(t: TestApp, body: unknown, headers: Record<string, string> = {}, remoteAddress = "127.0.0.1") {
  return t.app.inject({
    method: "POST",
    url: "/revoke",
    remoteAddress,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
}

describe.each(BACKENDS)("POST /revoke on %s", (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createLeakTestApp(backend);
  });
  afterEach(async () => t.close());

  test("revokes the key it is given, at once, with an event naming no user", async () => {
    const key = await createKey(t, { name: "found in a log" });
    expect((await verify(t, key.key)).code).toBe("VALID");
    const res = await revoke(t, { key: key.key });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.body).toBe(ACCEPTED);
    expect((await verify(t, key.key)).code).toBe("REVOKED");
    const events = await auditEvents(t, "api_key.revoked");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_type: "anonymous", actor_id: key.id, target_id: key.id });
    expect(events[0]?.detail).toEqual({ via: "self_revoke" });
    expect(events[0]?.request_id).toBe(res.headers["x-request-id"]);
    expect(JSON.stringify(events)).not.toContain(key.key);

    const again = await revoke(t, { key: key.key });
    expect(again.statusCode).toBe(202);
    expect(again.body).toBe(ACCEPTED);
    expect(await auditEvents(t, "api_key.revoked")).toHaveLength(1);
  });

  test("takes the key from a credential header too", async () => {
    const token = await createToken(t, t.owner.token, { name: "laptop" });
    const viaHeader = await revoke(t, undefined, { authorization: `Bearer ${token.key}` });
    expect(viaHeader.statusCode, viaHeader.body).toBe(202);
    expect((await verify(t, token.key)).code).toBe("REVOKED");
    const other = await createKey(t, { name: "other" });
    expect((await revoke(t, undefined, { "x-api-key": other.key })).statusCode).toBe(202);
    expect((await verify(t, other.key)).code).toBe("REVOKED");
  });

  test("answers the same for garbage, unknown keys and keys it cannot touch, and changes nothing", async () => {
    const bystander = await createKey(t, { name: "bystander" });
    const rotated = await createKey(t, { name: "rotated" });
    const regenerated = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${rotated.id}/regenerate`,
      token: t.owner.token,
      body: { data: { type: "api_key", attributes: { grace_period_seconds: 60 } } },
    });
    expect(regenerated.statusCode).toBe(200);
    t.clock.advance(120);
    const near = `${bystander.key.slice(0, -1)}${bystander.key.endsWith("A") ? "B" : "A"}`;
    for (const candidate of [
      "garbage",
      "lks_short",
      near,
      generateKey("lks", "live", cryptoRandom).key,
      generateKey("lkp", "test", cryptoRandom).key,
      rotated.key,
    ]) {
      const res = await revoke(t, { key: candidate });
      expect(res.statusCode, candidate).toBe(202);
      expect(res.body).toBe(ACCEPTED);
    }
    expect((await verify(t, bystander.key)).code).toBe("VALID");
    expect((await verify(t, regenerated.json().data.attributes.key)).code).toBe("VALID");
    expect(await auditEvents(t, "api_key.revoked")).toHaveLength(0);
  });

  test("refuses a request without a key, or with a body of the wrong shape, in the error shape", async () => {
    const key = await createKey(t, { name: "k" });
    expectError(await revoke(t, undefined), 400, "VALIDATION_FAILED");
    expectError(await revoke(t, {}), 400, "VALIDATION_FAILED");
    expectError(await revoke(t, { key: 5 }), 400, "VALIDATION_FAILED");
    const extra = await revoke(t, { key: key.key, also: key.key });
    expectError(extra, 400, "VALIDATION_FAILED");
    expect(extra.body).not.toContain(key.key);
    const broken = await revoke(t, `{"key":"${key.key}"`);
    expectError(broken, 400, "INVALID_JSON");
    expect(broken.body).not.toContain(key.key);
    const form = await t.app.inject({
      method: "POST",
      url: "/revoke",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `key=${key.key}`,
    });
    expectError(form, 400, "UNSUPPORTED_CONTENT_TYPE");
    expect((await verify(t, key.key)).code).toBe("VALID");
  });
});

describe("POST /revoke and the failed-credential throttle", () => {
  test("an address that keeps sending unknown keys is refused with 429; holders elsewhere are not", async () => {
    const t = await createLeakTestApp("sqlite", { LATCHKEY_AUTH_FAILURE_LIMIT: "3" });
    try {
      const key = await createKey(t, { name: "k" });
      const prober = "198.51.100.7";
      for (let i = 0; i < 3; i++) {
        const unknown = generateKey("lks", "live", cryptoRandom).key;
        expect((await revoke(t, { key: unknown }, {}, prober)).statusCode).toBe(202);
      }
      const refused = await revoke(t, { key: key.key }, {}, prober);
      expectError(refused, 429, "RATE_LIMITED");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      expect((await verify(t, key.key)).code).toBe("VALID");
      const elsewhere = await revoke(t, { key: key.key }, {}, "203.0.113.9");
      expect(elsewhere.statusCode).toBe(202);
      expect((await verify(t, key.key)).code).toBe("REVOKED");
    } finally {
      await t.close();
    }
  });
});
