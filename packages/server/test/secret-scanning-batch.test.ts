import { type ApiKey, generateKey, newId } from "@latchkey/core";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { eventToRow, keyToRow, secretToRow } from "../../store/src/rows.js";
import { cryptoRandom, type TestApp, verify } from "./helpers.js";
import { auditEvents, BACKENDS, createLeakTestApp, makeSigner, postSigned, reportBody } from "./leaks-harness.js";

const signer = makeSigner();
afterAll(() => signer.cleanUp());

/** GitHub's budget is 30 s; Latchkey promises a batch of 1,000 in under 2 s. */
const BUDGET_MS = 2000;

/** Writes `count` org keys straight into the database (creating them one by one through the API is slow). */
async function seedKeys(t: TestApp, count: number): Promise<{ id: string; key: string }[]> {
  const now = t.clock.now();
  const out: { id: string; key: string }[] = [];
  const keys: ApiKey[] = [];
  const secrets: ReturnType<typeof secretToRow>[] = [];
  for (let i = 0; i < count; i++) {
    const generated = generateKey("lks", i % 2 === 0 ? "live" : "test", cryptoRandom);
    const id = newId(t.clock, cryptoRandom);
    keys.push({
      id,
      orgId: t.owner.orgId,
      kind: "service",
      owner: { type: "org", id: t.owner.orgId },
      name: `bulk ${i}`,
      description: null,
      environment: i % 2 === 0 ? "live" : "test",
      permissions: [],
      roles: [],
      labels: [],
      metadata: {},
      expiresAt: new Date(now.getTime() + 86_400_000),
      enabled: true,
      revokedAt: null,
      deletedAt: null,
      createdAt: now,
      createdBy: { type: "user", id: t.owner.userId },
      lastUsedAt: null,
      lastUsedIp: null,
      hint: generated.hint,
      rotatedAt: null,
      ipAllowlist: [],
      rateLimit: null,
      quota: null,
      leak: null,
    });
    secrets.push(
      secretToRow({ hash: generated.hash, keyId: id, hint: generated.hint, createdAt: now, expiresAt: null }),
    );
    out.push({ id, key: generated.key });
  }
  await t.store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i += 100) {
      await trx
        .insertInto("api_keys")
        .values(keys.slice(i, i + 100).map(keyToRow))
        .execute();
      await trx
        .insertInto("api_key_secrets")
        .values(secrets.slice(i, i + 100))
        .execute();
      await trx
        .insertInto("api_key_events")
        .values(
          keys.slice(i, i + 100).map((key) =>
            eventToRow({
              id: newId(t.clock, cryptoRandom),
              orgId: key.orgId,
              keyId: key.id,
              type: "created",
              actor: key.createdBy,
              requestId: null,
              createdAt: now,
              detail: {},
            }),
          ),
        )
        .execute();
    }
  });
  return out;
}

describe.each(BACKENDS)("a batch of 1,000 reported keys on %s", (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createLeakTestApp(backend, { LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: signer.keysFile });
  });
  afterEach(async () => t.close());

  test(`is answered in under ${BUDGET_MS} ms, every key revoked, and a replay as fast`, async () => {
    const seeded = await seedKeys(t, 1000);
    for (const { key } of seeded.slice(0, 5)) expect((await verify(t, key)).code).toBe("VALID");
    const body = reportBody(
      seeded.map(({ key }, i) => ({ token: key, url: `https://github.com/octo/repo-${i % 37}/blob/main/f${i}.env` })),
    );

    const started = performance.now();
    const res = await postSigned(t, signer, body);
    const elapsed = performance.now() - started;
    console.log(`[${backend}] 1,000 reported keys answered in ${elapsed.toFixed(0)} ms`);

    expect(res.statusCode, res.body).toBe(200);
    expect(elapsed).toBeLessThan(BUDGET_MS);
    const verdicts = res.json() as { label: string }[];
    expect(verdicts).toHaveLength(1000);
    expect(verdicts.every((verdict) => verdict.label === "true_positive")).toBe(true);
    const live = await t.store.db
      .selectFrom("api_keys")
      .select("id")
      .where("name", "like", "bulk %")
      .where("revoked_at", "is", null)
      .execute();
    expect(live).toHaveLength(0);
    const leaked = await auditEvents(t, "api_key.leaked");
    expect(leaked).toHaveLength(1000);
    expect(leaked.find((event) => event.target_id === seeded[41]?.id)?.detail.url).toBe(
      "https://github.com/octo/repo-4/blob/main/f41.env",
    );
    for (const { key } of seeded.slice(0, 5)) expect((await verify(t, key)).code).toBe("REVOKED");
    const check = await t.store.audit.check();
    expect(check.ok).toBe(true);

    const replayStarted = performance.now();
    const replay = await postSigned(t, signer, body);
    const replayElapsed = performance.now() - replayStarted;
    console.log(`[${backend}] replay of 1,000 answered in ${replayElapsed.toFixed(0)} ms`);
    expect(replay.body).toBe(res.body);
    expect(replayElapsed).toBeLessThan(BUDGET_MS);
    expect(await auditEvents(t, "api_key.leaked")).toHaveLength(1000);
  }, 60_000);
});

describe("a batch larger than one statement can carry", () => {
  test("revokes 2,500 reported keys in one report (5,000 events) on SQLite", async () => {
    const t = await createLeakTestApp("sqlite", { LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS: signer.keysFile });
    try {
      const seeded = await seedKeys(t, 2500);
      const res = await postSigned(t, signer, reportBody(seeded.map(({ key }) => ({ token: key }))));
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      expect((res.json() as { label: string }[]).filter((v) => v.label === "true_positive")).toHaveLength(2500);
      expect(await auditEvents(t, "api_key.leaked")).toHaveLength(2500);
      expect((await t.store.audit.check()).ok).toBe(true);
    } finally {
      await t.close();
    }
  }, 60_000);
});
