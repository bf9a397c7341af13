import { randomBytes, randomUUID } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  ConflictError,
  type Execution,
  type ProtectionGroup,
  type ServerRun,
  type Store,
  summarize,
  type WaveRun,
} from "@drso/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../tests/support/moto.js";
import { createDynamoStore } from "./dynamo-store.js";
import {
  createDynamoTables,
  createTableInput,
  DYNAMO_TABLES,
  type DynamoTableNames,
  dynamoTableNames,
} from "./dynamo-tables.js";
import { describeStoreContract } from "./store.contract.js";

const moto = motoAvailable();
if (!moto) console.warn(motoSkipMessage("dynamodb store contract (adapters/store/src/dynamo-store.test.ts)"));

let server: MotoServer | undefined;
let client: DynamoDBClient | undefined;
let environmentCounter = 0;
const created: DynamoTableNames[] = [];

async function motoClient(): Promise<DynamoDBClient> {
  if (!server) {
    // Serial: the contract races transactions, and only a serial moto keeps them isolated as DynamoDB does.
    server = await startMoto({ serial: true });
    client = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
  }
  return client as DynamoDBClient;
}

async function newTables(): Promise<DynamoTableNames> {
  const tables = dynamoTableNames(`test${++environmentCounter}`);
  await createDynamoTables(await motoClient(), tables);
  created.push(tables);
  return tables;
}

/** Deletes every item of every table (cheaper on moto than new tables for each test). */
async function clearTables(tables: DynamoTableNames): Promise<void> {
  const doc = DynamoDBDocumentClient.from(await motoClient());
  for (const spec of DYNAMO_TABLES) {
    const TableName = tables[spec.id];
    const keyNames = [spec.partitionKey.name, ...(spec.sortKey ? [spec.sortKey.name] : [])];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName,
          ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(", "),
          ExpressionAttributeNames: Object.fromEntries(keyNames.map((k, i) => [`#k${i}`, k])),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const keys = page.Items ?? [];
      for (let i = 0; i < keys.length; i += 25) {
        await doc.send(
          new BatchWriteCommand({
            RequestItems: { [TableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
          }),
        );
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
}

afterAll(async () => {
  if (client) {
    for (const tables of created) {
      for (const name of Object.values(tables))
        await client.send(new DeleteTableCommand({ TableName: name }));
    }
  }
  client?.destroy();
  await server?.stop();
});

describe("DynamoDB table definitions", () => {
  it("keep the seed's names and keys and name every table after the environment", () => {
    const names = dynamoTableNames("prod");
    expect(names.protectionGroups).toBe("drs-orchestration-protection-groups-prod");
    expect(names.recoveryPlans).toBe("drs-orchestration-recovery-plans-prod");
    expect(names.executionHistory).toBe("drs-orchestration-execution-history-prod");
    expect(new Set(Object.values(names)).size).toBe(DYNAMO_TABLES.length);
    const history = DYNAMO_TABLES.find((t) => t.id === "executionHistory")!;
    expect(history.partitionKey).toEqual({ name: "ExecutionId", type: "S" });
    expect(history.globalSecondaryIndexes.find((i) => i.indexName === "PlanIdIndex")?.partitionKey).toEqual({
      name: "PlanId",
      type: "S",
    });
    expect(DYNAMO_TABLES.find((t) => t.id === "protectionGroups")?.partitionKey.name).toBe("GroupId");
    expect(DYNAMO_TABLES.find((t) => t.id === "recoveryPlans")?.partitionKey.name).toBe("PlanId");
    expect(() => dynamoTableNames("bad name")).toThrow();
  });

  it("declare each key attribute once with one type", () => {
    for (const spec of DYNAMO_TABLES) {
      const input = createTableInput(spec, "t");
      const declared = input.AttributeDefinitions!.map((a) => a.AttributeName);
      expect(new Set(declared).size).toBe(declared.length);
      expect(input.BillingMode).toBe("PAY_PER_REQUEST");
    }
  });
});

describe.skipIf(!moto)("DynamoDB store against moto_server", () => {
  let contractTables: DynamoTableNames | undefined;
  describeStoreContract("dynamodb (moto)", async () => {
    contractTables ??= await newTables();
    await clearTables(contractTables);
    const store = createDynamoStore({ client: await motoClient(), tables: contractTables });
    return { store, close: () => store.close() };
  });

  describe("large executions", () => {
    let tables: DynamoTableNames;
    let store: Store;
    let chunked: Store;
    beforeAll(async () => {
      tables = await newTables();
      store = createDynamoStore({ client: await motoClient(), tables });
      chunked = createDynamoStore({ client: await motoClient(), tables, documentChunkBytes: 40_000 });
    });

    it("a 3,000-server execution (over 400 KB as JSON) round-trips gzipped, lists by its summary and keeps a small item", async () => {
      const big = largeExecution(3000);
      const json = JSON.stringify(big).length;
      expect(json).toBeGreaterThan(400 * 1024);
      const created = await store.executions.create(big, {
        events: [{ at: big.startTime, type: "execution.started", message: "started" }],
      });
      expect(await store.executions.get(big.executionId)).toEqual(created);
      const raw = await rawItem(tables.executionHistory, big.executionId);
      expect(raw.DocChunks).toBe(1);
      expect(raw.Doc).toBeUndefined();
      const chunk = await rawChunk(tables.executionItems, big.executionId, "doc#0000000001#000000");
      expect((chunk.Data as Uint8Array).byteLength).toBeLessThan(262_144);
      // The execution item (leases and commands update it) stays small whatever the execution's size.
      expect(JSON.stringify(raw).length).toBeLessThan(4096);
      console.info(
        `3,000-server execution: ${json} bytes of JSON, ${(chunk.Data as Uint8Array).byteLength} bytes gzipped, execution item ${JSON.stringify(raw).length} bytes`,
      );

      const next: Execution = { ...created, status: "COMPLETED", endTime: big.startTime + 3_600_000 };
      delete next.wakeAt;
      const saved = await store.executions.save(next, 1, {
        events: [{ at: next.endTime!, type: "execution.completed", message: "done" }],
      });
      expect(await store.executions.get(big.executionId)).toEqual(saved);
      const page = await store.executions.list({}, { by: "startTime", order: "desc" }, {});
      expect(page.items).toEqual([summarize(saved)]);
      expect((await store.executions.events(big.executionId, 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await store.executions.listActive()).toEqual([]);
      // The generation read before the save stays for readers that read the head just before it.
      expect(await itemKeys(tables.executionItems, big.executionId, "doc#")).toEqual([
        "doc#0000000001#000000",
        "doc#0000000002#000000",
      ]);
      expect(await store.executions.delete([big.executionId])).toBe(1);
    });

    it("a document larger than a chunk is split over several items, read back whole and re-chunked on save", async () => {
      const big = largeExecution(3000);
      const created = await chunked.executions.create(big);
      const raw = await rawItem(tables.executionHistory, big.executionId);
      expect(raw.DocChunks).toBeGreaterThan(2);
      expect(raw.DocGeneration).toBe(1);
      expect(await chunked.executions.get(big.executionId)).toEqual(created);
      expect((await chunked.executions.listActive())[0]?.serverKeys).toHaveLength(3000);

      // A save writes generation 2 and keeps generation 1 (for readers); the save after removes generation 1.
      const saved = await chunked.executions.save({ ...created, planName: "renamed" }, 1);
      expect(await chunked.executions.get(big.executionId)).toEqual(saved);
      const after = await rawItem(tables.executionHistory, big.executionId);
      expect(after.DocGeneration).toBe(2);
      const chunkKeys = await itemKeys(tables.executionItems, big.executionId, "doc#");
      const generation = (g: number) => chunkKeys.filter((k) => k.startsWith(`doc#000000000${g}#`));
      expect(generation(2)).toHaveLength(after.DocChunks as number);
      expect(generation(1)).toHaveLength(raw.DocChunks as number);
      expect(chunkKeys).toHaveLength((after.DocChunks as number) + (raw.DocChunks as number));

      // Shrinking fits one chunk again; generation 1 goes, generation 2 stays as the previous one.
      const small = { ...saved, waves: [], snapshot: { ...saved.snapshot, groups: [] } };
      const shrunk = await chunked.executions.save(small, 2);
      expect(await chunked.executions.get(big.executionId)).toEqual(shrunk);
      const keys = await itemKeys(tables.executionItems, big.executionId, "doc#");
      expect(keys.filter((k) => k.startsWith("doc#0000000001#"))).toEqual([]);
      expect(keys.filter((k) => k.startsWith("doc#0000000002#"))).toHaveLength(after.DocChunks as number);
      expect(keys.filter((k) => k.startsWith("doc#0000000003#"))).toEqual(["doc#0000000003#000000"]);
      expect(await chunked.executions.listActive()).toEqual([
        expect.objectContaining({ executionId: big.executionId, serverKeys: [] }),
      ]);
      expect(await chunked.executions.delete([big.executionId])).toBe(1);
      expect(await itemKeys(tables.executionItems, big.executionId, "")).toEqual([]);
    });
  });

  describe("transactions", () => {
    let tables: DynamoTableNames;
    beforeAll(async () => {
      tables = await newTables();
    });

    it("TransactWriteItems is all or nothing: a save whose event item is refused leaves the execution, its summary and its events as they were", async () => {
      const store = createDynamoStore({ client: await motoClient(), tables, maxAttempts: 3 });
      const small = largeExecution(3);
      const created = await store.executions.create(small, {
        events: [{ at: small.startTime, type: "execution.started", message: "started" }],
      });
      // An event item already holds the sequence number the save will use (events are append-only:
      // each event item is written only if absent), so DynamoDB cancels the whole transaction, including
      // the execution update whose own condition (version 1) holds.
      const doc = DynamoDBDocumentClient.from(await motoClient());
      await doc.send(
        new PutCommand({
          TableName: tables.executionItems,
          Item: { ExecutionId: small.executionId, ItemKey: "event#0000000002", Events: "[]" },
        }),
      );
      const error = await store.executions
        .save({ ...created, status: "PAUSED" }, 1, {
          events: [{ at: small.startTime + 1, type: "execution.paused", message: "paused" }],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe("CONCURRENT_UPDATE");
      expect(await store.executions.get(small.executionId)).toEqual(created);
      expect(await store.executions.getSummary(small.executionId)).toEqual(summarize(created));
      expect(await itemKeys(tables.executionItems, small.executionId, "doc#")).toEqual([
        "doc#0000000001#000000",
      ]);
      expect((await rawItem(tables.executionHistory, small.executionId)).Version).toBe(1);
    });

    it("a group write that loses a race for a server (registry version) retries and reports the winner", async () => {
      const winner = createDynamoStore({ client: await motoClient(), tables });
      const { client: racing, armRace } = racingClient();
      const loser = createDynamoStore({ client: racing, tables });
      const server = sid();
      const winning = pg({ name: "winner", sourceServerIds: [server] });
      armRace(() => winner.protectionGroups.create(winning));
      const error = await loser.protectionGroups
        .create(pg({ name: "loser", sourceServerIds: [sid(), server] }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe("SERVER_ALREADY_ASSIGNED");
      expect((error as ConflictError).extra).toMatchObject({
        sourceServerId: server,
        groupId: winning.groupId,
        groupName: "winner",
      });
      expect((await winner.protectionGroups.listAll()).map((g) => g.name)).toEqual(["winner"]);
      const registry = await rawClaim(tables.claims, `servers#${winning.accountId}#${winning.region}`);
      expect(JSON.parse(registry.Claims as string)).toEqual({ [winning.groupId]: [server] });
    });

    it("a name taken between the read and the write is reported as NAME_ALREADY_EXISTS", async () => {
      const winner = createDynamoStore({ client: await motoClient(), tables });
      const { client: racing, armRace } = racingClient();
      const loser = createDynamoStore({ client: racing, tables });
      const winning = pg({ name: "Payments Web" });
      armRace(() => winner.protectionGroups.create(winning));
      const error = await loser.protectionGroups
        .create(pg({ name: "PAYMENTS web" }))
        .catch((e: unknown) => e);
      expect((error as ConflictError).code).toBe("NAME_ALREADY_EXISTS");
      expect((error as ConflictError).extra.conflictingId).toBe(winning.groupId);
    });

    it("a command appended while a save is in flight keeps the execution due (the save retries)", async () => {
      const plain = createDynamoStore({ client: await motoClient(), tables });
      const { client: racing, armRace } = racingClient();
      const saver = createDynamoStore({ client: racing, tables });
      const running = largeExecution(2);
      const created = await plain.executions.create({
        ...running,
        status: "COMPLETED",
        endTime: running.startTime + 1,
      });
      let appended = 0;
      armRace(async () => {
        appended = await plain.executions.appendCommand(created.executionId, {
          type: "cancel",
          by: "bob",
          at: 1,
        });
      });
      const { wakeAt: _drop, ...withoutWake } = created;
      const saved = await saver.executions.save(withoutWake, 1);
      expect(appended).toBe(1);
      expect(saved.version).toBe(2);
      expect(await plain.executions.listDue(running.startTime, 10)).toEqual([created.executionId]);
      await plain.executions.save({ ...saved, appliedCommandSeq: 1 }, 2);
      expect(await plain.executions.listDue(running.startTime, 10)).toEqual([]);
    });
  });

  async function rawItem(table: string, executionId: string): Promise<Record<string, unknown>> {
    const doc = DynamoDBDocumentClient.from(client as DynamoDBClient);
    const out = await doc.send(new GetCommand({ TableName: table, Key: { ExecutionId: executionId } }));
    return out.Item ?? {};
  }

  async function rawChunk(
    table: string,
    executionId: string,
    itemKey: string,
  ): Promise<Record<string, unknown>> {
    const doc = DynamoDBDocumentClient.from(client as DynamoDBClient);
    const out = await doc.send(
      new GetCommand({ TableName: table, Key: { ExecutionId: executionId, ItemKey: itemKey } }),
    );
    return out.Item ?? {};
  }

  async function rawClaim(table: string, key: string): Promise<Record<string, unknown>> {
    const doc = DynamoDBDocumentClient.from(client as DynamoDBClient);
    const out = await doc.send(new GetCommand({ TableName: table, Key: { ClaimKey: key } }));
    return out.Item ?? {};
  }

  async function itemKeys(table: string, executionId: string, prefix: string): Promise<string[]> {
    const doc = DynamoDBDocumentClient.from(client as DynamoDBClient);
    const out = await doc.send(
      new QueryCommand({
        TableName: table,
        ...(prefix === ""
          ? { KeyConditionExpression: "ExecutionId = :id", ExpressionAttributeValues: { ":id": executionId } }
          : {
              KeyConditionExpression: "ExecutionId = :id AND begins_with(ItemKey, :p)",
              ExpressionAttributeValues: { ":id": executionId, ":p": prefix },
            }),
      }),
    );
    return (out.Items ?? []).map((i) => String(i.ItemKey));
  }
});

/**
 * A client whose next TransactWriteItems first runs `race` (another writer's whole operation), so the
 * transaction meets a state that changed after its reads: a deterministic lost race.
 */
function racingClient(): { client: DynamoDBClient; armRace(race: () => Promise<unknown>): void } {
  const racing = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: server!.endpoint });
  let pending: (() => Promise<unknown>) | undefined;
  racing.middlewareStack.add(
    (next, context) => async (args) => {
      if (pending && context.commandName === "TransactWriteItemsCommand") {
        const race = pending;
        pending = undefined;
        await race();
      }
      return next(args);
    },
    { step: "initialize", name: "raceBeforeTransaction" },
  );
  return {
    client: racing,
    armRace(race) {
      pending = race;
    },
  };
}

function sid(): string {
  return `s-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

function pg(overrides: Partial<ProtectionGroup>): ProtectionGroup {
  return {
    groupId: randomUUID(),
    name: `group ${randomBytes(4).toString("hex")}`,
    accountId: "111122223333",
    region: "us-east-1",
    selectionMode: "explicit",
    sourceServerIds: [sid()],
    owner: "alice@example.com",
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
    version: 1,
    ...overrides,
  };
}

/** An execution of `servers` servers in one wave, every server launched, with realistic field sizes. */
function largeExecution(servers: number): Execution {
  const executionId = randomUUID();
  const planId = randomUUID();
  const groupId = randomUUID();
  const start = Date.UTC(2026, 0, 15, 9, 0, 0);
  const runs: ServerRun[] = Array.from({ length: servers }, (_, i) => ({
    sourceServerId: sid(),
    hostname: `app-${String(i).padStart(4, "0")}.prod.corp.example.com`,
    accountId: "111122223333",
    region: "us-east-1",
    groupId,
    status: "LAUNCHED",
    batchId: `wave-1/${Math.floor(i / 100) + 1}`,
    jobId: `drsjob-${randomBytes(9).toString("hex").slice(0, 17)}`,
    recoveryInstanceId: `i-${randomBytes(9).toString("hex").slice(0, 17)}`,
    ec2InstanceId: `i-${randomBytes(9).toString("hex").slice(0, 17)}`,
    launchedAt: new Date(start + 600_000 + i).toISOString(),
  }));
  const wave: WaveRun = {
    waveId: "wave-1",
    name: "Everything",
    status: "RUNNING",
    phase: "launching",
    onFailure: "continue",
    dependsOn: [],
    pauseBefore: false,
    pauseCleared: false,
    startTime: start,
    servers: runs,
    batches: [],
    actions: [],
  };
  return {
    executionId,
    planId,
    planName: "Data centre exit",
    executionType: "DRILL",
    status: "RUNNING",
    initiatedBy: "alice@example.com",
    startTime: start,
    options: { reverseWaveOrder: false },
    snapshot: {
      plan: { planId, name: "Data centre exit", rpoSeconds: 300, rtoSeconds: 3600, version: 1, waves: [] },
      groups: [
        {
          groupId,
          name: "everything",
          accountId: "111122223333",
          region: "us-east-1",
          selectionMode: "explicit",
          servers: runs.map((r) => ({ sourceServerId: r.sourceServerId, hostname: r.hostname })),
        },
      ],
    },
    waves: [wave],
    appliedCommandSeq: 0,
    wakeAt: start + 5000,
    createdAt: start,
    updatedAt: start,
    version: 1,
  };
}
