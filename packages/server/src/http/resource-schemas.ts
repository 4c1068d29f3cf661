import { Type } from "typebox";
import { Nullable, PrincipalRef, StringEnum } from "./schemas.js";

const Time = Nullable(Type.String({ format: "date-time" }));
const SelfLink = Type.Object({ self: Type.String() });

/** Role/scope pairs as answers show them. */
const RoleBindingList = Type.Array(Type.Object({ role: Type.String(), scope: Type.String() }), {
  description: "Role/scope pairs: each role's permissions at its scope (group, org or project:<id>).",
});

/** The `api_key` resource. `attributes.key` appears only in the answers to create and regenerate. */
export const ApiKeyResource = Type.Object(
  {
    type: Type.Literal("api_key"),
    id: Type.String({ format: "uuid" }),
    attributes: Type.Object({
      key: Type.Optional(
        Type.String({
          description:
            "The secret. Shown once, in the answer to create or regenerate; a publishable key's (public) value is also shown by GET …/publishable_keys.",
        }),
      ),
      name: Type.String(),
      description: Nullable(Type.String()),
      kind: StringEnum(["personal", "service", "publishable"]),
      org_id: Type.String(),
      owner: PrincipalRef,
      environment: Type.String(),
      hint: Type.String({ description: "<prefix>_<first 4>…<last 4>" }),
      status: StringEnum(["active", "expired", "revoked", "disabled"]),
      enabled: Type.Boolean(),
      permissions: Type.Array(Type.String()),
      roles: RoleBindingList,
      labels: Type.Array(Type.String()),
      metadata: Type.Object({}, { additionalProperties: true }),
      expires_at: Time,
      created_at: Type.String({ format: "date-time" }),
      created_by: PrincipalRef,
      last_used_at: Time,
      last_used_ip: Nullable(Type.String()),
      rotated_at: Time,
      revoked_at: Time,
      ip_allowlist: Type.Array(Type.String()),
      rate_limit: Nullable(Type.Object({ limit: Type.Integer(), window_seconds: Type.Integer() })),
      quota: Nullable(
        Type.Object({
          remaining: Type.Integer({
            description: "Units left (as last stored; verification answers carry the live figure).",
          }),
          refill: Nullable(Type.Object({ amount: Type.Integer(), interval: StringEnum(["day", "month"]) })),
        }),
      ),
      leak: Nullable(
        Type.Object(
          {
            reported_at: Type.String({ format: "date-time" }),
            source: Type.String({ description: "Who reported it: github." }),
            url: Type.String({ description: "Where the secret was found in public (may be empty)." }),
          },
          { description: "A secret scanner found the key in public (the key was revoked then); null if never." },
        ),
      ),
    }),
    links: SelfLink,
  },
  { $id: "ApiKey" },
);

/** A key lifecycle event. */
export const KeyEventResource = Type.Object(
  {
    type: Type.Literal("api_key_event"),
    id: Type.String(),
    attributes: Type.Object({
      event: Type.String({
        description: "created, updated, regenerated, revoked, disabled, enabled, deleted or leaked",
      }),
      key_id: Type.String(),
      actor: Type.Object({
        type: StringEnum(["user", "service_account", "org", "system", "anonymous"]),
        id: Type.String(),
      }),
      request_id: Nullable(Type.String()),
      created_at: Type.String({ format: "date-time" }),
      detail: Type.Object({}, { additionalProperties: true }),
    }),
  },
  { $id: "ApiKeyEvent" },
);

/** The `service_account` resource. */
export const ServiceAccountResource = Type.Object(
  {
    type: Type.Literal("service_account"),
    id: Type.String(),
    attributes: Type.Object({
      name: Type.String(),
      role: Type.String(),
      auth_type: StringEnum(["api_key", "oauth_client_secret"]),
      client_id: Nullable(Type.String({ description: "The OAuth2 client id (OAuth accounts; null otherwise)." })),
      client_secret: Type.Optional(
        Type.String({ description: "The first OAuth2 client secret. Shown once, in the answer to create only." }),
      ),
      access_token_ttl_seconds: Nullable(
        Type.Integer({ description: "The lifetime of the account's OAuth2 access tokens (OAuth accounts only)." }),
      ),
      org_id: Nullable(Type.String({ description: "The org of an org's account; null for a group's." })),
      group_id: Nullable(
        Type.String({
          description: "The group of a group's account (its keys work in any org of it); null for an org's.",
        }),
      ),
      created_at: Type.String({ format: "date-time" }),
      created_by: PrincipalRef,
    }),
    links: SelfLink,
  },
  { $id: "ServiceAccount" },
);

/** The `membership` resource: a person's role in an org. */
export const MembershipResource = Type.Object(
  {
    type: Type.Literal("membership"),
    id: Type.String(),
    attributes: Type.Object({
      role: Type.String({
        description: "The member's role in the whole org: built-in or one of the org's custom roles.",
      }),
      roles: RoleBindingList,
      user_id: Type.String(),
      email: Type.String(),
      name: Type.String(),
      org_id: Type.String(),
      created_at: Type.String({ format: "date-time" }),
    }),
    links: SelfLink,
  },
  { $id: "Membership" },
);

/** The `client_secret` resource: an OAuth client secret of a service account (its value only once). */
export const ClientSecretResource = Type.Object(
  {
    type: Type.Literal("client_secret"),
    id: Type.String({ format: "uuid" }),
    attributes: Type.Object({
      client_id: Type.String({ description: "The OAuth2 client id: the service account's id." }),
      client_secret: Type.Optional(
        Type.String({ description: "The secret. Shown once, in the answer that issued it only." }),
      ),
      hint: Type.String({ description: "lkcs_<first 4>…<last 4>" }),
      status: StringEnum(["active", "expired", "revoked"]),
      created_at: Type.String({ format: "date-time" }),
      expires_at: Nullable(Type.String({ format: "date-time", description: "The end of its grace period." })),
      revoked_at: Time,
    }),
  },
  { $id: "ClientSecret" },
);

/** The `audit_log` resource: one event of the hash-chained audit log. */
export const AuditLogResource = Type.Object(
  {
    type: Type.Literal("audit_log"),
    id: Type.String(),
    attributes: Type.Object({
      seq: Type.Integer({ description: "The event's place in the whole log: 1, 2, 3, … without gaps." }),
      action: Type.String({ description: "What happened, e.g. api_key.created, secret.read." }),
      actor: Type.Object({
        type: StringEnum(["user", "service_account", "org", "system", "anonymous"]),
        id: Type.String(),
      }),
      target: Type.Object({ type: Type.String(), id: Type.String() }),
      org_id: Type.String(),
      created_at: Type.String({ format: "date-time" }),
      ip: Nullable(Type.String()),
      request_id: Nullable(Type.String()),
      detail: Type.Object({}, { additionalProperties: true }),
      prev_hash: Type.String({ description: "The hash of the event before (64 zeros for the first)." }),
      hash: Type.String({ description: "SHA-256 over prev_hash and this event's canonical form." }),
    }),
  },
  { $id: "AuditLog" },
);

/** The `org` resource. */
export const OrgResource = Type.Object(
  {
    type: Type.Literal("org"),
    id: Type.String(),
    attributes: Type.Object({
      name: Type.String(),
      slug: Type.String(),
      group_id: Type.String({ description: "The group the org belongs to: roles held in the group cover it." }),
      created_at: Type.String({ format: "date-time" }),
      policy: Type.Object({
        allow_never_expiring: Type.Boolean(),
        max_lifetime_seconds: Type.Integer(),
        environments: Type.Array(Type.String()),
        idle_disable_days: Nullable(
          Type.Integer({ description: "Keys unused for this many days are disabled; null: the idle policy is off." }),
        ),
        service_key_creator_roles: Type.Array(Type.String(), {
          description: "The built-in roles that may create service keys.",
        }),
        key_prefixes: Type.Object(
          { personal: Type.String(), service: Type.String(), publishable: Type.String() },
          { description: "The prefix new keys of each kind get." },
        ),
      }),
    }),
    links: SelfLink,
  },
  { $id: "Org" },
);

/** The `secret` resource: a vault secret. `attributes.value` appears only in a reveal's answer. */
export const SecretResource = Type.Object(
  {
    type: Type.Literal("secret"),
    id: Type.String({ format: "uuid" }),
    attributes: Type.Object({
      name: Type.String(),
      value: Type.Optional(
        Type.String({ description: "The secret's value: only in the answer to GET …/secrets/{id}?reveal=true." }),
      ),
      org_id: Type.String(),
      created_at: Type.String({ format: "date-time" }),
      updated_at: Type.String({ format: "date-time" }),
      created_by: PrincipalRef,
    }),
    links: SelfLink,
  },
  { $id: "Secret" },
);

/** The `webhook` resource. `attributes.secret` appears only in the answers to create and rotate_secret. */
export const WebhookResource = Type.Object(
  {
    type: Type.Literal("webhook"),
    id: Type.String({ format: "uuid" }),
    attributes: Type.Object({
      secret: Type.Optional(
        Type.String({ description: "The signing secret (whsec_…). Shown once, in this answer only." }),
      ),
      url: Type.String(),
      description: Nullable(Type.String()),
      event_types: Type.Array(Type.String(), { description: "Event types of the catalogue, or * for all." }),
      enabled: Type.Boolean(),
      org_id: Type.String(),
      created_at: Type.String({ format: "date-time" }),
      created_by: Type.Object({ type: Type.String(), id: Type.String() }),
      updated_at: Type.String({ format: "date-time" }),
    }),
    links: SelfLink,
  },
  { $id: "Webhook" },
);

/** The `webhook_delivery` resource: one event on its way to one endpoint, with its attempts. */
export const WebhookDeliveryResource = Type.Object(
  {
    type: Type.Literal("webhook_delivery"),
    id: Type.String({ format: "uuid" }),
    attributes: Type.Object({
      webhook_id: Type.String(),
      event_id: Type.String({ description: "The audit event's id: receivers deduplicate on it." }),
      event_type: Type.String(),
      status: StringEnum(["pending", "succeeded", "failed"]),
      attempts: Type.Integer(),
      next_attempt_at: Time,
      last_attempt_at: Time,
      last_status_code: Nullable(Type.Integer()),
      last_error: Nullable(Type.String()),
      created_at: Type.String({ format: "date-time" }),
      redelivery_of: Nullable(Type.String({ description: "The delivery a manual redelivery repeats." })),
      payload: Type.Object({}, { additionalProperties: true, description: "The JSON body sent." }),
      attempt_log: Type.Array(
        Type.Object({
          attempt: Type.Integer(),
          at: Type.String({ format: "date-time" }),
          status_code: Nullable(Type.Integer()),
          duration_ms: Type.Integer(),
          error: Nullable(Type.String()),
        }),
      ),
    }),
  },
  { $id: "WebhookDelivery" },
);

/** The `group` resource: a group of orgs. */
export const GroupResource = Type.Object(
  {
    type: Type.Literal("group"),
    id: Type.String(),
    attributes: Type.Object({
      name: Type.String(),
      slug: Type.String(),
      created_at: Type.String({ format: "date-time" }),
    }),
    links: SelfLink,
  },
  { $id: "Group" },
);

/** The `group_membership` resource: a person's role in a group, which covers every org of the group. */
export const GroupMembershipResource = Type.Object(
  {
    type: Type.Literal("group_membership"),
    id: Type.String(),
    attributes: Type.Object({
      role: Type.String({ description: "A built-in role: owner, super_admin, admin, member or viewer." }),
      user_id: Type.String(),
      email: Type.String(),
      name: Type.String(),
      group_id: Type.String(),
      created_at: Type.String({ format: "date-time" }),
    }),
    links: SelfLink,
  },
  { $id: "GroupMembership" },
);
