import { humanTime } from "@drso/app";
import { DEFAULT_SETTINGS, type Execution, launchBudget } from "@drso/core";

/**
 * The API's response shapes of an execution (GET /executions/{id}) and of its instance termination
 * (GET /executions/{id}/termination-status), built from the domain object the use cases return. Their
 * schemas for the OpenAPI document are in execution-schemas.ts.
 */

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The API's view of an execution: ISO times, jobs per wave, RTO per wave and overall against the target. */
/**
 * `excerpts: false` drops what an http action's target answered (its response excerpt in `output`): only roles
 * that may manage executions see it (issue 13 item 9).
 */
export function executionView(e: Execution, now: number = e.updatedAt, options: { excerpts?: boolean } = {}) {
  const excerpts = options.excerpts ?? true;
  const target = e.snapshot.plan.rtoSeconds;
  const achieved = e.endTime !== undefined ? Math.round((e.endTime - e.startTime) / 1000) : undefined;
  const human = humanTime(e, Math.max(now, e.updatedAt));
  const servers = e.waves.flatMap((w) => w.servers);
  return {
    executionId: e.executionId,
    planId: e.planId,
    planName: e.planName,
    executionType: e.executionType,
    status: e.status,
    initiatedBy: e.initiatedBy,
    ...(e.comment ? { comment: e.comment } : {}),
    startTime: iso(e.startTime)!,
    ...(e.endTime !== undefined ? { endTime: iso(e.endTime) } : {}),
    durationSeconds: Math.round(((e.endTime ?? e.updatedAt) - e.startTime) / 1000),
    ...(e.pause ? { pause: { ...e.pause, since: iso(e.pause.since) } } : {}),
    ...(e.pauseRequested
      ? { pauseRequested: { by: e.pauseRequested.by, at: iso(e.pauseRequested.at) } }
      : {}),
    ...(e.cancelRequested
      ? { cancelRequested: { by: e.cancelRequested.by, at: iso(e.cancelRequested.at) } }
      : {}),
    ...(e.error ? { error: e.error } : {}),
    options: e.options,
    pointInTime: e.pointInTime ?? { mode: "latest" },
    ...(e.failbackAllowanceSeconds !== undefined
      ? { failbackAllowanceSeconds: e.failbackAllowanceSeconds }
      : {}),
    pauses: human.pauses,
    rto: {
      ...(target !== undefined ? { targetSeconds: target } : {}),
      ...(achieved !== undefined ? { achievedSeconds: achieved } : {}),
      humanSeconds: human.seconds,
      ...(achieved !== undefined
        ? { achievedWithoutHumanSeconds: Math.max(0, achieved - human.seconds) }
        : {}),
      ...(target !== undefined && achieved !== undefined && e.status === "COMPLETED"
        ? { met: achieved <= target }
        : {}),
    },
    ...(e.snapshot.plan.rpoSeconds !== undefined ? { rpoTargetSeconds: e.snapshot.plan.rpoSeconds } : {}),
    counts: {
      waves: e.waves.length,
      wavesCompleted: e.waves.filter((w) => w.status === "COMPLETED").length,
      wavesFailed: e.waves.filter((w) => w.status === "FAILED" || w.status === "TIMED_OUT").length,
      servers: servers.length,
      launched: servers.filter((s) => s.status === "LAUNCHED").length,
      failed: servers.filter((s) => s.status === "FAILED").length,
      optionalFailed: servers.filter((s) => s.status === "FAILED" && s.impact === "OPTIONAL").length,
      inProgress: servers.filter((s) => s.status === "PENDING" || s.status === "IN_PROGRESS").length,
    },
    waves: e.waves.map((w) => ({
      waveId: w.waveId,
      name: w.name,
      status: w.status,
      ...(w.phase ? { phase: w.phase } : {}),
      onFailure: w.onFailure,
      ...(w.decision
        ? {
            decision: {
              decision: w.decision.decision,
              by: w.decision.by,
              at: iso(w.decision.at),
              ...(w.decision.comment ? { comment: w.decision.comment } : {}),
              fromStatus: w.decision.fromStatus,
            },
          }
        : {}),
      ...(w.retries ? { retries: w.retries } : {}),
      ...(e.pause?.reason === "failure" && e.pause.waveId === w.waveId ? { awaitingDecision: true } : {}),
      dependsOn: w.dependsOn,
      pauseBefore: w.pauseBefore,
      ...(w.startTime !== undefined ? { startTime: iso(w.startTime) } : {}),
      ...(w.endTime !== undefined ? { endTime: iso(w.endTime) } : {}),
      ...(w.startTime !== undefined
        ? { durationSeconds: Math.round(((w.endTime ?? e.updatedAt) - w.startTime) / 1000) }
        : {}),
      ...(w.endTime !== undefined
        ? { achievedRtoSeconds: Math.round((w.endTime - e.startTime) / 1000) }
        : {}),
      ...(w.error ? { error: w.error } : {}),
      ...waveBudget(e, w),
      servers: w.servers.map((s) => ({
        sourceServerId: s.sourceServerId,
        hostname: s.hostname,
        accountId: s.accountId,
        region: s.region,
        groupId: s.groupId,
        launchStatus: s.status,
        impact: s.impact ?? "CRITICAL",
        ...(s.retries ? { retries: s.retries } : {}),
        ...(s.snapshot ? { snapshot: { ...s.snapshot } } : {}),
        ...(s.jobId ? { jobId: s.jobId } : {}),
        ...(s.recoveryInstanceId ? { recoveryInstanceId: s.recoveryInstanceId } : {}),
        ...(s.ec2InstanceId ? { ec2InstanceId: s.ec2InstanceId } : {}),
        ...(s.ec2State ? { ec2State: s.ec2State } : {}),
        ...(s.launchedAt ? { launchedAt: s.launchedAt } : {}),
        ...(s.error ? { error: s.error } : {}),
        ...(s.failback
          ? {
              failback: {
                origin: s.failback.origin,
                phase: s.failback.phase,
                ...(s.failback.drsState ? { drsState: s.failback.drsState } : {}),
                ...(s.failback.recoveryInstanceId
                  ? { recoveryInstanceId: s.failback.recoveryInstanceId }
                  : {}),
                ...(s.failback.originRegion ? { originRegion: s.failback.originRegion } : {}),
              },
            }
          : {}),
      })),
      jobs: w.batches.map((b) => ({
        batchId: b.batchId,
        kind: b.kind,
        accountId: b.accountId,
        region: b.region,
        servers: b.recoveryInstanceIds?.length ?? b.sourceServerIds.length,
        status: b.status,
        attempt: b.attempt,
        ...(b.jobId ? { jobId: b.jobId } : {}),
        ...(b.jobStatus ? { jobStatus: b.jobStatus } : {}),
        ...(b.submittedAt !== undefined ? { submittedAt: iso(b.submittedAt) } : {}),
        ...(b.completedAt !== undefined ? { completedAt: iso(b.completedAt) } : {}),
        ...(b.jobCreatedAt ? { jobCreatedAt: b.jobCreatedAt } : {}),
        ...(b.jobEndedAt ? { jobEndedAt: b.jobEndedAt } : {}),
        logItems: b.logCount,
        ...(b.lastError ? { lastError: b.lastError } : {}),
      })),
      actions: w.actions.map((a) => ({
        actionId: a.actionId,
        phase: a.phase,
        index: a.index,
        type: a.action.type,
        ...(a.action.name ? { name: a.action.name } : {}),
        optional: a.action.optional ?? false,
        status: a.status,
        ...(a.startedAt !== undefined ? { startedAt: iso(a.startedAt) } : {}),
        ...(a.endedAt !== undefined ? { endedAt: iso(a.endedAt) } : {}),
        ...(a.deadlineAt !== undefined && (a.status === "RUNNING" || a.status === "WAITING_APPROVAL")
          ? { deadlineAt: iso(a.deadlineAt) }
          : {}),
        ...(a.output && (excerpts || a.action.type !== "http") ? { output: a.output } : {}),
        ...(a.error
          ? { error: excerpts || a.action.type !== "http" ? a.error : withoutExcerpt(a.error) }
          : {}),
        ...(a.decision ? { decision: a.decision } : {}),
        ...(a.action.type === "approval" && a.action.message ? { message: a.action.message } : {}),
      })),
    })),
    ...(e.termination ? { termination: terminationView(e) } : {}),
    ...(e.cleanupAt !== undefined ? { instancesTerminateAt: iso(e.cleanupAt) } : {}),
    version: e.version,
  };
}

export function terminationView(e: Execution) {
  const t = e.termination;
  if (!t) return { status: "NOT_REQUESTED" as const, instances: [] };
  return {
    status: t.status,
    reason: t.reason,
    requestedBy: t.requestedBy,
    requestedAt: iso(t.requestedAt)!,
    ...(t.completedAt !== undefined ? { completedAt: iso(t.completedAt) } : {}),
    total: t.instances.length,
    terminated: t.instances.filter((i) => i.status === "TERMINATED").length,
    failed: t.instances.filter((i) => i.status === "FAILED").length,
    instances: t.instances,
    jobs: t.batches.map((b) => ({
      batchId: b.batchId,
      accountId: b.accountId,
      region: b.region,
      status: b.status,
      ...(b.jobId ? { jobId: b.jobId } : {}),
      ...(b.lastError ? { lastError: b.lastError } : {}),
    })),
  };
}

/** An http action's error without the target's answer: `GET https://x → HTTP 503: <body> (expected 2xx)` keeps the status. */
function withoutExcerpt(error: string): string {
  return error.replace(/(→ HTTP \d{3}): .*?( \(expected [^)]*\))?$/, "$1$2");
}

/** What bounds the wave's launch: its timeout, a failback's replication allowance, the deadline once it runs. */
function waveBudget(e: Execution, w: Execution["waves"][number]) {
  const b = launchBudget(e, w.waveId, DEFAULT_SETTINGS);
  return {
    timeoutSeconds: b.timeoutSeconds,
    ...(b.failbackAllowanceSeconds > 0 ? { failbackAllowanceSeconds: b.failbackAllowanceSeconds } : {}),
    ...(w.status === "RUNNING" && w.phase === "launching" && w.deadlineAt !== undefined
      ? { deadlineAt: iso(w.deadlineAt) }
      : {}),
  };
}
