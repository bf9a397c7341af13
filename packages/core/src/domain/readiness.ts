import type { DataReplicationState, Readiness } from "./drs.js";
import type { DrsQuotas } from "./settings.js";

/**
 * Continuous plan readiness (issue 17): a pure evaluation of what the application layer read from DRS and the
 * stores. Every finding names the check (a stable code), the wave and server where it applies, and the fix.
 */
export const READINESS_CHECKS = [
  "replication-state",
  "replication-lag",
  "snapshot-age",
  "launch-configuration",
  "quota-servers-per-job",
  "quota-concurrent-jobs",
  "quota-servers-in-all-jobs",
  "account-access",
  "ssm-documents",
  "selection-changed",
  "plan-conflict",
  "drill-age",
] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];

export type ReadinessStatus = "READY" | "WARNINGS" | "NOT_READY";

export interface ReadinessFinding {
  check: ReadinessCheck;
  severity: "error" | "warning";
  waveId?: string;
  waveName?: string;
  sourceServerId?: string;
  hostname?: string;
  accountId?: string;
  region?: string;
  message: string;
  fix: string;
}

export interface ReadinessResult {
  planId: string;
  status: ReadinessStatus;
  evaluatedAt: string;
  /** Servers the plan selects now. */
  serverCount: number;
  checks: ReadinessFinding[];
  /** Checks that could not run here, with why (e.g. SSM documents against the simulator). */
  notApplicable: Array<{ check: ReadinessCheck; reason: string }>;
}

export interface ReadinessServer {
  waveId: string;
  accountId: string;
  region: string;
  sourceServerId: string;
  hostname: string;
  replicationState: DataReplicationState | "UNKNOWN";
  readiness: Readiness;
  replicationError?: string;
  /** ISO 8601 duration as DRS reports it (`lagDuration`). */
  lagDuration?: string;
  /**
   * When the newest point-in-time snapshot was taken (epoch ms); null when DRS has none; absent when not read
   * (e.g. DRS did not answer for this server).
   */
  latestSnapshotAt?: number | null;
  /** The launch configuration as read: absent when not read, `missing` when DRS has none. */
  launchConfiguration?:
    | { state: "ok" }
    | { state: "missing" }
    | { state: "invalid"; problem: string }
    | { state: "unreadable"; problem: string };
}

export interface ReadinessTarget {
  accountId: string;
  region: string;
  /** Whether the orchestrator could reach DRS there (cross-account role, DRS initialized). */
  access: { ok: true } | { ok: false; problem: string; fix: string };
}

export interface ReadinessInputs {
  now: number;
  plan: {
    planId: string;
    name: string;
    rpoSeconds?: number;
    waves: Array<{ waveId: string; name: string; dependsOn: string[] }>;
  };
  quotas: DrsQuotas;
  /** Warn when the last successful drill is older than this (days). */
  maxDrillAgeDays: number;
  targets: ReadinessTarget[];
  servers: ReadinessServer[];
  /** Other plans: the servers they select now and their largest wave per account/region. */
  otherPlans: Array<{
    planId: string;
    name: string;
    serverKeys: string[];
    largestWaveByTarget: Record<string, number>;
  }>;
  /** The plan's last COMPLETED drill, with the servers it launched (`account/region/server` keys). */
  lastSuccessfulDrill?: { executionId: string; endedAt: number; serverKeys: string[] };
  /** SSM documents the plan's actions name; "not-applicable" when the orchestrator runs against the simulator. */
  ssmDocuments:
    | { mode: "not-applicable"; reason: string }
    | {
        mode: "checked";
        documents: Array<{
          waveId: string;
          documentName: string;
          exists: boolean | "unknown";
          problem?: string;
        }>;
      };
}

const DAY_MS = 86_400_000;

/** ISO 8601 duration (`P1DT2H3M4.5S`) to seconds; undefined when it is not one. */
export function isoDurationSeconds(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      value,
    );
  if (!m || value === "P" || value.endsWith("T")) return undefined;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

function seconds(n: number): string {
  if (n < 120) return `${Math.round(n)} s`;
  if (n < 7200) return `${Math.round(n / 60)} min`;
  if (n < 2 * 86400) return `${Math.round(n / 3600)} h`;
  return `${Math.round(n / 86400)} days`;
}

const keyOf = (s: { accountId: string; region: string }, id: string) => `${s.accountId}/${s.region}/${id}`;

export function evaluateReadiness(inputs: ReadinessInputs): ReadinessResult {
  const { plan, now, quotas } = inputs;
  const checks: ReadinessFinding[] = [];
  const notApplicable: ReadinessResult["notApplicable"] = [];
  const waveName = new Map(plan.waves.map((w) => [w.waveId, w.name]));
  const at = (s: ReadinessServer) => ({
    waveId: s.waveId,
    waveName: waveName.get(s.waveId) ?? s.waveId,
    sourceServerId: s.sourceServerId,
    hostname: s.hostname,
    accountId: s.accountId,
    region: s.region,
  });
  const rpo = plan.rpoSeconds;

  for (const t of inputs.targets) {
    if (!t.access.ok)
      checks.push({
        check: "account-access",
        severity: "error",
        accountId: t.accountId,
        region: t.region,
        message: `DRS in account ${t.accountId} (${t.region}) cannot be reached: ${t.access.problem}`,
        fix: t.access.fix,
      });
  }

  for (const s of inputs.servers) {
    if (s.readiness === "NOT_READY" || s.readiness === "DEGRADED") {
      checks.push({
        check: "replication-state",
        severity: "error",
        ...at(s),
        message: `${s.hostname} is ${s.readiness} (replication ${s.replicationState}${s.replicationError ? `: ${s.replicationError}` : ""}); DRS would not launch it from current data.`,
        fix: "Restore replication on the source server (AWS Replication Agent running, network to the staging area open), then wait for CONTINUOUS.",
      });
    } else {
      const lag = isoDurationSeconds(s.lagDuration);
      if (rpo !== undefined && lag !== undefined && lag > rpo) {
        checks.push({
          check: "replication-lag",
          severity: "error",
          ...at(s),
          message: `${s.hostname} lags ${seconds(lag)} behind, more than the plan's RPO of ${seconds(rpo)}.`,
          fix: "Reduce the replication backlog (bandwidth throttling, staging area instance size, write rate) or raise the plan's RPO.",
        });
      } else if (s.readiness === "READY_WITH_LAG") {
        checks.push({
          check: "replication-lag",
          severity: "warning",
          ...at(s),
          message: `${s.hostname} is replicating with lag${lag !== undefined ? ` (${seconds(lag)})` : ""} (${s.replicationState}).`,
          fix: "Wait for replication to catch up (CONTINUOUS); check the agent's bandwidth if the lag grows.",
        });
      }
    }

    if (s.latestSnapshotAt === null) {
      checks.push({
        check: "snapshot-age",
        severity: "error",
        ...at(s),
        message: `${s.hostname} has no point-in-time recovery snapshot in DRS.`,
        fix: "Let replication reach CONTINUOUS so DRS takes snapshots; check the replication settings' point-in-time policy.",
      });
    } else if (s.latestSnapshotAt !== undefined && rpo !== undefined) {
      const age = Math.max(0, (now - s.latestSnapshotAt) / 1000);
      if (age > rpo)
        checks.push({
          check: "snapshot-age",
          severity: "warning",
          ...at(s),
          message: `${s.hostname}'s newest recovery snapshot is ${seconds(age)} old, older than the RPO of ${seconds(rpo)}.`,
          fix: "Check why DRS takes no new snapshots (replication stalled or lagging, point-in-time policy); a launch from the latest data still works while replication is healthy.",
        });
    }

    const lc = s.launchConfiguration;
    if (lc && lc.state !== "ok")
      checks.push({
        check: "launch-configuration",
        severity: lc.state === "unreadable" ? "warning" : "error",
        ...at(s),
        message:
          lc.state === "missing"
            ? `${s.hostname} has no DRS launch configuration.`
            : lc.state === "invalid"
              ? `${s.hostname}'s launch configuration is not valid: ${lc.problem}.`
              : `${s.hostname}'s launch configuration could not be read: ${lc.problem}.`,
        fix:
          lc.state === "unreadable"
            ? "Check the orchestrator's DRS permissions (drs:GetLaunchConfiguration) and try again."
            : "Open the server in the DRS console (Launch settings) or set the protection group's launch settings, so that it has an EC2 launch template.",
      });
  }

  // Quotas: what the largest wave needs at once in each account/region, and what sharing plans add.
  const perWaveTarget = new Map<string, Map<string, number>>();
  for (const s of inputs.servers) {
    const t = `${s.accountId}/${s.region}`;
    const m = perWaveTarget.get(t) ?? new Map<string, number>();
    m.set(s.waveId, (m.get(s.waveId) ?? 0) + 1);
    perWaveTarget.set(t, m);
  }
  for (const [t, waves] of perWaveTarget) {
    const [accountId = "", region = ""] = t.split("/");
    for (const [waveId, n] of waves) {
      const where = { waveId, waveName: waveName.get(waveId) ?? waveId, accountId, region };
      const jobs = Math.ceil(n / quotas.serversPerJob);
      if (n > quotas.serversPerJob)
        checks.push({
          check: "quota-servers-per-job",
          severity: "warning",
          ...where,
          message: `Wave '${where.waveName}' has ${n} servers in ${accountId} (${region}); DRS takes at most ${quotas.serversPerJob} per job, so it launches as ${jobs} jobs.`,
          fix: "Nothing blocks the launch; to use fewer jobs, request a higher DRS quota (Service Quotas) and raise it in settings.",
        });
      if (jobs > quotas.concurrentJobs)
        checks.push({
          check: "quota-concurrent-jobs",
          severity: "error",
          ...where,
          message: `Wave '${where.waveName}' needs ${jobs} concurrent DRS jobs in ${accountId} (${region}); the quota is ${quotas.concurrentJobs}, so part of it waits for a free job and the RTO grows.`,
          fix: "Split the wave, or request a higher 'concurrent jobs' DRS quota and raise it in settings.",
        });
      if (n > quotas.serversInAllJobs)
        checks.push({
          check: "quota-servers-in-all-jobs",
          severity: "error",
          ...where,
          message: `Wave '${where.waveName}' launches ${n} servers at once in ${accountId} (${region}); DRS allows ${quotas.serversInAllJobs} servers in all active jobs.`,
          fix: "Split the wave, or request a higher 'servers in all jobs' DRS quota and raise it in settings.",
        });
    }
    const largest = Math.max(...waves.values());
    const sharing = inputs.otherPlans.filter((p) => (p.largestWaveByTarget[t] ?? 0) > 0);
    const together = largest + sharing.reduce((n, p) => n + (p.largestWaveByTarget[t] ?? 0), 0);
    if (sharing.length > 0 && largest <= quotas.serversInAllJobs && together > quotas.serversInAllJobs)
      checks.push({
        check: "quota-servers-in-all-jobs",
        severity: "warning",
        accountId,
        region,
        message: `With plan${sharing.length > 1 ? "s" : ""} ${sharing.map((p) => `'${p.name}'`).join(", ")} sharing ${accountId} (${region}), the largest waves launched at once need ${together} servers in jobs; DRS allows ${quotas.serversInAllJobs}.`,
        fix: "If these plans can run together (a regional outage), request a higher DRS quota or make their waves smaller.",
      });
  }

  // Servers that other plans select too.
  const otherByKey = new Map<string, string[]>();
  for (const p of inputs.otherPlans)
    for (const k of p.serverKeys) otherByKey.set(k, [...(otherByKey.get(k) ?? []), p.name]);
  for (const s of inputs.servers) {
    const others = otherByKey.get(keyOf(s, s.sourceServerId));
    if (others)
      checks.push({
        check: "plan-conflict",
        severity: "warning",
        ...at(s),
        message: `${s.hostname} is also in plan${others.length > 1 ? "s" : ""} ${others.map((n) => `'${n}'`).join(", ")}; only one execution can hold it at a time.`,
        fix: "Keep each server in one plan, or make sure those plans never run at the same time.",
      });
  }

  // Tag selections since the last successful drill, and the drill's age.
  const drill = inputs.lastSuccessfulDrill;
  if (!drill) {
    checks.push({
      check: "drill-age",
      severity: "warning",
      message: `Plan '${plan.name}' has never completed a drill.`,
      fix: "Run a DRILL of the plan and let it complete.",
    });
  } else {
    const ageDays = (now - drill.endedAt) / DAY_MS;
    if (ageDays > inputs.maxDrillAgeDays)
      checks.push({
        check: "drill-age",
        severity: "warning",
        message: `The last successful drill of '${plan.name}' (${drill.executionId}) ended ${Math.floor(ageDays)} days ago, more than ${inputs.maxDrillAgeDays}.`,
        fix: "Run a DRILL of the plan.",
      });
    const drilled = new Set(drill.serverKeys);
    const current = new Set(inputs.servers.map((s) => keyOf(s, s.sourceServerId)));
    for (const s of inputs.servers)
      if (!drilled.has(keyOf(s, s.sourceServerId)))
        checks.push({
          check: "selection-changed",
          severity: "warning",
          ...at(s),
          message: `${s.hostname} joined the plan after its last successful drill (${drill.executionId}).`,
          fix: "Run a DRILL so the new server is tested.",
        });
    for (const k of drilled)
      if (!current.has(k)) {
        const [accountId = "", region = "", sourceServerId = k] = k.split("/");
        checks.push({
          check: "selection-changed",
          severity: "warning",
          sourceServerId,
          accountId,
          region,
          message: `Source server ${sourceServerId} (${accountId}, ${region}) was in the last successful drill but the plan no longer selects it.`,
          fix: "If it should be recovered, fix its tags or the protection group; otherwise run a DRILL to confirm the plan without it.",
        });
      }
  }

  if (inputs.ssmDocuments.mode === "not-applicable") {
    notApplicable.push({ check: "ssm-documents", reason: inputs.ssmDocuments.reason });
  } else {
    for (const d of inputs.ssmDocuments.documents)
      if (d.exists !== true)
        checks.push({
          check: "ssm-documents",
          severity: d.exists === false ? "error" : "warning",
          waveId: d.waveId,
          waveName: waveName.get(d.waveId) ?? d.waveId,
          message:
            d.exists === false
              ? `SSM document '${d.documentName}' named by wave '${waveName.get(d.waveId) ?? d.waveId}' does not exist.`
              : `SSM document '${d.documentName}' could not be checked${d.problem ? `: ${d.problem}` : ""}.`,
          fix:
            d.exists === false
              ? "Create or share the document in the target account and region, or fix the action's documentName."
              : "Allow the orchestrator ssm:DescribeDocument and try again.",
        });
  }

  const status: ReadinessStatus = checks.some((c) => c.severity === "error")
    ? "NOT_READY"
    : checks.length > 0
      ? "WARNINGS"
      : "READY";
  return {
    planId: plan.planId,
    status,
    evaluatedAt: new Date(now).toISOString(),
    serverCount: inputs.servers.length,
    checks,
    notApplicable,
  };
}

/** Exit code of `drsctl check` for a status. */
export function readinessExitCode(status: ReadinessStatus): 0 | 1 | 2 {
  return status === "READY" ? 0 : status === "WARNINGS" ? 1 : 2;
}
