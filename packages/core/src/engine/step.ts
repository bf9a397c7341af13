import { DEFAULT_ACTION_TIMEOUT_SECONDS } from "../domain/actions.js";
import type { DrsJob, DrsTarget, JobParticipant, RecoveryInstance } from "../domain/drs.js";
import {
  type ActionRun,
  type BatchRun,
  closePauses,
  type Execution,
  type ExecutionCommand,
  type ExecutionUsage,
  type FailbackProgress,
  isTerminal,
  type NewExecutionEvent,
  type ServerRun,
  type TerminationRun,
  usageOf,
  type WaveRun,
} from "../domain/execution.js";
import { effectiveLaunchSettings } from "../domain/protection-group.js";
import { plural } from "../domain/text.js";
import type { ActionContext, ActionProgress } from "../ports/action-runner.js";
import { failbackWaitReason, formatHours, launchBudget } from "./failback-timeout.js";
import {
  backoffMs,
  hashUnit,
  IDLE_WAKE_MS,
  LOOKUP_SETTLE_MS,
  MAX_CONSECUTIVE_ERRORS,
  nextPollDelayMs,
} from "./timing.js";
import type { Effect, EffectError, EffectValue, Observation, StepContext, StepResult } from "./types.js";

/** Tags written on every DRS job the engine starts: how a job is found again after a crash. */
export const TAG_EXECUTION = "drso:execution";
export const TAG_BATCH = "drso:batch";
export const TAG_WAVE = "drso:wave";
export const TAG_ATTEMPT = "drso:attempt";
export const TAG_TYPE = "drso:type";

const IN_FLIGHT: ReadonlySet<BatchRun["status"]> = new Set(["LAUNCHING", "UNKNOWN", "ACTIVE"]);
const BATCH_DONE: ReadonlySet<BatchRun["status"]> = new Set(["DONE", "FAILED", "CANCELLED"]);
const WAVE_DONE: ReadonlySet<WaveRun["status"]> = new Set([
  "COMPLETED",
  "FAILED",
  "TIMED_OUT",
  "SKIPPED",
  "CANCELLED",
]);
const SERVER_DONE: ReadonlySet<ServerRun["status"]> = new Set([
  "LAUNCHED",
  "FAILED",
  "CANCELLED",
  "SKIPPED",
  "TERMINATED",
]);
const TERMINATION_SCOPE = "termination";
/** A lost effect result is re-requested after this long. */
const REISSUE_MS = 30_000;
/** Waiting for another DRS job to release servers: look again after 5 s, doubling to at most a minute. */
const HELD_FIRST_BACKOFF_MS = 5000;
const HELD_MAX_BACKOFF_MS = 60_000;
/** How far before the intent a conflict's holder is looked for (DescribeJobs fromDate). */
const HOLDER_LOOKBACK_MS = 7 * 24 * 3_600_000;
/** Clock corrections smaller than this are ignored. */
const CLOCK_JUMP_TOLERANCE_MS = 5000;
/** Poll interval once every server of a job has its outcome and only the job's end is awaited. */
const SETTLED_POLL_MS = 1000;
/** Poll interval once some servers of a job have their outcome. */
const SETTLING_POLL_MS = 2000;
/** The earliest next look after a step that had nothing to do. */
const MIN_WAKE_MS = 1000;
/** A running job's log is refreshed at most this often (and always once the job completes). */
const LOG_INTERVAL_MS = 15_000;
/** At a wave's deadline DRS is asked once more; if it does not answer within this long, the wave times out. */
const DEADLINE_POLL_GRACE_MS = 60_000;
/** How long the jobs of a timed-out wave are still followed to their end. */
const FOLLOW_AFTER_TIMEOUT_MS = 6 * 3_600_000;

/**
 * The reconciler: a pure function from (state, observations, time) to (next state, effects, events).
 * See types.ts and DESIGN §4. Nothing here performs I/O, reads a clock or draws a random number.
 */
export function step(current: Execution, observations: readonly Observation[], ctx: StepContext): StepResult {
  const run = new StepRun(ctx.handOver ? current : structuredClone(current), ctx);
  run.rebaseIfClockWentBack();
  run.apply(observations);
  run.progress();
  return run.result();
}

class StepRun {
  readonly effects: Effect[] = [];
  readonly events: NewExecutionEvent[] = [];
  private readonly now: number;
  private usage: ExecutionUsage;
  private readonly wasStatus: Execution["status"];

  constructor(
    readonly e: Execution,
    readonly ctx: StepContext,
  ) {
    this.now = ctx.now;
    this.wasStatus = e.status;
    this.usage = {};
  }

  /**
   * The clock went backwards (a host clock correction): every pending timer of this execution lies in the
   * "future" by the size of the jump and would stall it. Shift them back by the same amount; history stays.
   */
  rebaseIfClockWentBack() {
    const shift = this.now - this.e.updatedAt;
    if (shift > -CLOCK_JUMP_TOLERANCE_MS) return;
    const move = (t: number | undefined) => (t === undefined ? undefined : t + shift);
    const set = <T extends object, K extends keyof T>(o: T, k: K) => {
      const v = move(o[k] as number | undefined);
      if (v !== undefined) (o as Record<K, number>)[k] = v;
    };
    set(this.e, "wakeAt");
    set(this.e, "cleanupAt");
    for (const w of this.e.waves) {
      set(w, "deadlineAt");
      for (const a of w.actions) {
        set(a, "deadlineAt");
        set(a, "nextCheckAt");
      }
      for (const srv of w.servers) if (srv.failback) set(srv.failback, "nextCheckAt");
    }
    for (const b of this.allBatches()) {
      set(b, "nextPollAt");
      set(b, "notBefore");
      set(b, "intentAt");
      set(b, "nextLogAt");
      set(b, "submittedAt");
    }
    this.event(
      "clock.jumped",
      `The clock went back ${Math.round(-shift / 1000)} s; pending timers were moved back with it`,
      { shiftMs: shift },
    );
  }

  // ---------------------------------------------------------------- observations and commands

  apply(observations: readonly Observation[]) {
    const seen = new Set<string>();
    for (const o of observations) {
      if (o.type !== "effect") continue;
      seen.add(o.effect.id);
      if (o.ok) this.observeValue(o.effect, o.value);
      else this.observeError(o.effect, o.error);
    }
    // Intents whose result never arrived: the process died between recording the intent and saving the
    // result. The job may or may not exist: look it up by its tags before anything is launched again.
    for (const b of this.allBatches()) {
      if (b.status === "LAUNCHING" && !seen.has(launchEffectId(b))) {
        b.status = "UNKNOWN";
        delete b.nextPollAt;
        this.event(
          "batch.recovering",
          `Outcome of ${describeBatch(b)} attempt ${b.attempt} is unknown after a restart; looking the job up by its tags before launching again`,
          {
            batchId: b.batchId,
          },
        );
      }
    }
    const commands = observations
      .filter((o): o is Extract<Observation, { type: "command" }> => o.type === "command")
      .map((o) => o.command)
      .filter((c) => c.seq > this.e.appliedCommandSeq)
      .sort((a, b) => a.seq - b.seq);
    for (const c of commands) {
      this.command(c);
      this.e.appliedCommandSeq = c.seq;
    }
  }

  private observeValue(effect: Effect, value: EffectValue) {
    switch (effect.kind) {
      case "launch":
      case "failback-launch":
      case "terminate": {
        const b = this.findBatch(effect.batchId);
        if (b?.status !== "LAUNCHING" || b.attempt !== effect.attempt || !("job" in value)) return;
        this.activate(b, value.job, "batch.launched");
        return;
      }
      case "find-instances": {
        if (value.kind !== "find-instances") return;
        this.discovered(effect.targetKey, value.instances);
        return;
      }
      case "find-job": {
        const b = this.findBatch(effect.batchId);
        if (b?.status !== "UNKNOWN" || value.kind !== "find-job") return;
        if (value.job) {
          this.activate(b, value.job, "batch.recovered");
          return;
        }
        const foreign = value.holders.filter(
          (j) => j.tags[TAG_EXECUTION] !== this.e.executionId || j.tags[TAG_BATCH] !== b.batchId,
        );
        if (b.conflict && foreign.length > 0) {
          this.waitForHolders(b, foreign);
          return;
        }
        if (b.conflict) {
          // The job that held the servers has ended meanwhile: launching again is safe.
          if (b.heldBy)
            this.event(
              "batch.released",
              `${describeBatch(b)}: ${b.heldBy.length === 1 ? `DRS job ${b.heldBy[0]} has` : `DRS jobs ${b.heldBy.join(", ")} have`} ended; launching`,
              { batchId: b.batchId, jobIds: b.heldBy },
            );
          delete b.heldBy;
          delete b.heldChecks;
          this.replan(b, 0);
          return;
        }
        if (this.now - (b.intentAt ?? this.now) >= LOOKUP_SETTLE_MS) {
          this.event(
            "batch.relaunch",
            `No DRS job found for ${describeBatch(b)} attempt ${b.attempt}; it was never created, launching again`,
            { batchId: b.batchId },
          );
          this.replan(b, 0);
        } else {
          b.nextPollAt = (b.intentAt ?? this.now) + LOOKUP_SETTLE_MS;
        }
        return;
      }
      case "poll-jobs": {
        if (value.kind !== "poll-jobs") return;
        const byId = new Map(value.jobs.map((j) => [j.jobId, j]));
        for (const jobId of effect.jobIds) {
          const b = this.findBatchByJob(jobId);
          if (b?.status !== "ACTIVE") continue;
          const job = byId.get(jobId);
          if (value.logCounts[jobId] !== undefined) b.logCount = value.logCounts[jobId]!;
          if (!job) {
            b.errorCount += 1;
            b.lastError = `DRS job ${jobId} was not returned by DescribeJobs`;
            if (b.errorCount >= MAX_CONSECUTIVE_ERRORS) this.failBatch(b, `DRS job ${jobId} disappeared`);
            else b.nextPollAt = this.now + backoffMs(b.errorCount, b.batchId);
            continue;
          }
          b.errorCount = 0;
          b.lastPolledAt = this.now;
          delete b.lastError;
          this.trackJob(b, job);
        }
        for (const instance of value.instances) {
          for (const s of this.allServers()) {
            if (s.recoveryInstanceId === instance.recoveryInstanceId) {
              if (instance.ec2InstanceId) s.ec2InstanceId = instance.ec2InstanceId;
              if (instance.ec2State) s.ec2State = instance.ec2State;
            }
          }
        }
        return;
      }
      case "action-start":
      case "action-poll": {
        const a = this.findAction(effect.actionId);
        if (a?.status !== "RUNNING" || !("progress" in value)) return;
        delete a.awaiting;
        this.actionProgress(a, value.progress);
        return;
      }
      case "failback-resolve": {
        if (value.kind !== "failback-resolve") return;
        const w = this.findWave(effect.waveId);
        if (!w) return;
        for (const id of effect.sourceServerIds) {
          const s = w.servers.find(
            (x) =>
              x.sourceServerId === id &&
              x.accountId === effect.target.accountId &&
              x.region === effect.target.region,
          );
          if (!s?.failback || SERVER_DONE.has(s.status)) continue;
          const candidates = value.instances.filter((i) => i.sourceServerId === id && !i.isDrill);
          const instance =
            candidates.find((i) => i.recoveryInstanceId === s.failback?.recoveryInstanceId) ?? candidates[0];
          if (!instance) {
            this.failServer(
              s,
              "No recovery instance from a recovery (not a drill) exists for this server: there is nothing to fail back",
            );
            continue;
          }
          s.failback.recoveryInstanceId = instance.recoveryInstanceId;
          s.recoveryInstanceId = instance.recoveryInstanceId;
          if (s.failback.origin === "AWS") {
            if (s.failback.phase === "resolve") s.failback.phase = "reverse";
          } else {
            this.trackFailbackClient(s, s.failback, instance);
          }
          if (s.status === "NOT_STARTED") s.status = "PENDING";
        }
        return;
      }
      case "reverse-replication": {
        if (value.kind !== "reverse-replication") return;
        const s = this.findWave(effect.waveId)?.servers.find(
          (x) => x.sourceServerId === effect.sourceServerId,
        );
        if (!s?.failback) return;
        const arn = parseSourceServerArn(value.reversedSourceServerArn);
        if (!arn) {
          this.failServer(
            s,
            `ReverseReplication returned an unexpected ARN: ${value.reversedSourceServerArn}`,
          );
          return;
        }
        Object.assign(s.failback, {
          reversedSourceServerId: arn.sourceServerId,
          originAccountId: arn.accountId,
          originRegion: arn.region,
          phase: "replicating",
        });
        s.failback.nextCheckAt = this.now;
        this.event(
          "server.reverse-replication",
          `${s.hostname}: replication reversed towards ${arn.region} (${arn.sourceServerId})`,
          { sourceServerId: s.sourceServerId },
          effect.waveId,
        );
        return;
      }
      case "check-source-servers": {
        if (value.kind !== "check-source-servers") return;
        const w = this.findWave(effect.waveId);
        for (const server of value.servers) {
          const s = w?.servers.find((x) => x.failback?.reversedSourceServerId === server.sourceServerId);
          if (s?.failback?.phase !== "replicating") continue;
          if (server.readiness === "READY") {
            s.failback.phase = "ready";
            delete s.failback.nextCheckAt;
            delete s.error;
          } else {
            s.error = `Reverse replication in ${effect.target.region}: ${server.replicationState}`;
            s.failback.nextCheckAt = this.now + this.ctx.settings.pollIntervalSeconds * 1000;
          }
        }
        return;
      }
    }
  }

  private observeError(effect: Effect, error: EffectError) {
    switch (effect.kind) {
      case "launch":
      case "failback-launch":
      case "terminate": {
        const b = this.findBatch(effect.batchId);
        if (b?.status !== "LAUNCHING" || b.attempt !== effect.attempt) return;
        b.errorCount += 1;
        b.lastError = error.message;
        if (error.kind === "conflict") {
          // Bounded: conflicts that keep coming back (a holder ends, the next launch is refused again) count
          // towards the consecutive-error limit like any other error.
          if (b.errorCount >= MAX_CONSECUTIVE_ERRORS) {
            this.failBatch(
              b,
              `DRS refused the launch ${b.errorCount} times in a row: a server is already in another DRS job (${error.resourceId ?? "unknown server"})`,
            );
            return;
          }
          b.status = "UNKNOWN";
          b.conflict = true;
          delete b.nextPollAt;
          this.event(
            "batch.conflict",
            `${describeBatch(b)}: DRS reports a server already in a job (${error.resourceId ?? "unknown server"}); finding that job`,
            {
              batchId: b.batchId,
              resourceId: error.resourceId,
            },
          );
        } else if (error.ambiguous) {
          b.status = "UNKNOWN";
          delete b.nextPollAt;
          this.event(
            "batch.ambiguous",
            `${describeBatch(b)}: ${error.message}; checking whether the job was created before retrying`,
            { batchId: b.batchId },
          );
        } else if (error.retryable) {
          // Throttling, quota and 5xx pass; the wave's timeout, not a retry count, bounds how long we wait.
          this.replan(b, backoffMs(b.errorCount, `${this.e.executionId}:${b.batchId}`));
          this.event(
            "batch.retry",
            `${describeBatch(b)}: ${error.message}; retrying in ${Math.round(((b.notBefore ?? this.now) - this.now) / 1000)} s`,
            {
              batchId: b.batchId,
              errorKind: error.kind,
            },
          );
        } else {
          this.failBatch(b, error.message);
        }
        return;
      }
      case "find-instances": {
        const d = this.e.termination?.discovery;
        if (this.e.termination?.status !== "RUNNING" || !d?.pending.includes(effect.targetKey)) return;
        d.errors += 1;
        d.nextAt = this.now + backoffMs(d.errors, `${this.e.executionId}:discovery`);
        if (d.errors >= MAX_CONSECUTIVE_ERRORS) {
          d.pending = d.pending.filter((k) => k !== effect.targetKey);
          if (d.pending.length === 0) d.doneAt = this.now;
          this.event(
            "termination.discovery-failed",
            `Could not ask DRS in ${effect.targetKey} which recovery instances this execution's jobs created (${error.message}); terminating the recorded ones only: check DRS for others`,
            { target: effect.targetKey },
          );
        }
        return;
      }
      case "find-job": {
        const b = this.findBatch(effect.batchId);
        if (b?.status !== "UNKNOWN") return;
        b.errorCount += 1;
        b.lastError = error.message;
        b.nextPollAt = this.now + backoffMs(b.errorCount, `${b.batchId}:lookup`);
        return;
      }
      case "poll-jobs": {
        for (const jobId of effect.jobIds) {
          const b = this.findBatchByJob(jobId);
          if (b?.status !== "ACTIVE") continue;
          b.errorCount += 1;
          b.lastError = error.message;
          b.nextPollAt =
            this.now +
            Math.max(backoffMs(b.errorCount, `${b.batchId}:poll`), this.ctx.settings.fastPollSeconds * 1000);
        }
        return;
      }
      case "action-start":
      case "action-poll": {
        const a = this.findAction(effect.actionId);
        if (a?.status !== "RUNNING") return;
        delete a.awaiting;
        if (error.retryable) {
          a.nextCheckAt = this.now + backoffMs(a.attempts, a.actionId);
          a.error = error.message;
        } else {
          this.finishAction(a, "FAILED", error.message);
        }
        return;
      }
      case "failback-resolve":
      case "check-source-servers": {
        const w = this.findWave(effect.waveId);
        for (const s of w?.servers ?? []) {
          if (s.failback && !SERVER_DONE.has(s.status)) {
            s.failback.nextCheckAt = this.now + backoffMs(3, `${s.sourceServerId}:failback`);
            s.error = error.message;
          }
        }
        return;
      }
      case "reverse-replication": {
        const s = this.findWave(effect.waveId)?.servers.find(
          (x) => x.sourceServerId === effect.sourceServerId,
        );
        if (!s?.failback) return;
        if (error.retryable) {
          s.failback.nextCheckAt = this.now + backoffMs(3, `${s.sourceServerId}:reverse`);
          s.error = error.message;
        } else {
          this.failServer(s, `ReverseReplication failed: ${error.message}`);
        }
        return;
      }
    }
  }

  private command(c: ExecutionCommand) {
    const terminal = isTerminal(this.e.status);
    const ignore = (why: string) =>
      this.event("command.ignored", `${c.type} by ${c.by} ignored: ${why}`, { command: c.type, seq: c.seq });
    switch (c.type) {
      case "pause":
        if (terminal || this.e.cancelRequested) return ignore(`the execution is ${this.e.status}`);
        if (this.e.pauseRequested) return ignore("already paused");
        this.e.pauseRequested = { by: c.by, at: c.at };
        this.event(
          "execution.pause-requested",
          `Pause requested by ${c.by}: no new wave will start until resumed; running waves finish`,
          { by: c.by },
        );
        return;
      case "resume": {
        if (terminal) return ignore(`the execution is ${this.e.status}`);
        const waiting = this.e.waves.filter((w) => w.status === "WAITING");
        if (!this.e.pauseRequested && waiting.length === 0) return ignore("the execution is not paused");
        delete this.e.pauseRequested;
        for (const w of waiting) {
          w.pauseCleared = true;
          w.status = "PENDING";
        }
        this.event("execution.resumed", `Resumed by ${c.by}`, { by: c.by });
        return;
      }
      case "cancel":
        if (terminal) return ignore(`the execution is ${this.e.status}`);
        if (this.e.cancelRequested) return ignore("already cancelling");
        this.e.cancelRequested = { by: c.by, at: c.at };
        this.event(
          "execution.cancelling",
          `Cancel requested by ${c.by}${c.reason ? ` (${c.reason})` : ""}: nothing new starts; DRS jobs already running are followed to their end`,
          {
            by: c.by,
            ...(c.reason ? { reason: c.reason } : {}),
            ...(c.forExecutionId ? { forExecutionId: c.forExecutionId } : {}),
          },
        );
        return;
      case "approve":
      case "reject": {
        const waiting = this.allActions().filter(
          (a) => a.status === "WAITING_APPROVAL" && (!c.actionId || a.actionId === c.actionId),
        );
        const a = waiting[0];
        if (!a)
          return ignore(c.actionId ? `approval ${c.actionId} is not waiting` : "no approval is waiting");
        a.decision = {
          decision: c.type,
          by: c.by,
          at: new Date(c.at).toISOString(),
          ...(c.comment ? { comment: c.comment } : {}),
        };
        if (c.type === "approve") {
          this.finishAction(a, "SUCCEEDED");
          this.event(
            "approval.approved",
            `${describeAction(a)} approved by ${c.by}${c.comment ? `: ${c.comment}` : ""}`,
            { actionId: a.actionId, by: c.by },
            waveOf(a),
          );
        } else {
          this.finishAction(a, "FAILED", `rejected by ${c.by}${c.comment ? `: ${c.comment}` : ""}`);
          this.event(
            "approval.rejected",
            `${describeAction(a)} rejected by ${c.by}${c.comment ? `: ${c.comment}` : ""}`,
            { actionId: a.actionId, by: c.by },
            waveOf(a),
          );
        }
        return;
      }
      case "terminate-instances": {
        if (!terminal) return ignore("instances can be terminated once the execution has ended");
        this.startTermination(c.by, c.reason ?? "user");
        return;
      }
    }
  }

  // ---------------------------------------------------------------- progress

  progress() {
    this.usage = usageOf(this.e);
    if (this.e.status === "PENDING") {
      this.e.status = "RUNNING";
      this.event("execution.started", `${this.e.executionType} of '${this.e.planName}' started`, {
        executionType: this.e.executionType,
      });
    }
    if (!isTerminal(this.e.status)) {
      for (let pass = 0; pass < this.e.waves.length + 2; pass++) {
        let changed = false;
        for (const w of this.e.waves) if (this.advanceWave(w)) changed = true;
        if (!changed) break;
      }
      this.updateStatus();
      if (this.e.waves.every((w) => WAVE_DONE.has(w.status))) this.finish();
    }
    if (
      isTerminal(this.e.status) &&
      this.e.cleanupAt !== undefined &&
      !this.e.termination &&
      this.now >= this.e.cleanupAt
    ) {
      this.startTermination("system", "drill-ttl");
    }
    this.advanceTermination();
    this.emitPolls();
    this.computeWake();
  }

  result(): StepResult {
    this.e.updatedAt = this.now;
    return { execution: this.e, effects: this.effects, events: this.events };
  }

  private get aborting(): boolean {
    return this.e.waves.some(
      (w) => (w.status === "FAILED" || w.status === "TIMED_OUT") && w.onFailure === "abort",
    );
  }

  /** Returns true when the wave changed state in a way that may unblock others. */
  private advanceWave(w: WaveRun): boolean {
    switch (w.status) {
      case "PENDING":
      case "WAITING": {
        if (this.e.cancelRequested) return this.closeUnstarted(w, "CANCELLED", "execution cancelled");
        if (this.aborting)
          return this.closeUnstarted(w, "SKIPPED", "an earlier wave failed and its onFailure is abort");
        if (w.status === "WAITING") return false;
        const deps = w.dependsOn.map((id) => this.findWave(id)).filter((d): d is WaveRun => d !== undefined);
        if (deps.some((d) => !WAVE_DONE.has(d.status))) return false;
        const blocking = deps.find((d) => d.status === "SKIPPED" || d.status === "CANCELLED");
        if (blocking)
          return this.closeUnstarted(
            w,
            "SKIPPED",
            `wave '${blocking.name}' was ${blocking.status.toLowerCase()}`,
          );
        if (this.e.pauseRequested) return false;
        if (w.pauseBefore && !w.pauseCleared) {
          w.status = "WAITING";
          this.event("wave.waiting", `Paused before wave '${w.name}': resume to start it`, {}, w.waveId);
          return true;
        }
        w.status = "RUNNING";
        w.phase = "pre-actions";
        w.startTime = this.now;
        // The launch deadline starts with the launch: time people spend on pre-actions is not DRS's time.
        delete w.deadlineAt;
        this.event(
          "wave.started",
          `Wave '${w.name}' started: ${plural(w.servers.length, "server")}`,
          { servers: w.servers.length },
          w.waveId,
        );
        return true;
      }
      case "RUNNING":
        return this.advanceRunningWave(w);
      case "TIMED_OUT":
        this.followTimedOut(w);
        return false;
      default:
        return false;
    }
  }

  private advanceRunningWave(w: WaveRun): boolean {
    // The deadline bounds the launch (DRS's work); pre- and post-actions are bounded by their own timeouts.
    if (w.phase === "launching" && w.deadlineAt !== undefined && this.now >= w.deadlineAt) {
      if (this.awaitDeadlinePoll(w)) return false;
      // What DRS said at (or after) the deadline decides: launch work that has finished counts, even when the
      // orchestrator only noticed late (an outage); anything unfinished times the wave out.
      if (!this.launchSettled(w)) {
        this.timeoutWave(w);
        return true;
      }
    }
    if (w.phase === "pre-actions") {
      const r = this.advanceActions(w, "pre");
      if (r === "pending") return false;
      if (r === "failed") {
        this.endWave(w, "FAILED", `pre-action failed: ${this.failedActionMessage(w, "pre")}`);
        for (const s of w.servers)
          if (s.status === "NOT_STARTED") this.closeServer(s, "SKIPPED", "pre-action failed");
        return true;
      }
      if (r === "cancelled" || this.e.cancelRequested) {
        this.endWave(w, "CANCELLED", "execution cancelled");
        for (const s of w.servers)
          if (!SERVER_DONE.has(s.status)) this.closeServer(s, "CANCELLED", "execution cancelled");
        return true;
      }
      w.phase = "launching";
      w.deadlineAt = this.now + this.launchBudget(w).seconds * 1000;
      return true;
    }
    if (w.phase === "launching") {
      if (!this.advanceLaunching(w)) return false;
      const failed = w.servers.filter((s) => s.status === "FAILED");
      if (this.e.cancelRequested) {
        this.endWave(w, "CANCELLED", "execution cancelled");
      } else if (failed.length > 0) {
        this.endWave(
          w,
          "FAILED",
          `${failed.length} of ${plural(w.servers.length, "server")} failed to launch`,
        );
      } else {
        w.phase = "post-actions";
      }
      return true;
    }
    const r = this.advanceActions(w, "post");
    if (r === "pending") return false;
    if (r === "failed")
      this.endWave(w, "FAILED", `post-action failed: ${this.failedActionMessage(w, "post")}`);
    else if (r === "cancelled" || this.e.cancelRequested) this.endWave(w, "CANCELLED", "execution cancelled");
    else this.endWave(w, "COMPLETED");
    return true;
  }

  /** How long the wave's launch may take: its timeout, plus (failback) the replication allowance. */
  private launchBudget(w: WaveRun) {
    return launchBudget(this.e, w.waveId, this.ctx.settings);
  }

  /**
   * At the deadline, DRS is asked once more before anything is decided: each running job of the wave is polled
   * (unless it already was since the deadline). Returns true while that answer is awaited (bounded by
   * DEADLINE_POLL_GRACE_MS, so an unreachable DRS cannot hold the decision).
   */
  private awaitDeadlinePoll(w: WaveRun): boolean {
    const deadline = w.deadlineAt ?? this.now;
    const unasked = w.batches.filter(
      (b) => b.status === "ACTIVE" && b.jobId && (b.lastPolledAt ?? Number.NEGATIVE_INFINITY) < deadline,
    );
    if (unasked.length === 0) return false;
    w.deadlineCheckAt ??= this.now;
    if (this.now - w.deadlineCheckAt >= DEADLINE_POLL_GRACE_MS) return false;
    for (const b of unasked)
      if (b.nextPollAt === undefined || b.nextPollAt > this.now) b.nextPollAt = this.now;
    return true;
  }

  /** Every batch of the wave has ended and every server has its outcome: nothing is left to launch or follow. */
  private launchSettled(w: WaveRun): boolean {
    return (
      w.batches.length > 0 &&
      w.batches.every((b) => BATCH_DONE.has(b.status)) &&
      w.servers.every((s) => SERVER_DONE.has(s.status))
    );
  }

  /**
   * The wave is TIMED_OUT: nothing new is launched for it, but DRS jobs already started are followed to their end
   * (as cancel does), so every recovery instance they launch is recorded and can be terminated.
   */
  private timeoutWave(w: WaveRun) {
    const { seconds, words } = this.launchBudget(w);
    for (const a of w.actions)
      if (a.status === "RUNNING" || a.status === "WAITING_APPROVAL" || a.status === "PENDING")
        this.finishAction(a, "CANCELLED", "wave timed out");
    const followed = new Set<string>();
    for (const b of w.batches) {
      if (b.status === "PLANNED" || isHeld(b)) this.closeUnlaunched(b, words);
      else if (IN_FLIGHT.has(b.status)) {
        followed.add(b.batchId);
        b.lastError = `the wave timed out while ${b.jobId ? `DRS job ${b.jobId} was still running` : "the launch was unresolved"}; following it to its end`;
      }
    }
    // A failback that cannot progress names each server and what it waited for.
    const stuck: string[] = [];
    for (const s of w.servers) {
      if (SERVER_DONE.has(s.status)) continue;
      if (s.batchId && followed.has(s.batchId)) {
        s.error = `the wave timed out after ${words} while DRS was launching this server; following its job to the end`;
        continue;
      }
      const waiting = failbackWaitReason(s);
      if (waiting) stuck.push(waiting);
      this.closeServer(s, "FAILED", `wave timed out after ${words}${waiting ? `: ${waiting}` : ""}`);
      if (s.failback) s.failback.phase = "failed";
    }
    const live = followed.size > 0 ? `; following ${plural(followed.size, "DRS job")} to the end` : "";
    this.endWave(
      w,
      "TIMED_OUT",
      `timed out after ${words}${stuck.length ? ` (${stuck.join("; ")})` : ""}${live}`,
      { timeoutSeconds: seconds, followedJobs: followed.size },
    );
  }

  /**
   * A timed-out wave: lookups of unresolved launches go on; a launch that would start again is closed instead.
   * Nothing waits forever: a DRS job still running FOLLOW_AFTER_TIMEOUT_MS after the timeout is no longer followed
   * (its servers fail with the job named, so the operator can check it in DRS).
   */
  private followTimedOut(w: WaveRun) {
    const { words } = this.launchBudget(w);
    const giveUp = this.now >= (w.endTime ?? this.now) + FOLLOW_AFTER_TIMEOUT_MS;
    for (const b of w.batches) {
      if (b.status === "PLANNED" || isHeld(b)) this.closeUnlaunched(b, words);
      else if (giveUp && IN_FLIGHT.has(b.status))
        this.failBatch(
          b,
          `${b.jobId ? `DRS job ${b.jobId}` : "the launch"} had not ended ${FOLLOW_AFTER_TIMEOUT_MS / 3_600_000} h after the wave timed out and is no longer followed: check it in DRS and terminate what it launched there`,
        );
      else if (b.status === "UNKNOWN") this.advanceBatch(b, w.waveId);
    }
  }

  private closeUnlaunched(b: BatchRun, words: string) {
    const held = b.heldBy?.length ? ` (its servers were held by DRS job ${b.heldBy.join(", ")})` : "";
    b.status = "CANCELLED";
    for (const s of this.serversOfBatch(b))
      if (!SERVER_DONE.has(s.status))
        this.closeServer(s, "FAILED", `wave timed out after ${words} before this server was launched${held}`);
  }

  private closeUnstarted(w: WaveRun, status: "CANCELLED" | "SKIPPED", why: string): boolean {
    w.status = status;
    w.error = why;
    for (const s of w.servers) this.closeServer(s, status, why);
    for (const a of w.actions)
      if (a.status === "PENDING") a.status = status === "SKIPPED" ? "SKIPPED" : "CANCELLED";
    this.event(
      `wave.${status.toLowerCase()}`,
      `Wave '${w.name}' ${status.toLowerCase()}: ${why}`,
      {},
      w.waveId,
    );
    return true;
  }

  private endWave(
    w: WaveRun,
    status: "COMPLETED" | "FAILED" | "CANCELLED" | "TIMED_OUT",
    why?: string,
    data: Record<string, unknown> = {},
  ) {
    w.status = status;
    w.endTime = this.now;
    // Without post-actions the wave ended when DRS's last job did: after an outage that is earlier than now.
    const drsEnd = this.drsEndOf(w);
    if (status === "COMPLETED" && drsEnd !== undefined && !w.actions.some((a) => a.phase === "post"))
      w.endTime = Math.min(this.now, Math.max(w.startTime ?? drsEnd, drsEnd));
    delete w.phase;
    if (why) w.error = why;
    for (const a of w.actions)
      if (a.status === "PENDING")
        a.status = status === "COMPLETED" ? "SKIPPED" : status === "CANCELLED" ? "CANCELLED" : "SKIPPED";
    const launched = w.servers.filter((s) => s.status === "LAUNCHED").length;
    const seconds = Math.round((w.endTime - (w.startTime ?? w.endTime)) / 1000);
    const word = status.toLowerCase().replace("_", " ");
    this.event(
      `wave.${status.toLowerCase().replace("_", "-")}`,
      `Wave '${w.name}' ${word} after ${seconds} s: ${launched}/${w.servers.length} launched${why ? ` (${why})` : ""}`,
      { launched, servers: w.servers.length, seconds, onFailure: w.onFailure, ...data },
      w.waveId,
    );
  }

  /** When DRS ended the wave's last launch job (its own clock), if every job reported an end time. */
  private drsEndOf(w: WaveRun): number | undefined {
    const ends = w.batches
      .filter((b) => b.status === "DONE")
      .map((b) => (b.jobEndedAt ? Date.parse(b.jobEndedAt) : Number.NaN));
    if (ends.length === 0 || ends.some((t) => Number.isNaN(t))) return undefined;
    return Math.max(...ends);
  }

  // ---------------------------------------------------------------- actions

  private advanceActions(w: WaveRun, phase: "pre" | "post"): "done" | "pending" | "failed" | "cancelled" {
    for (const a of w.actions.filter((x) => x.phase === phase).sort((x, y) => x.index - y.index)) {
      if (a.status === "SUCCEEDED" || a.status === "SKIPPED") continue;
      if (a.status === "FAILED" || a.status === "CANCELLED") {
        if (a.action.optional) continue;
        return "failed";
      }
      if (this.e.cancelRequested) {
        this.finishAction(a, "CANCELLED", "execution cancelled");
        return "cancelled";
      }
      if (a.status === "PENDING") {
        this.startAction(w, a);
        return "pending";
      }
      if (a.status === "WAITING_APPROVAL") {
        if (a.deadlineAt !== undefined && this.now >= a.deadlineAt) {
          // Nobody decided: counts as rejected (an optional approval lets the wave go on), and says so.
          const within = formatHours(Math.round((a.deadlineAt - (a.startedAt ?? a.deadlineAt)) / 1000));
          this.finishAction(a, "FAILED", `approval timed out: no decision within ${within}`);
          this.event(
            "approval.timed-out",
            `${describeAction(a)} timed out: no decision within ${within}${a.action.optional ? " (optional: the wave goes on)" : ""}`,
            { actionId: a.actionId, optional: a.action.optional ?? false },
            w.waveId,
          );
          if (a.action.optional) continue;
          return "failed";
        }
        return "pending";
      }
      // RUNNING
      if (a.action.type === "wait") {
        if (a.deadlineAt !== undefined && this.now >= a.deadlineAt) {
          this.finishAction(a, "SUCCEEDED");
          continue;
        }
        return "pending";
      }
      if (a.deadlineAt !== undefined && this.now >= a.deadlineAt) {
        this.finishAction(
          a,
          "FAILED",
          `timed out after ${Math.round((a.deadlineAt - (a.startedAt ?? a.deadlineAt)) / 1000)} s`,
        );
        if (a.action.optional) continue;
        return "failed";
      }
      if (a.nextCheckAt === undefined || this.now >= a.nextCheckAt) this.issueAction(w, a);
      return "pending";
    }
    return "done";
  }

  private startAction(w: WaveRun, a: ActionRun) {
    a.startedAt = this.now;
    const timeout = (a.action.timeoutSeconds ?? DEFAULT_ACTION_TIMEOUT_SECONDS[a.action.type]) * 1000;
    switch (a.action.type) {
      case "wait":
        a.status = "RUNNING";
        a.deadlineAt = this.now + a.action.seconds * 1000;
        this.event(
          "action.started",
          `${describeAction(a)}: waiting ${a.action.seconds} s`,
          { actionId: a.actionId },
          w.waveId,
        );
        return;
      case "approval":
        a.status = "WAITING_APPROVAL";
        a.deadlineAt = this.now + timeout;
        this.event(
          "approval.requested",
          `${describeAction(a)} is waiting for approval${a.action.message ? `: ${a.action.message}` : ""}`,
          { actionId: a.actionId },
          w.waveId,
        );
        return;
      default:
        a.status = "RUNNING";
        a.deadlineAt = this.now + timeout;
        this.event("action.started", `${describeAction(a)} started`, { actionId: a.actionId }, w.waveId);
        this.issueAction(w, a);
    }
  }

  private issueAction(w: WaveRun, a: ActionRun) {
    if (a.awaiting !== undefined) {
      // The last attempt's answer never came. The re-issue carries the same idempotency key (HTTP
      // Idempotency-Key, SSM ClientToken / command comment), so a target that honours it does not run it twice.
      this.event(
        "action.reissued",
        `${describeAction(a)}: no answer to attempt ${a.awaiting} (restart or lost response); issuing it again with the same idempotency key`,
        { actionId: a.actionId, attempt: a.attempts + 1 },
        w.waveId,
      );
    }
    a.attempts += 1;
    a.awaiting = a.attempts;
    a.nextCheckAt = this.now + REISSUE_MS;
    const context = this.actionContext(w, a);
    if (a.handle !== undefined) {
      this.effects.push({
        kind: "action-poll",
        id: `action-poll:${a.actionId}:${a.attempts}`,
        waveId: w.waveId,
        actionId: a.actionId,
        action: a.action,
        context,
        handle: a.handle,
      });
    } else {
      this.effects.push({
        kind: "action-start",
        id: `action-start:${a.actionId}:${a.attempts}`,
        waveId: w.waveId,
        actionId: a.actionId,
        action: a.action,
        context,
      });
    }
  }

  private actionContext(w: WaveRun, a: ActionRun): ActionContext {
    const instances: Record<string, string[]> = {};
    const targets = new Map<string, DrsTarget>();
    for (const s of w.servers) {
      const key = `${s.accountId}/${s.region}`;
      targets.set(key, { accountId: s.accountId, region: s.region });
      if (s.ec2InstanceId && s.status === "LAUNCHED")
        instances[key] = [...(instances[key] ?? []), s.ec2InstanceId];
    }
    return {
      executionId: this.e.executionId,
      waveId: w.waveId,
      actionId: a.actionId,
      executionType: this.e.executionType,
      targets: [...targets.values()],
      instances,
    };
  }

  private actionProgress(a: ActionRun, progress: ActionProgress) {
    if (progress.output !== undefined) a.output = progress.output.slice(0, 8192);
    if (progress.status === "SUCCEEDED") this.finishAction(a, "SUCCEEDED");
    else if (progress.status === "FAILED") this.finishAction(a, "FAILED", progress.error);
    else {
      if (progress.handle !== undefined) a.handle = progress.handle;
      a.nextCheckAt = this.now + Math.max(1000, progress.checkAfterMs);
    }
  }

  private finishAction(a: ActionRun, status: "SUCCEEDED" | "FAILED" | "CANCELLED", error?: string) {
    a.status = status;
    a.endedAt = this.now;
    delete a.nextCheckAt;
    if (error) a.error = error.slice(0, 2048);
    else delete a.error;
    if (status === "SUCCEEDED" && a.action.type !== "approval")
      this.event("action.succeeded", `${describeAction(a)} succeeded`, { actionId: a.actionId }, waveOf(a));
    if (status === "FAILED" && a.action.type !== "approval") {
      this.event(
        "action.failed",
        `${describeAction(a)} failed${a.action.optional ? " (optional, the wave continues)" : ""}: ${error ?? "unknown error"}`,
        { actionId: a.actionId, optional: a.action.optional ?? false },
        waveOf(a),
      );
    }
  }

  private failedActionMessage(w: WaveRun, phase: "pre" | "post"): string {
    const a = w.actions.find(
      (x) => x.phase === phase && (x.status === "FAILED" || x.status === "CANCELLED") && !x.action.optional,
    );
    return a ? `${describeAction(a)}: ${a.error ?? a.status.toLowerCase()}` : "unknown";
  }

  // ---------------------------------------------------------------- launching

  /** Returns true when every server of the wave has an outcome and nothing is in flight. */
  private advanceLaunching(w: WaveRun): boolean {
    if (this.e.executionType === "FAILBACK") this.prepareFailback(w);
    else if (w.batches.length === 0) this.planBatches(w);
    for (const b of w.batches) this.advanceBatch(b, w.waveId);
    const settled = w.batches.every((b) => BATCH_DONE.has(b.status));
    if (!settled) return false;
    if (this.e.cancelRequested) {
      for (const s of w.servers)
        if (!SERVER_DONE.has(s.status)) this.closeServer(s, "CANCELLED", "execution cancelled");
    }
    return w.servers.every((s) => SERVER_DONE.has(s.status));
  }

  private planBatches(w: WaveRun) {
    const byTarget = new Map<string, ServerRun[]>();
    for (const s of w.servers) {
      if (s.status !== "NOT_STARTED") continue;
      const key = `${s.accountId}/${s.region}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), s]);
    }
    for (const servers of byTarget.values()) this.addBatches(w, servers, "recovery", servers[0]!);
  }

  private addBatches(
    w: WaveRun,
    servers: ServerRun[],
    kind: BatchRun["kind"],
    target: DrsTarget,
    ids?: (s: ServerRun) => { sourceServerId: string; recoveryInstanceId?: string },
  ) {
    const size = Math.max(1, this.ctx.settings.quotas.serversPerJob);
    for (let i = 0; i < servers.length; i += size) {
      const chunk = servers.slice(i, i + size);
      const batchId = `${w.waveId}-b${w.batches.length + 1}`;
      const mapped = chunk.map((s) => (ids ? ids(s) : { sourceServerId: s.sourceServerId }));
      const batch: BatchRun = {
        batchId,
        kind,
        accountId: target.accountId,
        region: target.region,
        sourceServerIds: mapped.map((m) => m.sourceServerId),
        status: "PLANNED",
        attempt: 0,
        logCount: 0,
        errorCount: 0,
      };
      if (kind === "failback-launch") batch.recoveryInstanceIds = mapped.map((m) => m.recoveryInstanceId!);
      w.batches.push(batch);
      for (const s of chunk) {
        s.batchId = batchId;
        this.batchIndex = undefined;
        if (s.status === "NOT_STARTED") s.status = "PENDING";
      }
    }
  }

  private advanceBatch(b: BatchRun, scope: string) {
    switch (b.status) {
      case "PLANNED": {
        if (this.e.cancelRequested && b.kind !== "terminate") {
          this.closeBatch(b, "CANCELLED");
          return;
        }
        if (b.notBefore !== undefined && this.now < b.notBefore) return;
        if (!this.hasCapacity(b)) {
          if (b.lastError !== WAITING_FOR_CAPACITY) {
            b.lastError = WAITING_FOR_CAPACITY;
            this.event(
              "batch.waiting",
              `${describeBatch(b)} waits for DRS capacity in ${b.accountId}/${b.region}`,
              { batchId: b.batchId },
              scope === TERMINATION_SCOPE ? undefined : scope,
            );
          }
          return;
        }
        this.launch(b, scope);
        return;
      }
      case "UNKNOWN":
        // Waiting for someone else's job to release the servers: nothing of ours was launched, cancel closes it.
        if (b.heldBy && this.e.cancelRequested && b.kind !== "terminate") {
          this.closeBatch(b, "CANCELLED");
          return;
        }
        if (b.nextPollAt === undefined || this.now >= b.nextPollAt) {
          b.nextPollAt = this.now + REISSUE_MS;
          this.effects.push({
            kind: "find-job",
            id: `find-job:${b.batchId}:${b.attempt}:${b.errorCount}`,
            scope,
            batchId: b.batchId,
            target: { accountId: b.accountId, region: b.region },
            tags: { [TAG_EXECUTION]: this.e.executionId, [TAG_BATCH]: b.batchId },
            // A conflict's holder may have started long before our intent (a drill started yesterday).
            since: new Date(
              (b.intentAt ?? this.now) - (b.conflict ? HOLDER_LOOKBACK_MS : 3_600_000),
            ).toISOString(),
            ...(b.conflict ? { holdingServerIds: [...b.sourceServerIds] } : {}),
            ...(b.kind === "terminate"
              ? { matchRecoveryInstanceIds: [...(b.recoveryInstanceIds ?? [])] }
              : {}),
          });
        }
        return;
      default:
        return;
    }
  }

  private hasCapacity(b: BatchRun): boolean {
    const key = `${b.accountId}/${b.region}`;
    const own = this.usage[key] ?? { jobs: 0, servers: 0 };
    const other = this.ctx.otherUsage[key] ?? { jobs: 0, servers: 0 };
    const q = this.ctx.settings.quotas;
    const size = b.recoveryInstanceIds?.length ?? b.sourceServerIds.length;
    return (
      own.jobs + other.jobs + 1 <= q.concurrentJobs &&
      own.servers + other.servers + size <= q.serversInAllJobs
    );
  }

  private launch(b: BatchRun, scope: string) {
    b.status = "LAUNCHING";
    b.attempt += 1;
    b.intentAt = this.now;
    delete b.notBefore;
    delete b.conflict;
    if (b.lastError === WAITING_FOR_CAPACITY) delete b.lastError;
    const key = `${b.accountId}/${b.region}`;
    const used = this.usage[key] ?? { jobs: 0, servers: 0 };
    used.jobs += 1;
    used.servers += b.recoveryInstanceIds?.length ?? b.sourceServerIds.length;
    this.usage[key] = used;
    const target = { accountId: b.accountId, region: b.region };
    const tags = {
      [TAG_EXECUTION]: this.e.executionId,
      [TAG_BATCH]: b.batchId,
      [TAG_WAVE]: scope,
      [TAG_ATTEMPT]: String(b.attempt),
      [TAG_TYPE]: this.e.executionType,
    };
    const id = launchEffectId(b);
    if (b.kind === "terminate") {
      this.effects.push({
        kind: "terminate",
        id,
        batchId: b.batchId,
        attempt: b.attempt,
        target,
        recoveryInstanceIds: [...(b.recoveryInstanceIds ?? [])],
        tags,
      });
      for (const i of this.e.termination?.instances ?? [])
        if (b.recoveryInstanceIds?.includes(i.recoveryInstanceId) && i.status === "PENDING")
          i.status = "TERMINATING";
      return;
    }
    if (b.kind === "failback-launch") {
      this.effects.push({
        kind: "failback-launch",
        id,
        waveId: scope,
        batchId: b.batchId,
        attempt: b.attempt,
        target,
        recoveryInstanceIds: [...(b.recoveryInstanceIds ?? [])],
        tags,
      });
      return;
    }
    const launchSettings = b.sourceServerIds.flatMap((sid) => {
      const s = this.findWave(scope)?.servers.find(
        (x) =>
          x.batchId === b.batchId && (x.sourceServerId === sid || x.failback?.reversedSourceServerId === sid),
      );
      const group = s ? this.e.snapshot.groups.find((g) => g.groupId === s.groupId) : undefined;
      if (!group?.launchSettings || this.e.executionType === "FAILBACK") return [];
      const settings = effectiveLaunchSettings(group.launchSettings, sid);
      return Object.keys(settings).length > 0 ? [{ sourceServerId: sid, settings }] : [];
    });
    this.effects.push({
      kind: "launch",
      id,
      waveId: scope,
      batchId: b.batchId,
      attempt: b.attempt,
      target,
      sourceServerIds: [...b.sourceServerIds],
      isDrill: this.e.executionType === "DRILL",
      tags,
      launchSettings,
    });
  }

  private replan(b: BatchRun, delayMs: number) {
    b.status = "PLANNED";
    delete b.jobId;
    delete b.nextPollAt;
    if (delayMs > 0) b.notBefore = this.now + delayMs;
  }

  private activate(b: BatchRun, job: DrsJob, eventType: "batch.launched" | "batch.recovered") {
    b.status = "ACTIVE";
    b.jobId = job.jobId;
    b.jobStatus = job.status;
    b.submittedAt = this.now;
    if (job.createdAt) b.jobCreatedAt = job.createdAt;
    b.errorCount = 0;
    delete b.lastError;
    delete b.conflict;
    b.nextPollAt = this.now + this.ctx.settings.fastPollSeconds * 1000;
    const scope = this.scopeOf(b);
    this.event(
      eventType,
      `${eventType === "batch.launched" ? "Started" : "Found"} DRS job ${job.jobId} for ${describeBatch(b)}`,
      { batchId: b.batchId, jobId: job.jobId, servers: b.sourceServerIds.length },
      scope,
    );
    this.trackJob(b, job);
  }

  /** Applies a DRS job's state to the batch and its servers. */
  private trackJob(b: BatchRun, job: DrsJob) {
    b.jobStatus = job.status;
    if (job.createdAt) b.jobCreatedAt = job.createdAt;
    for (const p of job.participants) this.applyParticipant(b, p, job.jobId);
    if (job.status === "COMPLETED") {
      b.status = "DONE";
      b.completedAt = this.now;
      if (job.endedAt) b.jobEndedAt = job.endedAt;
      delete b.nextPollAt;
      const endedAt = job.endedAt ? Date.parse(job.endedAt) : Number.NaN;
      for (const s of this.serversOfBatch(b)) {
        if (!SERVER_DONE.has(s.status))
          this.closeServer(s, "FAILED", `DRS job ${job.jobId} completed without a result for this server`);
        // Noticed late (an outage): the server was launched by the time DRS ended the job, not when we looked.
        if (s.status === "LAUNCHED" && s.launchedAt && endedAt < Date.parse(s.launchedAt))
          s.launchedAt = new Date(endedAt).toISOString();
      }
      if (b.kind === "terminate") {
        for (const i of this.e.termination?.instances ?? []) {
          if (b.recoveryInstanceIds?.includes(i.recoveryInstanceId) && i.status === "TERMINATING") {
            i.status = "FAILED";
            i.error = `DRS job ${job.jobId} completed without terminating it`;
          }
        }
      }
      const failed = this.serversOfBatch(b).filter((s) => s.status === "FAILED").length;
      this.event(
        "batch.completed",
        `DRS job ${job.jobId} completed for ${describeBatch(b)}${failed ? `: ${plural(failed, "server")} failed` : ""}`,
        { batchId: b.batchId, jobId: job.jobId, failed },
        this.scopeOf(b),
      );
    } else {
      const runningFor = this.now - (b.submittedAt ?? this.now);
      // Every server has its outcome: DRS ends the job seconds later (spec §10.2), so look again soon.
      // Servers of one job finish close together: once the first has its outcome, watch the rest closely.
      const done = job.participants.filter(
        (p) =>
          p.launchStatus === "LAUNCHED" || p.launchStatus === "FAILED" || p.launchStatus === "TERMINATED",
      ).length;
      const delay =
        done > 0 && done === job.participants.length
          ? SETTLED_POLL_MS
          : done > 0
            ? Math.min(SETTLING_POLL_MS, nextPollDelayMs(runningFor, this.ctx.settings))
            : nextPollDelayMs(runningFor, this.ctx.settings);
      b.nextPollAt = this.now + delay;
    }
  }

  private applyParticipant(b: BatchRun, p: JobParticipant, jobId: string) {
    if (b.kind === "terminate") {
      const instance = this.e.termination?.instances.find(
        (i) =>
          i.recoveryInstanceId === p.recoveryInstanceId ||
          (!p.recoveryInstanceId && i.sourceServerId === p.sourceServerId),
      );
      if (!instance) return;
      if (p.launchStatus === "TERMINATED" && instance.status !== "TERMINATED") {
        instance.status = "TERMINATED";
        for (const s of this.allServers())
          if (s.recoveryInstanceId === instance.recoveryInstanceId) s.ec2State = "TERMINATED";
      } else if (p.launchStatus === "FAILED" && instance.status !== "FAILED") {
        instance.status = "FAILED";
        instance.error = `DRS job ${jobId} could not terminate it`;
      }
      return;
    }
    const s = this.serverOfParticipant(b, p);
    if (!s || SERVER_DONE.has(s.status)) return;
    s.jobId = jobId;
    if (p.recoveryInstanceId) s.recoveryInstanceId = p.recoveryInstanceId;
    switch (p.launchStatus) {
      case "PENDING":
      case "IN_PROGRESS":
        s.status = p.launchStatus;
        return;
      case "LAUNCHED":
        s.status = "LAUNCHED";
        s.launchedAt = new Date(this.now).toISOString();
        if (this.findWave(this.scopeOf(b) ?? "")?.status === "TIMED_OUT")
          s.error = `launched after the wave timed out (DRS job ${jobId})`;
        else delete s.error;
        if (s.failback) s.failback.phase = "done";
        return;
      case "FAILED":
      case "TERMINATED":
        this.closeServer(
          s,
          "FAILED",
          p.launchStatus === "FAILED"
            ? `DRS reported the launch as FAILED in job ${jobId}; see the job log`
            : `instance terminated during job ${jobId}`,
        );
        if (s.failback) s.failback.phase = "failed";
        return;
    }
  }

  private serverOfParticipant(b: BatchRun, p: JobParticipant): ServerRun | undefined {
    const servers = this.serversOfBatch(b);
    return (
      servers.find(
        (s) =>
          s.failback?.reversedSourceServerId === p.sourceServerId &&
          b.kind === "recovery" &&
          this.e.executionType === "FAILBACK",
      ) ??
      servers.find(
        (s) =>
          p.recoveryInstanceId !== undefined &&
          b.kind === "failback-launch" &&
          s.failback?.recoveryInstanceId === p.recoveryInstanceId,
      ) ??
      servers.find((s) => s.sourceServerId === p.sourceServerId)
    );
  }

  /**
   * Servers by the batch that holds them, built on first use in a step and dropped whenever a server joins
   * or leaves a batch: a job's participants are matched to servers one by one, and scanning every server of
   * the execution for each of them was quadratic in the plan's size (3,000 servers: seconds per step).
   */
  private batchIndex: Map<string, ServerRun[]> | undefined;

  private serversOfBatch(b: BatchRun): ServerRun[] {
    if (!this.batchIndex) {
      this.batchIndex = new Map();
      for (const s of this.allServers()) {
        if (s.batchId === undefined) continue;
        const list = this.batchIndex.get(s.batchId);
        if (list) list.push(s);
        else this.batchIndex.set(s.batchId, [s]);
      }
    }
    return [...(this.batchIndex.get(b.batchId) ?? [])];
  }

  /**
   * After a ConflictException: another DRS job holds some of the batch's servers (a drill being cancelled for this
   * recovery, or a job someone started outside this product). Nothing of ours was launched; the batch waits for
   * the holders to end, looking again with exponential backoff (5 s … 60 s), until the wave's launch deadline.
   * The event names the jobs once per change of holders, not on every look.
   */
  private waitForHolders(b: BatchRun, holders: DrsJob[]) {
    const held = new Set(holders.flatMap((j) => j.participants.map((p) => p.sourceServerId)));
    const free = b.sourceServerIds.filter((id) => !held.has(id));
    const w = b.kind === "recovery" ? this.e.waves.find((x) => x.batches.includes(b)) : undefined;
    if (w && free.length > 0 && free.length < b.sourceServerIds.length) {
      // Only some servers are held: they wait in a batch of their own, the others launch now.
      const waiting: BatchRun = {
        ...structuredClone(b),
        batchId: `${w.waveId}-b${w.batches.length + 1}`,
        sourceServerIds: b.sourceServerIds.filter((id) => held.has(id)),
        attempt: 0,
        errorCount: 0,
        logCount: 0,
      };
      delete waiting.heldBy;
      delete waiting.heldChecks;
      w.batches.push(waiting);
      for (const s of this.serversOfBatch(b)) if (held.has(s.sourceServerId)) s.batchId = waiting.batchId;
      this.batchIndex = undefined;
      b.sourceServerIds = free;
      delete b.conflict;
      this.replan(b, 0);
      this.waitForHolders(waiting, holders);
      return;
    }
    const ids = [...new Set(holders.map((j) => j.jobId))].sort();
    const changed = b.heldBy?.join(",") !== ids.join(",");
    b.heldBy = ids;
    b.heldChecks = (b.heldChecks ?? 0) + 1;
    const delay = Math.min(HELD_MAX_BACKOFF_MS, HELD_FIRST_BACKOFF_MS * 2 ** Math.min(8, b.heldChecks - 1));
    b.nextPollAt = this.now + Math.round(delay * (0.75 + 0.25 * hashUnit(`${b.batchId}:${b.heldChecks}`)));
    b.lastError = `waiting for ${holders.map((j) => describeHolder(j)).join(", ")} to end`;
    if (!changed) return;
    const count = b.sourceServerIds.filter((id) => held.has(id)).length;
    this.event(
      "batch.held",
      `${describeBatch(b)}: ${plural(count, "server")} ${count === 1 ? "is" : "are"} in ${holders.map((j) => describeHolder(j)).join(", ")}; waiting for ${holders.length === 1 ? "it" : "them"} to end before launching (until the wave's launch deadline)`,
      { batchId: b.batchId, jobIds: ids },
      this.scopeOf(b),
    );
  }

  private failBatch(b: BatchRun, message: string) {
    b.status = "FAILED";
    b.lastError = message;
    delete b.nextPollAt;
    if (b.kind === "terminate") {
      for (const i of this.e.termination?.instances ?? []) {
        if (b.recoveryInstanceIds?.includes(i.recoveryInstanceId) && i.status !== "TERMINATED") {
          i.status = "FAILED";
          i.error = message;
        }
      }
    } else {
      for (const s of this.serversOfBatch(b))
        if (!SERVER_DONE.has(s.status)) this.closeServer(s, "FAILED", message);
    }
    this.event(
      "batch.failed",
      `${describeBatch(b)} failed: ${message}`,
      { batchId: b.batchId },
      this.scopeOf(b),
    );
  }

  private closeBatch(b: BatchRun, status: "CANCELLED") {
    b.status = status;
    for (const s of this.serversOfBatch(b))
      if (!SERVER_DONE.has(s.status)) this.closeServer(s, "CANCELLED", "execution cancelled before launch");
  }

  private closeServer(s: ServerRun, status: "FAILED" | "CANCELLED" | "SKIPPED", why: string) {
    s.status = status;
    s.error = why;
  }

  private failServer(s: ServerRun, why: string) {
    this.closeServer(s, "FAILED", why);
    if (s.failback) s.failback.phase = "failed";
    this.event("server.failed", `${s.hostname} (${s.sourceServerId}): ${why}`, {
      sourceServerId: s.sourceServerId,
    });
  }

  // ---------------------------------------------------------------- failback

  /**
   * An on-premises failback follows what DRS reports of the recovery instance's failback client: not seen yet
   * (the operator boots the DRS Failback Client), replicating back, ready to launch, or an error that DRS will
   * not get past by itself (the server fails with DRS's reason rather than waiting out the allowance).
   */
  private trackFailbackClient(s: ServerRun, f: FailbackProgress, instance: RecoveryInstance) {
    const state = instance.failbackState;
    if (state) f.drsState = state;
    else delete f.drsState;
    const later = this.now + this.ctx.settings.pollIntervalSeconds * 1000;
    switch (state) {
      case "FAILBACK_READY_FOR_LAUNCH":
        f.phase = "ready";
        delete f.nextCheckAt;
        delete s.error;
        return;
      case "FAILBACK_ERROR":
      case "FAILBACK_LAUNCH_STATE_NOT_AVAILABLE":
        this.failServer(
          s,
          `DRS reports ${state} for recovery instance ${instance.recoveryInstanceId}` +
            `${instance.failbackError ? ` (${instance.failbackError})` : ""}: the failback cannot go on; ` +
            "fix the failback client's replication (or stop failback in DRS) and run the failback again",
        );
        return;
      case "FAILBACK_NOT_READY_FOR_LAUNCH":
        f.phase = "replicating";
        f.nextCheckAt = later;
        s.error = `Replicating back to the original server (DRS failback state ${state})`;
        return;
      default:
        f.phase = "waiting-client";
        f.nextCheckAt = later;
        s.error =
          `Waiting for the failback client: boot the DRS Failback Client on the original server and pair it with ` +
          `recovery instance ${instance.recoveryInstanceId} in ${instance.accountId}/${instance.region} ` +
          `(DRS failback state ${state ?? "unknown"})`;
    }
  }

  private prepareFailback(w: WaveRun) {
    const origins = new Map<string, "ON_PREMISES" | "AWS">();
    for (const g of this.e.snapshot.groups)
      for (const s of g.servers)
        origins.set(`${g.accountId}/${g.region}/${s.sourceServerId}`, s.originEnvironment ?? "ON_PREMISES");
    const toResolve = new Map<string, { target: DrsTarget; ids: string[] }>();
    for (const s of w.servers) {
      if (SERVER_DONE.has(s.status)) continue;
      if (!s.failback) {
        if (this.e.cancelRequested) {
          this.closeServer(s, "CANCELLED", "execution cancelled");
          continue;
        }
        s.failback = {
          origin: origins.get(`${s.accountId}/${s.region}/${s.sourceServerId}`) ?? "ON_PREMISES",
          phase: "resolve",
        };
      }
      const f = s.failback;
      const due = f.nextCheckAt === undefined || this.now >= f.nextCheckAt;
      if (this.e.cancelRequested && f.phase !== "launching" && f.phase !== "done" && f.phase !== "failed") {
        this.closeServer(s, "CANCELLED", "execution cancelled");
        continue;
      }
      if (!due) continue;
      if (
        f.phase === "resolve" ||
        ((f.phase === "replicating" || f.phase === "waiting-client") && f.origin === "ON_PREMISES")
      ) {
        const key = `${s.accountId}/${s.region}`;
        const entry = toResolve.get(key) ?? { target: { accountId: s.accountId, region: s.region }, ids: [] };
        entry.ids.push(s.sourceServerId);
        toResolve.set(key, entry);
        f.nextCheckAt = this.now + REISSUE_MS;
      } else if (f.phase === "reverse" && f.recoveryInstanceId) {
        f.nextCheckAt = this.now + REISSUE_MS;
        this.effects.push({
          kind: "reverse-replication",
          id: `reverse:${w.waveId}:${s.sourceServerId}:${this.now}`,
          waveId: w.waveId,
          target: { accountId: s.accountId, region: s.region },
          sourceServerId: s.sourceServerId,
          recoveryInstanceId: f.recoveryInstanceId,
        });
      }
    }
    for (const [key, { target, ids }] of toResolve) {
      this.effects.push({
        kind: "failback-resolve",
        id: `failback-resolve:${w.waveId}:${key}:${this.now}`,
        waveId: w.waveId,
        target,
        sourceServerIds: ids,
      });
    }
    const checks = new Map<string, { target: DrsTarget; ids: string[] }>();
    for (const s of w.servers) {
      const f = s.failback;
      if (
        f?.phase !== "replicating" ||
        f.origin !== "AWS" ||
        !f.reversedSourceServerId ||
        !f.originRegion ||
        !f.originAccountId
      )
        continue;
      if (f.nextCheckAt !== undefined && this.now < f.nextCheckAt) continue;
      f.nextCheckAt = this.now + REISSUE_MS;
      const key = `${f.originAccountId}/${f.originRegion}`;
      const entry = checks.get(key) ?? {
        target: { accountId: f.originAccountId, region: f.originRegion },
        ids: [],
      };
      entry.ids.push(f.reversedSourceServerId);
      checks.set(key, entry);
    }
    for (const [key, { target, ids }] of checks) {
      this.effects.push({
        kind: "check-source-servers",
        id: `check-source:${w.waveId}:${key}:${this.now}`,
        waveId: w.waveId,
        target,
        sourceServerIds: ids,
      });
    }
    if (this.e.cancelRequested) return;
    const ready = w.servers.filter((s) => s.failback?.phase === "ready" && !s.batchId);
    const onPrem = new Map<string, ServerRun[]>();
    const ec2 = new Map<string, ServerRun[]>();
    for (const s of ready) {
      s.failback!.phase = "launching";
      if (s.failback!.origin === "AWS") {
        const key = `${s.failback!.originAccountId}/${s.failback!.originRegion}`;
        ec2.set(key, [...(ec2.get(key) ?? []), s]);
      } else {
        const key = `${s.accountId}/${s.region}`;
        onPrem.set(key, [...(onPrem.get(key) ?? []), s]);
      }
    }
    for (const servers of onPrem.values()) {
      this.addBatches(w, servers, "failback-launch", servers[0]!, (s) => ({
        sourceServerId: s.sourceServerId,
        recoveryInstanceId: s.failback!.recoveryInstanceId!,
      }));
    }
    for (const servers of ec2.values()) {
      const f = servers[0]!.failback!;
      this.addBatches(
        w,
        servers,
        "recovery",
        { accountId: f.originAccountId!, region: f.originRegion! },
        (s) => ({ sourceServerId: s.failback!.reversedSourceServerId! }),
      );
    }
  }

  // ---------------------------------------------------------------- termination

  private startTermination(by: string, reason: "user" | "drill-ttl") {
    const previous = this.e.termination;
    if (previous && previous.status === "RUNNING") {
      this.event("command.ignored", "terminate-instances ignored: a termination is already running", {});
      return;
    }
    const servers = recordedInstancesToTerminate(this.e);
    const scope = discoveryScope(this.e);
    if (servers.length === 0 && scope.size === 0) {
      this.event(
        "command.ignored",
        "terminate-instances ignored: no recovery instance of this execution is left to terminate",
        {},
      );
      if (reason === "drill-ttl") delete this.e.cleanupAt;
      return;
    }
    const termination: TerminationRun = {
      requestedBy: by,
      requestedAt: this.now,
      reason,
      status: "RUNNING",
      batches: [],
      instances: [
        ...(previous?.instances.filter((i) => i.status === "TERMINATED") ?? []),
        ...servers.map((s) => ({
          recoveryInstanceId: s.recoveryInstanceId!,
          sourceServerId: s.sourceServerId,
          status: "PENDING" as const,
        })),
      ],
    };
    const byTarget = new Map<string, ServerRun[]>();
    for (const s of servers) {
      const target = this.launchTargetOf(s);
      const key = `${target.accountId}/${target.region}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), s]);
    }
    let n = (previous?.batches.length ?? 0) + 1;
    for (const list of byTarget.values()) {
      const target = this.launchTargetOf(list[0]!);
      for (let i = 0; i < list.length; i += 200) {
        const chunk = list.slice(i, i + 200);
        termination.batches.push({
          // "_" never appears in a wave id (a-z, 0-9, '-'), so a wave named "terminate" cannot share these ids.
          batchId: `_terminate-b${n++}`,
          kind: "terminate",
          accountId: target.accountId,
          region: target.region,
          sourceServerIds: chunk.map((s) => s.sourceServerId),
          recoveryInstanceIds: chunk.map((s) => s.recoveryInstanceId!),
          status: "PLANNED",
          attempt: 0,
          logCount: 0,
          errorCount: 0,
        });
      }
    }
    if (scope.size > 0) termination.discovery = { pending: [...scope.keys()], errors: 0, found: 0 };
    this.e.termination = termination;
    delete this.e.cleanupAt;
    this.event(
      "termination.started",
      reason === "drill-ttl"
        ? `Drill TTL expired: terminating ${plural(servers.length, "drill instance")}`
        : `${by} requested termination of ${plural(servers.length, "recovery instance")}`,
      { instances: servers.length, reason },
    );
  }

  /** Where a server's recovery instance lives: the recovery region, or the origin region after an EC2 failback. */
  private launchTargetOf(s: ServerRun): DrsTarget {
    if (s.failback?.origin === "AWS" && s.failback.originAccountId && s.failback.originRegion)
      return { accountId: s.failback.originAccountId, region: s.failback.originRegion };
    return { accountId: s.accountId, region: s.region };
  }

  /**
   * DRS's answer for one target: every recovery instance of the execution's servers that one of its launch jobs
   * created. Instances not yet in the termination (not recorded, e.g. launched after the engine stopped
   * following a job) are recorded on their server and terminated with the rest.
   */
  private discovered(targetKey: string, instances: RecoveryInstance[]) {
    const t = this.e.termination;
    const d = t?.discovery;
    if (t?.status !== "RUNNING" || !d?.pending.includes(targetKey)) return;
    d.pending = d.pending.filter((k) => k !== targetKey);
    if (d.pending.length === 0) d.doneAt = this.now;
    const known = new Set(t.instances.map((i) => i.recoveryInstanceId));
    const found = instances.filter(
      (i) =>
        !known.has(i.recoveryInstanceId) && i.ec2State !== "TERMINATED" && i.ec2State !== "SHUTTING-DOWN",
    );
    if (found.length === 0) return;
    d.found += found.length;
    const byServer = new Map(
      this.allServers().map((s) => [`${s.accountId}/${s.region}/${s.sourceServerId}`, s]),
    );
    for (const i of found) {
      t.instances.push({
        recoveryInstanceId: i.recoveryInstanceId,
        sourceServerId: i.sourceServerId,
        status: "PENDING",
      });
      const s = byServer.get(`${i.accountId}/${i.region}/${i.sourceServerId}`);
      if (s && !s.recoveryInstanceId) {
        s.recoveryInstanceId = i.recoveryInstanceId;
        if (i.ec2InstanceId) s.ec2InstanceId = i.ec2InstanceId;
        if (i.ec2State) s.ec2State = i.ec2State;
        s.error = `${s.error ? `${s.error}; ` : ""}DRS job ${i.jobId ?? "?"} launched recovery instance ${i.recoveryInstanceId}, found when terminating`;
      }
    }
    const [accountId, region] = targetKey.split("/") as [string, string];
    for (let k = 0; k < found.length; k += 200) {
      const chunk = found.slice(k, k + 200);
      t.batches.push({
        batchId: `_terminate-b${t.batches.length + 1}`,
        kind: "terminate",
        accountId,
        region,
        sourceServerIds: chunk.map((i) => i.sourceServerId),
        recoveryInstanceIds: chunk.map((i) => i.recoveryInstanceId),
        status: "PLANNED",
        attempt: 0,
        logCount: 0,
        errorCount: 0,
      });
    }
    this.event(
      "termination.discovered",
      `Found ${plural(found.length, "recovery instance")} in ${targetKey} that this execution's DRS jobs launched without the engine recording ${found.length === 1 ? "it" : "them"}; terminating ${found.length === 1 ? "it" : "them"} too`,
      { target: targetKey, instances: found.map((i) => i.recoveryInstanceId) },
    );
  }

  private advanceTermination() {
    const t = this.e.termination;
    if (t?.status !== "RUNNING") return;
    const d = t.discovery;
    if (d && d.pending.length > 0 && (d.nextAt === undefined || this.now >= d.nextAt)) {
      d.nextAt = this.now + REISSUE_MS;
      const scope = discoveryScope(this.e);
      for (const key of d.pending) {
        const of = scope.get(key);
        if (!of) continue;
        this.effects.push({
          kind: "find-instances",
          id: `find-instances:${key}:${this.now}`,
          targetKey: key,
          target: of.target,
          sourceServerIds: [...of.sourceServerIds],
          jobIds: [...of.jobIds],
        });
      }
    }
    for (const b of t.batches) this.advanceBatch(b, TERMINATION_SCOPE);
    if (d && d.pending.length > 0) return;
    if (!t.batches.every((b) => BATCH_DONE.has(b.status))) return;
    const failed = t.instances.filter((i) => i.status === "FAILED");
    t.status = failed.length === 0 ? "COMPLETED" : "FAILED";
    t.completedAt = this.now;
    this.event(
      `termination.${t.status.toLowerCase()}`,
      failed.length === 0
        ? `Terminated ${plural(t.instances.length, "recovery instance")}`
        : `Termination finished: ${failed.length} of ${plural(t.instances.length, "instance")} could not be terminated`,
      { terminated: t.instances.length - failed.length, failed: failed.length },
    );
  }

  // ---------------------------------------------------------------- polling, status, wake-up

  private emitPolls() {
    const due = new Map<string, BatchRun[]>();
    for (const b of this.allBatches()) {
      if (b.status !== "ACTIVE" || !b.jobId) continue;
      if (b.nextPollAt !== undefined && this.now < b.nextPollAt) continue;
      const key = `${b.accountId}/${b.region}`;
      due.set(key, [...(due.get(key) ?? []), b]);
    }
    for (const [key, batches] of due) {
      const fetchLogsFor: string[] = [];
      for (const b of batches) {
        b.nextPollAt = this.now + REISSUE_MS;
        if (b.jobStatus !== "PENDING" && (b.nextLogAt === undefined || this.now >= b.nextLogAt)) {
          fetchLogsFor.push(b.jobId!);
          b.nextLogAt = this.now + LOG_INTERVAL_MS;
        }
      }
      this.effects.push({
        kind: "poll-jobs",
        id: `poll:${key}:${this.now}`,
        target: { accountId: batches[0]!.accountId, region: batches[0]!.region },
        jobIds: batches.map((b) => b.jobId!),
        logCounts: Object.fromEntries(batches.map((b) => [b.jobId!, b.logCount])),
        fetchLogsFor,
      });
    }
  }

  /** Keeps `pauses` in step with `pause`: a new record when the pause (or its cause) changes, closed when it ends. */
  private recordPause() {
    const p = this.e.pause;
    const last = this.e.pauses?.at(-1);
    const open = last && last.to === undefined ? last : undefined;
    const same =
      open && p && open.reason === p.reason && open.waveId === p.waveId && open.actionId === p.actionId;
    if (same) return;
    if (open) open.to = Math.max(open.from, this.now);
    if (!p) return;
    this.e.pauses ??= [];
    this.e.pauses.push({
      reason: p.reason,
      ...(p.waveId ? { waveId: p.waveId } : {}),
      ...(p.actionId ? { actionId: p.actionId } : {}),
      ...(p.by ? { by: p.by } : {}),
      from: Math.min(p.since, this.now),
    });
  }

  private updateStatus() {
    if (isTerminal(this.e.status)) return;
    const waitingWave = this.e.waves.find((w) => w.status === "WAITING");
    const approval = this.allActions().find((a) => a.status === "WAITING_APPROVAL");
    let next: Execution["status"] = "RUNNING";
    delete this.e.pause;
    if (this.e.cancelRequested) next = "CANCELLING";
    else if (approval) {
      next = "PAUSED";
      this.e.pause = {
        reason: "approval",
        waveId: waveOf(approval),
        actionId: approval.actionId,
        since: approval.startedAt ?? this.now,
      };
    } else if (waitingWave) {
      next = "PAUSED";
      this.e.pause = { reason: "pauseBefore", waveId: waitingWave.waveId, since: this.now };
    } else if (this.e.pauseRequested) {
      next = "PAUSED";
      this.e.pause = { reason: "user", since: this.e.pauseRequested.at, by: this.e.pauseRequested.by };
    }
    this.recordPause();
    if (next === "PAUSED" && this.wasStatus !== "PAUSED") {
      this.event(
        "execution.paused",
        `Execution paused (${this.e.pause?.reason === "user" ? `by ${this.e.pause.by}` : this.e.pause?.reason === "approval" ? "awaiting approval" : `before wave '${this.findWave(this.e.pause?.waveId ?? "")?.name}'`})`,
        { reason: this.e.pause?.reason },
      );
    }
    this.e.status = next;
  }

  private finish() {
    const inFlight = this.allBatches().some((b) => b.kind !== "terminate" && IN_FLIGHT.has(b.status));
    if (inFlight) return;
    const status: Execution["status"] = this.e.cancelRequested
      ? "CANCELLED"
      : this.aborting
        ? "FAILED"
        : "COMPLETED";
    this.e.status = status;
    // The execution ended when its last wave (or the last DRS job it followed) did, which after an outage is
    // earlier than the moment the orchestrator noticed.
    const ends = this.e.waves.map((w) => w.endTime ?? this.now);
    for (const b of this.allBatches())
      if (b.kind !== "terminate" && b.jobEndedAt) ends.push(Date.parse(b.jobEndedAt));
    this.e.endTime = Math.min(this.now, Math.max(this.e.startTime, ...ends.filter(Number.isFinite)));
    delete this.e.pause;
    closePauses(this.e, this.now);
    delete this.e.pauseRequested;
    const servers = this.allServers();
    const launched = servers.filter((s) => s.status === "LAUNCHED").length;
    const failed = servers.filter((s) => s.status === "FAILED").length;
    const seconds = Math.round((this.e.endTime - this.e.startTime) / 1000);
    if (status === "FAILED") {
      const wave = this.e.waves.find(
        (w) => (w.status === "FAILED" || w.status === "TIMED_OUT") && w.onFailure === "abort",
      );
      const timedOut = wave?.status === "TIMED_OUT";
      this.e.error = {
        code: timedOut ? "WAVE_TIMED_OUT" : "WAVE_FAILED",
        message: `Wave '${wave?.name}' ${timedOut ? "timed out" : "failed"}: ${wave?.error ?? "unknown"}`,
      };
    }
    const rto = this.e.snapshot.plan.rtoSeconds;
    this.event(
      `execution.${status.toLowerCase()}`,
      `${this.e.executionType} ${status.toLowerCase()} in ${seconds} s: ${launched} launched, ${failed} failed${rto !== undefined ? ` (RTO target ${rto} s${status === "COMPLETED" ? (seconds <= rto ? ", met" : ", missed") : ""})` : ""}`,
      { launched, failed, seconds, ...(rto !== undefined ? { rtoTargetSeconds: rto } : {}) },
    );
    if (this.e.executionType === "DRILL" && launched > 0 && this.ctx.settings.drillTtlHours > 0) {
      this.e.cleanupAt = this.now + this.ctx.settings.drillTtlHours * 3_600_000;
    }
  }

  private computeWake() {
    const times: number[] = [];
    const add = (t: number | undefined) => {
      if (t !== undefined) times.push(Math.max(t, this.now));
    };
    const capacityRecheck = this.now + Math.max(5, this.ctx.settings.fastPollSeconds) * 1000;
    for (const b of this.allBatches()) {
      // An intent in flight: if the process dies before recording the result, a restart must resolve it now.
      if (b.status === "LAUNCHING") add(b.intentAt ?? this.now);
      if (b.status === "ACTIVE" || b.status === "UNKNOWN") add(b.nextPollAt ?? this.now);
      if (b.status === "PLANNED")
        add(b.notBefore !== undefined && b.notBefore > this.now ? b.notBefore : capacityRecheck);
    }
    for (const w of this.e.waves) {
      if (w.status !== "RUNNING") continue;
      add(w.deadlineAt);
      for (const s of w.servers) {
        const f = s.failback;
        if (
          f &&
          !SERVER_DONE.has(s.status) &&
          (f.phase === "resolve" ||
            f.phase === "reverse" ||
            f.phase === "replicating" ||
            f.phase === "waiting-client")
        )
          add(f.nextCheckAt);
      }
    }
    for (const a of this.allActions()) {
      if (a.status === "RUNNING") {
        add(a.nextCheckAt);
        add(a.deadlineAt);
      } else if (a.status === "WAITING_APPROVAL") add(a.deadlineAt);
    }
    if (isTerminal(this.e.status) && !this.e.termination && this.e.cleanupAt !== undefined)
      add(this.e.cleanupAt);
    const terminal = isTerminal(this.e.status) && this.e.termination?.status !== "RUNNING";
    if (times.length === 0 && !terminal && this.e.status !== "PAUSED") add(this.now + IDLE_WAKE_MS);
    if (times.length === 0) delete this.e.wakeAt;
    // A step without effects has acted on everything due now: a wake-up at "now" could only be a stale timer
    // (and would make a driver spin), so the next look is at least MIN_WAKE_MS away.
    else
      this.e.wakeAt =
        this.effects.length > 0 ? Math.min(...times) : Math.max(Math.min(...times), this.now + MIN_WAKE_MS);
  }

  // ---------------------------------------------------------------- lookups and events

  private event(type: string, message: string, data: Record<string, unknown> = {}, waveId?: string) {
    const event: NewExecutionEvent = { at: this.now, type, message, data };
    if (waveId !== undefined) event.waveId = waveId;
    this.events.push(event);
  }

  private allBatches(): BatchRun[] {
    return [...this.e.waves.flatMap((w) => w.batches), ...(this.e.termination?.batches ?? [])];
  }

  private allServers(): ServerRun[] {
    return this.e.waves.flatMap((w) => w.servers);
  }

  private allActions(): ActionRun[] {
    return this.e.waves.flatMap((w) => w.actions);
  }

  private findWave(waveId: string): WaveRun | undefined {
    return this.e.waves.find((w) => w.waveId === waveId);
  }

  private findBatch(batchId: string): BatchRun | undefined {
    return this.allBatches().find((b) => b.batchId === batchId);
  }

  private findBatchByJob(jobId: string): BatchRun | undefined {
    return this.allBatches().find((b) => b.jobId === jobId);
  }

  private findAction(actionId: string): ActionRun | undefined {
    return this.allActions().find((a) => a.actionId === actionId);
  }

  private scopeOf(b: BatchRun): string | undefined {
    return b.kind === "terminate" ? undefined : this.e.waves.find((w) => w.batches.includes(b))?.waveId;
  }
}

const WAITING_FOR_CAPACITY = "waiting for DRS capacity (quota)";

export function launchEffectId(b: Pick<BatchRun, "batchId" | "attempt" | "kind">): string {
  return `${b.kind === "terminate" ? "terminate" : b.kind === "failback-launch" ? "failback-launch" : "launch"}:${b.batchId}:${b.attempt}`;
}

function describeBatch(b: BatchRun): string {
  const n = b.recoveryInstanceIds?.length ?? b.sourceServerIds.length;
  const what = b.kind === "terminate" ? "termination" : b.kind === "failback-launch" ? "failback" : "launch";
  return `${what} batch ${b.batchId} (${n} server${n === 1 ? "" : "s"}, ${b.accountId}/${b.region})`;
}

/** A DRS job holding servers we need, in words: whose it is, as far as its tags tell. */
function describeHolder(j: DrsJob): string {
  const kind =
    j.initiatedBy === "START_DRILL" ? "drill" : j.initiatedBy === "START_RECOVERY" ? "recovery" : "";
  const execution = j.tags[TAG_EXECUTION];
  return execution
    ? `DRS job ${j.jobId} (${kind ? `${kind} ` : ""}execution ${execution})`
    : `DRS job ${j.jobId} (${kind ? `a ${kind} ` : ""}not started by this orchestrator)`;
}

/**
 * Servers whose recorded recovery instance a termination would terminate: every instance a job of this execution
 * launched, including those of servers DRS then failed (a failback's recovery instance predates the execution:
 * only terminated once the server launched), less those already terminated.
 */
export function recordedInstancesToTerminate(e: Execution): ServerRun[] {
  const alreadyTerminated = new Set(
    (e.termination?.instances ?? [])
      .filter((i) => i.status === "TERMINATED")
      .map((i) => i.recoveryInstanceId),
  );
  return e.waves
    .flatMap((w) => w.servers)
    .filter(
      (s) =>
        (s.status === "LAUNCHED" || (e.executionType !== "FAILBACK" && s.jobId !== undefined)) &&
        s.recoveryInstanceId &&
        !alreadyTerminated.has(s.recoveryInstanceId) &&
        s.ec2State !== "TERMINATED",
    );
}

/** Whether a termination of this execution would have anything to do (recorded instances, or DRS to ask). */
export function hasInstancesToTerminate(e: Execution): boolean {
  return recordedInstancesToTerminate(e).length > 0 || discoveryScope(e).size > 0;
}

/**
 * Where termination asks DRS for instances the execution's launch jobs created, by account/region: the servers of
 * every launch batch that got a DRS job, and those jobs. Empty for a FAILBACK (its recovery instances predate it)
 * and once a termination has already asked.
 */
function discoveryScope(e: Execution) {
  const scope = new Map<string, { target: DrsTarget; sourceServerIds: Set<string>; jobIds: Set<string> }>();
  if (e.executionType === "FAILBACK" || e.termination?.discovery?.doneAt !== undefined) return scope;
  for (const w of e.waves)
    for (const b of w.batches) {
      if (b.kind !== "recovery" || !b.jobId) continue;
      const key = `${b.accountId}/${b.region}`;
      const entry = scope.get(key) ?? {
        target: { accountId: b.accountId, region: b.region },
        sourceServerIds: new Set<string>(),
        jobIds: new Set<string>(),
      };
      for (const id of b.sourceServerIds) entry.sourceServerIds.add(id);
      entry.jobIds.add(b.jobId);
      scope.set(key, entry);
    }
  return scope;
}

/** Waiting for another job to release its servers: the last launch was refused, nothing of ours is running. */
function isHeld(b: BatchRun): boolean {
  return b.status === "UNKNOWN" && b.conflict === true && (b.heldBy?.length ?? 0) > 0;
}

function describeAction(a: ActionRun): string {
  return `${a.phase === "pre" ? "Pre" : "Post"}-action ${a.index + 1} (${a.action.name ?? a.action.type})`;
}

function waveOf(a: ActionRun): string {
  return a.actionId.split(".")[0]!;
}

/** arn:aws:drs:<region>:<account>:source-server/<id> */
export function parseSourceServerArn(
  arn: string,
): { region: string; accountId: string; sourceServerId: string } | undefined {
  const m = /^arn:aws[a-z-]*:drs:([a-z0-9-]+):(\d{12}):source-server\/(s-[0-9a-zA-Z]{17})$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, sourceServerId: m[3]! } : undefined;
}
