import { generateKeyPairSync } from "node:crypto";
import { generateKey } from "@latchkey/core";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { createKey, createToken, cryptoRandom, expectError, send, type TestApp, verify } from "./helpers.js";
import {
  auditEvents,
  BACKENDS,
  createLeakTestApp,
  type Match,
  makeSigner,
  postReport,
  postSigned,
  reportBody,
  sha256,
} from "./leaks-harness.js";

const signer = makeSigner();
afterAll(() => signer.cleanUp());

/** A key with its last checksum character changed: key-shaped, but not a key Latchkey could have issued. */
function badChecksum(key: string): string {
  const last = key.at(-1) === "A" ? "B" : "A";
  return `${key.slice(0, -1)}${last}`;
}

describe.each(BACKENDS)("POST /secret-scanning/github on %s", (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createLeakTestApp(backend, { LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: signer.keysFile });
  });
  afterEach(async () => t.close());

  const regenerate = async (id: string, grace: number) => {
    const res = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${id}/regenerate`,
      token: t.owner.token,
      body: { data: { type: "api_key", attributes: { grace_period_seconds: grace } } },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data.attributes.key as string;
  };

  test("a signed batch revokes every reported key, records where it was found, and labels each match", async () => {
    const service = await createKey(t, { name: "deploy bot" });
    const testEnv = await createKey(t, { name: "staging bot", environment: "test" });
    const personal = await createToken(t, t.owner.token, { name: "laptop" });
    const rotated = await createKey(t, { name: "rotated" });
    const rotatedNew = await regenerate(rotated.id, 3600);
    const untouched = await createKey(t, { name: "untouched" });
    const unknown = generateKey("lks", "live", cryptoRandom).key;
    const url = "https://github.com/octo/repo/blob/1234/.env";
    const matches: Match[] = [
      { token: service.key, url },
      { token: "NMIfyYncKcRALEXAMPLE" },
      { token: testEnv.key, url: "https://github.com/octo/repo/issues/7", source: "issue_comment" },
      { token: unknown },
      { token: personal.key, type: "latchkey_personal_token" },
      { token: badChecksum(untouched.key) },
      { token: rotated.key, url: "https://gist.github.com/octo/1" },
      { token: "lks_short" },
      { token: service.key, url: "https://github.com/octo/other/blob/1/x" },
    ];
    const body = reportBody(matches);
    const res = await postSigned(t, signer, body);

    expect(res.statusCode, res.body).toBe(200);
    expect(String(res.headers["content-type"])).toContain("application/json");
    const real = new Set([service.key, testEnv.key, personal.key, rotated.key]);
    expect(res.json()).toEqual(
      matches.map((match) => ({
        token_hash: sha256(match.token),
        token_type: match.type ?? "latchkey_api_key",
        label: real.has(match.token) ? "true_positive" : "false_positive",
      })),
    );
    for (const match of matches) expect(res.body).not.toContain(match.token);

    for (const secret of [service.key, testEnv.key, personal.key, rotated.key, rotatedNew]) {
      expect((await verify(t, secret)).code).toBe("REVOKED");
    }
    expect((await verify(t, untouched.key)).code).toBe("VALID");

    const leaked = await auditEvents(t, "api_key.leaked");
    expect(leaked.map((event) => event.target_id).sort()).toEqual(
      [service.id, testEnv.id, personal.id, rotated.id].sort(),
    );
    for (const event of leaked) {
      expect(event).toMatchObject({ actor_type: "system", actor_id: "github-secret-scanning", org_id: t.owner.orgId });
      expect(event.request_id).toBe(res.headers["x-request-id"]);
    }
    const serviceLeak = leaked.find((event) => event.target_id === service.id);
    expect(serviceLeak?.detail).toEqual({ source: "github", url, token_type: "latchkey_api_key", location: "content" });
    expect(leaked.find((event) => event.target_id === testEnv.id)?.detail).toMatchObject({
      url: "https://github.com/octo/repo/issues/7",
      location: "issue_comment",
    });
    const revoked = await auditEvents(t, "api_key.revoked");
    expect(revoked).toHaveLength(4);
    for (const event of revoked) {
      expect(event).toMatchObject({ actor_type: "system", actor_id: "github-secret-scanning" });
      expect(event.detail).toEqual({ via: "secret_scanning", source: "github" });
    }
    const everything = JSON.stringify(await t.store.db.selectFrom("audit_events").selectAll().execute());
    for (const match of matches) expect(everything).not.toContain(match.token);

    const shown = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${service.id}`,
      token: t.owner.token,
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.json().data.attributes).toMatchObject({
      status: "revoked",
      leak: { source: "github", url, reported_at: t.clock.now().toISOString() },
    });
    const events = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${service.id}/events`,
      token: t.owner.token,
    });
    expect(events.statusCode, events.body).toBe(200);
    expect(events.json().data.map((event: { attributes: { event: string } }) => event.attributes.event)).toEqual([
      "created",
      "leaked",
      "revoked",
    ]);
    expect(events.json().data[1].attributes.actor).toEqual({ type: "system", id: "github-secret-scanning" });
    const other = await send(t.app, {
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${untouched.id}`,
      token: t.owner.token,
    });
    expect(other.json().data.attributes.leak).toBeNull();
  });

  test("a key cached as valid fails on the very next request after the report", async () => {
    const key = await createKey(t, { name: "hot key" });
    for (let i = 0; i < 3; i++) expect((await verify(t, key.key)).code).toBe("VALID");
    expect((await send(t.app, { url: "/rest/self", token: key.key })).statusCode).toBe(200);
    expect((await postSigned(t, signer, reportBody([{ token: key.key }]))).statusCode).toBe(200);
    expect((await verify(t, key.key)).code).toBe("REVOKED");
    expect((await send(t.app, { url: "/rest/self", token: key.key })).statusCode).toBe(401);
  });

  test("a replayed report gets the same answer and writes nothing more", async () => {
    const a = await createKey(t, { name: "a" });
    const b = await createKey(t, { name: "b" });
    const body = reportBody([{ token: a.key }, { token: "garbage" }, { token: b.key }]);
    const signature = signer.sign(body);
    const first = await postReport(t, body, { keyId: signer.keyId, signature });
    expect(first.statusCode).toBe(200);
    const countAudit = async () => (await t.store.db.selectFrom("audit_events").select("seq").execute()).length;
    const countEvents = async () => (await t.store.db.selectFrom("api_key_events").select("id").execute()).length;
    const before = { audit: await countAudit(), events: await countEvents() };
    t.clock.advance(3600);
    const second = await postReport(t, body, { keyId: signer.keyId, signature });
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect({ audit: await countAudit(), events: await countEvents() }).toEqual(before);
    expect(await auditEvents(t, "api_key.leaked")).toHaveLength(2);
    const shown = await send(t.app, { url: `/rest/orgs/${t.owner.orgId}/api_keys/${a.id}`, token: t.owner.token });
    expect(shown.json().data.attributes.revoked_at).toBe(shown.json().data.attributes.leak.reported_at);
  });

  test("a key revoked before gets its leak recorded once, and no second revocation", async () => {
    const key = await createKey(t, { name: "old" });
    const revoke = await send(t.app, {
      method: "POST",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${key.id}/revoke`,
      token: t.owner.token,
    });
    expect(revoke.statusCode).toBe(200);
    const res = await postSigned(t, signer, reportBody([{ token: key.key }]));
    expect(res.json()).toEqual([
      { token_hash: sha256(key.key), token_type: "latchkey_api_key", label: "true_positive" },
    ]);
    expect((await auditEvents(t, "api_key.leaked")).map((event) => event.target_id)).toEqual([key.id]);
    const revoked = await auditEvents(t, "api_key.revoked");
    expect(revoked).toHaveLength(1);
    expect(revoked[0]?.actor_type).toBe("user");
  });

  test("an old secret past its grace period is a true positive but leaves the key alone", async () => {
    const key = await createKey(t, { name: "rotated long ago" });
    const current = await regenerate(key.id, 60);
    t.clock.advance(120);
    const res = await postSigned(t, signer, reportBody([{ token: key.key }]));
    expect(res.json()[0].label).toBe("true_positive");
    expect((await verify(t, current)).code).toBe("VALID");
    expect(await auditEvents(t, "api_key.leaked")).toHaveLength(0);
  });

  test("a deleted key is a true positive and stays as it is", async () => {
    const key = await createKey(t, { name: "deleted" });
    const deleted = await send(t.app, {
      method: "DELETE",
      url: `/rest/orgs/${t.owner.orgId}/api_keys/${key.id}`,
      token: t.owner.token,
    });
    expect(deleted.statusCode).toBe(204);
    const res = await postSigned(t, signer, reportBody([{ token: key.key }]));
    expect(res.json()[0].label).toBe("true_positive");
    expect(await auditEvents(t, "api_key.leaked")).toHaveLength(0);
  });

  test("a report signed with an older listed key is accepted", async () => {
    const key = await createKey(t, { name: "k" });
    const body = reportBody([{ token: key.key }]);
    const res = await postReport(t, body, {
      keyId: signer.oldKeyId,
      signature: signer.sign(body, signer.oldPrivateKey),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await verify(t, key.key)).code).toBe("REVOKED");
  });

  test("a bad signature, an unknown key id, an altered or re-serialized body are refused and revoke nothing", async () => {
    const key = await createKey(t, { name: "target" });
    const body = reportBody([{ token: key.key }]);
    const signature = signer.sign(body);
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const attempts: { name: string; body: string | Buffer; keyId?: string; signature?: string }[] = [
      { name: "no headers", body },
      { name: "no signature", body, keyId: signer.keyId },
      { name: "no key id", body, signature },
      { name: "unknown key id", body, keyId: "f".repeat(64), signature },
      { name: "the other listed key's id", body, keyId: signer.oldKeyId, signature },
      { name: "signed by a stranger", body, keyId: signer.keyId, signature: signer.sign(body, stranger) },
      { name: "signature of another body", body, keyId: signer.keyId, signature: signer.sign(`${body} `) },
      { name: "not base64", body, keyId: signer.keyId, signature: "not base64!" },
      { name: "truncated signature", body, keyId: signer.keyId, signature: signature.slice(0, 20) },
      { name: "altered body", body: body.replace("content", "commit!"), keyId: signer.keyId, signature },
      { name: "re-serialized body", body: pretty, keyId: signer.keyId, signature },
      { name: "trailing newline", body: `${body}\n`, keyId: signer.keyId, signature },
      { name: "empty body", body: "", keyId: signer.keyId, signature },
    ];
    for (const attempt of attempts) {
      const res = await postReport(t, attempt.body, { keyId: attempt.keyId, signature: attempt.signature });
      expect(res.statusCode, attempt.name).toBe(401);
      expect(res.body, attempt.name).toBe('{"status":"401","code":"Unauthorized"}');
    }
    expect((await verify(t, key.key)).code).toBe("VALID");
    expect(await auditEvents(t, "api_key.leaked")).toHaveLength(0);
    expect(await auditEvents(t, "api_key.revoked")).toHaveLength(0);
  });

  test("a signed body that is not a list of matches is refused with 400 and revokes nothing", async () => {
    const key = await createKey(t, { name: "target" });
    const bodies = [
      "not json",
      "{}",
      `{"token":"${key.key}"}`,
      `[{"token":"${key.key}"},5]`,
      `[{"token":"${key.key}"},{"token":7}]`,
      `[{"token":"${key.key}"},{"type":"x"}]`,
      `[{"token":"${key.key}","url":{}}]`,
    ];
    for (const body of bodies) {
      const res = await postSigned(t, signer, body);
      expectError(res, 400, "VALIDATION_FAILED");
      expect(res.body).not.toContain(key.key);
    }
    expect((await verify(t, key.key)).code).toBe("VALID");
    const empty = await postSigned(t, signer, "[]");
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual([]);
  });

  test("the route is listed in the OpenAPI document without a credential requirement", async () => {
    const res = await send(t.app, { url: "/rest/openapi" });
    const paths = res.json().paths;
    expect(paths["/secret-scanning/github"].post.security).toEqual([]);
    expect(paths["/revoke"].post.security).toEqual([]);
  });
});

describe("POST /secret-scanning/github without LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS", () => {
  test("answers 404 in the error shape and revokes nothing", async () => {
    const t = await createLeakTestApp("sqlite");
    try {
      const key = await createKey(t, { name: "k" });
      const body = reportBody([{ token: key.key }]);
      const res = await postSigned(t, signer, body);
      expectError(res, 404, "NOT_FOUND");
      expect((await verify(t, key.key)).code).toBe("VALID");
    } finally {
      await t.close();
    }
  });
});
