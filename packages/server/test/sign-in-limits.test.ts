import { afterEach, beforeEach, expect, test } from "vitest";
import { createTestApp, expectError, expectUnauthorized, type TestApp } from "./helpers.js";
import { addPerson, login, PASSWORD, type Person } from "./session-helpers.js";

let t: TestApp;
let person: Person;
const from = (ip: string) => ({ "x-forwarded-for": ip });

beforeEach(async () => {
  t = await createTestApp({
    env: { LATCHKEY_TRUST_PROXY: "1", LATCHKEY_LOGIN_MAX_FAILURES: "3", LATCHKEY_LOGIN_ADDRESS_MAX_FAILURES: "6" },
  });
  person = await addPerson(t, t.owner.orgId, "member");
});
afterEach(() => t.close());

test("after the configured failures the account and address pair gets 429 with Retry-After, even with the right password", async () => {
  for (let i = 0; i < 3; i++)
    expectUnauthorized(await login(t, person.email, "wrong password here", from("198.51.100.7")));
  const refused = await login(t, person.email, PASSWORD, from("198.51.100.7"));
  expectError(refused, 429, "RATE_LIMITED");
  const retryAfter = Number(refused.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(900);
  expect(refused.headers["set-cookie"]).toBeUndefined();

  // Another address may still sign in to the account.
  expect((await login(t, person.email, PASSWORD, from("198.51.100.8"))).statusCode).toBe(200);
  // Past the window the pair may try again.
  t.clock.advance(retryAfter);
  expect((await login(t, person.email, PASSWORD, from("198.51.100.7"))).statusCode).toBe(200);
});

test("attempts sent in parallel cannot pass the limit; successful sign-ins do not count", async () => {
  for (let i = 0; i < 5; i++)
    expect((await login(t, person.email, PASSWORD, from("198.51.100.7"))).statusCode).toBe(200);
  const answers = await Promise.all(
    Array.from({ length: 12 }, () => login(t, person.email, "wrong password here", from("198.51.100.7"))),
  );
  const statuses = answers.map((res) => res.statusCode).sort();
  expect(statuses.filter((status) => status === 401)).toHaveLength(3);
  expect(statuses.filter((status) => status === 429)).toHaveLength(9);
});

test("the email's case does not give more tries", async () => {
  for (const email of [person.email, person.email.toUpperCase(), ` ${person.email}`]) {
    expectUnauthorized(await login(t, email, "wrong password here", from("198.51.100.7")));
  }
  expectError(await login(t, person.email, PASSWORD, from("198.51.100.7")), 429, "RATE_LIMITED");
});

test("one address failing across many accounts is refused for every account", async () => {
  for (let i = 0; i < 6; i++) {
    expectUnauthorized(await login(t, `someone-${i}@example.test`, "wrong password here", from("198.51.100.9")));
  }
  expectError(await login(t, person.email, PASSWORD, from("198.51.100.9")), 429, "RATE_LIMITED");
  expect((await login(t, person.email, PASSWORD, from("198.51.100.10"))).statusCode).toBe(200);
});

test("sign-ins and refusals are audited in the user's org with address and request id", async () => {
  const failed = await login(t, person.email, "wrong password here", from("198.51.100.7"));
  expectUnauthorized(failed);
  const ok = await login(t, person.email, PASSWORD, { ...from("198.51.100.7"), "user-agent": "test-browser" });
  expect(ok.statusCode).toBe(200);
  const events = await t.store.db
    .selectFrom("audit_events")
    .selectAll()
    .where("target_id", "=", person.userId)
    .orderBy("seq")
    .execute();
  expect(events.map((e) => [e.action, e.actor_type, e.org_id, e.ip, e.request_id])).toEqual([
    ["user.sign_in_failed", "anonymous", t.owner.orgId, "198.51.100.7", failed.headers["x-request-id"]],
    ["user.signed_in", "user", t.owner.orgId, "198.51.100.7", ok.headers["x-request-id"]],
  ]);
  expect(JSON.parse(events[0]?.detail as string)).toEqual({ reason: "wrong_password" });
  expect(JSON.stringify(events)).not.toContain(PASSWORD);
  expect((await t.store.audit.check()).ok).toBe(true);
});
