import { expect, test } from "vitest";
import { groupPermissions } from "./permission-groups.js";

const entry = (id: string, source: "latchkey" | "org" = "latchkey") => ({
  id,
  attributes: { description: `${id} description`, source },
});

test("the catalogue is grouped by resource, product permissions first, read before write", () => {
  const groups = groupPermissions([
    entry("api_keys:write"),
    entry("api_keys:verify"),
    entry("api_keys:read"),
    entry("audit:read"),
    entry("jobs:write", "org"),
    entry("jobs:read", "org"),
    entry("activities:read", "org"),
  ]);
  expect(groups.map((group) => `${group.source}:${group.resource}`)).toEqual([
    "org:activities",
    "org:jobs",
    "latchkey:api_keys",
    "latchkey:audit",
  ]);
  expect(groups[1]?.permissions.map((permission) => permission.id)).toEqual(["jobs:read", "jobs:write"]);
  expect(groups[2]?.permissions.map((permission) => permission.action)).toEqual(["read", "write", "verify"]);
});
