import type { Store } from "@drso/core";
import { afterEach, beforeEach, describe } from "vitest";
import { describeAccountContract } from "./contract/accounts.js";
import { describeAuditLogContract } from "./contract/audit-log.js";
import { describeDataIsolationContract } from "./contract/data-isolation.js";
import { describeExecutionContract } from "./contract/executions.js";
import { describeExecutionListingContract } from "./contract/executions-listing.js";
import { describeExecutionSchedulingContract } from "./contract/executions-scheduling.js";
import { describeKeyValueContract } from "./contract/key-value.js";
import { describePaginationContract } from "./contract/pagination.js";
import { describeProtectionGroupContract } from "./contract/protection-groups.js";
import { describeQuotaClaimContract } from "./contract/quota-claims.js";
import { describeReadConsistencyContract } from "./contract/read-consistency.js";
import { describeRecoveryPlanContract } from "./contract/recovery-plans.js";
import { describeRefreshTokenContract } from "./contract/refresh-tokens.js";
import { describeServerClaimContract } from "./contract/server-claims.js";
import { describeSettingsContract } from "./contract/settings.js";
import { describeUserContract } from "./contract/users.js";

/**
 * The behavioural contract of the Store port (packages/core/src/ports/store.ts). Every adapter runs it:
 *
 *   describeStoreContract("sqlite (file)", async () => { const store = createSqliteStore(...); return { store, close } });
 *
 * `open` must return a fresh, empty store for each test; `close` releases whatever it holds.
 *
 * The tests live one file per repository in ./contract/ (protection groups, plans, executions, accounts,
 * settings, users, refresh tokens, audit log, key-value); each file reads on its own and gets the store
 * under test through `current()`. Shared fixtures and assertion helpers: ./contract/fixtures.ts.
 * A new repository's contract goes in a new file there and one line below.
 */
export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let handle: StoreUnderTest | undefined;
    let store: Store | undefined;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });
    afterEach(async () => {
      await handle?.close();
      handle = undefined;
      store = undefined;
    });

    const current = (): Store => {
      if (!store) throw new Error("the store under test is only open inside a test");
      return store;
    };

    describeProtectionGroupContract(current);
    describePaginationContract(current);
    describeRecoveryPlanContract(current);
    describeExecutionContract(current);
    describeExecutionListingContract(current);
    describeExecutionSchedulingContract(current);
    describeServerClaimContract(current);
    describeQuotaClaimContract(current);
    describeReadConsistencyContract(current);
    describeAccountContract(current);
    describeSettingsContract(current);
    describeUserContract(current);
    describeRefreshTokenContract(current);
    describeAuditLogContract(current);
    describeKeyValueContract(current);
    describeDataIsolationContract(current);
  });
}
