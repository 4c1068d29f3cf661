import { describe, expect, test } from "vitest";
import { apiFilter, cursorOf, EMPTY_FILTERS, filtersFromSearch, parseLabels, searchFromFilters } from "./filters.js";

describe("key list filters", () => {
  test("read from and written to the URL, empty values left out", () => {
    const filters = filtersFromSearch("?label=ci&status=active&environment=test&owner=abc&name=deploy");
    expect(filters).toEqual({ label: "ci", status: "active", environment: "test", owner: "abc", name: "deploy" });
    expect(searchFromFilters(filters)).toBe("?label=ci&status=active&environment=test&owner=abc&name=deploy");
    expect(searchFromFilters(EMPTY_FILTERS)).toBe("");
    expect(searchFromFilters({ ...EMPTY_FILTERS, label: "ci" }, { after: "k1" })).toBe("?label=ci&after=k1");
  });

  test("an unknown status is dropped rather than sent", () => {
    expect(filtersFromSearch("?status=gone").status).toBe("");
  });

  test("the API filter holds only what is set", () => {
    expect(apiFilter({ ...EMPTY_FILTERS, label: "ci", status: "revoked" })).toEqual({ label: "ci", status: "revoked" });
    expect(apiFilter(EMPTY_FILTERS)).toEqual({});
  });

  test("cursors come from the list's links", () => {
    expect(cursorOf("/rest/orgs/o/api_keys?version=2024-06-10&limit=20&starting_after=k9")).toEqual({ after: "k9" });
    expect(cursorOf("/rest/orgs/o/api_keys?ending_before=k1")).toEqual({ before: "k1" });
    expect(cursorOf(undefined)).toBeNull();
    expect(cursorOf("/rest/orgs/o/api_keys")).toBeNull();
  });

  test("labels typed in one field", () => {
    expect(parseLabels(" CI, deploy  deploy,,prod:eu ")).toEqual(["ci", "deploy", "prod:eu"]);
    expect(parseLabels("")).toEqual([]);
  });
});
