import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";

/**
 * The `$id` every response schema without one is compiled under. fast-json-stringify otherwise names
 * each compiled schema (and each schema it merges for `allOf`/`anyOf`) with a new counter, and keys a
 * new object by that name: with a serializer per route and status, well over a thousand names fill
 * V8's transition table of plain objects, after which every `{}` given a new first property (Node's
 * request headers among them) is a slow dictionary object, and a verification costs a third more.
 * Like fast-json-stringify's own names, it is no URI, so a reference such as `ApiKey` still resolves
 * to the shared schema of that `$id`.
 */
const ROOT_ID = "__latchkey_response";

type BuildSerializer = ReturnType<typeof SerializerSelector>;
type Serializer = (document: unknown) => string;

/**
 * Fastify's default serializer factory, compiling each distinct response schema once (the error
 * responses of every route are the same few) and under one root `$id`.
 */
export const buildSerializer: BuildSerializer = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  const compiled = new Map<string, Serializer>();
  return (route) => {
    const schema = route.schema as { $id?: unknown };
    if (schema.$id !== undefined) return compile(route);
    const content = JSON.stringify(schema);
    let serializer = compiled.get(content);
    if (serializer === undefined) {
      serializer = compile({ ...route, schema: { ...schema, $id: ROOT_ID } });
      compiled.set(content, serializer);
    }
    return serializer;
  };
};
