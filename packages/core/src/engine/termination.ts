import type { DrsTarget, RecoveryInstance } from "../domain/drs.js";
import type { Execution, ServerRun, TerminationRun } from "../domain/execution.js";
import { plural } from "../domain/text.js";
import { advanceBatch } from "./launch.js";
import type { Round } from "./round.js";
import { BATCH_DONE, REISSUE_MS, TERMINATION_SCOPE } from "./rules.js";
import { backoffMs, MAX_CONSECUTIVE_ERRORS } from "./timing.js";
import type { Effect, EffectError, EffectValue } from "./types.js";

/**
 * Terminating recovery instances (on request, or when a drill's TTL expires): the recorded ones, plus
 * every instance the execution's DRS jobs created that DRS reports (found by job and tags), so nothing launched is left
 * running unrecorded.
 */

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
export function discoveryScope(e: Execution) {
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

export function startTermination(r: Round, by: string, reason: "user" | "drill-ttl") {
  const previous = r.e.termination;
  if (previous && previous.status === "RUNNING") {
    r.event("command.ignored", "terminate-instances ignored: a termination is already running", {});
    return;
  }
  const servers = recordedInstancesToTerminate(r.e);
  const scope = discoveryScope(r.e);
  if (servers.length === 0 && scope.size === 0) {
    r.event(
      "command.ignored",
      "terminate-instances ignored: no recovery instance of this execution is left to terminate",
      {},
    );
    if (reason === "drill-ttl") delete r.e.cleanupAt;
    return;
  }
  const termination: TerminationRun = {
    requestedBy: by,
    requestedAt: r.now,
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
    const target = launchTargetOf(r, s);
    const key = `${target.accountId}/${target.region}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), s]);
  }
  let n = (previous?.batches.length ?? 0) + 1;
  for (const list of byTarget.values()) {
    const target = launchTargetOf(r, list[0]!);
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
  r.e.termination = termination;
  delete r.e.cleanupAt;
  r.event(
    "termination.started",
    reason === "drill-ttl"
      ? `Drill TTL expired: terminating ${plural(servers.length, "drill instance")}`
      : `${by} requested termination of ${plural(servers.length, "recovery instance")}`,
    { instances: servers.length, reason },
  );
}

/** Where a server's recovery instance lives: the recovery region, or the origin region after an EC2 failback. */
export function launchTargetOf(_r: Round, s: ServerRun): DrsTarget {
  if (s.failback?.origin === "AWS" && s.failback.originAccountId && s.failback.originRegion)
    return { accountId: s.failback.originAccountId, region: s.failback.originRegion };
  return { accountId: s.accountId, region: s.region };
}

/**
 * DRS's answer for one target: every recovery instance of the execution's servers that one of its launch jobs
 * created. Instances not yet in the termination (not recorded, e.g. launched after the engine stopped
 * following a job) are recorded on their server and terminated with the rest.
 */
export function discovered(r: Round, targetKey: string, instances: RecoveryInstance[]) {
  const t = r.e.termination;
  const d = t?.discovery;
  if (t?.status !== "RUNNING" || !d?.pending.includes(targetKey)) return;
  d.pending = d.pending.filter((k) => k !== targetKey);
  if (d.pending.length === 0) d.doneAt = r.now;
  const known = new Set(t.instances.map((i) => i.recoveryInstanceId));
  const found = instances.filter(
    (i) => !known.has(i.recoveryInstanceId) && i.ec2State !== "TERMINATED" && i.ec2State !== "SHUTTING-DOWN",
  );
  if (found.length === 0) return;
  d.found += found.length;
  const byServer = new Map(r.allServers().map((s) => [`${s.accountId}/${s.region}/${s.sourceServerId}`, s]));
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
  r.event(
    "termination.discovered",
    `Found ${plural(found.length, "recovery instance")} in ${targetKey} that this execution's DRS jobs launched without the engine recording ${found.length === 1 ? "it" : "them"}; terminating ${found.length === 1 ? "it" : "them"} too`,
    { target: targetKey, instances: found.map((i) => i.recoveryInstanceId) },
  );
}

export function advanceTermination(r: Round) {
  const t = r.e.termination;
  if (t?.status !== "RUNNING") return;
  const d = t.discovery;
  if (d && d.pending.length > 0 && (d.nextAt === undefined || r.now >= d.nextAt)) {
    d.nextAt = r.now + REISSUE_MS;
    const scope = discoveryScope(r.e);
    for (const key of d.pending) {
      const of = scope.get(key);
      if (!of) continue;
      r.effects.push({
        kind: "find-instances",
        id: `find-instances:${key}:${r.now}`,
        targetKey: key,
        target: of.target,
        sourceServerIds: [...of.sourceServerIds],
        jobIds: [...of.jobIds],
      });
    }
  }
  for (const b of t.batches) advanceBatch(r, b, TERMINATION_SCOPE);
  if (d && d.pending.length > 0) return;
  if (!t.batches.every((b) => BATCH_DONE.has(b.status))) return;
  const failed = t.instances.filter((i) => i.status === "FAILED");
  t.status = failed.length === 0 ? "COMPLETED" : "FAILED";
  t.completedAt = r.now;
  r.event(
    `termination.${t.status.toLowerCase()}`,
    failed.length === 0
      ? `Terminated ${plural(t.instances.length, "recovery instance")}`
      : `Termination finished: ${failed.length} of ${plural(t.instances.length, "instance")} could not be terminated`,
    { terminated: t.instances.length - failed.length, failed: failed.length },
  );
}

export function observeFoundInstances(
  r: Round,
  effect: Extract<Effect, { kind: "find-instances" }>,
  value: EffectValue,
) {
  if (value.kind !== "find-instances") return;
  discovered(r, effect.targetKey, value.instances);
}

export function observeDiscoveryError(
  r: Round,
  effect: Extract<Effect, { kind: "find-instances" }>,
  error: EffectError,
) {
  const d = r.e.termination?.discovery;
  if (r.e.termination?.status !== "RUNNING" || !d?.pending.includes(effect.targetKey)) return;
  d.errors += 1;
  d.nextAt = r.now + backoffMs(d.errors, `${r.e.executionId}:discovery`);
  if (d.errors >= MAX_CONSECUTIVE_ERRORS) {
    d.pending = d.pending.filter((k) => k !== effect.targetKey);
    if (d.pending.length === 0) d.doneAt = r.now;
    r.event(
      "termination.discovery-failed",
      `Could not ask DRS in ${effect.targetKey} which recovery instances this execution's jobs created (${error.message}); terminating the recorded ones only: check DRS for others`,
      { target: effect.targetKey },
    );
  }
}
