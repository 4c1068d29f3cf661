import type { AddressInfo } from "node:net";
import { afterAll, expect, test } from "vitest";
import { createKey, expectError, verify } from "./helpers.js";
import { createLeakTestApp, makeSigner, postReport, reportBody, sha256 } from "./leaks-harness.js";

const signer = makeSigner();
afterAll(() => signer.cleanUp());

test("over a real socket the signature is checked on the bytes as sent, with or without a content type", async () => {
  const t = await createLeakTestApp("sqlite", { LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: signer.keysFile });
  try {
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/secret-scanning/github`;
    const a = await createKey(t, { name: "a" });
    const b = await createKey(t, { name: "b" });
    // GitHub's own layout: keys in another order than ours, no spaces, UTF-8 in the URL.
    const body = `[{"source":"commit","token":"${a.key}","type":"latchkey_api_key","url":"https://github.com/o/r/blob/1/caf\u00e9.env"}]`;
    const headers = {
      "github-public-key-identifier": signer.keyId,
      "github-public-key-signature": signer.sign(Buffer.from(body, "utf8")),
    };
    const res = await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_hash: sha256(a.key), token_type: "latchkey_api_key", label: "true_positive" },
    ]);
    expect((await verify(t, a.key)).code).toBe("REVOKED");

    const second = reportBody([{ token: b.key }]);
    const untyped = await fetch(url, {
      method: "POST",
      headers: { "github-public-key-identifier": signer.keyId, "github-public-key-signature": signer.sign(second) },
      body: Buffer.from(second),
    });
    expect(untyped.status).toBe(200);
    expect((await verify(t, b.key)).code).toBe("REVOKED");
  } finally {
    await t.close();
  }
});

test("an address that keeps sending bad signatures is refused with 429 for the rest of the minute", async () => {
  const t = await createLeakTestApp("sqlite", {
    LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: signer.keysFile,
    LATCHKEY_AUTH_FAILURE_LIMIT: "2",
  });
  try {
    const key = await createKey(t, { name: "k" });
    const body = reportBody([{ token: key.key }]);
    for (let i = 0; i < 2; i++) {
      expect((await postReport(t, body, { keyId: signer.keyId, signature: signer.sign(`${body}x`) })).statusCode).toBe(
        401,
      );
    }
    const refused = await postReport(t, body, { keyId: signer.keyId, signature: signer.sign(body) });
    expectError(refused, 429, "RATE_LIMITED");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    t.clock.advance(61);
    expect((await postReport(t, body, { keyId: signer.keyId, signature: signer.sign(body) })).statusCode).toBe(200);
    expect((await verify(t, key.key)).code).toBe("REVOKED");
  } finally {
    await t.close();
  }
});

test("a report over 5 MiB is refused with 413; one over the API's usual 1 MiB is read", async () => {
  const t = await createLeakTestApp("sqlite", { LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: signer.keysFile });
  try {
    const big = reportBody(Array.from({ length: 60_000 }, (_, i) => ({ token: `x${i}`.padEnd(80, "x") })));
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    const res = await postReport(t, big, { keyId: signer.keyId, signature: signer.sign(big) });
    expectError(res, 413, "PAYLOAD_TOO_LARGE");
    const large = reportBody(Array.from({ length: 15_000 }, (_, i) => ({ token: `x${i}`.padEnd(80, "x") })));
    expect(large.length).toBeGreaterThan(2 * 1024 * 1024);
    const accepted = await postReport(t, large, { keyId: signer.keyId, signature: signer.sign(large) });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toHaveLength(15_000);
  } finally {
    await t.close();
  }
});
