import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoStore, createDynamoTables, dynamoTableNames } from "@drso/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../../tests/support/moto.js";
import { createSfnDrillHarness, type SfnDrillHarness } from "../testing/sfn-drill-harness.js";

const PROD = { accountId: "111122223333", region: "us-east-1" };
const moto = motoAvailable();
if (!moto)
  console.warn(motoSkipMessage("Step Functions driver over the DynamoDB store (driver-dynamodb.test.ts)"));

describe.skipIf(!moto)("Step Functions driver over the DynamoDB store (moto_server)", () => {
  let server: MotoServer;
  let h: SfnDrillHarness | undefined;
  beforeAll(async () => {
    server = await startMoto();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it("drives a 3-wave drill through a pause and a resume, the task token stored in DynamoDB", async () => {
    const client = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
    const tables = dynamoTableNames("drivertest");
    await createDynamoTables(client, tables);
    h = await createSfnDrillHarness({
      settings: { drillTtlHours: 0 },
      store: createDynamoStore({ client, tables }),
    });
    const g = (tier: string) =>
      h!.group({ name: `ddb-${tier}`, ...PROD, serverSelectionTags: { App: "orders", Tier: tier } });
    const [db, app, web] = [await g("db"), await g("app"), await g("web")];
    const plan = await h.plan({
      name: "Orders on DynamoDB",
      waves: [
        { waveId: "db", name: "Databases", protectionGroupIds: [db.groupId] },
        { waveId: "app", name: "Applications", protectionGroupIds: [app.groupId], pauseBefore: true },
        { waveId: "web", name: "Web", protectionGroupIds: [web.groupId] },
      ],
    });
    const { executionId: id } = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    await h.drive(async () => h!.machine.runs.get(id)?.current === "WaitForSignal");
    const paused = await h.execution(id);
    expect(paused.status).toBe("PAUSED");
    expect(paused.taskToken).toMatch(/^token-/);

    await h.services.executions.resume(id, "operator@example.com");
    expect(h.machine.calls.filter((c) => c.command === "SendTaskSuccess" && c.outcome === "ok")).toHaveLength(
      1,
    );
    await h.drive(async () => h!.machine.runs.get(id)?.status !== "RUNNING");
    const e = await h.execution(id);
    expect(e.status).toBe("COMPLETED");
    expect(e.waves.every((w) => w.status === "COMPLETED")).toBe(true);
    for (const [server, n] of h.launchesByServer()) expect(n, server).toBe(1);
    expect(h.machine.runs.get(id)?.status).toBe("SUCCEEDED");
    expect(h.recorded.errors()).toEqual([]);
  }, 120_000);
});
