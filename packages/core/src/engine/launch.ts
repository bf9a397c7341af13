import type { BatchRun } from "../domain/execution.js";
import { effectiveLaunchSettings } from "../domain/protection-group.js";
import { toLaunching, toUnknown } from "./batch-state.js";
import { closeBatch, failBatch, replan } from "./batches.js";
import { waitForHolders } from "./holders.js";
import type { Round } from "./round.js";
import {
  describeBatch,
  REISSUE_MS,
  TAG_ATTEMPT,
  TAG_BATCH,
  TAG_EXECUTION,
  TAG_TYPE,
  TAG_WAVE,
  TERMINATION_SCOPE,
} from "./rules.js";
import { backoffMs, LOOKUP_SETTLE_MS, MAX_CONSECUTIVE_ERRORS } from "./timing.js";
import { activate } from "./tracking.js";
import type { Effect, EffectError, EffectValue } from "./types.js";

/**
 * The exactly-once launch, in one place. A batch's launch is an intent recorded before the DRS call
 * (PLANNED → LAUNCHING, saved with the step before any effect runs), and the call carries the execution, batch and
 * attempt as job tags. A result that never arrives (a crash, a timeout) leaves the batch LAUNCHING with no answer: the
 * next step moves it to UNKNOWN and looks the job up by its tags (find-job) before anything launches again. Found: the
 * batch follows that job (ACTIVE). Not found once the lookup window has settled (LOOKUP_SETTLE_MS): the job was never
 * created, the batch launches again (attempt + 1). A ConflictException means another job holds a server: the lookup
 * also reports the holders (holders.ts). So a server is launched by at most one job per attempt, and an attempt is
 * only repeated once DRS says it has no job for it.
 */

/** How far before the intent a conflict's holder is looked for (DescribeJobs fromDate). */
const HOLDER_LOOKBACK_MS = 7 * 24 * 3_600_000;

const WAITING_FOR_CAPACITY = "waiting for DRS capacity (quota)";

export function launchEffectId(b: Pick<BatchRun, "batchId" | "attempt" | "kind">): string {
  return `${b.kind === "terminate" ? "terminate" : b.kind === "failback-launch" ? "failback-launch" : "launch"}:${b.batchId}:${b.attempt}`;
}

export function advanceBatch(r: Round, b: BatchRun, scope: string) {
  switch (b.status) {
    case "PLANNED": {
      if (r.e.cancelRequested && b.kind !== "terminate") {
        closeBatch(r, b);
        return;
      }
      if (b.notBefore !== undefined && r.now < b.notBefore) return;
      if (!hasCapacity(r, b)) {
        if (b.lastError !== WAITING_FOR_CAPACITY) {
          b.lastError = WAITING_FOR_CAPACITY;
          r.event(
            "batch.waiting",
            `${describeBatch(b)} waits for DRS capacity in ${b.accountId}/${b.region}`,
            { batchId: b.batchId },
            scope === TERMINATION_SCOPE ? undefined : scope,
          );
        }
        return;
      }
      launch(r, b, scope);
      return;
    }
    case "UNKNOWN":
      // Waiting for someone else's job to release the servers: nothing of ours was launched, cancel closes it.
      if (b.heldBy && r.e.cancelRequested && b.kind !== "terminate") {
        closeBatch(r, b);
        return;
      }
      if (b.nextPollAt === undefined || r.now >= b.nextPollAt) {
        b.nextPollAt = r.now + REISSUE_MS;
        r.effects.push({
          kind: "find-job",
          id: `find-job:${b.batchId}:${b.attempt}:${b.errorCount}`,
          scope,
          batchId: b.batchId,
          target: { accountId: b.accountId, region: b.region },
          tags: { [TAG_EXECUTION]: r.e.executionId, [TAG_BATCH]: b.batchId },
          // A conflict's holder may have started long before our intent (a drill started yesterday).
          since: new Date(
            (b.intentAt ?? r.now) - (b.conflict ? HOLDER_LOOKBACK_MS : 3_600_000),
          ).toISOString(),
          ...(b.conflict ? { holdingServerIds: [...b.sourceServerIds] } : {}),
          ...(b.kind === "terminate" ? { matchRecoveryInstanceIds: [...(b.recoveryInstanceIds ?? [])] } : {}),
        });
      }
      return;
    default:
      return;
  }
}

export function hasCapacity(r: Round, b: BatchRun): boolean {
  const key = `${b.accountId}/${b.region}`;
  const own = r.usage[key] ?? { jobs: 0, servers: 0 };
  const other = r.ctx.otherUsage[key] ?? { jobs: 0, servers: 0 };
  const q = r.ctx.settings.quotas;
  const size = b.recoveryInstanceIds?.length ?? b.sourceServerIds.length;
  return (
    own.jobs + other.jobs + 1 <= q.concurrentJobs && own.servers + other.servers + size <= q.serversInAllJobs
  );
}

export function launch(r: Round, b: BatchRun, scope: string) {
  toLaunching(b, r.now);
  if (b.lastError === WAITING_FOR_CAPACITY) delete b.lastError;
  const key = `${b.accountId}/${b.region}`;
  const used = r.usage[key] ?? { jobs: 0, servers: 0 };
  used.jobs += 1;
  used.servers += b.recoveryInstanceIds?.length ?? b.sourceServerIds.length;
  r.usage[key] = used;
  const target = { accountId: b.accountId, region: b.region };
  const tags = {
    [TAG_EXECUTION]: r.e.executionId,
    [TAG_BATCH]: b.batchId,
    [TAG_WAVE]: scope,
    [TAG_ATTEMPT]: String(b.attempt),
    [TAG_TYPE]: r.e.executionType,
  };
  const id = launchEffectId(b);
  if (b.kind === "terminate") {
    r.effects.push({
      kind: "terminate",
      id,
      batchId: b.batchId,
      attempt: b.attempt,
      target,
      recoveryInstanceIds: [...(b.recoveryInstanceIds ?? [])],
      tags,
    });
    for (const i of r.e.termination?.instances ?? [])
      if (b.recoveryInstanceIds?.includes(i.recoveryInstanceId) && i.status === "PENDING")
        i.status = "TERMINATING";
    return;
  }
  if (b.kind === "failback-launch") {
    r.effects.push({
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
  let snapshotIds: Record<string, string> | undefined;
  for (const s of r.serversOfBatch(b)) {
    if (!s.snapshot || r.e.executionType === "FAILBACK") continue;
    snapshotIds ??= {};
    snapshotIds[s.sourceServerId] = s.snapshot.snapshotId;
  }
  const launchSettings = b.sourceServerIds.flatMap((sid) => {
    const s = r
      .findWave(scope)
      ?.servers.find(
        (x) =>
          x.batchId === b.batchId && (x.sourceServerId === sid || x.failback?.reversedSourceServerId === sid),
      );
    const group = s ? r.e.snapshot.groups.find((g) => g.groupId === s.groupId) : undefined;
    if (!group?.launchSettings || r.e.executionType === "FAILBACK") return [];
    const settings = effectiveLaunchSettings(group.launchSettings, sid);
    return Object.keys(settings).length > 0 ? [{ sourceServerId: sid, settings }] : [];
  });
  r.effects.push({
    kind: "launch",
    id,
    waveId: scope,
    batchId: b.batchId,
    attempt: b.attempt,
    target,
    sourceServerIds: [...b.sourceServerIds],
    isDrill: r.e.executionType === "DRILL",
    tags,
    launchSettings,
    ...(snapshotIds ? { snapshotIds } : {}),
  });
}

/** The launch call answered with its job: the batch is ACTIVE. */
export function observeLaunched(
  r: Round,
  effect: Extract<Effect, { kind: "launch" | "failback-launch" | "terminate" }>,
  value: EffectValue,
) {
  const b = r.findBatch(effect.batchId);
  if (b?.status !== "LAUNCHING" || b.attempt !== effect.attempt || !("job" in value)) return;
  activate(r, b, value.job, "batch.launched");
}

/** The lookup by tags after a lost or refused launch: our job (ACTIVE), a holder (wait), or none (launch again once the lookup has settled). */
export function observeFoundJob(r: Round, effect: Extract<Effect, { kind: "find-job" }>, value: EffectValue) {
  const b = r.findBatch(effect.batchId);
  if (b?.status !== "UNKNOWN" || value.kind !== "find-job") return;
  if (value.job) {
    activate(r, b, value.job, "batch.recovered");
    return;
  }
  const foreign = value.holders.filter(
    (j) => j.tags[TAG_EXECUTION] !== r.e.executionId || j.tags[TAG_BATCH] !== b.batchId,
  );
  if (b.conflict && foreign.length > 0) {
    waitForHolders(r, b, foreign);
    return;
  }
  if (b.conflict) {
    // The job that held the servers has ended meanwhile: launching again is safe.
    if (b.heldBy)
      r.event(
        "batch.released",
        `${describeBatch(b)}: ${b.heldBy.length === 1 ? `DRS job ${b.heldBy[0]} has` : `DRS jobs ${b.heldBy.join(", ")} have`} ended; launching`,
        { batchId: b.batchId, jobIds: b.heldBy },
      );
    replan(r, b, 0);
    return;
  }
  if (r.now - (b.intentAt ?? r.now) >= LOOKUP_SETTLE_MS) {
    r.event(
      "batch.relaunch",
      `No DRS job found for ${describeBatch(b)} attempt ${b.attempt}; it was never created, launching again`,
      { batchId: b.batchId },
    );
    replan(r, b, 0);
  } else {
    b.nextPollAt = (b.intentAt ?? r.now) + LOOKUP_SETTLE_MS;
  }
}

/** A refused or failed launch: conflict → find the holder; ambiguous → look the job up; retryable → later; else the batch fails. */
export function observeLaunchError(
  r: Round,
  effect: Extract<Effect, { kind: "launch" | "failback-launch" | "terminate" }>,
  error: EffectError,
) {
  const b = r.findBatch(effect.batchId);
  if (b?.status !== "LAUNCHING" || b.attempt !== effect.attempt) return;
  b.errorCount += 1;
  b.lastError = error.message;
  if (error.kind === "conflict") {
    // Bounded: conflicts that keep coming back (a holder ends, the next launch is refused again) count
    // towards the consecutive-error limit like any other error.
    if (b.errorCount >= MAX_CONSECUTIVE_ERRORS) {
      failBatch(
        r,
        b,
        `DRS refused the launch ${b.errorCount} times in a row: a server is already in another DRS job (${error.resourceId ?? "unknown server"})`,
      );
      return;
    }
    toUnknown(b, true);
    r.event(
      "batch.conflict",
      `${describeBatch(b)}: DRS reports a server already in a job (${error.resourceId ?? "unknown server"}); finding that job`,
      {
        batchId: b.batchId,
        resourceId: error.resourceId,
      },
    );
  } else if (error.ambiguous) {
    toUnknown(b, false);
    r.event(
      "batch.ambiguous",
      `${describeBatch(b)}: ${error.message}; checking whether the job was created before retrying`,
      { batchId: b.batchId },
    );
  } else if (error.retryable) {
    // Throttling, quota and 5xx pass; the wave's timeout, not a retry count, bounds how long we wait.
    replan(r, b, backoffMs(b.errorCount, `${r.e.executionId}:${b.batchId}`));
    r.event(
      "batch.retry",
      `${describeBatch(b)}: ${error.message}; retrying in ${Math.round(((b.notBefore ?? r.now) - r.now) / 1000)} s`,
      {
        batchId: b.batchId,
        errorKind: error.kind,
      },
    );
  } else {
    failBatch(r, b, error.message);
  }
}

export function observeLookupError(
  r: Round,
  effect: Extract<Effect, { kind: "find-job" }>,
  error: EffectError,
) {
  const b = r.findBatch(effect.batchId);
  if (b?.status !== "UNKNOWN") return;
  b.errorCount += 1;
  b.lastError = error.message;
  b.nextPollAt = r.now + backoffMs(b.errorCount, `${b.batchId}:lookup`);
}

/**
 * Launch intents whose result never arrived: the process died between recording the intent (saved before the
 * call) and saving the result. The job may or may not exist: it is looked up by its tags before anything is
 * launched again (UNKNOWN → find-job → ACTIVE, or PLANNED once the lookup has settled without a job).
 */
export function resolveLostIntents(r: Round, answered: ReadonlySet<string>) {
  for (const b of r.allBatches()) {
    if (b.status === "LAUNCHING" && !answered.has(launchEffectId(b))) {
      toUnknown(b, false);
      r.event(
        "batch.recovering",
        `Outcome of ${describeBatch(b)} attempt ${b.attempt} is unknown after a restart; looking the job up by its tags before launching again`,
        {
          batchId: b.batchId,
        },
      );
    }
  }
}
