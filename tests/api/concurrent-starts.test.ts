import { afterEach, describe, expect, it } from "vitest";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";
import { createPlan, tierGroup } from "../support/scenario.js";
import { testStores } from "../support/test-stores.js";

/**
 * Issue 13 item 7: "one active execution per server" is enforced by the store, not only by a check before the
 * create. Twenty plans over the same servers are started at the same moment through the HTTP API, each on an API
 * instance of its own over the same store (twenty Lambda instances; one instance alone serialises its starts):
 * exactly one start wins per server, the other nineteen get 409 SERVER_IN_ACTIVE_EXECUTION, on every store.
 */
const stores = testStores("concurrent starts (tests/api/concurrent-starts.test.ts)", "starts");

describe.each(stores)("20 conflicting starts at once on the %s store", (_name, open, available) => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.skipIf(!available)("exactly one start wins per server", async () => {
    h = await createApiHarness({ fleet: "demo", store: await open() });
    const api = await h.api();
    const groupId = await tierGroup(api, "db");
    const plans: string[] = [];
    for (let i = 0; i < 20; i++)
      plans.push(
        await createPlan(api, {
          name: `Orders ${i}`,
          waves: [{ name: "db", protectionGroupIds: [groupId] }],
        }),
      );
    // Each start on an API instance of its own, as twenty Lambda instances would take them.
    const instances = [api];
    for (let i = 1; i < plans.length; i++) instances.push(await h.otherInstance());
    const starts = await Promise.all(
      plans.map((planId, i) =>
        instances[i]!.post<{ executionId?: string; code?: string }>(`/recovery-plans/${planId}/execute`, {
          executionType: "DRILL",
        }),
      ),
    );
    const won = starts.filter((r) => r.status === 202);
    expect(won, JSON.stringify(starts.map((r) => [r.status, r.body]))).toHaveLength(1);
    for (const r of starts.filter((x) => x.status !== 202)) {
      expect(r.status).toBe(409);
      expect(r.body.code).toBe("SERVER_IN_ACTIVE_EXECUTION");
    }
    const listed = await api.get<{ items: Array<{ executionId: string }> }>("/executions?limit=100");
    expect(listed.body.items.map((e) => e.executionId)).toEqual([won[0]!.body.executionId]);
  });
});
