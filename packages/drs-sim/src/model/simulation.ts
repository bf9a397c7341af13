import type { Clock } from "@drso/clock";
import type { SimConfig } from "../faults/sim-config.js";
import {
  beginFailbackJob,
  onFailbackAutoConnect,
  onFailbackPhase,
  onFailbackReplication,
} from "./failback.js";
import { IdFactory } from "./ids.js";
import { cancelJob, completeJob, startJob } from "./jobs.js";
import { beginLaunchJob, onLaunchActions, onLaunchPhase } from "./launch-job.js";
import type { JobRecord, RecoveryInstanceRecord, SourceServerRecord } from "./records.js";
import { onReplicationStep, onStall } from "./replication.js";
import { Scheduler, type SchedulerSnapshot } from "./scheduler.js";
import { SeededStream } from "./seeded-stream.js";
import type { SimContext, Step } from "./sim-context.js";
import { listSnapshots, prunePitIntervals, type SnapshotInfo } from "./snapshots.js";
import { beginTerminateJob, onTerminatePhase } from "./terminate-job.js";
import { DEFAULT_TIMINGS, type Distribution, sampleDuration, type TimingName } from "./timing.js";
import { type RegionState, World, type WorldSnapshot } from "./world.js";

function isLaunchOfServers(job: JobRecord): boolean {
  return job.type === "LAUNCH" && job.initiatedBy !== "FAILBACK";
}

export interface SimulationOptions {
  clock: Clock;
  seed: number;
  timeScale: number;
  config: () => SimConfig;
  /** Called when a scheduled step throws (a simulator bug); the simulator carries on. */
  onStepError?: (error: unknown, step: Step) => void;
  /** Called after each batch of scheduled steps (the state file is saved from here). */
  afterSteps?: () => void;
}

export interface SimulationSnapshot {
  seed: number;
  jobSeq: number;
  serverSeq: number;
  epochMs: number;
  streams: { ids: number; timing: number; outcomes: number };
  world: WorldSnapshot;
  scheduler: SchedulerSnapshot<Step>;
}

/**
 * The DRS model: the world of accounts and regions, the seeded randomness, and the one scheduler that moves
 * jobs, replication, EC2 states and failback along the simulator clock.
 */
export class Simulation implements SimContext {
  world = new World();
  readonly scheduler: Scheduler<Step>;
  readonly seed: number;
  readonly timeScale: number;
  ids: IdFactory;
  /** Durations. */
  timing: SeededStream;
  /** Injected failures and other chance outcomes. */
  outcomes: SeededStream;
  private idStream: SeededStream;
  private jobSeq = 0;
  private serverSeq = 0;
  /** Clock time when the simulator started (or was last reset): the origin of `throttleWindows`. */
  epochMs: number;

  constructor(private readonly options: SimulationOptions) {
    this.seed = options.seed;
    this.timeScale = options.timeScale;
    this.idStream = new SeededStream(options.seed, "ids");
    this.ids = new IdFactory(this.idStream);
    this.timing = new SeededStream(options.seed, "timing");
    this.outcomes = new SeededStream(options.seed, "outcomes");
    this.epochMs = options.clock.now();
    this.scheduler = new Scheduler<Step>(
      options.clock,
      (step) => this.dispatch(step),
      (error, step) => options.onStepError?.(error, step),
      () => options.afterSteps?.(),
    );
  }

  get config(): SimConfig {
    return this.options.config();
  }

  /** Simulator time; inside a scheduled step, that step's due time. */
  now(): number {
    return this.scheduler.now();
  }

  nextJobSeq(): number {
    return ++this.jobSeq;
  }

  nextServerSeq(): number {
    return ++this.serverSeq;
  }

  schedule(at: number, step: Step): void {
    this.scheduler.add(at, step);
  }

  /** A phase duration from its knob or the §10.2 default, multiplied by `timeScale`. */
  duration(name: TimingName): number {
    const dist = (this.config[name] as Distribution | undefined) ?? DEFAULT_TIMINGS[name];
    return sampleDuration(dist, this.timing, this.timeScale);
  }

  sample(dist: Distribution): number {
    return sampleDuration(dist, this.timing, this.timeScale);
  }

  scaled(ms: number): number {
    return Math.round(ms * this.timeScale);
  }

  /** The region's state, created on first use: INITIALIZED unless the `uninitialized` knob is on. */
  region(accountId: string, region: string): RegionState {
    return this.world.ensure(accountId, region, !this.config.uninitialized);
  }

  isInitialized(accountId: string, region: string): boolean {
    return this.world.find(accountId, region)?.record.initialized ?? !this.config.uninitialized;
  }

  snapshotsOf(server: SourceServerRecord, now = this.now()): SnapshotInfo[] {
    const knobs = this.config.servers[server.id];
    prunePitIntervals(server, now, this.config.pitDailyRetentionDays);
    return listSnapshots(server, now, {
      seed: this.seed,
      dailyRetentionDays: this.config.pitDailyRetentionDays,
      available: knobs?.snapshotsAvailable,
      none: knobs?.noSnapshots,
    });
  }

  /** Active (PENDING/STARTED) launch jobs of the server's region that include it (one job per server). */
  activeJobsForServer(server: SourceServerRecord): JobRecord[] {
    const region = this.world.find(server.accountId, server.region);
    if (!region) return [];
    return region
      .activeJobs()
      .filter(
        (job) => isLaunchOfServers(job) && job.participants.some((p) => p.sourceServerID === server.id),
      );
  }

  /** Source server ID → active launch job holding it, for a whole region at once. */
  serversInActiveJobs(region: RegionState): Map<string, string> {
    const out = new Map<string, string>();
    for (const job of region.activeJobs()) {
      if (!isLaunchOfServers(job)) continue;
      for (const p of job.participants) if (p.sourceServerID) out.set(p.sourceServerID, job.id);
    }
    return out;
  }

  /** The active job that holds a recovery instance (its launch, a TERMINATE or a failback job), if any. */
  activeJobForInstance(instance: RecoveryInstanceRecord): JobRecord | undefined {
    const region = this.world.find(instance.accountId, instance.region);
    return region
      ?.activeJobs()
      .find((job) => job.participants.some((p) => p.recoveryInstanceID === instance.id));
  }

  private dispatch(step: Step): void {
    switch (step.kind) {
      case "jobStart": {
        const job = this.world.job(step.job);
        if (!job || !startJob(this, job)) return;
        if (job.type === "TERMINATE") beginTerminateJob(this, job);
        else if (job.initiatedBy === "FAILBACK") beginFailbackJob(this, job);
        else beginLaunchJob(this, job);
        return;
      }
      case "jobEnd": {
        const job = this.world.job(step.job);
        if (job) completeJob(this, job);
        return;
      }
      case "jobCancel": {
        const job = this.world.job(step.job);
        if (job) cancelJob(this, job, step.reason);
        return;
      }
      case "launchPhase":
        onLaunchPhase(this, step.job, step.index, step.phase);
        return;
      case "launchActions":
        onLaunchActions(this, step.job, step.index);
        return;
      case "terminatePhase":
        onTerminatePhase(this, step.job, step.index, step.phase);
        return;
      case "failbackPhase":
        onFailbackPhase(this, step.job, step.index, step.phase, step.remainingMs);
        return;
      case "replication":
        onReplicationStep(this, step.server, step.epoch);
        return;
      case "stall":
        onStall(this, step.server);
        return;
      case "ec2": {
        const instance = this.world.instance(step.instance);
        if (instance && instance.ec2State !== "TERMINATED") instance.ec2State = step.state;
        return;
      }
      case "failbackReplication":
        onFailbackReplication(this, step.instance, step.epoch);
        return;
      case "failbackAutoConnect":
        onFailbackAutoConnect(this, step.instance);
        return;
    }
  }

  snapshot(): SimulationSnapshot {
    return {
      seed: this.seed,
      jobSeq: this.jobSeq,
      serverSeq: this.serverSeq,
      epochMs: this.epochMs,
      streams: { ids: this.idStream.draws, timing: this.timing.draws, outcomes: this.outcomes.draws },
      world: this.world.snapshot(),
      scheduler: this.scheduler.snapshot(),
    };
  }

  restore(snapshot: SimulationSnapshot): void {
    this.scheduler.clear();
    this.world = World.fromSnapshot(snapshot.world);
    this.jobSeq = snapshot.jobSeq;
    this.serverSeq = snapshot.serverSeq;
    this.epochMs = snapshot.epochMs;
    this.idStream = new SeededStream(this.seed, "ids", snapshot.streams.ids);
    this.ids = new IdFactory(this.idStream);
    this.timing = new SeededStream(this.seed, "timing", snapshot.streams.timing);
    this.outcomes = new SeededStream(this.seed, "outcomes", snapshot.streams.outcomes);
    for (const s of snapshot.world.servers) this.ids.reserve(s.id);
    for (const i of snapshot.world.instances) this.ids.reserve(i.id);
    for (const j of snapshot.world.jobs) this.ids.reserve(j.id);
    this.scheduler.restore(snapshot.scheduler);
  }

  dispose(): void {
    this.scheduler.dispose();
  }
}
