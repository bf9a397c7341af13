import type { DrsTarget, RecoveryInstance } from "../domain/drs.js";
import type { FailbackProgress, ServerRun, WaveRun } from "../domain/execution.js";
import { addBatches } from "./batches.js";
import type { Round } from "./round.js";
import { REISSUE_MS, SERVER_DONE } from "./rules.js";
import { backoffMs } from "./timing.js";
import type { Effect, EffectError, EffectValue } from "./types.js";

/**
 * Failback: finding each server's recovery instance, reversing replication (EC2 origin) or following the
 * failback client (on-premises), then launching back once DRS reports the server ready.
 */

/** arn:aws:drs:<region>:<account>:source-server/<id> */
export function parseSourceServerArn(
  arn: string,
): { region: string; accountId: string; sourceServerId: string } | undefined {
  const m = /^arn:aws[a-z-]*:drs:([a-z0-9-]+):(\d{12}):source-server\/(s-[0-9a-zA-Z]{17})$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, sourceServerId: m[3]! } : undefined;
}

/**
 * An on-premises failback follows what DRS reports of the recovery instance's failback client: not seen yet
 * (the operator boots the DRS Failback Client), replicating back, ready to launch, or an error that DRS will
 * not get past by itself (the server fails with DRS's reason rather than waiting out the allowance).
 */
export function trackFailbackClient(r: Round, s: ServerRun, f: FailbackProgress, instance: RecoveryInstance) {
  const state = instance.failbackState;
  if (state) f.drsState = state;
  else delete f.drsState;
  const later = r.now + r.ctx.settings.pollIntervalSeconds * 1000;
  switch (state) {
    case "FAILBACK_READY_FOR_LAUNCH":
      f.phase = "ready";
      delete f.nextCheckAt;
      delete s.error;
      return;
    case "FAILBACK_ERROR":
    case "FAILBACK_LAUNCH_STATE_NOT_AVAILABLE":
      r.failServer(
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

export function prepareFailback(r: Round, w: WaveRun) {
  const origins = new Map<string, "ON_PREMISES" | "AWS">();
  for (const g of r.e.snapshot.groups)
    for (const s of g.servers)
      origins.set(`${g.accountId}/${g.region}/${s.sourceServerId}`, s.originEnvironment ?? "ON_PREMISES");
  const toResolve = new Map<string, { target: DrsTarget; ids: string[] }>();
  for (const s of w.servers) {
    if (SERVER_DONE.has(s.status)) continue;
    if (!s.failback) {
      if (r.e.cancelRequested) {
        r.closeServer(s, "CANCELLED", "execution cancelled");
        continue;
      }
      s.failback = {
        origin: origins.get(`${s.accountId}/${s.region}/${s.sourceServerId}`) ?? "ON_PREMISES",
        phase: "resolve",
      };
    }
    const f = s.failback;
    const due = f.nextCheckAt === undefined || r.now >= f.nextCheckAt;
    if (r.e.cancelRequested && f.phase !== "launching" && f.phase !== "done" && f.phase !== "failed") {
      r.closeServer(s, "CANCELLED", "execution cancelled");
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
      f.nextCheckAt = r.now + REISSUE_MS;
    } else if (f.phase === "reverse" && f.recoveryInstanceId) {
      f.nextCheckAt = r.now + REISSUE_MS;
      r.effects.push({
        kind: "reverse-replication",
        id: `reverse:${w.waveId}:${s.sourceServerId}:${r.now}`,
        waveId: w.waveId,
        target: { accountId: s.accountId, region: s.region },
        sourceServerId: s.sourceServerId,
        recoveryInstanceId: f.recoveryInstanceId,
      });
    }
  }
  for (const [key, { target, ids }] of toResolve) {
    r.effects.push({
      kind: "failback-resolve",
      id: `failback-resolve:${w.waveId}:${key}:${r.now}`,
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
    if (f.nextCheckAt !== undefined && r.now < f.nextCheckAt) continue;
    f.nextCheckAt = r.now + REISSUE_MS;
    const key = `${f.originAccountId}/${f.originRegion}`;
    const entry = checks.get(key) ?? {
      target: { accountId: f.originAccountId, region: f.originRegion },
      ids: [],
    };
    entry.ids.push(f.reversedSourceServerId);
    checks.set(key, entry);
  }
  for (const [key, { target, ids }] of checks) {
    r.effects.push({
      kind: "check-source-servers",
      id: `check-source:${w.waveId}:${key}:${r.now}`,
      waveId: w.waveId,
      target,
      sourceServerIds: ids,
    });
  }
  if (r.e.cancelRequested) return;
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
    addBatches(r, w, servers, "failback-launch", servers[0]!, (s) => ({
      sourceServerId: s.sourceServerId,
      recoveryInstanceId: s.failback!.recoveryInstanceId!,
    }));
  }
  for (const servers of ec2.values()) {
    const f = servers[0]!.failback!;
    addBatches(
      r,
      w,
      servers,
      "recovery",
      { accountId: f.originAccountId!, region: f.originRegion! },
      (s) => ({ sourceServerId: s.failback!.reversedSourceServerId! }),
    );
  }
}

/** The recovery instance each server fails back from (a recovery's, never a drill's). */
export function observeFailbackResolved(
  r: Round,
  effect: Extract<Effect, { kind: "failback-resolve" }>,
  value: EffectValue,
) {
  if (value.kind !== "failback-resolve") return;
  const w = r.findWave(effect.waveId);
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
      r.failServer(
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
      trackFailbackClient(r, s, s.failback, instance);
    }
    if (s.status === "NOT_STARTED") s.status = "PENDING";
  }
}

export function observeReversed(
  r: Round,
  effect: Extract<Effect, { kind: "reverse-replication" }>,
  value: EffectValue,
) {
  if (value.kind !== "reverse-replication") return;
  const s = r.findWave(effect.waveId)?.servers.find((x) => x.sourceServerId === effect.sourceServerId);
  if (!s?.failback) return;
  const arn = parseSourceServerArn(value.reversedSourceServerArn);
  if (!arn) {
    r.failServer(s, `ReverseReplication returned an unexpected ARN: ${value.reversedSourceServerArn}`);
    return;
  }
  Object.assign(s.failback, {
    reversedSourceServerId: arn.sourceServerId,
    originAccountId: arn.accountId,
    originRegion: arn.region,
    phase: "replicating",
  });
  s.failback.nextCheckAt = r.now;
  r.event(
    "server.reverse-replication",
    `${s.hostname}: replication reversed towards ${arn.region} (${arn.sourceServerId})`,
    { sourceServerId: s.sourceServerId },
    effect.waveId,
  );
}

export function observeSourceServers(
  r: Round,
  effect: Extract<Effect, { kind: "check-source-servers" }>,
  value: EffectValue,
) {
  if (value.kind !== "check-source-servers") return;
  const w = r.findWave(effect.waveId);
  for (const server of value.servers) {
    const s = w?.servers.find((x) => x.failback?.reversedSourceServerId === server.sourceServerId);
    if (s?.failback?.phase !== "replicating") continue;
    if (server.readiness === "READY") {
      s.failback.phase = "ready";
      delete s.failback.nextCheckAt;
      delete s.error;
    } else {
      s.error = `Reverse replication in ${effect.target.region}: ${server.replicationState}`;
      s.failback.nextCheckAt = r.now + r.ctx.settings.pollIntervalSeconds * 1000;
    }
  }
}

export function observeFailbackCheckError(
  r: Round,
  effect: Extract<Effect, { kind: "failback-resolve" | "check-source-servers" }>,
  error: EffectError,
) {
  const w = r.findWave(effect.waveId);
  for (const s of w?.servers ?? []) {
    if (s.failback && !SERVER_DONE.has(s.status)) {
      s.failback.nextCheckAt = r.now + backoffMs(3, `${s.sourceServerId}:failback`);
      s.error = error.message;
    }
  }
}

export function observeReverseError(
  r: Round,
  effect: Extract<Effect, { kind: "reverse-replication" }>,
  error: EffectError,
) {
  const s = r.findWave(effect.waveId)?.servers.find((x) => x.sourceServerId === effect.sourceServerId);
  if (!s?.failback) return;
  if (error.retryable) {
    s.failback.nextCheckAt = r.now + backoffMs(3, `${s.sourceServerId}:reverse`);
    s.error = error.message;
  } else {
    r.failServer(s, `ReverseReplication failed: ${error.message}`);
  }
}
