import { readFileSync } from "node:fs";
import { ERROR_CATALOGUE, type ErrorCode } from "@latchkey/core";
import { describe, expect, it } from "vitest";
import { HTTP_STATUS } from "./errors.js";

const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

describe("the error catalogue", () => {
  it.each(codes)("documents %s in the README's error table with its status", (code) => {
    const row = readme
      .split("\n")
      .find((line) => line.startsWith("|") && (line.split("|")[1] ?? "").includes(`\`${code}\``));
    expect(row, `README has no error-table row for ${code}`).toBeDefined();
    expect(row).toContain(`| ${HTTP_STATUS[code]} |`);
  });

  it("maps every code to a 4xx or 5xx status", () => {
    for (const code of codes) {
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(HTTP_STATUS[code]).toBeLessThan(600);
    }
  });
});
