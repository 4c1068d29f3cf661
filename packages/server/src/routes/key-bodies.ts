import {
  type CreateKeyInput,
  ENVIRONMENT_PATTERN,
  EXPIRY_PRESETS,
  type ExpiresIn,
  type KeyFilter,
  type KeyKind,
  LABEL_PATTERN,
  MAX_ALLOWLIST_ENTRIES,
  MAX_DESCRIPTION_LENGTH,
  MAX_GRACE_PERIOD_SECONDS,
  MAX_LABELS,
  MAX_NAME_LENGTH,
  PERMISSION_PATTERN,
  SECRET_NAME_PATTERN,
  UUID_PATTERN,
} from "@latchkey/core";
import { type Static, Type } from "typebox";
import { KeyFilterQuery, RoleBindings, requestBody } from "../http/schemas.js";

const Name = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH });
const Description = Type.String({ maxLength: MAX_DESCRIPTION_LENGTH });
const Permissions = Type.Array(Type.String({ pattern: PERMISSION_PATTERN }), {
  maxItems: 100,
  description: "resource:action strings; `*` may stand for either part. Capped by what the creator holds.",
});
const Labels = Type.Array(Type.String({ pattern: LABEL_PATTERN }), { maxItems: MAX_LABELS });
const Metadata = Type.Object({}, { additionalProperties: true, description: "Any JSON object up to 4 KiB." });
const IpAllowlist = Type.Array(Type.String({ maxLength: 50 }), {
  maxItems: MAX_ALLOWLIST_ENTRIES,
  description: "IPv4 and IPv6 CIDRs the key may be used from; empty: anywhere.",
});
const RateLimit = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    window_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
  },
  { additionalProperties: false, description: "At most `limit` units of cost per window." },
);
const Quota = Type.Object(
  {
    remaining: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    refill: Type.Optional(
      Type.Union([
        Type.Object(
          {
            amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
            interval: Type.Union([Type.Literal("day"), Type.Literal("month")]),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
  },
  {
    additionalProperties: false,
    description: "Units left; refilled to `amount` at the start of each UTC day or month.",
  },
);

/** Attributes of a key-creation request (SPEC §5). */
export const CreateKeyAttributes = Type.Object(
  {
    name: Name,
    kind: Type.Optional(
      Type.Union([Type.Literal("service"), Type.Literal("personal"), Type.Literal("publishable")], {
        default: "service",
        description:
          "service (default) or personal. publishable is refused (400 PUBLISHABLE_KEY_NOT_CREATABLE): an org's publishable keys come with its environments.",
      }),
    ),
    service_account_id: Type.Optional(Type.String({ pattern: UUID_PATTERN })),
    description: Type.Optional(Description),
    environment: Type.Optional(Type.String({ pattern: ENVIRONMENT_PATTERN, description: "Default live." })),
    permissions: Type.Optional(Permissions),
    roles: Type.Optional(RoleBindings),
    labels: Type.Optional(Labels),
    metadata: Type.Optional(Metadata),
    expires_in: Type.Optional(
      Type.Union(
        [...Object.keys(EXPIRY_PRESETS), "never"].map((preset) => Type.Literal(preset)),
        {
          description: "An expiry preset; `never` only where the org's policy allows it.",
        },
      ),
    ),
    expires_at: Type.Optional(Type.String({ format: "date-time", description: "A custom expiry (UTC)." })),
    ip_allowlist: Type.Optional(IpAllowlist),
    rate_limit: Type.Optional(Type.Union([RateLimit, Type.Null()])),
    quota: Type.Optional(Type.Union([Quota, Type.Null()])),
    save_to_vault: Type.Optional(
      Type.Object(
        { name: Type.String({ pattern: SECRET_NAME_PATTERN, description: "The vault secret's name." }) },
        {
          additionalProperties: false,
          description:
            "Also store the new key in the org's vault under this name, in the same transaction (needs secrets:write). A name already in use fails the whole creation (409) and no key is made.",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The JSON:API body of a key-creation request. */
export const CreateKeyBody = requestBody("api_key", CreateKeyAttributes);

/** The body of a personal-token creation request: no kind, no service account. */
export const CreateTokenBody = requestBody(
  "api_key",
  Type.Omit(CreateKeyAttributes, ["kind", "service_account_id", "save_to_vault"], { additionalProperties: false }),
);

/** The JSON:API body of a key PATCH. */
export const UpdateKeyBody = requestBody(
  "api_key",
  Type.Object(
    {
      name: Type.Optional(Name),
      description: Type.Optional(Type.Union([Description, Type.Null()])),
      labels: Type.Optional(Labels),
      metadata: Type.Optional(Metadata),
      permissions: Type.Optional(Permissions),
      roles: Type.Optional(RoleBindings),
      ip_allowlist: Type.Optional(IpAllowlist),
      rate_limit: Type.Optional(Type.Union([RateLimit, Type.Null()])),
      quota: Type.Optional(Type.Union([Quota, Type.Null()])),
    },
    { additionalProperties: false },
  ),
);

const GracePeriod = Type.Integer({
  minimum: 0,
  maximum: MAX_GRACE_PERIOD_SECONDS,
  default: 0,
  description: "How long the old secret keeps working (0 = stops at once; at most 7 days).",
});

/** The optional body of a personal token's regenerate request. */
export const RegenerateBody = Type.Union([
  Type.Null(),
  requestBody(
    "api_key",
    Type.Object({ grace_period_seconds: Type.Optional(GracePeriod) }, { additionalProperties: false }),
  ),
]);

/** The optional body of an org key's regenerate request: it may also save the new secret into the vault. */
export const RegenerateKeyBody = Type.Union([
  Type.Null(),
  requestBody(
    "api_key",
    Type.Object(
      {
        grace_period_seconds: Type.Optional(GracePeriod),
        save_to_vault: Type.Optional(
          Type.Object(
            { name: Type.String({ pattern: SECRET_NAME_PATTERN, description: "The vault secret's name." }) },
            {
              additionalProperties: false,
              description:
                "Also store the new secret in the org's vault under this name, in the same transaction (needs secrets:write). A name already in use fails the regeneration (409) and the key keeps its secret.",
            },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ),
]);

/** The body of a bulk revoke: the filter the keys to revoke match. */
export const BulkRevokeBody = requestBody(
  "api_key_revocation",
  Type.Object(
    {
      filter: Type.Object(
        Object.fromEntries(
          Object.entries(KeyFilterQuery).map(([name, schema]) => [name.slice("filter[".length, -1), schema]),
        ),
        { additionalProperties: false, minProperties: 1 },
      ),
    },
    { additionalProperties: false },
  ),
);

/** Maps a creation request's attributes to the service's input. */
export function createKeyInput(
  attributes: Partial<Static<typeof CreateKeyAttributes>> & { name: string },
  kind: KeyKind,
): CreateKeyInput {
  return {
    kind,
    name: attributes.name,
    description: attributes.description,
    environment: attributes.environment,
    permissions: attributes.permissions,
    roles: attributes.roles,
    labels: attributes.labels,
    metadata: attributes.metadata,
    expiresIn: attributes.expires_in as ExpiresIn | undefined,
    expiresAt: attributes.expires_at === undefined ? undefined : new Date(attributes.expires_at),
    serviceAccountId: attributes.service_account_id,
    saveToVault: attributes.save_to_vault,
    ...limitInput(attributes),
  };
}

type LimitAttributes = {
  ip_allowlist?: string[] | undefined;
  rate_limit?: { limit: number; window_seconds: number } | null | undefined;
  quota?:
    | { remaining: number; refill?: { amount: number; interval: "day" | "month" } | null | undefined }
    | null
    | undefined;
};

/** Maps the IP allowlist, rate limit and quota attributes of a create or PATCH to the service's input. */
export function limitInput(attributes: LimitAttributes) {
  return {
    ipAllowlist: attributes.ip_allowlist,
    rateLimit:
      attributes.rate_limit === undefined || attributes.rate_limit === null
        ? attributes.rate_limit
        : { limit: attributes.rate_limit.limit, windowSeconds: attributes.rate_limit.window_seconds },
    quota: attributes.quota,
  };
}

/** Reads `filter[...]` query parameters (or a bulk revoke's filter object) into a key filter. */
export function keyFilterOf(source: Record<string, unknown>, bracketed: boolean): KeyFilter {
  const get = (name: string) => source[bracketed ? `filter[${name}]` : name] as string | undefined;
  return {
    status: get("status") as KeyFilter["status"],
    label: get("label"),
    kind: get("kind") as KeyFilter["kind"],
    environment: get("environment"),
    ownerId: get("owner")?.toLowerCase(),
    name: get("name"),
  };
}
