import {
  type ActionRunner,
  DrsError,
  type DrsGatewayFactory,
  type DrsJob,
  type Effect,
  type EffectError,
  type LaunchConfiguration,
  type Observation,
  type RecoveryInstance,
  type Store,
} from "@drso/core";

export interface EffectRunnerDeps {
  store: Store;
  drs: DrsGatewayFactory;
  actions?: ActionRunner;
}

function toEffectError(error: unknown, options: { ambiguous?: boolean } = {}): EffectError {
  if (error instanceof DrsError) {
    const e: EffectError = {
      kind: error.kind,
      message: error.message,
      retryable: error.retryable,
      ambiguous: options.ambiguous ?? error.ambiguous,
    };
    if (error.resourceId) e.resourceId = error.resourceId;
    return e;
  }
  // Anything unexpected may have happened after the request left: treat it as ambiguous and retryable.
  return {
    kind: "internal",
    message: (error as Error)?.message ?? String(error),
    retryable: true,
    ambiguous: options.ambiguous ?? true,
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

function tagsMatch(job: DrsJob, tags: Record<string, string>): boolean {
  return Object.entries(tags).every(([k, v]) => job.tags[k] === v);
}

/** Executes one engine effect through the ports and reports what happened; it never throws. */
export async function runEffect(
  executionId: string,
  effect: Effect,
  deps: EffectRunnerDeps,
): Promise<Observation> {
  const ok = (value: Extract<Observation, { ok: true }>["value"]): Observation => ({
    type: "effect",
    effect,
    ok: true,
    value,
  });
  const fail = (error: EffectError): Observation => ({ type: "effect", effect, ok: false, error });
  try {
    switch (effect.kind) {
      case "launch": {
        const gateway = deps.drs.forTarget(effect.target);
        try {
          await mapLimit(effect.launchSettings, 8, ({ sourceServerId, settings }) =>
            gateway.updateLaunchConfiguration({ sourceServerId, ...settings } as LaunchConfiguration),
          );
        } catch (error) {
          // StartRecovery was not called: whatever failed, nothing was launched.
          return fail({
            ...toEffectError(error, { ambiguous: false }),
            message: `applying launch settings: ${(error as Error).message}`,
          });
        }
        const job = await gateway.startRecovery({
          sourceServerIds: effect.sourceServerIds,
          isDrill: effect.isDrill,
          tags: effect.tags,
          ...(effect.snapshotIds ? { snapshotIds: effect.snapshotIds } : {}),
        });
        return ok({ kind: "launch", job });
      }
      case "failback-launch": {
        const job = await deps.drs
          .forTarget(effect.target)
          .startFailbackLaunch(effect.recoveryInstanceIds, effect.tags);
        return ok({ kind: "failback-launch", job });
      }
      case "terminate": {
        const job = await deps.drs
          .forTarget(effect.target)
          .terminateRecoveryInstances(effect.recoveryInstanceIds);
        return ok({ kind: "terminate", job });
      }
      case "find-instances": {
        const jobs = new Set(effect.jobIds);
        const all = await deps.drs
          .forTarget(effect.target)
          .describeRecoveryInstances({ sourceServerIds: effect.sourceServerIds });
        return ok({
          kind: "find-instances",
          instances: all.filter((i) => i.jobId !== undefined && jobs.has(i.jobId)),
        });
      }
      case "find-job": {
        const jobs = await deps.drs.forTarget(effect.target).describeJobs({ fromDate: effect.since });
        const newestFirst = [...jobs].sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
        let job = newestFirst.find((j) => tagsMatch(j, effect.tags));
        if (!job && effect.matchRecoveryInstanceIds) {
          const ids = new Set(effect.matchRecoveryInstanceIds);
          job = newestFirst.find(
            (j) =>
              j.type === "TERMINATE" &&
              j.participants.some((p) => p.recoveryInstanceId !== undefined && ids.has(p.recoveryInstanceId)),
          );
        }
        const holding = new Set(effect.holdingServerIds ?? []);
        const holders =
          holding.size === 0
            ? []
            : newestFirst.filter(
                (j) =>
                  j.status !== "COMPLETED" &&
                  j !== job &&
                  j.participants.some((p) => holding.has(p.sourceServerId)),
              );
        return ok({ kind: "find-job", ...(job ? { job } : {}), holders });
      }
      case "poll-jobs": {
        const gateway = deps.drs.forTarget(effect.target);
        const jobs = await gateway.describeJobs({ jobIds: effect.jobIds });
        const logCounts: Record<string, number> = {};
        const instances: RecoveryInstance[] = [];
        await mapLimit(jobs, 4, async (job) => {
          if (job.status === "PENDING") return;
          const skip = effect.logCounts[job.jobId] ?? 0;
          if (job.status !== "COMPLETED" && !effect.fetchLogsFor.includes(job.jobId)) return;
          try {
            const items = await gateway.describeJobLogItems(job.jobId);
            if (items.length > skip) {
              await deps.store.executions.appendJobLog(
                executionId,
                job.jobId,
                items.slice(skip).map((item, i) => ({ ...item, index: skip + i })),
              );
            }
            logCounts[job.jobId] = Math.max(skip, items.length);
          } catch {
            // The log is informational; the next poll fetches it again.
          }
          const launched = job.participants
            .filter((p) => p.launchStatus === "LAUNCHED" && p.recoveryInstanceId)
            .map((p) => p.recoveryInstanceId!);
          if (job.status === "COMPLETED" && job.type === "LAUNCH" && launched.length > 0) {
            try {
              instances.push(...(await gateway.describeRecoveryInstances({ recoveryInstanceIds: launched })));
            } catch {
              // EC2 details are filled in later views; the wave does not wait for them.
            }
          }
        });
        return ok({ kind: "poll-jobs", jobs, logCounts, instances });
      }
      case "action-start":
      case "action-poll": {
        const runner = deps.actions;
        if (!runner?.supports(effect.action.type)) {
          return fail({
            kind: "action",
            message: `${effect.action.type} actions are not supported by this deployment`,
            retryable: false,
            ambiguous: false,
          });
        }
        const progress =
          effect.kind === "action-start"
            ? await runner.start(effect.action, effect.context)
            : await runner.poll(effect.action, effect.context, effect.handle);
        return ok({ kind: effect.kind, progress });
      }
      case "failback-resolve": {
        const instances = await deps.drs
          .forTarget(effect.target)
          .describeRecoveryInstances({ sourceServerIds: effect.sourceServerIds });
        return ok({ kind: "failback-resolve", instances });
      }
      case "reverse-replication": {
        const arn = await deps.drs.forTarget(effect.target).reverseReplication(effect.recoveryInstanceId);
        return ok({ kind: "reverse-replication", reversedSourceServerArn: arn });
      }
      case "check-source-servers": {
        const servers = await deps.drs
          .forTarget(effect.target)
          .describeSourceServers({ sourceServerIds: effect.sourceServerIds });
        return ok({ kind: "check-source-servers", servers });
      }
    }
  } catch (error) {
    return fail(toEffectError(error));
  }
}

export { mapLimit };
