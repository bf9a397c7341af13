import {
  ConflictError,
  closePauses,
  DEFAULT_SETTINGS,
  type DrsJob,
  type Execution,
  isTerminal,
  type NewExecutionEvent,
  NotFoundError,
  PreconditionFailedError,
  plural,
  TAG_BATCH,
  TAG_EXECUTION,
  ValidationError,
} from "@drso/core";
import type { AppDeps } from "./deps.js";
import { createNotificationOutbox } from "./engine/notification-outbox.js";
import { NOTIFIED_EVENT_TYPES } from "./engine/step-handler.js";
import type { EngineSignal } from "./engine-signal.js";

/**
 * Force-ending an execution that is stuck (decision: docs/decisions/009-newcomer-cli-force-end.md).
 *
 * It is an administrator's way out, not part of the plan's flow: it never decides against DRS. Under the
 * execution's lease (so the engine does not step it meanwhile), DRS is asked for every job the execution
 * started or may have started (by job ID and by the execution's job tags); a job still PENDING or STARTED
 * refuses the request (409 LIVE_DRS_JOBS) — cancel and let it finish instead. Otherwise the execution ends
 * CANCELLED with error FORCE_ENDED, what DRS reported is written into it (servers a job launched keep their
 * recovery instance, so they can be terminated), and the reason goes into its events and the audit log.
 */
export interface ForceEndInput {
  reason: string;
  /** Go on when DRS cannot be asked in some target (an account that is gone); those targets are recorded. */
  skipUnreachableTargets?: boolean;
}

export interface ForceEndResult {
  executionId: string;
  status: Execution["status"];
  previousStatus: Execution["status"];
  reason: string;
  jobsChecked: Array<{ jobId: string; accountId: string; region: string; status: string }>;
  unreachableTargets: Array<{ accountId: string; region: string; error: string }>;
  instancesKept: number;
}

const LEASE_MS = 60_000;
const LEASE_ATTEMPTS = 10;
const LEASE_RETRY_MS = 300;
/** DRS job creation times may lag the intent slightly; look a little before the execution started. */
const JOB_LOOKBACK_MS = 10 * 60_000;

const SERVER_DONE = new Set(["LAUNCHED", "FAILED", "CANCELLED", "SKIPPED", "TERMINATED"]);
const WAVE_DONE = new Set(["COMPLETED", "FAILED", "TIMED_OUT", "SKIPPED", "CANCELLED"]);
const BATCH_DONE = new Set(["DONE", "FAILED", "CANCELLED"]);
const ACTION_OPEN = new Set(["PENDING", "RUNNING", "WAITING_APPROVAL"]);

function targetKey(t: { accountId: string; region: string }) {
  return `${t.accountId}/${t.region}`;
}

/** Every DRS job of the execution that DRS knows, per target, and the targets DRS could not be asked in. */
async function jobsInDrs(deps: AppDeps, e: Execution) {
  const batches = [...e.waves.flatMap((w) => w.batches), ...(e.termination?.batches ?? [])].filter(
    (b) => b.status !== "PLANNED",
  );
  const targets = new Map<string, { accountId: string; region: string; jobIds: Set<string> }>();
  for (const b of batches) {
    const key = targetKey(b);
    const entry = targets.get(key) ?? { accountId: b.accountId, region: b.region, jobIds: new Set<string>() };
    if (b.jobId) entry.jobIds.add(b.jobId);
    targets.set(key, entry);
  }
  const jobs: DrsJob[] = [];
  const unreachable: ForceEndResult["unreachableTargets"] = [];
  for (const t of targets.values()) {
    const gateway = deps.drs.forTarget({ accountId: t.accountId, region: t.region });
    try {
      const recent = await gateway.describeJobs({
        fromDate: new Date(e.startTime - JOB_LOOKBACK_MS).toISOString(),
      });
      const found = new Map<string, DrsJob>();
      for (const j of recent)
        if (j.tags[TAG_EXECUTION] === e.executionId || t.jobIds.has(j.jobId)) found.set(j.jobId, j);
      const missing = [...t.jobIds].filter((id) => !found.has(id));
      if (missing.length > 0)
        for (const j of await gateway.describeJobs({ jobIds: missing })) found.set(j.jobId, j);
      jobs.push(...found.values());
    } catch (error) {
      unreachable.push({ accountId: t.accountId, region: t.region, error: (error as Error).message });
    }
  }
  return { jobs, unreachable };
}

/** The execution as force-ended: pure, from the execution and what DRS reported. */
export function forceEndedExecution(
  e: Execution,
  input: { by: string; reason: string; now: number; jobs: DrsJob[]; drillTtlHours: number },
): { execution: Execution; events: NewExecutionEvent[]; instancesKept: number } {
  const { by, reason, now } = input;
  const next = structuredClone(e);
  const why = `force-ended by ${by}`;
  const byId = new Map(input.jobs.map((j) => [j.jobId, j]));
  const byBatch = new Map(
    input.jobs.filter((j) => j.tags[TAG_BATCH]).map((j) => [j.tags[TAG_BATCH] as string, j]),
  );
  for (const wave of next.waves) {
    for (const b of wave.batches) {
      if (BATCH_DONE.has(b.status)) continue;
      const job = (b.jobId ? byId.get(b.jobId) : undefined) ?? byBatch.get(b.batchId);
      if (job) {
        b.jobId = job.jobId;
        b.jobStatus = job.status;
        b.status = "DONE";
        if (job.createdAt) b.jobCreatedAt = job.createdAt;
        if (job.endedAt) b.jobEndedAt = job.endedAt;
      } else if (b.jobId) {
        b.status = "FAILED";
        b.lastError = `DRS does not know job ${b.jobId} (${why})`;
      } else b.status = "CANCELLED";
      b.completedAt = now;
      for (const s of wave.servers) {
        if (s.batchId !== b.batchId || SERVER_DONE.has(s.status)) continue;
        const participant = job?.participants.find((p) => p.sourceServerId === s.sourceServerId);
        if (job) s.jobId = job.jobId;
        if (participant?.launchStatus === "LAUNCHED") {
          s.status = "LAUNCHED";
          if (participant.recoveryInstanceId) s.recoveryInstanceId = participant.recoveryInstanceId;
        } else if (participant?.launchStatus === "FAILED") {
          s.status = "FAILED";
          s.error = "DRS reported the launch as failed";
        }
      }
    }
    for (const s of wave.servers) {
      if (SERVER_DONE.has(s.status)) continue;
      s.status = "CANCELLED";
      s.error = why;
    }
    for (const a of wave.actions) {
      if (!ACTION_OPEN.has(a.status)) continue;
      a.status = "CANCELLED";
      a.endedAt = now;
      a.error = why;
    }
    if (!WAVE_DONE.has(wave.status)) {
      wave.status = "CANCELLED";
      if (wave.startTime !== undefined) wave.endTime = now;
      wave.error = why;
    }
  }
  const previous = next.status;
  next.status = "CANCELLED";
  next.endTime = now;
  next.error = { code: "FORCE_ENDED", message: `Force-ended by ${by}: ${reason}` };
  delete next.pause;
  closePauses(next, now);
  delete next.pauseRequested;
  delete next.wakeAt;
  const launched = next.waves
    .flatMap((w) => w.servers)
    .filter((s) => s.status === "LAUNCHED" && s.recoveryInstanceId).length;
  // A drill's instances are cleaned up after the TTL as for any drill that ended; the engine wakes for it.
  if (next.executionType === "DRILL" && launched > 0 && input.drillTtlHours > 0) {
    next.cleanupAt = now + input.drillTtlHours * 3_600_000;
    next.wakeAt = next.cleanupAt;
  }
  const live = input.jobs.length;
  const events: NewExecutionEvent[] = [
    {
      at: now,
      type: "execution.force-ended",
      message: `Force-ended by ${by} (was ${previous}): ${reason}. DRS was checked first: ${
        live === 0 ? "no job of this execution" : `${plural(live, "job")}, none still running`
      }${launched > 0 ? `; ${plural(launched, "recovery instance")} kept and can be terminated` : ""}.`,
      data: {
        by,
        reason,
        previousStatus: previous,
        jobs: input.jobs.map((j) => j.jobId),
        instancesKept: launched,
      },
    },
  ];
  return { execution: next, events, instancesKept: launched };
}

export function createForceEnd(deps: AppDeps, engine: EngineSignal) {
  const { store, clock } = deps;

  async function acquire(executionId: string, owner: string): Promise<boolean> {
    for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
      if (await store.executions.acquireLease(executionId, owner, clock.now(), LEASE_MS)) return true;
      await clock.sleep(LEASE_RETRY_MS);
    }
    return false;
  }

  return async function forceEnd(
    executionId: string,
    by: string,
    input: ForceEndInput,
  ): Promise<ForceEndResult> {
    const reason = input.reason.trim();
    if (reason.length === 0)
      throw new ValidationError("Say why the execution is force-ended.", [
        { path: "reason", message: "required" },
      ]);
    const first = await store.executions.get(executionId);
    if (!first) throw new NotFoundError("execution", executionId);
    if (isTerminal(first.status))
      throw new ConflictError("INVALID_STATE", `The execution has already ended (${first.status}).`, {
        executionStatus: first.status,
      });
    const owner = `force-end:${deps.newId()}`;
    if (!(await acquire(executionId, owner)))
      throw new ConflictError(
        "EXECUTION_BUSY",
        "The engine is working on this execution right now; try again in a few seconds.",
      );
    try {
      const e = await store.executions.get(executionId);
      if (!e || isTerminal(e.status))
        throw new ConflictError("INVALID_STATE", `The execution has already ended (${e?.status}).`, {
          executionStatus: e?.status,
        });
      const { jobs, unreachable } = await jobsInDrs(deps, e);
      const live = jobs.filter((j) => j.status === "PENDING" || j.status === "STARTED");
      if (live.length > 0)
        throw new ConflictError(
          "LIVE_DRS_JOBS",
          `DRS is still running ${plural(live.length, "job")} of this execution: ${live
            .map((j) => `${j.jobId} (${j.accountId}/${j.region}, ${j.status})`)
            .join(
              ", ",
            )}. Nothing was changed. Wait for them to end (cancel the execution to start nothing new), then force-end it.`,
          {
            jobs: live.map((j) => ({
              jobId: j.jobId,
              accountId: j.accountId,
              region: j.region,
              status: j.status,
            })),
          },
        );
      if (unreachable.length > 0 && !input.skipUnreachableTargets)
        throw new ConflictError(
          "DRS_CHECK_FAILED",
          `DRS could not be asked about this execution's jobs in ${unreachable
            .map((u) => `${u.accountId}/${u.region} (${u.error})`)
            .join(
              ", ",
            )}. Nothing was changed. Fix access and retry, or, if that target is gone for good, force-end with skipUnreachableTargets (recorded).`,
          { unreachableTargets: unreachable },
        );
      const settings = (await store.settings.get())?.settings ?? DEFAULT_SETTINGS;
      const ended = forceEndedExecution(e, {
        by,
        reason,
        now: clock.now(),
        jobs,
        drillTtlHours: settings.drillTtlHours,
      });
      // Commands still queued (a pause, a cancel) no longer apply to an ended execution.
      const queued = await store.executions.commandsAfter(executionId, e.appliedCommandSeq);
      for (const c of queued)
        ended.execution.appliedCommandSeq = Math.max(ended.execution.appliedCommandSeq, c.seq);
      if (unreachable.length > 0)
        ended.events.push({
          at: clock.now(),
          type: "execution.force-end-unverified",
          message: `DRS was not asked in ${unreachable.map((u) => `${u.accountId}/${u.region}`).join(", ")} (skipUnreachableTargets): ${unreachable.map((u) => u.error).join("; ")}`,
          data: { unreachableTargets: unreachable },
        });
      try {
        await store.executions.save(ended.execution, e.version, { events: ended.events });
      } catch (error) {
        if (error instanceof PreconditionFailedError)
          throw new ConflictError("CONCURRENT_UPDATE", "The execution changed meanwhile; try again.");
        throw error;
      }
      // Through the outbox like every notified event: at least once, numbered, after the save.
      if (deps.notifier)
        await createNotificationOutbox({
          store,
          notifier: deps.notifier,
          clock: deps.clock,
          notified: NOTIFIED_EVENT_TYPES,
        }).flush(executionId, e);
      return {
        executionId,
        status: ended.execution.status,
        previousStatus: e.status,
        reason,
        jobsChecked: jobs.map((j) => ({
          jobId: j.jobId,
          accountId: j.accountId,
          region: j.region,
          status: j.status,
        })),
        unreachableTargets: unreachable,
        instancesKept: ended.instancesKept,
      };
    } finally {
      await store.executions.releaseLease(executionId, owner).catch(() => {});
      await engine.kick(executionId);
    }
  };
}
