import { describe, expect, test } from "vitest";
import { parseForm, readTokenRequest } from "./oauth-request.js";

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

describe("parseForm", () => {
  test("reads parameters and refuses a repeated one", () => {
    expect(parseForm("grant_type=client_credentials&scope=a%3Ab+c%3Ad")).toEqual({
      grant_type: "client_credentials",
      scope: "a:b c:d",
    });
    expect(parseForm("a=1&a=2")).toBeNull();
  });
});

describe("readTokenRequest", () => {
  const grant = { grant_type: "client_credentials" };

  test("client_secret_post and client_secret_basic", () => {
    expect(readTokenRequest({ ...grant, client_id: "id", client_secret: "s" }, undefined, 100)).toEqual({
      clientId: "id",
      clientSecret: "s",
      scope: undefined,
      basic: false,
    });
    expect(readTokenRequest({ ...grant, scope: "a:b" }, basic("id", "s%2B1"), 100)).toEqual({
      clientId: "id",
      clientSecret: "s+1",
      scope: "a:b",
      basic: true,
    });
    expect(readTokenRequest({ ...grant, client_id: "id" }, basic("id", "s"), 100)).toMatchObject({ clientId: "id" });
  });

  test.each([
    ["no object", "x", undefined, "invalid_request"],
    ["an array", [], undefined, "invalid_request"],
    ["no grant type", { client_id: "id", client_secret: "s" }, undefined, "invalid_request"],
    ["a number", { grant_type: 1 }, undefined, "invalid_request"],
    ["another grant", { grant_type: "password" }, undefined, "unsupported_grant_type"],
    [
      "a long scope",
      { ...grant, scope: "x".repeat(101), client_id: "i", client_secret: "s" },
      undefined,
      "invalid_request",
    ],
    ["no client", grant, undefined, "invalid_client"],
    ["no secret", { ...grant, client_id: "id" }, undefined, "invalid_client"],
    ["two methods", { ...grant, client_secret: "s" }, basic("id", "s"), "invalid_request"],
    ["two client ids", { ...grant, client_id: "other" }, basic("id", "s"), "invalid_request"],
    ["malformed Basic", grant, "Basic !!!", "invalid_client"],
    ["Basic without a colon", grant, `Basic ${Buffer.from("id").toString("base64")}`, "invalid_client"],
    ["Basic with bad escapes", grant, basic("id", "%zz"), "invalid_client"],
    ["a Bearer header", grant, "Bearer x", "invalid_client"],
    ["a huge secret", { ...grant, client_id: "id", client_secret: "s".repeat(513) }, undefined, "invalid_client"],
  ])("%s: %s", (_name, body, authorization, error) => {
    expect(readTokenRequest(body, authorization, 100)).toMatchObject({ error });
  });

  test("the Basic flag follows the header, for WWW-Authenticate", () => {
    expect(readTokenRequest(grant, basic("id", ""), 100)).toMatchObject({ error: "invalid_client", basic: true });
    expect(readTokenRequest(grant, undefined, 100)).toMatchObject({ error: "invalid_client", basic: false });
  });
});
