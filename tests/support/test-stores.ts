import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Store } from "@drso/core";
import {
  createDynamoStore,
  createDynamoTables,
  createMemoryStore,
  createSqliteStore,
  dynamoTableNames,
} from "@drso/store";
import { afterAll } from "vitest";
import { MOTO_CLIENT_CONFIG, type MotoServer, motoAvailable, motoSkipMessage, startMoto } from "./moto.js";
import { tempDir } from "./processes.js";

/** A store the API tests run on: its name, how to open a fresh one, and whether it can run here. */
export type TestStore = [name: string, open: () => Promise<Store>, available: boolean];

/**
 * The stores users run, for API tests that must hold on each: memory, a SQLite file, DynamoDB on moto_server
 * (one serial server per test file, stopped after it; skipped with a printed reason where moto is absent).
 * Call at the top level of a test file.
 */
export function testStores(suite: string, prefix: string): TestStore[] {
  const moto = motoAvailable();
  if (!moto) console.warn(motoSkipMessage(`${suite} on DynamoDB`));
  let server: MotoServer | undefined;
  const dirs: Array<{ remove(): void }> = [];
  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) d.remove();
  });
  return [
    ["memory", async () => createMemoryStore(), true],
    [
      "SQLite file",
      async () => {
        const dir = tempDir(`drso-${prefix}-`);
        dirs.push(dir);
        return createSqliteStore({ path: `${dir.path}/drso.db` });
      },
      true,
    ],
    [
      "DynamoDB (moto)",
      async () => {
        // Serial: these tests race transactions, which only a serial moto keeps isolated as DynamoDB does.
        server ??= await startMoto({ serial: true });
        const client = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
        const tables = dynamoTableNames(`${prefix}${Date.now()}`);
        await createDynamoTables(client, tables);
        return createDynamoStore({ client, tables });
      },
      moto,
    ],
  ];
}
