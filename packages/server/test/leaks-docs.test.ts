import { readFileSync } from "node:fs";
import { KEY_SCAN_PATTERN } from "@latchkey/core";
import { expect, test } from "vitest";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

test("the README publishes the key regular expression exactly as the code defines it", () => {
  expect(readme).toContain(`\`\`\`\n${KEY_SCAN_PATTERN}\n\`\`\``);
});

test("the README has the leak runbook, both routes and the setting", () => {
  expect(readme).toMatch(/^## When a key leaks$/m);
  expect(readme).toContain("**What Latchkey does by itself.**");
  expect(readme).toContain("**What the team does.**");
  expect(readme).toMatch(/^\| `POST \/secret-scanning\/github` \|/m);
  expect(readme).toMatch(/^\| `POST \/revoke` \|/m);
  expect(readme).toMatch(/^\| `LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS` \|/m);
  expect(readme).toContain("`api_key.leaked`");
});
