import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Store } from "@drso/core";
import {
  createDynamoStore,
  createDynamoTables,
  createMemoryStore,
  createSqliteStore,
  dynamoTableNames,
} from "@drso/store";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../support/moto.js";
import { tempDir } from "../support/processes.js";
import { createPlan, tierGroup } from "../support/scenario.js";

/**
 * Issue 13 item 7: "one active execution per server" is enforced by the store, not only by a check before the
 * create. Twenty plans over the same servers are started at the same moment through the HTTP API, each on an API
 * instance of its own over the same store (twenty Lambda instances; one instance alone serialises its starts):
 * exactly one start wins per server, the other nineteen get 409 SERVER_IN_ACTIVE_EXECUTION, on every store.
 */
const moto = motoAvailable();
if (!moto)
  console.warn(motoSkipMessage("concurrent starts on DynamoDB (tests/api/concurrent-starts.test.ts)"));

let server: MotoServer | undefined;
afterAll(async () => {
  await server?.stop();
});

const dirs: Array<{ remove(): void }> = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

const stores: Array<[string, () => Promise<Store>, boolean]> = [
  ["memory", async () => createMemoryStore(), true],
  [
    "SQLite file",
    async () => {
      const dir = tempDir("drso-starts-");
      dirs.push(dir);
      return createSqliteStore({ path: `${dir.path}/drso.db` });
    },
    true,
  ],
  [
    "DynamoDB (moto)",
    async () => {
      server ??= await startMoto();
      const client = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
      const tables = dynamoTableNames(`starts${Date.now()}`);
      await createDynamoTables(client, tables);
      return createDynamoStore({ client, tables });
    },
    moto,
  ],
];

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
