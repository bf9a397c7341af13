import type { Clock } from "@drso/clock";
import {
  type ClockInfo,
  type ClockRequest,
  ControlError,
  type FailbackRequest,
  type RegionRequest,
  type ResetRequest,
  type SeedServersRequest,
  type SimControl,
  type SimStateDump,
  type SourceServerStateRequest,
} from "./control/control-types.js";
import { RequestLog, type RequestLogEntry, type RequestLogFilter } from "./control/request-log.js";
import { ProtocolFaults } from "./faults/protocol-faults.js";
import { type ConfigPatch, configProblems, mergeConfig, type SimConfig } from "./faults/sim-config.js";
import { applyFleet, type FleetOption, resolveFleet } from "./fleets/fleet-loader.js";
import { type FleetSpec, seedProblems } from "./fleets/fleet-spec.js";
import {
  DATA_REPLICATION_ERRORS,
  DATA_REPLICATION_STATES,
  EC2_INSTANCE_STATES,
  FAILBACK_REPLICATION_ERRORS,
  isActiveJobStatus,
} from "./model/drs-enums.js";
import { DrsError } from "./model/drs-error.js";
import { driveFailback } from "./model/failback.js";
import { readinessOf, setReplicationState } from "./model/replication.js";
import { SeededStream } from "./model/seeded-stream.js";
import { Simulation } from "./model/simulation.js";
import { createSourceServer } from "./model/source-server-factory.js";
import { formatTime } from "./model/time-format.js";
import {
  renderJob,
  renderJobLog,
  renderRecoveryInstance,
  renderSourceServer,
  viewContext,
} from "./model/wire-views.js";
import {
  readStateFile,
  type StateFileContent,
  StateSaver,
  writeStateFileSync,
} from "./persistence/state-file.js";
import { SwitchableClock } from "./switchable-clock.js";

export interface RuntimeOptions {
  clock: Clock;
  seed: number;
  timeScale: number;
  fleet: FleetOption | undefined;
  config: SimConfig;
  accounts: Record<string, string>;
  defaultAccountId: string;
  stateFile?: string | undefined;
}

interface ManualApi {
  advanceTo(ms: number): void;
}

function manualApi(clock: Clock): ManualApi | undefined {
  if (clock instanceof SwitchableClock) return clock;
  const candidate = clock as Partial<ManualApi>;
  return typeof candidate.advanceTo === "function" ? (candidate as ManualApi) : undefined;
}

/**
 * Everything one simulator holds: the model, the knobs, the protocol faults, the request log and the state
 * file. It is the in-process control plane (`SimControl`); the HTTP layer and `/__sim` routes call into it.
 */
export class SimulatorRuntime implements SimControl {
  sim: Simulation;
  config: SimConfig;
  readonly requestLog: RequestLog;
  faults: ProtocolFaults;
  reads: SeededStream;
  requestIds: SeededStream;
  private fleet: FleetSpec;
  private seed: number;
  private saver: StateSaver | undefined;
  private closed = false;

  constructor(private readonly options: RuntimeOptions) {
    this.seed = options.seed;
    this.config = options.config;
    this.fleet = resolveFleet(options.fleet);
    this.requestLog = new RequestLog(this.config.requestLogSize);
    this.faults = new ProtocolFaults(new SeededStream(this.seed, "faults"));
    this.reads = new SeededStream(this.seed, "reads");
    this.requestIds = new SeededStream(this.seed, "requests");
    const saved = options.stateFile ? readStateFile(options.stateFile) : undefined;
    if (saved) {
      this.seed = saved.simulation.seed;
      this.config = saved.config;
      this.requestLog.resize(this.config.requestLogSize);
      this.sim = this.newSimulation(this.seed);
      this.catchUpClock(saved);
      this.sim.restore(saved.simulation);
    } else {
      this.sim = this.newSimulation(this.seed);
      applyFleet(this.sim, this.fleet);
    }
    if (options.stateFile) {
      this.saver = new StateSaver(options.stateFile, () => this.stateFileContent());
      if (!saved) this.saver.markDirty();
    }
  }

  get simClock(): Clock {
    return this.options.clock;
  }

  get accounts(): Record<string, string> {
    return this.options.accounts;
  }

  get defaultAccountId(): string {
    return this.options.defaultAccountId;
  }

  get timeScale(): number {
    return this.options.timeScale;
  }

  get currentSeed(): number {
    return this.seed;
  }

  /** The fleet the simulator started with (what `reset` restores). */
  get startupFleet(): FleetSpec {
    return this.fleet;
  }

  markDirty(): void {
    if (!this.closed) this.saver?.markDirty();
  }

  private newSimulation(seed: number): Simulation {
    return new Simulation({
      clock: this.options.clock,
      seed,
      timeScale: this.options.timeScale,
      config: () => this.config,
      onStepError: (error, step) => console.error(`drs-sim: scheduled step ${step.kind} failed`, error),
      afterSteps: () => this.markDirty(),
    });
  }

  /** A manual clock that the state file is ahead of moves forward to the saved time. */
  private catchUpClock(saved: StateFileContent): void {
    const api = manualApi(this.options.clock);
    if (api && this.options.clock.now() < saved.clockNow) api.advanceTo(saved.clockNow);
  }

  private stateFileContent(): StateFileContent {
    return {
      format: "drs-sim-state",
      version: 1,
      savedAt: new Date(this.sim.now()).toISOString(),
      clockNow: this.options.clock.now(),
      timeScale: this.options.timeScale,
      config: this.config,
      simulation: this.sim.snapshot(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Save before disposing: disposing empties the schedule, which the state file must keep.
    await this.saver?.close();
    this.sim.dispose();
  }

  /** Synchronous last-chance save (process exit). */
  saveSync(): void {
    if (this.options.stateFile) writeStateFileSync(this.options.stateFile, this.stateFileContent());
  }

  // ----------------------------------------------------------------------------------------------------
  // SimControl

  reset(request: ResetRequest = {}): void {
    if (request.seed !== undefined && (!Number.isInteger(request.seed) || request.seed < 0)) {
      throw new ControlError(400, "seed must be a non-negative integer");
    }
    const fleet = request.fleet !== undefined ? resolveFleetOrThrow(request.fleet) : this.fleet;
    this.sim.dispose();
    if (request.seed !== undefined) this.seed = request.seed;
    this.config = this.options.config;
    this.requestLog.resize(this.config.requestLogSize);
    this.requestLog.clear();
    this.faults = new ProtocolFaults(new SeededStream(this.seed, "faults"));
    this.reads = new SeededStream(this.seed, "reads");
    this.requestIds = new SeededStream(this.seed, "requests");
    this.sim = this.newSimulation(this.seed);
    applyFleet(this.sim, fleet);
    this.markDirty();
  }

  getConfig(): SimConfig {
    return structuredClone(this.config);
  }

  setConfig(patch: ConfigPatch): SimConfig {
    const problems = configProblems(patch);
    if (problems.length > 0) throw new ControlError(400, `invalid config: ${problems.join("; ")}`);
    this.config = mergeConfig(this.config, patch);
    this.requestLog.resize(this.config.requestLogSize);
    this.applyServerKnobs(patch);
    this.markDirty();
    return this.getConfig();
  }

  /** Per-server knobs that are states, not tendencies, take effect when set. */
  private applyServerKnobs(patch: ConfigPatch): void {
    for (const [id, knobs] of Object.entries(patch.servers ?? {})) {
      const server = knobs ? this.sim.world.server(id) : undefined;
      if (!server || !knobs) continue;
      if (knobs.replicationState) {
        setReplicationState(this.sim, server, knobs.replicationState, {
          error: knobs.dataReplicationError,
          rawError: knobs.rawError,
          lagSeconds: knobs.lagSeconds,
          backlogBytes: knobs.backlogBytes,
        });
      } else if (knobs.neverSynced && server.replication.state !== "INITIAL_SYNC") {
        setReplicationState(this.sim, server, "INITIAL_SYNC", { progress: 0.5 });
      } else {
        if (knobs.lagSeconds !== undefined) server.replication.lagSeconds = knobs.lagSeconds;
        if (knobs.backlogBytes !== undefined) server.replication.backlogBytes = knobs.backlogBytes;
      }
    }
  }

  seedSourceServers(request: SeedServersRequest): { sourceServerIDs: string[] } {
    const accountId = request.accountId ?? this.options.defaultAccountId;
    if (!/^\d{12}$/.test(accountId)) throw new ControlError(400, "accountId must be 12 digits");
    if (typeof request.region !== "string" || !/^[a-z0-9-]{1,32}$/.test(request.region)) {
      throw new ControlError(400, "region is required, e.g. us-east-1");
    }
    if (!Array.isArray(request.servers) || request.servers.length === 0) {
      throw new ControlError(400, "servers must be a non-empty array");
    }
    const problems = request.servers.flatMap((s, i) => seedProblems(s, `servers[${i}]`));
    for (const s of request.servers) {
      if (s.id && this.sim.world.server(s.id)) problems.push(`source server ${s.id} already exists`);
    }
    if (problems.length > 0) throw new ControlError(400, problems.slice(0, 20).join("; "));
    let total = 0;
    for (const region of this.sim.world.allRegions())
      if (region.accountId === accountId) total += region.servers.size;
    if (total + request.servers.length > this.config.quotas.totalServers) {
      throw new ControlError(
        402,
        `total source servers per account quota (L-E28BE5E0) exceeded: ${total} + ${request.servers.length} > ${this.config.quotas.totalServers}`,
      );
    }
    this.sim.region(accountId, request.region);
    const ids = request.servers.map((seed) => {
      const server = createSourceServer(this.sim, accountId, request.region, seed);
      this.sim.world.addServer(server);
      return server.id;
    });
    this.markDirty();
    return { sourceServerIDs: ids };
  }

  setSourceServerState(sourceServerId: string, request: SourceServerStateRequest): Record<string, unknown> {
    const server = this.sim.world.server(sourceServerId);
    if (!server) throw new ControlError(404, `source server ${sourceServerId} not found`);
    if (!request || !(DATA_REPLICATION_STATES as readonly string[]).includes(request.state)) {
      throw new ControlError(400, `state must be one of ${DATA_REPLICATION_STATES.join(", ")}`);
    }
    if (
      request.error !== undefined &&
      !(DATA_REPLICATION_ERRORS as readonly string[]).includes(request.error)
    ) {
      throw new ControlError(400, `error must be one of ${DATA_REPLICATION_ERRORS.join(", ")}`);
    }
    for (const key of ["lagSeconds", "backlogBytes"] as const) {
      const value = request[key];
      if (value !== undefined && !(typeof value === "number" && value >= 0)) {
        throw new ControlError(400, `${key} must be a number >= 0`);
      }
    }
    setReplicationState(this.sim, server, request.state, {
      error: request.error,
      rawError: request.rawError,
      lagSeconds: request.lagSeconds,
      backlogBytes: request.backlogBytes,
      autoProgress: request.autoProgress === true,
    });
    this.markDirty();
    return renderSourceServer(viewContext(this.sim), server);
  }

  driveFailback(recoveryInstanceId: string, request: FailbackRequest): Record<string, unknown> {
    const instance = this.sim.world.instance(recoveryInstanceId);
    if (!instance) throw new ControlError(404, `recovery instance ${recoveryInstanceId} not found`);
    const actions = ["clientConnected", "replicationHealthy", "error"];
    if (!request || !actions.includes(request.action)) {
      throw new ControlError(400, `action must be one of ${actions.join(", ")}`);
    }
    if (
      request.error !== undefined &&
      !(FAILBACK_REPLICATION_ERRORS as readonly string[]).includes(request.error)
    ) {
      throw new ControlError(400, `error must be one of ${FAILBACK_REPLICATION_ERRORS.join(", ")}`);
    }
    try {
      driveFailback(this.sim, instance, request.action, request.error);
    } catch (error) {
      if (error instanceof DrsError) throw new ControlError(error.status, error.message);
      throw error;
    }
    this.markDirty();
    return renderRecoveryInstance(viewContext(this.sim), instance);
  }

  setInstanceState(
    recoveryInstanceId: string,
    state: Parameters<SimControl["setInstanceState"]>[1],
  ): Record<string, unknown> {
    const instance = this.sim.world.instance(recoveryInstanceId);
    if (!instance) throw new ControlError(404, `recovery instance ${recoveryInstanceId} not found`);
    if (!(EC2_INSTANCE_STATES as readonly string[]).includes(state)) {
      throw new ControlError(400, `state must be one of ${EC2_INSTANCE_STATES.join(", ")}`);
    }
    instance.ec2State = state;
    this.markDirty();
    return renderRecoveryInstance(viewContext(this.sim), instance);
  }

  setRegion(request: RegionRequest): void {
    if (!request || !/^\d{12}$/.test(String(request.accountId)))
      throw new ControlError(400, "accountId must be 12 digits");
    if (typeof request.region !== "string" || !/^[a-z0-9-]{1,32}$/.test(request.region)) {
      throw new ControlError(400, "region is required, e.g. us-east-1");
    }
    if (typeof request.initialized !== "boolean")
      throw new ControlError(400, "initialized must be true or false");
    this.sim.world.ensure(request.accountId, request.region, request.initialized).record.initialized =
      request.initialized;
    this.markDirty();
  }

  clock(request: ClockRequest = {}): ClockInfo {
    const clock = this.options.clock;
    const api = manualApi(clock);
    if (request.mode !== undefined) {
      if (request.mode !== "real" && request.mode !== "manual")
        throw new ControlError(400, "mode must be real or manual");
      if (!(clock instanceof SwitchableClock)) {
        throw new ControlError(409, "the simulator was given its own clock; its mode cannot be switched");
      }
      clock.setMode(request.mode);
    }
    if (request.advanceMs !== undefined) {
      if (
        !(
          typeof request.advanceMs === "number" &&
          request.advanceMs >= 0 &&
          Number.isFinite(request.advanceMs)
        )
      ) {
        throw new ControlError(400, "advanceMs must be a number >= 0");
      }
      if (!api) throw new ControlError(409, "this clock cannot be advanced");
      api.advanceTo(clock.now() + request.advanceMs);
    }
    if (request.maxMs !== undefined && !(typeof request.maxMs === "number" && request.maxMs >= 0)) {
      throw new ControlError(400, "maxMs must be a number >= 0");
    }
    if (request.settle) {
      if (!api) throw new ControlError(409, "this clock cannot be advanced");
      const limit = clock.now() + (request.maxMs ?? 7 * 24 * 3_600_000);
      while (this.hasActiveJobs()) {
        const next = this.sim.scheduler.nextAt();
        if (next === undefined || next > limit) break;
        api.advanceTo(Math.max(next, clock.now()));
      }
    }
    if (request.advanceMs !== undefined || request.settle || request.mode !== undefined) this.markDirty();
    return this.clockInfo();
  }

  advance(ms: number): ClockInfo {
    return this.clock({ advanceMs: ms });
  }

  settle(maxMs?: number): ClockInfo {
    return this.clock({ settle: true, ...(maxMs !== undefined ? { maxMs } : {}) });
  }

  private hasActiveJobs(): boolean {
    return this.sim.world
      .allRegions()
      .some((r) => [...r.jobs.values()].some((j) => isActiveJobStatus(j.status)));
  }

  clockInfo(): ClockInfo {
    const clock = this.options.clock;
    const now = clock.now();
    const next = this.sim.scheduler.nextAt();
    return {
      mode: clock instanceof SwitchableClock ? clock.mode : manualApi(clock) ? "manual" : "external",
      now,
      iso: new Date(now).toISOString(),
      controllable: manualApi(clock) !== undefined,
      pendingSteps: this.sim.scheduler.size,
      nextStepAt: next ?? null,
    };
  }

  state(): SimStateDump {
    const view = viewContext(this.sim);
    return {
      now: formatTime(view.now, this.config.timestampStyle),
      nowMs: view.now,
      seed: this.seed,
      timeScale: this.options.timeScale,
      clock: this.clockInfo(),
      config: this.getConfig(),
      regions: this.sim.world.allRegions().map((region) => ({
        accountId: region.accountId,
        region: region.region,
        initialized: region.record.initialized,
        sourceServers: region.sortedServers().map((s) => ({
          ...renderSourceServer(view, s),
          simulator: { readiness: readinessOf(s), snapshots: this.sim.snapshotsOf(s).length },
        })),
        recoveryInstances: region.sortedInstances().map((i) => ({
          ...renderRecoveryInstance(view, i),
          simulator: {
            appReady: i.appReadyMs !== undefined && i.appReadyMs <= view.now,
            ...(i.appReadyMs !== undefined ? { appReadyTime: new Date(i.appReadyMs).toISOString() } : {}),
          },
        })),
        jobs: region
          .sortedJobs()
          .map((j) => ({ ...renderJob(view, j), log: j.log.map((e) => renderJobLog(view, e)) })),
      })),
      requests: this.requestLog.query({ limit: 200 }),
    };
  }

  requests(filter?: RequestLogFilter): RequestLogEntry[] {
    return this.requestLog.query(filter);
  }

  clearRequests(): void {
    this.requestLog.clear();
  }

  async save(): Promise<void> {
    await this.saver?.close();
  }
}

function resolveFleetOrThrow(option: FleetOption): FleetSpec {
  try {
    return resolveFleet(option);
  } catch (error) {
    throw new ControlError(400, (error as Error).message);
  }
}
