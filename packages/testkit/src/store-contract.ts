import { describe } from "vitest";
import { describeBootstrapContract, describeServiceAccountContract } from "./store-contract-accounts.js";
import { describeAlertContract } from "./store-contract-alerts.js";
import { describeAuditContract } from "./store-contract-audit.js";
import type { StoreFactory } from "./store-contract-fixture.js";
import { describeGroupContract } from "./store-contract-groups.js";
import {
  describeKeyChangeContract,
  describeKeyLookupContract,
  describeKeyRegenerateContract,
} from "./store-contract-keys.js";
import { describeKeyLeakContract } from "./store-contract-leaks.js";
import { describeKeyListFilterContract, describeKeyPaginationContract } from "./store-contract-list.js";
import { describeMembershipContract } from "./store-contract-memberships.js";
import { describeOAuthContract } from "./store-contract-oauth.js";
import { describeInvitationContract, describeSessionContract } from "./store-contract-people.js";
import { describePermissionCatalogueContract } from "./store-contract-permissions.js";
import { describePublishableKeyContract } from "./store-contract-publishable.js";
import { describeKeyRevokeContract } from "./store-contract-revoke.js";
import { describeRoleAndProjectContract } from "./store-contract-roles.js";
import { describeVaultContract } from "./store-contract-vault.js";
import { describeWebhookContract } from "./store-contract-webhooks.js";

/**
 * The behaviour every Store implementation must show. `factory` is called before each test and must
 * return a migrated, empty store of its own (a fresh database or schema), with a way to seed it; the
 * harness's `close` runs after the test.
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    describeKeyLookupContract(factory);
    describeKeyChangeContract(factory);
    describeKeyRegenerateContract(factory);
    describeKeyListFilterContract(factory);
    describeKeyPaginationContract(factory);
    describeKeyRevokeContract(factory);
    describeKeyLeakContract(factory);
    describeServiceAccountContract(factory);
    describeBootstrapContract(factory);
    describeOAuthContract(factory);
    describeAuditContract(factory);
    describeMembershipContract(factory);
    describeGroupContract(factory);
    describePermissionCatalogueContract(factory);
    describeRoleAndProjectContract(factory);
    describePublishableKeyContract(factory);
    describeAlertContract(factory);
    describeSessionContract(factory);
    describeInvitationContract(factory);
    describeVaultContract(factory);
    describeWebhookContract(factory);
  });
}
