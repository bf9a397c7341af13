import type { Execution, ServerRun } from "../domain/execution.js";
import type { Settings } from "../domain/settings.js";

/** The FAILBACK replication allowance of an execution: frozen at start, the settings for older executions. */
export function failbackAllowanceSeconds(e: Execution, settingsHours: number | undefined): number {
  if (e.executionType !== "FAILBACK") return 0;
  return e.failbackAllowanceSeconds ?? (settingsHours ?? 72) * 3600;
}

/**
 * How long a wave's launch may take, from the moment its launch starts (pre-actions and pauses before it do not
 * count): the wave's timeout plus, for a failback, the replication allowance. `words` says it for messages.
 */
export function launchBudget(
  e: Execution,
  waveId: string,
  settings: Pick<Settings, "defaultWaveTimeoutSeconds" | "failbackReplicationTimeoutHours">,
) {
  const timeoutSeconds =
    e.snapshot.plan.waves.find((p) => p.waveId === waveId)?.timeoutSeconds ??
    settings.defaultWaveTimeoutSeconds;
  const allowance = failbackAllowanceSeconds(e, settings.failbackReplicationTimeoutHours);
  const words =
    allowance > 0
      ? `${timeoutSeconds} s + ${formatHours(allowance)} failback replication allowance`
      : `${timeoutSeconds} s`;
  return { timeoutSeconds, failbackAllowanceSeconds: allowance, seconds: timeoutSeconds + allowance, words };
}

/** 3600 → "1 h", 5400 → "1.5 h", 900 → "15 min", 45 → "45 s". */
export function formatHours(seconds: number): string {
  if (seconds >= 3600) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  if (seconds >= 60) return `${Math.round((seconds / 60) * 10) / 10} min`;
  return `${seconds} s`;
}

/**
 * What a failback server that did not finish within its allowance was waiting for, in words an operator can act
 * on (undefined when it was not waiting on replication back, e.g. a launch job still running).
 */
export function failbackWaitReason(s: ServerRun): string | undefined {
  const f = s.failback;
  if (!f) return undefined;
  const instance = f.recoveryInstanceId ?? s.recoveryInstanceId ?? "its recovery instance";
  const state = f.drsState ?? "unknown";
  switch (f.phase) {
    case "resolve":
      return `never found the recovery instance of ${s.hostname} to fail back`;
    case "waiting-client":
      return `never saw the failback client of ${instance} for ${s.hostname} (DRS failback state ${state})`;
    case "replicating":
      return f.origin === "AWS"
        ? `reverse replication of ${instance} for ${s.hostname} to ${f.originRegion ?? "its origin region"} did not finish`
        : `failback replication of ${instance} for ${s.hostname} did not finish (DRS failback state ${state})`;
    case "reverse":
      return `reverse replication of ${instance} for ${s.hostname} never started`;
    default:
      return undefined;
  }
}
