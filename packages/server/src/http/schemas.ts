import {
  ENVIRONMENT_PATTERN,
  KEY_STATUSES,
  LABEL_PATTERN,
  MAX_ROLE_BINDINGS,
  ROLE_NAME_PATTERN,
  ROLE_SCOPE_PATTERN,
  UUID_PATTERN,
} from "@latchkey/core";
import { type Static, type TSchema, Type } from "typebox";

/**
 * A value or null, as one JSON Schema type list rather than `anyOf`: response serializers then need no
 * validation to pick a branch.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string } & Record<string, unknown>;
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, "null"] });
}

/** One of several strings, as `enum` rather than a union of constants (cheaper to serialize). */
export function StringEnum<T extends string>(
  values: readonly T[],
  options: { description?: string; default?: T } = {},
) {
  return Type.Unsafe<T>({ type: "string", enum: [...values], ...options });
}

/** `?version=` of every /rest route. */
export const Version = Type.String({
  description: "API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10.",
  examples: ["2024-06-10"],
});

/** A UUID path or body value. */
export const Uuid = Type.String({ pattern: UUID_PATTERN, description: "A UUID." });

/** Query of a route that takes only the version. */
export const VersionQuery = Type.Object({ version: Version });

/** Query of a list route: version and cursor pagination. */
export const PageQuery = Type.Object({
  version: Version,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: "Page size, 1–100." })),
  starting_after: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: "Return items after this id." })),
  ending_before: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: "Return items before this id." })),
});

/** Key list filters (`filter[...]`). */
export const KeyFilterQuery = {
  "filter[status]": Type.Optional(Type.Union(KEY_STATUSES.map((s) => Type.Literal(s)))),
  "filter[label]": Type.Optional(Type.String({ pattern: LABEL_PATTERN })),
  "filter[kind]": Type.Optional(
    Type.Union([Type.Literal("personal"), Type.Literal("service"), Type.Literal("publishable")]),
  ),
  "filter[environment]": Type.Optional(Type.String({ pattern: ENVIRONMENT_PATTERN })),
  "filter[owner]": Type.Optional(
    Type.String({ pattern: UUID_PATTERN, description: "Owner id: user, service account or org." }),
  ),
  "filter[name]": Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: "Case-insensitive part of the name." }),
  ),
};

/** `{org_id}` path parameters. */
export const OrgParams = Type.Object({ org_id: Uuid });
/** `{org_id}/…/{id}` path parameters. */
export const OrgItemParams = Type.Object({ org_id: Uuid, id: Uuid });
/** `{group_id}` path parameters. */
export const GroupParams = Type.Object({ group_id: Uuid });
/** `{group_id}/…/{id}` path parameters. */
export const GroupItemParams = Type.Object({ group_id: Uuid, id: Uuid });
/** `{id}` path parameters. */
export const ItemParams = Type.Object({ id: Uuid });

/** A principal reference: who owns or did something. */
export const PrincipalRef = Type.Object({
  type: StringEnum(["user", "service_account", "org"]),
  id: Type.String(),
});

const Links = Type.Object(
  { self: Type.String(), next: Type.Optional(Type.String()), prev: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

const JsonApiVersion = Type.Object({ version: Type.Literal("1.0") });

/** The JSON:API error document (every error but the exact 401). */
export const ErrorDocument = Type.Object(
  {
    jsonapi: JsonApiVersion,
    errors: Type.Array(
      Type.Object({
        id: Type.String({ description: "The request id." }),
        status: Type.String(),
        code: Type.String({ description: "UPPER_SNAKE error code; see the error catalogue." }),
        title: Type.String(),
        detail: Type.String(),
        source: Type.Optional(
          Type.Union([Type.Object({ pointer: Type.String() }), Type.Object({ parameter: Type.String() })]),
        ),
      }),
    ),
  },
  { $id: "ErrorDocument", description: "A JSON:API error document." },
);

/** The exact body of every 401. */
export const UnauthorizedBody = Type.Object(
  { status: Type.Literal("401"), code: Type.Literal("Unauthorized") },
  { $id: "Unauthorized", description: 'Exactly {"status":"401","code":"Unauthorized"}.' },
);

/** A JSON:API document holding one resource. */
export function single(resource: TSchema) {
  return Type.Object({ jsonapi: JsonApiVersion, data: resource, links: Type.Optional(Links) });
}

/** A JSON:API document holding a page of resources. */
export function list(resource: TSchema) {
  return Type.Object({ jsonapi: JsonApiVersion, data: Type.Array(resource), links: Links });
}

/** A JSON:API request body `{data: {type, attributes}}`. */
export function requestBody<T extends TSchema>(type: string, attributes: T) {
  return Type.Object(
    {
      data: Type.Object({ type: Type.Literal(type), attributes }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  );
}

/** The error responses every authenticated /rest route may give. */
export const ERROR_RESPONSES = {
  400: Type.Ref("ErrorDocument"),
  401: Type.Ref("Unauthorized"),
  403: Type.Ref("ErrorDocument"),
  404: Type.Ref("ErrorDocument"),
  413: Type.Ref("ErrorDocument"),
  429: Type.Ref("ErrorDocument"),
};

/** A role's name: built-in or one of the org's custom roles. */
export const RoleName = Type.String({
  pattern: ROLE_NAME_PATTERN,
  description:
    "A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles (GET /orgs/{org_id}/roles).",
});

/** Role/scope pairs, as keys and memberships carry them (SPEC §1). */
export const RoleBindings = Type.Array(
  Type.Object(
    {
      role: RoleName,
      scope: Type.String({
        pattern: ROLE_SCOPE_PATTERN,
        description: "group, org, or project:<project id>; a wider scope covers the narrower ones.",
      }),
    },
    { additionalProperties: false },
  ),
  {
    maxItems: MAX_ROLE_BINDINGS,
    description:
      "Role/scope pairs: each role's permissions hold at its scope, on top of the org-wide ones. None may hold more than you do at that scope.",
  },
);
