import { ManualClock } from "@drso/clock";
import { type ConfigPatch, defaultConfig, mergeConfig } from "../faults/sim-config.js";
import type { FleetOption } from "../fleets/fleet-loader.js";
import type { SourceServerSeed } from "../fleets/fleet-spec.js";
import type { JobRecord } from "../model/records.js";
import { OPERATIONS, type OperationName } from "../protocol/operations.js";
import { SimulatorRuntime } from "../runtime.js";
import { executeOperation } from "../server.js";

export const TEST_ACCOUNT = "123456789012";
export const TEST_REGION = "us-east-1";

export interface CallOptions {
  accountId?: string;
  region?: string;
  resourceArn?: string;
  tagKeys?: string[];
}

/**
 * An in-process simulator on a ManualClock for model tests: operations run through the same validation and
 * handlers as HTTP requests, without the wire.
 */
export class Harness {
  readonly clock: ManualClock;
  readonly runtime: SimulatorRuntime;

  constructor(
    options: {
      fleet?: FleetOption;
      config?: ConfigPatch;
      timeScale?: number;
      seed?: number;
      startMs?: number;
    } = {},
  ) {
    this.clock = new ManualClock(options.startMs ?? Date.UTC(2026, 0, 1));
    this.runtime = new SimulatorRuntime({
      clock: this.clock,
      seed: options.seed ?? 1,
      timeScale: options.timeScale ?? 1,
      fleet: options.fleet ?? "empty",
      config: mergeConfig(defaultConfig(), options.config ?? {}),
      accounts: {},
      defaultAccountId: TEST_ACCOUNT,
    });
  }

  get sim() {
    return this.runtime.sim;
  }

  // biome-ignore lint/suspicious/noExplicitAny: test convenience over untyped wire shapes
  call(op: OperationName, body: Record<string, unknown> = {}, options: CallOptions = {}): any {
    const input = {
      body,
      ...(options.resourceArn !== undefined ? { resourceArn: options.resourceArn } : {}),
      ...(options.tagKeys !== undefined ? { tagKeys: options.tagKeys } : {}),
    };
    return executeOperation(
      this.runtime,
      OPERATIONS[op],
      options.accountId ?? TEST_ACCOUNT,
      options.region ?? TEST_REGION,
      input,
    ).output;
  }

  /** Seeds healthy servers (or as described) in the test account and region; returns their IDs. */
  seed(
    count: number,
    overrides: Partial<SourceServerSeed> = {},
    region = TEST_REGION,
    accountId = TEST_ACCOUNT,
  ): string[] {
    const servers = Array.from({ length: count }, (_, i) => ({
      hostname: `host-${String(i + 1).padStart(3, "0")}`,
      snapshotsHistoryHours: 30,
      ...overrides,
    }));
    return this.runtime.seedSourceServers({ accountId, region, servers }).sourceServerIDs;
  }

  drill(ids: string[], extra: Record<string, unknown> = {}): string {
    return this.call("StartRecovery", {
      sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
      isDrill: true,
      ...extra,
    }).job.jobID as string;
  }

  job(id: string): JobRecord {
    const job = this.sim.world.job(id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  }

  /** The job log as "EVENT" or "EVENT:serverId" strings. */
  events(jobId: string, withServer = false): string[] {
    return this.job(jobId).log.map((e) =>
      withServer && typeof e.data?.sourceServerID === "string"
        ? `${e.event}:${e.data.sourceServerID}`
        : e.event,
    );
  }

  /** Runs the clock through scheduled steps until no job is active. */
  settle(maxMs?: number): void {
    this.runtime.settle(maxMs);
  }

  close(): Promise<void> {
    return this.runtime.close();
  }
}
