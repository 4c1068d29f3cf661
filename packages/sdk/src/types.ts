import type { ApiKey, paths } from "./generated/openapi.js";

export type {
  ApiKey,
  ApiKeyEvent,
  AuditLog,
  ClientSecret,
  ErrorDocument,
  Group,
  GroupMembership,
  Invitation,
  Membership,
  Org,
  Permission,
  Project,
  paths,
  Role,
  Secret,
  ServiceAccount,
  Unauthorized,
  Webhook,
  WebhookDelivery,
} from "./generated/openapi.js";

/** A path of the API, as the OpenAPI document spells it. */
export type ApiPath = keyof paths;

/** The HTTP methods a path answers. */
export type ApiMethod<P extends ApiPath> = keyof paths[P] & string;

/** One operation of the API: its `path` and `query` parameters, `requestBody` and `response`. */
export type Operation<P extends ApiPath, M extends ApiMethod<P>> = paths[P][M];

/** The success answer of an operation (undefined for 204). */
export type ResponseOf<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { response: infer R } ? R : never;

/** The request body of an operation. */
export type RequestBodyOf<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends {
    requestBody?: infer B;
  }
    ? B
    : never;

/** The query parameters of an operation, without `version` (the client adds it). */
export type QueryOf<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { query: infer Q } ? Omit<Q, "version"> : Record<string, never>;

type AttributesOf<B> = B extends { data: { attributes: infer A } } ? A : never;

/** A reference to who owns or did something. */
export type PrincipalRef = ApiKey["attributes"]["owner"];

/** The attributes of an `api_key` resource. `key` is present only in create and regenerate answers. */
export type ApiKeyAttributes = ApiKey["attributes"];

/** Attributes accepted when creating a key. */
export type CreateKeyAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/api_keys", "post">>;

/** Attributes a key's PATCH accepts. */
export type UpdateKeyAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/api_keys/{id}", "patch">>;

/** Attributes an org's PATCH accepts: its name and policy fields (e.g. `idle_disable_days`). */
export type UpdateOrgAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}", "patch">>;

/** Attributes accepted when creating a personal token (no kind, no service account). */
export type CreateTokenAttributes = AttributesOf<RequestBodyOf<"/rest/self/tokens", "post">>;

/** Attributes accepted when creating a service account. */
export type CreateServiceAccountAttributes = AttributesOf<
  RequestBodyOf<"/rest/orgs/{org_id}/service_accounts", "post">
>;

/** Attributes accepted when adding a product permission to an org's catalogue. */
export type CreatePermissionAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/permissions", "post">>;

/** Attributes accepted when creating an org: its name and, optionally, its group. */
export type CreateOrgAttributes = AttributesOf<RequestBodyOf<"/rest/orgs", "post">>;

/** Attributes accepted when creating a group service account. */
export type CreateGroupServiceAccountAttributes = AttributesOf<
  RequestBodyOf<"/rest/groups/{group_id}/service_accounts", "post">
>;

/** Attributes a group service account's PATCH accepts: its name, its role. */
export type UpdateGroupServiceAccountAttributes = AttributesOf<
  RequestBodyOf<"/rest/groups/{group_id}/service_accounts/{id}", "patch">
>;

/** Attributes accepted when adding a group member: the email of an existing user and a built-in role. */
export type AddGroupMemberAttributes = AttributesOf<RequestBodyOf<"/rest/groups/{group_id}/memberships", "post">>;

/** Attributes accepted when adding a member: the email of an existing user, a role and role/scope pairs. */
export type AddMemberAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/memberships", "post">>;

/** Attributes a membership's PATCH accepts: its role and role/scope pairs. */
export type UpdateMemberAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/memberships/{id}", "patch">>;

/** Attributes a service account's PATCH accepts: its name, its role. */
export type UpdateServiceAccountAttributes = AttributesOf<
  RequestBodyOf<"/rest/orgs/{org_id}/service_accounts/{id}", "patch">
>;

/** Attributes accepted when creating a custom role. */
export type CreateRoleAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/roles", "post">>;

/** Attributes a custom role's PATCH accepts. */
export type UpdateRoleAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/roles/{id}", "patch">>;

/** Attributes accepted when creating a project. */
export type CreateProjectAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/projects", "post">>;

/** Filters of the key list and of a bulk revoke: `filter[status]` and the like, without the brackets. */
export type KeyFilter = {
  [K in keyof QueryOf<"/rest/orgs/{org_id}/api_keys", "get"> as K extends `filter[${infer N}]` ? N : never]: QueryOf<
    "/rest/orgs/{org_id}/api_keys",
    "get"
  >[K];
};

/** Filters of the audit log: `filter[action]` and the like, without the brackets. */
export type AuditFilter = {
  [K in keyof QueryOf<"/rest/orgs/{org_id}/audit_logs", "get"> as K extends `filter[${infer N}]` ? N : never]: QueryOf<
    "/rest/orgs/{org_id}/audit_logs",
    "get"
  >[K];
};

/** Filters of the personal-token list. */
export type TokenFilter = Pick<KeyFilter, "status" | "label" | "environment" | "name">;

/** Pagination of a list request. */
export type PageOptions = Pick<QueryOf<"/rest/orgs", "get">, "limit" | "starting_after" | "ending_before">;

/** A window and granularity of a usage request. */
export type UsageOptions = QueryOf<"/rest/orgs/{org_id}/usage", "get">;

/** A page of a list. */
export interface ListDocument<T> {
  data: T[];
  links: { self: string; next?: string; prev?: string };
}

/** The answer of `GET /rest/self`. */
export type SelfDocument = ResponseOf<"/rest/self", "get">;

/** Counts of verifications per bucket and outcome code (`GET …/usage`). */
export type Usage = ResponseOf<"/rest/orgs/{org_id}/usage", "get">["data"];

/** The answer of `POST /rest/api_keys/verify`. */
export type KeyVerification = ResponseOf<"/rest/api_keys/verify", "post">["data"]["attributes"];

/** A verification answer code. */
export type VerificationCode = KeyVerification["code"];

/** What a verification asks beyond the key itself. */
export type VerifyOptions = Omit<AttributesOf<RequestBodyOf<"/rest/api_keys/verify", "post">>, "key">;

/** What the bulk revoke answers: how many keys it revoked and their ids. */
export type BulkRevocation = ResponseOf<"/rest/orgs/{org_id}/api_keys/revoke", "post">["data"]["attributes"];

/** Attributes accepted when inviting someone to an org. */
export type CreateInvitationAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/invitations", "post">>;

/** The answer of sign-in, `GET /auth/session` and invitation acceptance: user, orgs and CSRF token. */
export type SessionInfo = ResponseOf<"/auth/session", "get">;
/** Attributes accepted when storing a vault secret: its name and value. */
export type CreateSecretAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/secrets", "post">>;

/** Attributes accepted when creating a webhook endpoint. */
export type CreateWebhookAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/webhooks", "post">>;

/** Attributes a webhook endpoint's PATCH accepts. */
export type UpdateWebhookAttributes = AttributesOf<RequestBodyOf<"/rest/orgs/{org_id}/webhooks/{id}", "patch">>;
