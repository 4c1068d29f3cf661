import { describe, expect, test } from "vitest";
import { buildSerializer } from "../src/http/serializer.js";

const route = (schema: object) => ({ method: "GET", url: "/x", httpStatus: "200", schema });
const keySchema = () => ({
  type: "object",
  properties: { id: { type: "string" }, name: { anyOf: [{ type: "string" }, { type: "null" }] } },
});

describe("response serializers", () => {
  test("equal schemas (the same error shape on every route) are compiled once", () => {
    const compile = buildSerializer(undefined, {});
    const first = compile(route(keySchema()));
    expect(compile(route(keySchema()))).toBe(first);
    expect(compile(route({ type: "object", properties: { other: { type: "number" } } }))).not.toBe(first);
  });

  test("a serializer still writes only what its schema names", () => {
    const serialize = buildSerializer(undefined, {})(route(keySchema()));
    const out = serialize({ id: "key_1", name: null, secret: "must not be written" });
    expect(JSON.parse(out)).toEqual({ id: "key_1", name: null });
  });

  test("a schema with its own $id and references to shared schemas compile as before", () => {
    const shared = { Key: { $id: "Key", ...keySchema() } };
    const compile = buildSerializer(shared, {});
    const byRef = compile(route({ type: "object", properties: { data: { $ref: "Key#" } } }));
    expect(JSON.parse(byRef({ data: { id: "a", name: "n", extra: 1 } }))).toEqual({ data: { id: "a", name: "n" } });
    const withId = compile(route({ $id: "Own", ...keySchema() }));
    expect(JSON.parse(withId({ id: "b", name: "m", extra: 1 }))).toEqual({ id: "b", name: "m" });
  });

  test("a reference inside anyOf (checked by ajv as it writes) resolves to the shared schema", () => {
    const compile = buildSerializer({ ApiKey: { $id: "ApiKey", ...keySchema() } }, {});
    const serialize = compile(
      route({ type: "object", properties: { key: { anyOf: [{ $ref: "ApiKey" }, { type: "null" }] } } }),
    );
    expect(JSON.parse(serialize({ key: { id: "c", name: null, extra: 1 } }))).toEqual({ key: { id: "c", name: null } });
    expect(JSON.parse(serialize({ key: null }))).toEqual({ key: null });
  });
});
