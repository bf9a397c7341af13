import type { Execution, ServerRun } from "../domain/execution.js";

/** The FAILBACK replication allowance of an execution: frozen at start, the settings for older executions. */
export function failbackAllowanceMs(e: Execution, settingsHours: number | undefined): number {
  if (e.executionType !== "FAILBACK") return 0;
  return (e.failbackAllowanceSeconds ?? (settingsHours ?? 72) * 3600) * 1000;
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
