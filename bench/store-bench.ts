import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Execution, Store } from "@drso/core";
import { createDynamoStore, createDynamoTables, createSqliteStore, dynamoTableNames } from "@drso/store";
import { raceReadsAndSaves } from "../adapters/store/src/contract/read-race.js";
import { execution, sid } from "../adapters/store/src/contract/records.js";
import { MOTO_CLIENT_CONFIG, motoAvailable, motoSkipMessage, startMoto } from "../tests/support/moto.js";
import { tempDir } from "../tests/support/processes.js";
import type { BenchFigure, BenchSuite } from "./types.js";

const SUITE = "store";
const SECONDS = Number(process.env.DRSO_BENCH_CONSISTENCY_SECONDS ?? 60);
const SAVES_PER_SECOND = 20;
const READS_PER_SECOND = 50;
const SERVERS = 300;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The fixture execution with SERVERS servers in its wave (a document of a few hundred KB as JSON). */
function bigExecution(): Execution {
  const e = execution();
  const wave = e.waves[0]!;
  const template = wave.servers[0]!;
  wave.servers = Array.from({ length: SERVERS }, (_, i) => ({
    ...template,
    sourceServerId: sid(),
    hostname: `app-${String(i).padStart(4, "0")}.corp.example.com`,
  }));
  return e;
}

/**
 * Issue 14 item 6: a saver at 20 saves/s against a reader at 50 reads/s on one execution, for 60 s, on a SQLite
 * file and on DynamoDB (moto_server, serial): every read must be one whole saved version, none may fail.
 */
export const storeBench: BenchSuite = {
  name: SUITE,
  async run() {
    const figures: BenchFigure[] = [];
    const measure = async (name: string, store: Store) => {
      const race = await raceReadsAndSaves(store, bigExecution(), {
        saves: SECONDS * SAVES_PER_SECOND,
        savesPerSecond: SAVES_PER_SECOND,
        readsPerSecond: READS_PER_SECOND,
      });
      const sorted = [...race.readMs].sort((a, b) => a - b);
      const metric = (m: string) =>
        `${name}: ${m} (${SECONDS} s, ${SAVES_PER_SECOND} saves/s, ${READS_PER_SECOND} reads/s)`;
      figures.push(
        { suite: SUITE, metric: metric("saves"), value: race.saves, unit: "saves" },
        { suite: SUITE, metric: metric("reads"), value: race.reads, unit: "reads" },
        {
          suite: SUITE,
          metric: metric("failed reads"),
          value: race.failures.length,
          unit: "reads",
          target: "0",
          pass: race.failures.length === 0,
          ...(race.failures[0] ? { note: race.failures[0] } : {}),
        },
        {
          suite: SUITE,
          metric: metric("reads of a version that was not saved"),
          value: race.mixed.length,
          unit: "reads",
          target: "0",
          pass: race.mixed.length === 0,
        },
        { suite: SUITE, metric: metric("read p99"), value: percentile(sorted, 99), unit: "ms" },
      );
    };
    const dir = tempDir("drso-store-bench-");
    try {
      const sqlite = createSqliteStore({ path: `${dir.path}/drso.db` });
      await measure("SQLite file", sqlite);
      await sqlite.close();
    } finally {
      dir.remove();
    }
    if (!motoAvailable()) {
      console.warn(motoSkipMessage("store bench on DynamoDB"));
      return figures;
    }
    const moto = await startMoto({ serial: true });
    try {
      const client = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
      const tables = dynamoTableNames(`bench${Date.now()}`);
      await createDynamoTables(client, tables);
      // Small chunks, so that a document spans several items as a 3,000-server one does at the default size.
      const dynamo = createDynamoStore({ client, tables, documentChunkBytes: 8_192 });
      await measure("DynamoDB (moto)", dynamo);
      await dynamo.close();
    } finally {
      await moto.stop();
    }
    return figures;
  },
};
