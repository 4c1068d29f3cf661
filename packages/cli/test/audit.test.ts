import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { auditHash } from "@latchkey/core";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliServer, cli, startCliServer } from "./helpers.js";

// Issue 5: the audit log is hash-chained; `latchkey audit verify` names the first edited, deleted or
// reordered row, and `latchkey audit export` writes the org's events as NDJSON.
let s: CliServer;
let env: NodeJS.ProcessEnv;
/** A copy of the database taken after the changes, with the server stopped: each test tampers with its own. */
let pristine: string;
let copies = 0;

beforeAll(async () => {
  s = await startCliServer();
  env = { LATCHKEY_TOKEN: s.token, LATCHKEY_URL: s.url };
  for (const name of ["one", "two", "three"]) {
    const created = await cli(["keys", "create", "--name", name, "--expires-in", "30d", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).data.id as string;
    expect((await cli(["keys", "disable", id], env)).code).toBe(0);
  }
  pristine = join(s.dir, "pristine.db");
  const db = new SQLite(join(s.dir, "x.db"));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  copyFileSync(join(s.dir, "x.db"), pristine);
});

afterAll(async () => {
  await s?.close();
});

/** A fresh copy of the database after the changes, changed by `tamper`; returns its URL. */
function tampered(tamper: (db: SQLite.Database) => void): string {
  copies += 1;
  const file = join(s.dir, `copy-${copies}.db`);
  copyFileSync(pristine, file);
  const db = new SQLite(file);
  tamper(db);
  db.close();
  return `sqlite:${file}`;
}

async function verify(databaseUrl: string) {
  return cli(["audit", "verify"], { LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_LOG_LEVEL: "silent" });
}

describe("latchkey audit verify", () => {
  test("an untouched log verifies", async () => {
    const result = await verify(tampered(() => {}));
    expect(result.code, result.stderr).toBe(0);
    // Bootstrap's token and the org's two publishable keys, then three keys created and disabled.
    expect(result.stdout).toMatch(/^audit log intact: 9 events, head 9 [0-9a-f]{64}$/);
  });

  test("an edited row fails and is named", async () => {
    const url = tampered((db) => {
      db.prepare("update audit_events set detail = ? where seq = 3").run('{"name":"innocent"}');
    });
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken at event 3 \(id [0-9a-f-]{36}\): its content does not match its hash/);
  });

  test("an edited row given a correct new hash breaks the link of the row after it", async () => {
    const url = tampered((db) => {
      const row = db.prepare("select * from audit_events where seq = 3").get() as Record<string, string | number>;
      const forged: Record<string, string | number> = { ...row, detail: '{"name":"innocent"}' };
      const record = {
        seq: Number(forged.seq),
        id: String(forged.id),
        orgId: String(forged.org_id),
        actor: { type: forged.actor_type as "user", id: String(forged.actor_id) },
        action: String(forged.action),
        target: { type: String(forged.target_type), id: String(forged.target_id) },
        createdAt: new Date(String(forged.created_at)),
        ip: (forged.ip as string | null) ?? null,
        requestId: (forged.request_id as string | null) ?? null,
        detail: JSON.parse(String(forged.detail)),
      };
      db.prepare("update audit_events set detail = ?, hash = ? where seq = 3").run(
        forged.detail,
        auditHash(String(forged.prev_hash), record),
      );
    });
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /broken at event 4 \(id [0-9a-f-]{36}\): its link to the event before does not match/,
    );
  });

  test("a deleted row fails and is named", async () => {
    const result = await verify(tampered((db) => db.prepare("delete from audit_events where seq = 5").run()));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken at event 5: event 5 is missing/);
  });

  test("two swapped rows fail at the first of them", async () => {
    const url = tampered((db) => {
      db.prepare("update audit_events set seq = -1 where seq = 2").run();
      db.prepare("update audit_events set seq = 2 where seq = 3").run();
      db.prepare("update audit_events set seq = 3 where seq = -1").run();
    });
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken at event 2 /);
  });

  test("a deleted last row fails against the head", async () => {
    const result = await verify(tampered((db) => db.prepare("delete from audit_events where seq = 9").run()));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken at event 9: the log's head is event 9, but the chain ends at 8/);
  });

  test("--json prints the outcome", async () => {
    const result = await cli(["audit", "verify", "--json"], {
      LATCHKEY_DATABASE_URL: tampered(() => {}),
      LATCHKEY_LOG_LEVEL: "silent",
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).data).toMatchObject({ ok: true, count: 9, head: { seq: 9 } });
  });
});

describe("latchkey audit export", () => {
  test("writes the org's events as NDJSON, oldest first, filtered", async () => {
    const all = await cli(["audit", "export"], env);
    expect(all.code, all.stderr).toBe(0);
    const events = all.out.map((line) => JSON.parse(line));
    // The first start's token and the org's two publishable keys, then three keys created and disabled.
    expect(events.map((event) => event.action)).toEqual([
      "api_key.created",
      "api_key.created",
      "api_key.created",
      "api_key.created",
      "api_key.disabled",
      "api_key.created",
      "api_key.disabled",
      "api_key.created",
      "api_key.disabled",
    ]);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const event of events) {
      expect(event).toMatchObject({ actor: { type: "user" }, target: { type: "api_key" } });
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Changes made over the API carry the caller's address and request id; the first start's has neither.
    expect(events[3]).toMatchObject({ ip: "127.0.0.1", request_id: expect.any(String) });
    const disabled = await cli(["audit", "export", "--action", "api_key.disabled"], env);
    expect(disabled.out).toHaveLength(3);
    const file = join(s.dir, "export.ndjson");
    const written = await cli(["audit", "export", "--action", "api_key.*", "-o", file], env);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toBe(`wrote 9 events to ${file}`);
    expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(9);
  });
});
