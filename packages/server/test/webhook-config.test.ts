import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "../src/index.js";

describe("webhook settings", () => {
  test("defaults: deliver, refuse private addresses, 10 s timeout", () => {
    const config = loadConfig({});
    expect(config.webhooksDeliver).toBe(true);
    expect(config.webhooksAllowPrivate).toBe(false);
    expect(config.webhooksTimeoutSeconds).toBe(10);
  });

  test("each is read", () => {
    const config = loadConfig({
      LATCHKEY_WEBHOOKS_DELIVER: "false",
      LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: "true",
      LATCHKEY_WEBHOOKS_TIMEOUT_SECONDS: "3",
    });
    expect(config).toMatchObject({ webhooksDeliver: false, webhooksAllowPrivate: true, webhooksTimeoutSeconds: 3 });
  });

  test("bad values stop the start and name the setting", () => {
    for (const [variable, value] of [
      ["LATCHKEY_WEBHOOKS_DELIVER", "yes"],
      ["LATCHKEY_WEBHOOKS_ALLOW_PRIVATE", "1"],
      ["LATCHKEY_WEBHOOKS_TIMEOUT_SECONDS", "0"],
      ["LATCHKEY_WEBHOOKS_TIMEOUT_SECONDS", "31"],
      ["LATCHKEY_WEBHOOKS_TIMEOUT_SECONDS", "ten"],
    ] as const) {
      let error: unknown;
      try {
        loadConfig({ [variable]: value });
      } catch (caught) {
        error = caught;
      }
      expect(error, `${variable}=${value}`).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(variable);
    }
  });
});
