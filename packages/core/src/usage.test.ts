import { describe, expect, it } from "vitest";
import { type LastUse, type UsageCount, UsageRecorder, type UsageStore } from "./usage.js";

/** A store that keeps every batch it is given, or refuses them while `failing` is set. */
function batches() {
  const written: { counts: UsageCount[]; uses: LastUse[] }[] = [];
  const state = { failing: false };
  const store: UsageStore = {
    async write(counts, uses) {
      if (state.failing) throw new Error("the database is away");
      written.push({ counts: [...counts], uses: [...uses] });
    },
    async series() {
      return [];
    },
  };
  return { store, written, state };
}

const at = (iso: string) => new Date(iso);
const byKey = (counts: readonly UsageCount[]) =>
  [...counts].sort((a, b) => `${a.keyId}${a.minute}${a.code}`.localeCompare(`${b.keyId}${b.minute}${b.code}`));

describe("UsageRecorder", () => {
  it("counts by key, minute and code, and by org for keys not found", async () => {
    const { store, written } = batches();
    const usage = new UsageRecorder(store);
    usage.record("o1", "k1", "VALID", at("2026-01-01T00:00:05Z"), "10.0.0.1");
    usage.record("o1", "k1", "VALID", at("2026-01-01T00:00:06Z"), "10.0.0.2");
    usage.record("o1", "k1", "RATE_LIMITED", at("2026-01-01T00:00:07Z"), null);
    usage.record("o1", "k2", "VALID", at("2026-01-01T00:01:00Z"), null);
    usage.record("o1", null, "NOT_FOUND", at("2026-01-01T00:01:01Z"), null);
    usage.record("o2", null, "NOT_FOUND", at("2026-01-01T00:01:02Z"), null);
    usage.record("o1", null, "NOT_FOUND", at("2026-01-01T00:01:03Z"), null);
    await usage.flush();

    expect(written).toHaveLength(1);
    expect(byKey(written[0]?.counts ?? [])).toEqual([
      { orgId: "o1", keyId: "", minute: "2026-01-01T00:01:00.000Z", code: "NOT_FOUND", count: 2 },
      { orgId: "o2", keyId: "", minute: "2026-01-01T00:01:00.000Z", code: "NOT_FOUND", count: 1 },
      { orgId: "o1", keyId: "k1", minute: "2026-01-01T00:00:00.000Z", code: "RATE_LIMITED", count: 1 },
      { orgId: "o1", keyId: "k1", minute: "2026-01-01T00:00:00.000Z", code: "VALID", count: 2 },
      { orgId: "o1", keyId: "k2", minute: "2026-01-01T00:01:00.000Z", code: "VALID", count: 1 },
    ]);
    // Only valid uses move a key's last use; the last address is kept, each network once.
    const uses = [...(written[0]?.uses ?? [])].sort((a, b) => a.keyId.localeCompare(b.keyId));
    expect(uses.map(({ keyId, at: when, ip }) => ({ keyId, at: when.toISOString(), ip }))).toEqual([
      { keyId: "k1", at: "2026-01-01T00:00:06.000Z", ip: "10.0.0.2" },
      { keyId: "k2", at: "2026-01-01T00:01:00.000Z", ip: null },
    ]);
    expect(uses[0]?.networks).toEqual([{ network: "10.0.0.0/24", ip: "10.0.0.1" }]);

    await usage.flush();
    expect(written).toHaveLength(1); // nothing new, nothing written
  });

  it("keeps a failed flush's counts, however many, and writes them with the next one", async () => {
    const { store, written, state } = batches();
    const usage = new UsageRecorder(store);
    const keys = 250_000; // more than a function call takes as arguments
    for (let i = 0; i < keys; i++) usage.record("o1", `k${i}`, "VALID", at("2026-01-01T00:00:00Z"), null);
    state.failing = true;
    await expect(usage.flush()).rejects.toThrow("the database is away");
    usage.record("o1", "k0", "VALID", at("2026-01-01T00:00:30Z"), null);
    state.failing = false;
    await usage.flush();

    expect(written).toHaveLength(1);
    const counts = written[0]?.counts ?? [];
    expect(counts).toHaveLength(keys);
    expect(counts.find((count) => count.keyId === "k0")?.count).toBe(2);
    expect(counts.reduce((sum, count) => sum + count.count, 0)).toBe(keys + 1);
    expect(written[0]?.uses).toHaveLength(keys);
  });
});
