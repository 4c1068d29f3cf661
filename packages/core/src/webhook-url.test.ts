import { describe, expect, test } from "vitest";
import { checkWebhookUrl, isPrivateAddress } from "./webhook-url.js";

describe("checkWebhookUrl", () => {
  test("public http(s) URLs pass", () => {
    for (const url of ["https://hooks.example.com/in", "http://203.0.113.7:8080/x?y=1", "https://[2001:db8::1]/"]) {
      expect(checkWebhookUrl(url, false)).toBe(url);
    }
  });

  test("other schemes, credentials and malformed URLs are refused", () => {
    for (const url of ["ftp://example.com/", "file:///etc/passwd", "https://a:b@example.com/", "example.com/x"]) {
      expect(() => checkWebhookUrl(url, true)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
    }
  });

  test("loopback, private and link-local targets are refused unless allowed", () => {
    const local = [
      "http://localhost/",
      "http://api.localhost/",
      "http://127.0.0.1/",
      "http://0.0.0.0/",
      "http://10.0.0.1/",
      "http://172.16.5.4/",
      "http://192.168.1.1/",
      "http://169.254.169.254/",
      "http://100.64.0.1/",
      "http://[::1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://[::ffff:10.0.0.1]/",
      "http://0x7f000001/",
    ];
    for (const url of local) {
      expect(() => checkWebhookUrl(url, false), url).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
      expect(checkWebhookUrl(url, true)).toBe(url);
    }
  });
});

describe("isPrivateAddress", () => {
  test("private, loopback and mapped addresses are private; public ones and names are not", () => {
    for (const address of ["10.1.2.3", "127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:a00:1", "fe80::1", "0.0.0.0"]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ["203.0.113.5", "2001:db8::1", "8.8.8.8", "example.com"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});
