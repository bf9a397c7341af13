import { type BatchRun, type Execution, type ExecutionEvent, type PauseRecord, plural } from "@drso/core";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const secs = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? undefined : Math.round((to - from) / 1000);

/** Seconds covered by a set of intervals, overlaps counted once. */
function unionSeconds(intervals: Array<{ from: number; to: number }>): number {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const i of [...intervals].sort((a, b) => a.from - b.from)) {
    const from = Math.max(i.from, end);
    if (i.to > from) total += i.to - from;
    end = Math.max(end, i.to);
  }
  return Math.round(total / 1000);
}

/**
 * Human time: how long the execution waited for people (paused before a wave, by a user, for an approval).
 * An open pause counts up to `now` (or the end). The RTO without it is what the automation alone took.
 */
export function humanTime(e: Pick<Execution, "pauses" | "endTime">, now: number) {
  const until = e.endTime ?? now;
  const pauses = (e.pauses ?? []) as PauseRecord[];
  return {
    seconds: unionSeconds(pauses.map((p) => ({ from: p.from, to: p.to ?? until }))),
    pauses: pauses.map((p) => ({
      reason: p.reason,
      ...(p.waveId ? { waveId: p.waveId } : {}),
      ...(p.actionId ? { actionId: p.actionId } : {}),
      ...(p.by ? { by: p.by } : {}),
      from: iso(p.from)!,
      ...(p.to !== undefined ? { to: iso(p.to) } : {}),
    })),
  };
}

const HUMAN_EVENTS: Record<string, string> = {
  "execution.started": "started",
  "execution.pause-requested": "paused",
  "execution.resumed": "resumed",
  "execution.cancelling": "cancelled",
  "approval.approved": "approved",
  "approval.rejected": "rejected",
  "execution.force-ended": "force-ended",
  "termination.started": "terminated instances",
  "wave.retried": "retried wave",
  "wave.skipped": "skipped wave",
  "wave.failure-accepted": "went on past failed wave",
  "wave.aborted": "aborted after failed wave",
};

/** Every action a person took on the execution, in order, from its events (with the approval comments). */
export function humanActions(e: Execution, events: readonly ExecutionEvent[]) {
  const actions = new Map(e.waves.flatMap((w) => w.actions.map((a) => [a.actionId, { wave: w, a }])));
  const out: Array<{ at: string; by: string; action: string; subject?: string; comment?: string }> = [];
  for (const ev of events) {
    const action = HUMAN_EVENTS[ev.type];
    if (!action) continue;
    const data = ev.data ?? {};
    if (ev.type === "termination.started" && data.reason === "drill-ttl") continue;
    // The engine skips waves by itself too (a dependency skipped, an abort): only a person's skip has a `by`.
    if (ev.type === "wave.skipped" && typeof data.by !== "string") continue;
    let by = typeof data.by === "string" ? data.by : undefined;
    let comment: string | undefined;
    let subject: string | undefined;
    if (ev.type === "execution.started") {
      by = e.initiatedBy;
      comment = e.comment;
    } else if (ev.type.startsWith("approval.")) {
      const found = typeof data.actionId === "string" ? actions.get(data.actionId) : undefined;
      if (found) {
        subject = `${found.a.action.name ?? "approval"} (${found.wave.name})`;
        comment = found.a.decision?.comment;
        by ??= found.a.decision?.by;
      }
    } else if (ev.type === "execution.force-ended") {
      comment = typeof data.reason === "string" ? data.reason : undefined;
    } else if (ev.type === "termination.started") {
      by ??= e.termination?.requestedBy;
    } else if (ev.type.startsWith("wave.")) {
      subject = e.waves.find((w) => w.waveId === ev.waveId)?.name ?? ev.waveId;
      comment = typeof data.comment === "string" ? data.comment : undefined;
    }
    out.push({
      at: iso(ev.at)!,
      by: by ?? "unknown",
      action,
      ...(subject ? { subject } : {}),
      ...(comment ? { comment } : {}),
    });
  }
  return out;
}

const batchOf = (batches: BatchRun[], serverId: string) =>
  [...batches].reverse().find((b) => b.kind !== "terminate" && b.sourceServerIds.includes(serverId));

/**
 * The execution report, one model for the web report, the API's Markdown and drsctl: the execution, the
 * objectives (RTO with and without human time), every wave, every server and every human action.
 */
export function buildReport(e: Execution, generatedAt: number, events: readonly ExecutionEvent[] = []) {
  const target = e.snapshot.plan.rtoSeconds;
  const achieved = secs(e.startTime, e.endTime);
  const servers = e.waves.flatMap((w) => w.servers);
  const human = humanTime(e, generatedAt);
  return {
    title: `${e.executionType} report: ${e.planName}`,
    generatedAt: iso(generatedAt)!,
    execution: {
      executionId: e.executionId,
      executionType: e.executionType,
      status: e.status,
      initiatedBy: e.initiatedBy,
      ...(e.comment ? { comment: e.comment } : {}),
      startTime: iso(e.startTime)!,
      ...(e.endTime !== undefined ? { endTime: iso(e.endTime) } : {}),
      ...(achieved !== undefined ? { durationSeconds: achieved } : {}),
      pointInTime: e.pointInTime ?? { mode: "latest" as const },
    },
    plan: {
      planId: e.planId,
      name: e.planName,
      version: e.snapshot.plan.version,
      waves: e.waves.length,
      servers: servers.length,
    },
    objectives: {
      ...(target !== undefined ? { rtoTargetSeconds: target } : {}),
      ...(achieved !== undefined ? { rtoAchievedSeconds: achieved } : {}),
      humanSeconds: human.seconds,
      ...(achieved !== undefined
        ? { rtoAchievedWithoutHumanSeconds: Math.max(0, achieved - human.seconds) }
        : {}),
      ...(target !== undefined && achieved !== undefined
        ? { rtoMet: e.status === "COMPLETED" && achieved <= target }
        : {}),
      ...(e.snapshot.plan.rpoSeconds !== undefined ? { rpoTargetSeconds: e.snapshot.plan.rpoSeconds } : {}),
    },
    outcome: {
      launched: servers.filter((s) => s.status === "LAUNCHED").length,
      failed: servers.filter((s) => s.status === "FAILED").length,
      /** Of `failed`, OPTIONAL servers: their failure did not fail their wave. */
      optionalFailed: servers.filter((s) => s.status === "FAILED" && s.impact === "OPTIONAL").length,
      notLaunched: servers.filter((s) => s.status !== "LAUNCHED" && s.status !== "FAILED").length,
    },
    waves: e.waves.map((w) => ({
      waveId: w.waveId,
      name: w.name,
      status: w.status,
      ...(w.startTime !== undefined ? { startTime: iso(w.startTime) } : {}),
      ...(w.endTime !== undefined ? { endTime: iso(w.endTime) } : {}),
      ...(secs(w.startTime, w.endTime) !== undefined
        ? { durationSeconds: secs(w.startTime, w.endTime) }
        : {}),
      ...(secs(e.startTime, w.endTime) !== undefined
        ? { achievedRtoSeconds: secs(e.startTime, w.endTime) }
        : {}),
      servers: w.servers.length,
      launched: w.servers.filter((s) => s.status === "LAUNCHED").length,
      failed: w.servers.filter((s) => s.status === "FAILED").length,
      jobs: w.batches.filter((b) => b.jobId).map((b) => b.jobId!),
      ...(w.error ? { error: w.error } : {}),
    })),
    servers: e.waves.flatMap((w) =>
      w.servers.map((s) => {
        const b = batchOf(w.batches, s.sourceServerId);
        return {
          waveId: w.waveId,
          wave: w.name,
          hostname: s.hostname,
          sourceServerId: s.sourceServerId,
          accountId: s.accountId,
          region: s.region,
          ...(s.recoveryInstanceId ? { recoveryInstanceId: s.recoveryInstanceId } : {}),
          ...(s.ec2InstanceId ? { ec2InstanceId: s.ec2InstanceId } : {}),
          ...(b?.submittedAt !== undefined ? { startTime: iso(b.submittedAt) } : {}),
          ...(b?.completedAt !== undefined ? { endTime: iso(b.completedAt) } : {}),
          outcome: s.status,
          impact: s.impact ?? "CRITICAL",
          ...(s.retries ? { retries: s.retries } : {}),
          ...(s.snapshot ? { snapshotId: s.snapshot.snapshotId, snapshotTakenAt: s.snapshot.takenAt } : {}),
          ...(s.jobId ? { jobId: s.jobId } : {}),
          ...(s.error ? { error: s.error } : {}),
        };
      }),
    ),
    pauses: human.pauses,
    humanActions: humanActions(e, events),
    failures: servers
      .filter((s) => s.status === "FAILED")
      .map((s) => ({
        hostname: s.hostname,
        sourceServerId: s.sourceServerId,
        accountId: s.accountId,
        region: s.region,
        error: s.error ?? "unknown",
        impact: s.impact ?? "CRITICAL",
        ...(s.jobId ? { jobId: s.jobId } : {}),
      })),
    approvals: e.waves
      .flatMap((w) => w.actions)
      .filter((a) => a.decision)
      .map((a) => ({ actionId: a.actionId, ...a.decision! })),
    ...(e.termination
      ? {
          cleanup: {
            status: e.termination.status,
            reason: e.termination.reason,
            requestedBy: e.termination.requestedBy,
            terminated: e.termination.instances.filter((i) => i.status === "TERMINATED").length,
            total: e.termination.instances.length,
          },
        }
      : {}),
  };
}

export type ExecutionReport = ReturnType<typeof buildReport>;

const dur = (s: number | undefined) =>
  s === undefined
    ? "—"
    : s >= 3600
      ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`
      : s >= 60
        ? `${Math.floor(s / 60)}m ${s % 60}s`
        : `${s}s`;
const cell = (v: unknown) =>
  String(v ?? "—")
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ");

export function reportMarkdown(r: ExecutionReport): string {
  const lines = [
    `# ${r.title}`,
    "",
    `| | |`,
    `|---|---|`,
    `| Execution | \`${r.execution.executionId}\` |`,
    `| Type | ${r.execution.executionType} |`,
    `| Status | **${r.execution.status}** |`,
    `| Initiated by | ${cell(r.execution.initiatedBy)} |`,
    `| Started | ${r.execution.startTime} |`,
    `| Ended | ${r.execution.endTime ?? "—"} |`,
    `| Duration | ${dur(r.execution.durationSeconds)} |`,
    `| Point in time | ${r.execution.pointInTime.mode === "time" ? `each server's latest snapshot at or before ${r.execution.pointInTime.at}` : r.execution.pointInTime.mode === "snapshots" ? "snapshots chosen per server" : "latest data"} |`,
    `| RTO target / achieved | ${dur(r.objectives.rtoTargetSeconds)} / ${dur(r.objectives.rtoAchievedSeconds)} including human time${r.objectives.rtoMet === undefined ? "" : r.objectives.rtoMet ? " (met)" : " (**missed**)"} |`,
    `| RTO achieved without human time | ${dur(r.objectives.rtoAchievedWithoutHumanSeconds)} (human time ${dur(r.objectives.humanSeconds)}) |`,
    `| RPO target | ${dur(r.objectives.rpoTargetSeconds)} |`,
    `| Servers | ${r.outcome.launched} launched, ${r.outcome.failed} failed${r.outcome.optionalFailed > 0 ? ` (${r.outcome.optionalFailed} optional)` : ""}, ${r.outcome.notLaunched} not launched |`,
    "",
    "## Waves",
    "",
    "| Wave | Status | Start | Duration | RTO at end of wave | Launched | Failed |",
    "|---|---|---|---|---|---|---|",
    ...r.waves.map(
      (w) =>
        `| ${cell(w.name)} | ${w.status} | ${w.startTime ?? "—"} | ${dur(w.durationSeconds)} | ${dur(w.achievedRtoSeconds)} | ${w.launched}/${w.servers} | ${w.failed} |`,
    ),
  ];
  lines.push(
    "",
    "## Servers",
    "",
    "| Server | Wave | Account/region | Recovery instance | Start | End | Outcome |",
    "|---|---|---|---|---|---|---|",
    ...r.servers.map(
      (s) =>
        `| ${cell(s.hostname)} (\`${s.sourceServerId}\`) | ${cell(s.wave)} | ${s.accountId}/${s.region} | ${s.recoveryInstanceId ?? "—"}${s.ec2InstanceId && s.ec2InstanceId !== s.recoveryInstanceId ? ` (EC2 ${s.ec2InstanceId})` : ""} | ${s.startTime ?? "—"} | ${s.endTime ?? "—"} | ${s.outcome}${s.impact === "OPTIONAL" ? " (optional)" : ""}${s.snapshotId ? ` from ${s.snapshotId} (${s.snapshotTakenAt})` : ""}${s.error ? `: ${cell(s.error)}` : ""} |`,
    ),
  );
  lines.push("", "## Human actions", "");
  if (r.humanActions.length === 0) lines.push("None.");
  else {
    lines.push("| At | Who | Action | On | Comment |", "|---|---|---|---|---|");
    for (const a of r.humanActions)
      lines.push(
        `| ${a.at} | ${cell(a.by)} | ${a.action} | ${cell(a.subject ?? "")} | ${cell(a.comment ?? "")} |`,
      );
  }
  if (r.failures.length > 0) {
    lines.push(
      "",
      "## Failures",
      "",
      "| Server | Impact | Account/region | Job | Error |",
      "|---|---|---|---|---|",
    );
    for (const f of r.failures)
      lines.push(
        `| ${cell(f.hostname)} (\`${f.sourceServerId}\`) | ${f.impact === "OPTIONAL" ? "optional (the wave went on)" : "critical"} | ${f.accountId}/${f.region} | ${f.jobId ?? "—"} | ${cell(f.error)} |`,
      );
  }
  // Approvals are listed under "Human actions" when the events were read; this table is for a report built
  // without them (no event history), so an approval is never shown twice.
  const approvalsListed = r.humanActions.some((a) => a.action === "approved" || a.action === "rejected");
  if (r.approvals.length > 0 && !approvalsListed) {
    lines.push("", "## Approvals", "", "| Action | Decision | By | At | Comment |", "|---|---|---|---|---|");
    for (const a of r.approvals)
      lines.push(`| ${a.actionId} | ${a.decision} | ${cell(a.by)} | ${a.at} | ${cell(a.comment)} |`);
  }
  if (r.cleanup)
    lines.push(
      "",
      `Cleanup: ${r.cleanup.terminated} of ${plural(r.cleanup.total, "instance")} terminated (${r.cleanup.reason}, ${r.cleanup.status}).`,
    );
  lines.push("", `_Generated ${r.generatedAt} by DRS Orchestrator._`, "");
  return lines.join("\n");
}
