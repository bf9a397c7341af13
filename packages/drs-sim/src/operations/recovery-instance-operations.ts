import { errors, type FieldProblem } from "../model/drs-error.js";
import { createFailbackJob, reverseReplication, stopFailback } from "../model/failback.js";
import { checkJobQuotas } from "../model/quotas.js";
import type { RecoveryInstanceRecord } from "../model/records.js";
import { createTerminateJob } from "../model/terminate-job.js";
import { renderJob, renderRecoveryInstance } from "../model/wire-views.js";
import { paginate } from "../protocol/pagination.js";
import type { OperationContext, OperationHandler } from "./operation-context.js";

function instanceOr404(ctx: OperationContext, id: string): RecoveryInstanceRecord {
  const instance = ctx.region()?.instances.get(id);
  if (!instance) throw errors.notFound("RECOVERY_INSTANCE", id);
  return instance;
}

function assertNotInActiveJob(ctx: OperationContext, instance: RecoveryInstanceRecord): void {
  const job = ctx.sim.activeJobForInstance(instance);
  if (job) {
    throw errors.conflict(
      "RECOVERY_INSTANCE",
      instance.id,
      `Recovery instance ${instance.id} is part of active job ${job.id}`,
    );
  }
}

/** "Recovery instance in an active job or in failback → 409" (spec §9). */
function assertNotInFailback(instance: RecoveryInstanceRecord): void {
  const state = instance.failback.state;
  if (state === "FAILBACK_IN_PROGRESS" || state === "FAILBACK_READY_FOR_LAUNCH") {
    throw errors.conflict(
      "RECOVERY_INSTANCE",
      instance.id,
      `Recovery instance ${instance.id} is in failback (${state})`,
    );
  }
}

function duplicatesOf(ids: string[], field: string): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  ids.forEach((id, i) => {
    if (seen.has(id)) problems.push({ name: `${field}.${i}`, message: `Duplicate recovery instance ${id}` });
    seen.add(id);
  });
  return problems;
}

export const describeRecoveryInstances: OperationHandler = (ctx, { body }) => {
  const filters = (body.filters ?? {}) as { recoveryInstanceIDs?: string[]; sourceServerIDs?: string[] };
  const ids = filters.recoveryInstanceIDs?.length ? new Set(filters.recoveryInstanceIDs) : undefined;
  const servers = filters.sourceServerIDs?.length ? new Set(filters.sourceServerIDs) : undefined;
  const instances = (ctx.region()?.sortedInstances() ?? []).filter(
    (i) => ctx.visible(i.createdMs) && (!ids || ids.has(i.id)) && (!servers || servers.has(i.sourceServerID)),
  );
  const page = paginate(
    instances,
    (i) => [i.createdMs, i.id],
    { maxResults: body.maxResults as number | undefined, nextToken: body.nextToken as string | undefined },
    {
      filters: {
        op: "DescribeRecoveryInstances",
        ids: filters.recoveryInstanceIDs,
        servers: filters.sourceServerIDs,
      },
      config: ctx.sim.config,
      now: ctx.sim.now(),
    },
  );
  const view = ctx.view();
  return {
    items: page.items.map((i) => renderRecoveryInstance(view, i)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const terminateRecoveryInstances: OperationHandler = (ctx, { body }) => {
  const ids = body.recoveryInstanceIDs as string[];
  ctx.note.recoveryInstanceIDs = [...ids];
  const duplicates = duplicatesOf(ids, "recoveryInstanceIDs");
  if (duplicates.length > 0)
    throw errors.validation("Duplicate recovery instances in the request", duplicates);
  const region = ctx.region();
  const unknown: FieldProblem[] = [];
  ids.forEach((id, i) => {
    const instance = region?.instances.get(id);
    if (!instance) {
      if (ctx.sim.config.terminateUnknownInstance === "validation")
        unknown.push({ name: `recoveryInstanceIDs.${i}`, message: `Recovery instance ${id} not found` });
      return;
    }
    assertNotInActiveJob(ctx, instance);
    assertNotInFailback(instance);
  });
  if (unknown.length > 0) throw errors.validation("Unknown recovery instances in the request", unknown);
  checkJobQuotas(ctx.sim, region, ids.length);
  const job = createTerminateJob(ctx.sim, region ?? ctx.ensureRegion(), ids);
  ctx.note.jobID = job.id;
  return { job: renderJob(ctx.view(), job) };
};

export const disconnectRecoveryInstance: OperationHandler = (ctx, { body }) => {
  const instance = instanceOr404(ctx, body.recoveryInstanceID as string);
  assertNotInActiveJob(ctx, instance);
  assertNotInFailback(instance);
  instance.disconnected = true;
  stopFailback(ctx.sim, instance);
  const rep = instance.failbackReplication;
  rep.state = "DISCONNECTED";
  return undefined;
};

export const deleteRecoveryInstance: OperationHandler = (ctx, { body }) => {
  const id = body.recoveryInstanceID as string;
  const instance = ctx.region()?.instances.get(id);
  if (!instance) {
    if (ctx.sim.config.deleteUnknownInstance === "conflict")
      throw errors.conflict("RECOVERY_INSTANCE", id, `Recovery instance ${id} not found`);
    return undefined;
  }
  if (!instance.disconnected) {
    throw errors.conflict(
      "RECOVERY_INSTANCE",
      id,
      "The Recovery Instance must be disconnected first in order to delete it",
    );
  }
  assertNotInActiveJob(ctx, instance);
  ctx.sim.world.removeInstance(id);
  const server = ctx.sim.world.server(instance.sourceServerID);
  // Only the DRS record goes; the EC2 instance stays and a later launch cleans it up.
  if (server?.recoveryInstanceId === id) server.recoveryInstanceId = undefined;
  return undefined;
};

export const startFailbackLaunch: OperationHandler = (ctx, { body }) => {
  const ids = body.recoveryInstanceIDs as string[];
  ctx.note.recoveryInstanceIDs = [...ids];
  const duplicates = duplicatesOf(ids, "recoveryInstanceIDs");
  if (duplicates.length > 0)
    throw errors.validation("Duplicate recovery instances in the request", duplicates);
  const region = ctx.region();
  const instances: RecoveryInstanceRecord[] = [];
  const unknown: FieldProblem[] = [];
  ids.forEach((id, i) => {
    const instance = region?.instances.get(id);
    if (!instance) {
      unknown.push({ name: `recoveryInstanceIDs.${i}`, message: `Recovery instance ${id} not found` });
      return;
    }
    instances.push(instance);
  });
  if (unknown.length > 0) throw errors.validation("Unknown recovery instances in the request", unknown);
  checkJobQuotas(ctx.sim, region, ids.length);
  for (const instance of instances) {
    assertNotInActiveJob(ctx, instance);
    if (instance.failback.state !== "FAILBACK_READY_FOR_LAUNCH") {
      throw errors.conflict(
        "RECOVERY_INSTANCE",
        instance.id,
        `Recovery instance ${instance.id} is not ready for failback (${instance.failback.state})`,
      );
    }
  }
  const job = createFailbackJob(
    ctx.sim,
    region ?? ctx.ensureRegion(),
    instances,
    (body.tags ?? {}) as Record<string, string>,
  );
  ctx.note.jobID = job.id;
  return { job: renderJob(ctx.view(), job) };
};

export const stopFailbackOperation: OperationHandler = (ctx, { body }) => {
  const instance = instanceOr404(ctx, body.recoveryInstanceID as string);
  assertNotInActiveJob(ctx, instance);
  stopFailback(ctx.sim, instance);
  return undefined;
};

export const reverseReplicationOperation: OperationHandler = (ctx, { body }) => {
  const instance = instanceOr404(ctx, body.recoveryInstanceID as string);
  ctx.note.recoveryInstanceIDs = [instance.id];
  assertNotInFailback(instance);
  return { reversedDirectionSourceServerArn: reverseReplication(ctx.sim, instance) };
};

export const getFailbackReplicationConfiguration: OperationHandler = (ctx, { body }) => {
  const instance = instanceOr404(ctx, body.recoveryInstanceID as string);
  return { recoveryInstanceID: instance.id, ...instance.failbackConfig };
};

export const updateFailbackReplicationConfiguration: OperationHandler = (ctx, { body }) => {
  const instance = instanceOr404(ctx, body.recoveryInstanceID as string);
  const config = instance.failbackConfig;
  if (typeof body.name === "string") config.name = body.name;
  if (typeof body.bandwidthThrottling === "number") config.bandwidthThrottling = body.bandwidthThrottling;
  if (typeof body.usePrivateIP === "boolean") config.usePrivateIP = body.usePrivateIP;
  return undefined;
};
