// Generated from Latchkey's OpenAPI document by scripts/generate-sdk-types.mjs. Do not edit:
// run `npm run generate:sdk` after changing a route's schema.

export interface ApiKey {
  type: "api_key";
  id: string;
  attributes: {
    /** The secret. Shown once, in the answer to create or regenerate; a publishable key's (public) value is also shown by GET …/publishable_keys. */
    key?: string;
    name: string;
    description: string | null;
    kind: "personal" | "service" | "publishable";
    org_id: string;
    owner: {
      type: "user" | "service_account" | "org";
      id: string;
    };
    environment: string;
    /** <prefix>_<first 4>…<last 4> */
    hint: string;
    status: "active" | "expired" | "revoked" | "disabled";
    enabled: boolean;
    permissions: string[];
    /** Role/scope pairs: each role's permissions at its scope (group, org or project:<id>). */
    roles: {
      role: string;
      scope: string;
    }[];
    labels: string[];
    metadata: Record<string, unknown>;
    expires_at: string | null;
    created_at: string;
    created_by: {
      type: "user" | "service_account" | "org";
      id: string;
    };
    last_used_at: string | null;
    last_used_ip: string | null;
    rotated_at: string | null;
    revoked_at: string | null;
    ip_allowlist: string[];
    rate_limit: {
      limit: number;
      window_seconds: number;
    } | null;
    quota: {
      /** Units left (as last stored; verification answers carry the live figure). */
      remaining: number;
      refill: {
        amount: number;
        interval: "day" | "month";
      } | null;
    } | null;
    /** A secret scanner found the key in public (the key was revoked then); null if never. */
    leak: {
      reported_at: string;
      /** Who reported it: github. */
      source: string;
      /** Where the secret was found in public (may be empty). */
      url: string;
    } | null;
  };
  links: {
    self: string;
  };
}

export interface ApiKeyEvent {
  type: "api_key_event";
  id: string;
  attributes: {
    /** created, updated, regenerated, revoked, disabled, enabled, deleted or leaked */
    event: string;
    key_id: string;
    actor: {
      type: "user" | "service_account" | "org" | "system" | "anonymous";
      id: string;
    };
    request_id: string | null;
    created_at: string;
    detail: Record<string, unknown>;
  };
}

export interface AuditLog {
  type: "audit_log";
  id: string;
  attributes: {
    /** The event's place in the whole log: 1, 2, 3, … without gaps. */
    seq: number;
    /** What happened, e.g. api_key.created, secret.read. */
    action: string;
    actor: {
      type: "user" | "service_account" | "org" | "system" | "anonymous";
      id: string;
    };
    target: {
      type: string;
      id: string;
    };
    org_id: string;
    created_at: string;
    ip: string | null;
    request_id: string | null;
    detail: Record<string, unknown>;
    /** The hash of the event before (64 zeros for the first). */
    prev_hash: string;
    /** SHA-256 over prev_hash and this event's canonical form. */
    hash: string;
  };
}

export interface ClientSecret {
  type: "client_secret";
  id: string;
  attributes: {
    /** The OAuth2 client id: the service account's id. */
    client_id: string;
    /** The secret. Shown once, in the answer that issued it only. */
    client_secret?: string;
    /** lkcs_<first 4>…<last 4> */
    hint: string;
    status: "active" | "expired" | "revoked";
    created_at: string;
    /** The end of its grace period. */
    expires_at: string | null;
    revoked_at: string | null;
  };
}

/** A JSON:API error document. */
export interface ErrorDocument {
  jsonapi: {
    version: "1.0";
  };
  errors: {
    /** The request id. */
    id: string;
    status: string;
    /** UPPER_SNAKE error code; see the error catalogue. */
    code: string;
    title: string;
    detail: string;
    source?:
      | {
          pointer: string;
        }
      | {
          parameter: string;
        };
  }[];
}

export interface Group {
  type: "group";
  id: string;
  attributes: {
    name: string;
    slug: string;
    created_at: string;
  };
  links: {
    self: string;
  };
}

export interface GroupMembership {
  type: "group_membership";
  id: string;
  attributes: {
    /** A built-in role: owner, super_admin, admin, member or viewer. */
    role: string;
    user_id: string;
    email: string;
    name: string;
    group_id: string;
    created_at: string;
  };
  links: {
    self: string;
  };
}

export interface Invitation {
  type: "invitation";
  id: string;
  attributes: {
    email: string;
    role: string;
    org_id: string;
    created_at: string;
    expires_at: string;
    created_by: {
      type: "user" | "service_account" | "org";
      id: string;
    };
    /** The one-time link for the invitee: in the answer to create only, never again. */
    link?: string;
  };
  links: {
    self: string;
  };
}

export interface Membership {
  type: "membership";
  id: string;
  attributes: {
    /** The member's role in the whole org: built-in or one of the org's custom roles. */
    role: string;
    /** Role/scope pairs: each role's permissions at its scope (group, org or project:<id>). */
    roles: {
      role: string;
      scope: string;
    }[];
    user_id: string;
    email: string;
    name: string;
    org_id: string;
    created_at: string;
  };
  links: {
    self: string;
  };
}

export interface Org {
  type: "org";
  id: string;
  attributes: {
    name: string;
    slug: string;
    /** The group the org belongs to: roles held in the group cover it. */
    group_id: string;
    created_at: string;
    policy: {
      allow_never_expiring: boolean;
      max_lifetime_seconds: number;
      environments: string[];
      /** Keys unused for this many days are disabled; null: the idle policy is off. */
      idle_disable_days: number | null;
      /** The built-in roles that may create service keys. */
      service_key_creator_roles: string[];
      /** The prefix new keys of each kind get. */
      key_prefixes: {
        personal: string;
        service: string;
        publishable: string;
      };
    };
  };
  links: {
    self: string;
  };
}

export interface Permission {
  type: "permission";
  /** The permission itself, resource:action. */
  id: string;
  attributes: {
    name: string;
    description: string;
    /** Whether publishable keys may carry it. */
    publishable: boolean;
    /** latchkey: one of Latchkey's own permissions; org: one of the org's product permissions. */
    source: "latchkey" | "org";
  };
}

export interface Project {
  type: "project";
  id: string;
  attributes: {
    name: string;
    description: string | null;
    /** The scope that binds roles to this project: project:<id>. */
    scope: string;
    org_id: string;
    created_at: string;
    created_by: {
      type: "user" | "service_account" | "org";
      id: string;
    };
  };
  links: {
    self: string;
  };
}

export interface Role {
  type: "role";
  /** The name of a built-in role; the UUID of a custom role. */
  id: string;
  attributes: {
    name: string;
    description: string;
    /** What the role grants, wildcards allowed. */
    permissions: string[];
    built_in: boolean;
    created_at: string | null;
  };
  links?: {
    self: string;
  };
}

export interface Secret {
  type: "secret";
  id: string;
  attributes: {
    name: string;
    /** The secret's value: only in the answer to GET …/secrets/{id}?reveal=true. */
    value?: string;
    org_id: string;
    created_at: string;
    updated_at: string;
    created_by: {
      type: "user" | "service_account" | "org";
      id: string;
    };
  };
  links: {
    self: string;
  };
}

export interface ServiceAccount {
  type: "service_account";
  id: string;
  attributes: {
    name: string;
    role: string;
    auth_type: "api_key" | "oauth_client_secret";
    /** The OAuth2 client id (OAuth accounts; null otherwise). */
    client_id: string | null;
    /** The first OAuth2 client secret. Shown once, in the answer to create only. */
    client_secret?: string;
    /** The lifetime of the account's OAuth2 access tokens (OAuth accounts only). */
    access_token_ttl_seconds: number | null;
    /** The org of an org's account; null for a group's. */
    org_id: string | null;
    /** The group of a group's account (its keys work in any org of it); null for an org's. */
    group_id: string | null;
    created_at: string;
    created_by: {
      type: "user" | "service_account" | "org";
      id: string;
    };
  };
  links: {
    self: string;
  };
}

/** Exactly {"status":"401","code":"Unauthorized"}. */
export interface Unauthorized {
  status: "401";
  code: "Unauthorized";
}

export interface Webhook {
  type: "webhook";
  id: string;
  attributes: {
    /** The signing secret (whsec_…). Shown once, in this answer only. */
    secret?: string;
    url: string;
    description: string | null;
    /** Event types of the catalogue, or * for all. */
    event_types: string[];
    enabled: boolean;
    org_id: string;
    created_at: string;
    created_by: {
      type: string;
      id: string;
    };
    updated_at: string;
  };
  links: {
    self: string;
  };
}

export interface WebhookDelivery {
  type: "webhook_delivery";
  id: string;
  attributes: {
    webhook_id: string;
    /** The audit event's id: receivers deduplicate on it. */
    event_id: string;
    event_type: string;
    status: "pending" | "succeeded" | "failed";
    attempts: number;
    next_attempt_at: string | null;
    last_attempt_at: string | null;
    last_status_code: number | null;
    last_error: string | null;
    created_at: string;
    /** The delivery a manual redelivery repeats. */
    redelivery_of: string | null;
    /** The JSON body sent. */
    payload: Record<string, unknown>;
    attempt_log: {
      attempt: number;
      at: string;
      status_code: number | null;
      duration_ms: number;
      error: string | null;
    }[];
  };
}

/** Every route: its path and query parameters, request body and success answer. */
export interface paths {
  "/auth/invitations/accept": {
    /** Accept an invitation: a new user sets a password, an existing one gives theirs; signs in */
    post: {
      requestBody: {
        token: string;
        password: string;
        name?: string;
      };
      response: {
        user: {
          id: string;
          email: string;
          name: string;
        };
        orgs: {
          id: string;
          name: string;
          role: string;
        }[];
        /** Send it as X-CSRF-Token with every cookie-authenticated write. */
        csrf_token: string;
        expires_at: string;
      };
    };
  };
  "/auth/login": {
    /** Sign in with email and password: sets the HttpOnly session cookie */
    post: {
      requestBody: {
        email: string;
        password: string;
      };
      response: {
        user: {
          id: string;
          email: string;
          name: string;
        };
        orgs: {
          id: string;
          name: string;
          role: string;
        }[];
        /** Send it as X-CSRF-Token with every cookie-authenticated write. */
        csrf_token: string;
        expires_at: string;
      };
    };
  };
  "/auth/logout": {
    /** Sign out: ends the session and clears the cookie (needs X-CSRF-Token) */
    post: {
      response: undefined;
    };
  };
  "/auth/password": {
    /** Change your password (needs X-CSRF-Token); your other sessions end */
    post: {
      requestBody: {
        current_password: string;
        new_password: string;
      };
      response: undefined;
    };
  };
  "/auth/session": {
    /** The signed-in user, their orgs and the session's CSRF token */
    get: {
      response: {
        user: {
          id: string;
          email: string;
          name: string;
        };
        orgs: {
          id: string;
          name: string;
          role: string;
        }[];
        /** Send it as X-CSRF-Token with every cookie-authenticated write. */
        csrf_token: string;
        expires_at: string;
      };
    };
  };
  "/healthz": {
    /** Liveness: the process answers */
    get: {
      response: {
        status: "ok";
      };
    };
  };
  "/metrics": {
    /** Prometheus metrics */
    get: {
      response: unknown;
    };
  };
  "/readyz": {
    /** Readiness: the database answers */
    get: {
      response: {
        status: "ready";
      };
    };
  };
  "/rest/api_keys/verify": {
    /** Verify a key of your org (needs api_keys:verify); always 200 with valid and code */
    post: {
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "key_verification";
          attributes: {
            /** The key to verify. */
            key: string;
            /** All required. */
            permissions?: string[];
            /** Where the permissions are needed: project:<project id>. Answers INSUFFICIENT_PERMISSIONS unless a role/scope pair covering it (or the key's org-wide permissions) holds them all. */
            resource?: string;
            /** The caller's address, for the key's IP allowlist. */
            ip?: string;
            /** Quota and rate-limit units to spend (default 1). */
            cost?: number;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: {
          type: "key_verification";
          attributes: {
            valid: boolean;
            code:
              | "VALID"
              | "NOT_FOUND"
              | "EXPIRED"
              | "REVOKED"
              | "DISABLED"
              | "RATE_LIMITED"
              | "USAGE_EXCEEDED"
              | "INSUFFICIENT_PERMISSIONS"
              | "IP_NOT_ALLOWED";
            key_id: string | null;
            org_id: string | null;
            owner: {
              type: "user" | "service_account" | "org";
              id: string;
            } | null;
            environment: string | null;
            /** The key's effective permissions (at the resource, when one was given). */
            permissions: string[];
            labels: string[];
            metadata: Record<string, unknown>;
            expires_at: string | null;
            /** The key's rate limit after this verification; null without one. */
            ratelimit: {
              limit: number;
              remaining: number;
              /** When the window ends, epoch milliseconds. */
              reset: number;
            } | null;
            /** The key's quota after this verification; null without one. */
            quota: {
              remaining: number;
            } | null;
          };
        };
      };
    };
  };
  "/rest/groups": {
    /** The groups this credential can see: the group of its org */
    get: {
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Group[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/groups/{group_id}": {
    /** Get a group (needs org:read in the group: a role held in the group, not the org) */
    get: {
      path: {
        /** A UUID. */
        group_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Group;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/groups/{group_id}/memberships": {
    /** List the group's members and their roles (needs members:read in the group) */
    get: {
      path: {
        /** A UUID. */
        group_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: GroupMembership[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Add an existing user to the group with a role that covers each of its orgs */
    post: {
      path: {
        /** A UUID. */
        group_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "group_membership";
          attributes: {
            /** The email address of an existing user. */
            email: string;
            /** A built-in role, at most your own in the group (only owners make owners). It covers every org of the group. */
            role: "owner" | "super_admin" | "admin" | "member" | "viewer";
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: GroupMembership;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/groups/{group_id}/memberships/{id}": {
    /** Get a group membership */
    get: {
      path: {
        /** A UUID. */
        group_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: GroupMembership;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Change a group member's role (their keys in every org of the group follow on the next request) */
    patch: {
      path: {
        /** A UUID. */
        group_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "group_membership";
          attributes: {
            /** A built-in role, at most your own in the group (only owners make owners). It covers every org of the group. */
            role: "owner" | "super_admin" | "admin" | "member" | "viewer";
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: GroupMembership;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Remove a group member (the rights their group role gave stop on the next request) */
    delete: {
      path: {
        /** A UUID. */
        group_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/groups/{group_id}/orgs": {
    /** List the group's orgs (needs org:read in the group) */
    get: {
      path: {
        /** A UUID. */
        group_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Org[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/groups/{group_id}/service_accounts": {
    /** List the group's service accounts */
    get: {
      path: {
        /** A UUID. */
        group_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Create a group service account (its keys are created in an org of the group, with service_account_id) */
    post: {
      path: {
        /** A UUID. */
        group_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "service_account";
          attributes: {
            name: string;
            /** A built-in role: the account's grants in every org of the group. It may not hold more than you do. */
            role: "owner" | "super_admin" | "admin" | "member" | "viewer";
            /** Group accounts use API keys (created in an org of the group with service_account_id). */
            auth_type?: "api_key";
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/groups/{group_id}/service_accounts/{id}": {
    /** Get a group service account */
    get: {
      path: {
        /** A UUID. */
        group_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Rename a group service account or change its role (its keys follow on the next request) */
    patch: {
      path: {
        /** A UUID. */
        group_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "service_account";
          attributes: {
            name?: string;
            /** A built-in role: the account's grants in every org of the group. It may not hold more than you do. */
            role?: "owner" | "super_admin" | "admin" | "member" | "viewer";
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete a group service account and revoke its keys in every org of the group */
    delete: {
      path: {
        /** A UUID. */
        group_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs": {
    /** The orgs this credential can act in: a key's one org; for a session, the orgs the user is a member of (GET /groups/{group_id}/orgs lists a group's) */
    get: {
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Org[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Create an org in a group (default: your org's) with the default policy; needs org:write in the group */
    post: {
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "org";
          attributes: {
            name: string;
            /** The group (default: the group of your org). */
            group_id?: string;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Org;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}": {
    /** Get an org */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Org;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Change an org's name or policy (fields not given stay as they are); needs org:write */
    patch: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "org";
          attributes: {
            name?: string;
            policy?: {
              allow_never_expiring?: boolean;
              max_lifetime_seconds?: number;
              /** The environments keys may be made in. An added environment gets its publishable key and a removed one's publishable key is revoked, in the same transaction. */
              environments?: string[];
              /** Disable keys unused for this many days; null turns the idle policy off. */
              idle_disable_days?: number | null;
              /** The built-in roles that may create service keys. */
              service_key_creator_roles?: ("owner" | "super_admin" | "admin" | "member" | "viewer")[];
              /** The prefix of new keys of each kind. */
              key_prefixes?: {
                personal: string;
                service: string;
                /** Default lkpk (also when left out). */
                publishable?: string;
              };
            };
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Org;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys": {
    /** List the org's API keys */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
        "filter[status]"?: "active" | "expired" | "revoked" | "disabled";
        "filter[label]"?: string;
        "filter[kind]"?: "personal" | "service" | "publishable";
        "filter[environment]"?: string;
        /** Owner id: user, service account or org. */
        "filter[owner]"?: string;
        /** Case-insensitive part of the name. */
        "filter[name]"?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Create an API key (the secret is in this answer only) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "api_key";
          attributes: {
            name: string;
            /** service (default) or personal. publishable is refused (400 PUBLISHABLE_KEY_NOT_CREATABLE): an org's publishable keys come with its environments. */
            kind?: "service" | "personal" | "publishable";
            service_account_id?: string;
            description?: string;
            /** Default live. */
            environment?: string;
            /** resource:action strings; `*` may stand for either part. Capped by what the creator holds. */
            permissions?: string[];
            /** Role/scope pairs: each role's permissions hold at its scope, on top of the org-wide ones. None may hold more than you do at that scope. */
            roles?: {
              /** A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles (GET /orgs/{org_id}/roles). */
              role: string;
              /** group, org, or project:<project id>; a wider scope covers the narrower ones. */
              scope: string;
            }[];
            labels?: string[];
            /** Any JSON object up to 4 KiB. */
            metadata?: Record<string, unknown>;
            /** An expiry preset; `never` only where the org's policy allows it. */
            expires_in?: "1h" | "12h" | "1d" | "5d" | "30d" | "90d" | "1y" | "never";
            /** A custom expiry (UTC). */
            expires_at?: string;
            /** IPv4 and IPv6 CIDRs the key may be used from; empty: anywhere. */
            ip_allowlist?: string[];
            rate_limit?: {
              limit: number;
              window_seconds: number;
            } | null;
            quota?: {
              remaining: number;
              refill?: {
                amount: number;
                interval: "day" | "month";
              } | null;
            } | null;
            /** Also store the new key in the org's vault under this name, in the same transaction (needs secrets:write). A name already in use fails the whole creation (409) and no key is made. */
            save_to_vault?: {
              /** The vault secret's name. */
              name: string;
            };
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys/revoke": {
    /** Revoke every key that matches a filter (for example a label) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "api_key_revocation";
          attributes: {
            filter: {
              status?: "active" | "expired" | "revoked" | "disabled";
              label?: string;
              kind?: "personal" | "service" | "publishable";
              environment?: string;
              /** Owner id: user, service account or org. */
              owner?: string;
              /** Case-insensitive part of the name. */
              name?: string;
            };
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: {
          type: "api_key_revocation";
          attributes: {
            revoked: number;
            key_ids: string[];
          };
        };
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys/{id}": {
    /** Get an API key */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Change a key's name, description, labels, metadata, permissions, role/scope pairs, IP allowlist, rate limit or quota */
    patch: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "api_key";
          attributes: {
            name?: string;
            description?: string | null;
            labels?: string[];
            /** Any JSON object up to 4 KiB. */
            metadata?: Record<string, unknown>;
            /** resource:action strings; `*` may stand for either part. Capped by what the creator holds. */
            permissions?: string[];
            /** Role/scope pairs: each role's permissions hold at its scope, on top of the org-wide ones. None may hold more than you do at that scope. */
            roles?: {
              /** A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles (GET /orgs/{org_id}/roles). */
              role: string;
              /** group, org, or project:<project id>; a wider scope covers the narrower ones. */
              scope: string;
            }[];
            /** IPv4 and IPv6 CIDRs the key may be used from; empty: anywhere. */
            ip_allowlist?: string[];
            rate_limit?: {
              limit: number;
              window_seconds: number;
            } | null;
            quota?: {
              remaining: number;
              refill?: {
                amount: number;
                interval: "day" | "month";
              } | null;
            } | null;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete a key: it stops working and leaves the lists; its events stay */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/api_keys/{id}/disable": {
    /** Disable a key */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys/{id}/enable": {
    /** Enable a key */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys/{id}/events": {
    /** A key's lifecycle events, oldest first */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKeyEvent[];
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys/{id}/regenerate": {
    /** Give a key a new secret, keeping its id (the old one works for the grace period) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody?: {
        data: {
          type: "api_key";
          attributes: {
            /** How long the old secret keeps working (0 = stops at once; at most 7 days). */
            grace_period_seconds?: number;
            /** Also store the new secret in the org's vault under this name, in the same transaction (needs secrets:write). A name already in use fails the regeneration (409) and the key keeps its secret. */
            save_to_vault?: {
              /** The vault secret's name. */
              name: string;
            };
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys/{id}/revoke": {
    /** Revoke a key */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/api_keys/{id}/usage": {
    /** A key's verifications by outcome over time (needs usage:read, or your own token) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Start (inclusive); default 24 hours before `to`. */
        from?: string;
        /** End (exclusive); default now. */
        to?: string;
        granularity?: "minute" | "hour" | "day";
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: {
          type: "usage";
          /** The key's id, or the org's for org-wide usage. */
          id: string;
          attributes: {
            org_id: string;
            key_id: string | null;
            from: string;
            to: string;
            granularity: string;
            /** Verifications by outcome code. */
            totals: {
              VALID?: number;
              NOT_FOUND?: number;
              EXPIRED?: number;
              REVOKED?: number;
              DISABLED?: number;
              RATE_LIMITED?: number;
              USAGE_EXCEEDED?: number;
              INSUFFICIENT_PERMISSIONS?: number;
              IP_NOT_ALLOWED?: number;
            };
            total: number;
            /** Buckets with at least one verification, oldest first. */
            buckets: {
              start: string;
              total: number;
              /** Verifications by outcome code. */
              counts: {
                VALID?: number;
                NOT_FOUND?: number;
                EXPIRED?: number;
                REVOKED?: number;
                DISABLED?: number;
                RATE_LIMITED?: number;
                USAGE_EXCEEDED?: number;
                INSUFFICIENT_PERMISSIONS?: number;
                IP_NOT_ALLOWED?: number;
              };
            }[];
          };
        };
      };
    };
  };
  "/rest/orgs/{org_id}/audit_logs": {
    /** List the org's audit log, newest first (needs audit:read) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
        /** The actor's id. */
        "filter[actor]"?: string;
        /** An action (api_key.revoked) or every action of a resource (api_key.*). */
        "filter[action]"?: string;
        /** The target's id. */
        "filter[target]"?: string;
        /** From this time (inclusive). */
        "filter[from]"?: string;
        /** Until this time (exclusive). */
        "filter[to]"?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: AuditLog[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/audit_logs/export": {
    /** Export the org's audit log as NDJSON, oldest first (needs audit:read) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** The actor's id. */
        "filter[actor]"?: string;
        /** An action (api_key.revoked) or every action of a resource (api_key.*). */
        "filter[action]"?: string;
        /** The target's id. */
        "filter[target]"?: string;
        /** From this time (inclusive). */
        "filter[from]"?: string;
        /** Until this time (exclusive). */
        "filter[to]"?: string;
      };
      response: unknown;
    };
  };
  "/rest/orgs/{org_id}/invitations": {
    /** List the org's open invitations (needs members:read) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Invitation[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Invite someone by email (needs members:write); the answer holds the one-time link, this once */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "invitation";
          attributes: {
            email: string;
            /** A built-in or custom role (GET /orgs/{org_id}/roles); it may not hold more, nor rank higher, than the inviter's. */
            role: string;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Invitation;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/invitations/{id}": {
    /** Get an open invitation (needs members:read; its link is never shown again) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Invitation;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Withdraw an open invitation (needs members:write) */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/memberships": {
    /** List the org's members and their roles */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Membership[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Add an existing user to the org with a role (invite new people instead) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "membership";
          attributes: {
            /** The email address of an existing user. */
            email: string;
            /** A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles, at most your own (only owners make owners); it holds in the whole org. */
            role: string;
            /** Role/scope pairs: each role's permissions hold at its scope, on top of the org-wide ones. None may hold more than you do at that scope. */
            roles?: {
              /** A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles (GET /orgs/{org_id}/roles). */
              role: string;
              /** group, org, or project:<project id>; a wider scope covers the narrower ones. */
              scope: string;
            }[];
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Membership;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/memberships/{id}": {
    /** Get a membership */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Membership;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Change a member's role or role/scope pairs (their keys follow on the next request) */
    patch: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "membership";
          attributes: {
            /** A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles, at most your own (only owners make owners); it holds in the whole org. */
            role?: string;
            /** Role/scope pairs: each role's permissions hold at its scope, on top of the org-wide ones. None may hold more than you do at that scope. */
            roles?: {
              /** A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles (GET /orgs/{org_id}/roles). */
              role: string;
              /** group, org, or project:<project id>; a wider scope covers the narrower ones. */
              scope: string;
            }[];
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Membership;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Remove a member (their personal keys stop working in this org at once) */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/permissions": {
    /** The org's permission catalogue, whole: Latchkey's own, then the org's product permissions */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Permission[];
      };
    };
    /** Add a product permission to the org's catalogue */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "permission";
          attributes: {
            /** resource:action, no wildcard. */
            name: string;
            description: string;
            publishable?: boolean;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Permission;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/projects": {
    /** List the org's projects */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Project[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Create a project (a scope for role/scope pairs: project:<id>) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "project";
          attributes: {
            /** Unique in the org. */
            name: string;
            description?: string | null;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Project;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/projects/{id}": {
    /** Get a project */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Project;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete a project no role/scope pair names (409 while a member or live key has one) */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/publishable_keys": {
    /** List the org's publishable keys, one per environment, with their values */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey[];
        links: {
          self: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/publishable_keys/{environment}/regenerate": {
    /** Give an environment's publishable key a new value (the old one stops at once by default) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** An environment of the org's policy. */
        environment: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody?: {
        data: {
          type: "api_key";
          attributes: {
            /** How long the old secret keeps working (0 = stops at once; at most 7 days). */
            grace_period_seconds?: number;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/roles": {
    /** The org's roles: the built-in ones, most powerful first, then its custom roles by name */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Role[];
      };
    };
    /** Create a custom role: a name and permissions, none beyond your own */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "role";
          attributes: {
            /** Unique in the org; not a built-in role's name. */
            name: string;
            description?: string;
            /** resource:action permissions (wildcards allowed), each one you hold yourself. */
            permissions: string[];
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Role;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/roles/{id}": {
    /** Get a role: a built-in one by its name, a custom one by its id */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        id: string | "owner" | "super_admin" | "admin" | "member" | "viewer";
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Role;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Change a custom role's description or permissions (its holders' keys follow on the next request; a built-in role is 404) */
    patch: {
      path: {
        /** A UUID. */
        org_id: string;
        id: string | "owner" | "super_admin" | "admin" | "member" | "viewer";
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "role";
          attributes: {
            description?: string;
            /** resource:action permissions (wildcards allowed), each one you hold yourself. */
            permissions?: string[];
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Role;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete a custom role nobody holds (409 while a member, account, invitation or live key holds it; a built-in role is 404) */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        id: string | "owner" | "super_admin" | "admin" | "member" | "viewer";
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/secrets": {
    /** List the org's vault secrets, newest first, without values (needs secrets:list) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Secret[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Store a secret in the vault, encrypted (needs secrets:write); the answer holds no value */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "secret";
          attributes: {
            /** 1–128 letters, digits and _ . - /, starting with a letter or digit; unique in the org. */
            name: string;
            /** The value, at most 32768 bytes of UTF-8. Stored encrypted; never in this answer. */
            value: string;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Secret;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/secrets/{id}": {
    /** Get a secret; with reveal=true its value too (needs secrets:read; every reveal is audited) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** true: include attributes.value (needs secrets:read; recorded as secret.read). */
        reveal?: boolean;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Secret;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete a secret: its encrypted value is removed; its audit events stay (needs secrets:write) */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/service_accounts": {
    /** List service accounts */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Create a service account */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "service_account";
          attributes: {
            name: string;
            /** A built-in or custom role; it may not hold more than the creator does. */
            role: string;
            /** api_key: the account uses its API keys; oauth_client_secret: it is an OAuth2 client (client credentials), and the answer holds client_id and, once, client_secret. */
            auth_type?: "api_key" | "oauth_client_secret";
            /** OAuth accounts: the lifetime of their access tokens (default LATCHKEY_OAUTH_ACCESS_TOKEN_TTL_SECONDS). */
            access_token_ttl_seconds?: number;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/service_accounts/{id}": {
    /** Get a service account */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Rename a service account or give it another role (its keys follow on the next request) */
    patch: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "service_account";
          attributes: {
            name?: string;
            /** A built-in or custom role; neither it nor the account's current role may hold more than you do. */
            role?: string;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ServiceAccount;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete a service account and revoke its keys */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/service_accounts/{id}/secrets": {
    /** List an OAuth service account's client secrets (never their values) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ClientSecret[];
      };
    };
    /** Issue a new client secret (shown once); the older ones work for the grace period */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody?: {
        data: {
          type: "client_secret";
          attributes: {
            /** How long the older secrets, and the access tokens issued with them, keep working (0 = they stop at once; at most 7 days). */
            grace_period_seconds?: number;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ClientSecret;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/service_accounts/{id}/secrets/{secret_id}": {
    /** Revoke a client secret: it and every access token issued with it stop working at once */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
        /** A UUID. */
        secret_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/usage": {
    /** The org's verifications by outcome over time (needs usage:read) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Start (inclusive); default 24 hours before `to`. */
        from?: string;
        /** End (exclusive); default now. */
        to?: string;
        granularity?: "minute" | "hour" | "day";
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: {
          type: "usage";
          /** The key's id, or the org's for org-wide usage. */
          id: string;
          attributes: {
            org_id: string;
            key_id: string | null;
            from: string;
            to: string;
            granularity: string;
            /** Verifications by outcome code. */
            totals: {
              VALID?: number;
              NOT_FOUND?: number;
              EXPIRED?: number;
              REVOKED?: number;
              DISABLED?: number;
              RATE_LIMITED?: number;
              USAGE_EXCEEDED?: number;
              INSUFFICIENT_PERMISSIONS?: number;
              IP_NOT_ALLOWED?: number;
            };
            total: number;
            /** Buckets with at least one verification, oldest first. */
            buckets: {
              start: string;
              total: number;
              /** Verifications by outcome code. */
              counts: {
                VALID?: number;
                NOT_FOUND?: number;
                EXPIRED?: number;
                REVOKED?: number;
                DISABLED?: number;
                RATE_LIMITED?: number;
                USAGE_EXCEEDED?: number;
                INSUFFICIENT_PERMISSIONS?: number;
                IP_NOT_ALLOWED?: number;
              };
            }[];
          };
        };
      };
    };
  };
  "/rest/orgs/{org_id}/webhooks": {
    /** List webhook endpoints (needs webhooks:read) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Webhook[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Create a webhook endpoint (needs webhooks:write) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "webhook";
          attributes: {
            /** An http(s) URL; loopback and private addresses only with LATCHKEY_WEBHOOKS_ALLOW_PRIVATE=true. */
            url: string;
            event_types: (
              | "*"
              | "api_key.created"
              | "api_key.updated"
              | "api_key.revoked"
              | "api_key.regenerated"
              | "api_key.disabled"
              | "api_key.enabled"
              | "api_key.deleted"
              | "api_key.expiring"
              | "api_key.leaked"
              | "api_key.quota_low"
              | "api_key.new_ip"
              | "service_account.created"
              | "service_account.deleted"
              | "secret.created"
              | "secret.deleted"
              | "webhook.created"
              | "webhook.updated"
              | "webhook.deleted"
            )[];
            description?: string;
            enabled?: boolean;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Webhook;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/webhooks/{id}": {
    /** Get a webhook endpoint (needs webhooks:read) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Webhook;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Change a webhook endpoint's URL, event types, description or enabled flag (needs webhooks:write) */
    patch: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "webhook";
          attributes: {
            /** An http(s) URL; loopback and private addresses only with LATCHKEY_WEBHOOKS_ALLOW_PRIVATE=true. */
            url?: string;
            event_types?: (
              | "*"
              | "api_key.created"
              | "api_key.updated"
              | "api_key.revoked"
              | "api_key.regenerated"
              | "api_key.disabled"
              | "api_key.enabled"
              | "api_key.deleted"
              | "api_key.expiring"
              | "api_key.leaked"
              | "api_key.quota_low"
              | "api_key.new_ip"
              | "service_account.created"
              | "service_account.deleted"
              | "secret.created"
              | "secret.deleted"
              | "webhook.created"
              | "webhook.updated"
              | "webhook.deleted"
            )[];
            description?: string;
            enabled?: boolean;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Webhook;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete a webhook endpoint and its deliveries (needs webhooks:write) */
    delete: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/orgs/{org_id}/webhooks/{id}/deliveries": {
    /** List a webhook endpoint's deliveries, newest first, with every attempt (needs webhooks:read) */
    get: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: WebhookDelivery[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/webhooks/{id}/deliveries/{delivery_id}/redeliver": {
    /** Send a delivery's event again, as a new delivery with the same event id (needs webhooks:write) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
        /** A UUID. */
        delivery_id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: WebhookDelivery;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/orgs/{org_id}/webhooks/{id}/rotate_secret": {
    /** Give a webhook endpoint a new signing secret (needs webhooks:write) */
    post: {
      path: {
        /** A UUID. */
        org_id: string;
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: Webhook;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/self": {
    /** Who the credential belongs to (user, service account or org) and the key itself (null for a session) */
    get: {
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: {
          type: string;
          id: string;
          attributes: Record<string, unknown>;
          [name: string]: unknown;
        };
        meta: {
          /** The API key of the request: null for a session cookie, absent for an access token. */
          api_key?: ApiKey | null;
          /** The OAuth2 access token the request was made with (absent for an API key). */
          access_token?: {
            id: string;
            /** lkat_<first 4>…<last 4> */
            hint: string;
            client_id: string;
            client_secret_id: string;
            created_at: string;
            expires_at: string;
          };
          permissions: string[];
        };
      };
    };
  };
  "/rest/self/tokens": {
    /** List your personal tokens */
    get: {
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
        /** Page size, 1–100. */
        limit?: number;
        /** Return items after this id. */
        starting_after?: string;
        /** Return items before this id. */
        ending_before?: string;
        "filter[status]"?: "active" | "expired" | "revoked" | "disabled";
        "filter[label]"?: string;
        "filter[environment]"?: string;
        /** Case-insensitive part of the name. */
        "filter[name]"?: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey[];
        links: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Create a personal token (the secret is in this answer only) */
    post: {
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody: {
        data: {
          type: "api_key";
          attributes: {
            name: string;
            description?: string;
            /** Default live. */
            environment?: string;
            /** resource:action strings; `*` may stand for either part. Capped by what the creator holds. */
            permissions?: string[];
            /** Role/scope pairs: each role's permissions hold at its scope, on top of the org-wide ones. None may hold more than you do at that scope. */
            roles?: {
              /** A built-in role (owner, super_admin, admin, member, viewer) or one of the org's custom roles (GET /orgs/{org_id}/roles). */
              role: string;
              /** group, org, or project:<project id>; a wider scope covers the narrower ones. */
              scope: string;
            }[];
            labels?: string[];
            /** Any JSON object up to 4 KiB. */
            metadata?: Record<string, unknown>;
            /** An expiry preset; `never` only where the org's policy allows it. */
            expires_in?: "1h" | "12h" | "1d" | "5d" | "30d" | "90d" | "1y" | "never";
            /** A custom expiry (UTC). */
            expires_at?: string;
            /** IPv4 and IPv6 CIDRs the key may be used from; empty: anywhere. */
            ip_allowlist?: string[];
            rate_limit?: {
              limit: number;
              window_seconds: number;
            } | null;
            quota?: {
              remaining: number;
              refill?: {
                amount: number;
                interval: "day" | "month";
              } | null;
            } | null;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/rest/self/tokens/{id}": {
    /** Get one of your personal tokens */
    get: {
      path: {
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
    /** Delete one of your personal tokens */
    delete: {
      path: {
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      response: undefined;
    };
  };
  "/rest/self/tokens/{id}/regenerate": {
    /** Revoke & regenerate one of your personal tokens */
    post: {
      path: {
        /** A UUID. */
        id: string;
      };
      query: {
        /** API version date YYYY-MM-DD, optionally ~beta or ~experimental. Base version: 2024-06-10. */
        version: string;
      };
      requestBody?: {
        data: {
          type: "api_key";
          attributes: {
            /** How long the old secret keeps working (0 = stops at once; at most 7 days). */
            grace_period_seconds?: number;
          };
        };
      };
      response: {
        jsonapi: {
          version: "1.0";
        };
        data: ApiKey;
        links?: {
          self: string;
          next?: string;
          prev?: string;
        };
      };
    };
  };
  "/revoke": {
    /** Revoke a key you hold (no other credential needed) */
    post: {
      requestBody: null | {
        /** The key to revoke. */
        key: string;
      };
      response: {
        status: "accepted";
      };
    };
  };
  "/secret-scanning/github": {
    /** GitHub secret scanning: revoke and label reported keys */
    post: {
      requestBody: {
        /** The text that matched the published key regular expression. */
        token: string;
        /** The secret type agreed at enrolment, e.g. latchkey_api_key. */
        type: string;
        /** The public URL where it was found (may be empty). */
        url: string;
        /** Where on GitHub: content, commit, issue_comment, gist_content, npm, … */
        source: string;
      }[];
      response: {
        /** SHA-256 of the reported token, lower-case hex (the token is never echoed). */
        token_hash: string;
        /** The reported type. */
        token_type: string;
        /** true_positive: a key Latchkey issued (now revoked, or revoked before); false_positive: not one. */
        label: "true_positive" | "false_positive";
      }[];
    };
  };
}
