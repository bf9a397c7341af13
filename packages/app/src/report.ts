import { type Execution, plural } from "@drso/core";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const secs = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? undefined : Math.round((to - from) / 1000);

/** The drill report: what an auditor needs to see that a drill met (or missed) its targets. */
export function buildReport(e: Execution, generatedAt: number) {
  const target = e.snapshot.plan.rtoSeconds;
  const achieved = secs(e.startTime, e.endTime);
  const servers = e.waves.flatMap((w) => w.servers);
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
      ...(target !== undefined && achieved !== undefined
        ? { rtoMet: e.status === "COMPLETED" && achieved <= target }
        : {}),
      ...(e.snapshot.plan.rpoSeconds !== undefined ? { rpoTargetSeconds: e.snapshot.plan.rpoSeconds } : {}),
    },
    outcome: {
      launched: servers.filter((s) => s.status === "LAUNCHED").length,
      failed: servers.filter((s) => s.status === "FAILED").length,
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
    failures: servers
      .filter((s) => s.status === "FAILED")
      .map((s) => ({
        hostname: s.hostname,
        sourceServerId: s.sourceServerId,
        accountId: s.accountId,
        region: s.region,
        error: s.error ?? "unknown",
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
    `| RTO target / achieved | ${dur(r.objectives.rtoTargetSeconds)} / ${dur(r.objectives.rtoAchievedSeconds)}${r.objectives.rtoMet === undefined ? "" : r.objectives.rtoMet ? " (met)" : " (**missed**)"} |`,
    `| RPO target | ${dur(r.objectives.rpoTargetSeconds)} |`,
    `| Servers | ${r.outcome.launched} launched, ${r.outcome.failed} failed, ${r.outcome.notLaunched} not launched |`,
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
  if (r.failures.length > 0) {
    lines.push("", "## Failures", "", "| Server | Account/region | Job | Error |", "|---|---|---|---|");
    for (const f of r.failures)
      lines.push(
        `| ${cell(f.hostname)} (\`${f.sourceServerId}\`) | ${f.accountId}/${f.region} | ${f.jobId ?? "—"} | ${cell(f.error)} |`,
      );
  }
  if (r.approvals.length > 0) {
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
