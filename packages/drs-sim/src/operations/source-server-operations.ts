import type { LaunchDisposition, RightSizingMethod } from "../model/drs-enums.js";
import { errors, QUOTA_CODES } from "../model/drs-error.js";
import { countReplicating } from "../model/failback.js";
import type { SourceServerRecord } from "../model/records.js";
import { setReplicationState } from "../model/replication.js";
import { parseIsoDateTime } from "../model/time-format.js";
import { renderLaunchConfiguration, renderSnapshot, renderSourceServer } from "../model/wire-views.js";
import { paginate } from "../protocol/pagination.js";
import type { OperationContext, OperationHandler } from "./operation-context.js";

type Body = Record<string, unknown>;

function pageRequest(body: Body) {
  return {
    maxResults: body.maxResults as number | undefined,
    nextToken: body.nextToken as string | undefined,
  };
}

/** The caller's source server, or 404 (spec §4.3). */
export function sourceServerOr404(ctx: OperationContext, id: string): SourceServerRecord {
  const server = ctx.region()?.servers.get(id);
  if (!server) throw errors.notFound("SOURCE_SERVER", id);
  return server;
}

function assertNotInActiveJob(ctx: OperationContext, server: SourceServerRecord): void {
  const job = ctx.sim.activeJobsForServer(server)[0];
  if (job)
    throw errors.conflict(
      "SOURCE_SERVER",
      server.id,
      `Source server ${server.id} is part of active job ${job.id}`,
    );
}

export const initializeService: OperationHandler = (ctx) => {
  ctx.ensureRegion().record.initialized = true;
  return undefined;
};

export const describeSourceServers: OperationHandler = (ctx, { body }) => {
  const filters = (body.filters ?? {}) as {
    sourceServerIDs?: string[];
    hardwareId?: string;
    stagingAccountIDs?: string[];
  };
  const ids = filters.sourceServerIDs?.length ? new Set(filters.sourceServerIDs) : undefined;
  const hardware = filters.hardwareId ? filters.hardwareId.toLowerCase() : undefined;
  const staging = filters.stagingAccountIDs?.length ? new Set(filters.stagingAccountIDs) : undefined;
  const all = ctx.region()?.sortedServers() ?? [];
  const matches =
    ids || hardware || staging
      ? all.filter(
          (s) =>
            (!ids || ids.has(s.id)) &&
            (!hardware ||
              s.awsInstanceID?.toLowerCase() === hardware ||
              s.vmWareUuid?.toLowerCase() === hardware ||
              s.macAddress.toLowerCase() === hardware) &&
            // Simulated servers have no extended staging area, so a staging-account filter matches nothing.
            !staging,
        )
      : all;
  const page = paginate(matches, (s) => [s.addedMs, s.seq], pageRequest(body), {
    filters: {
      op: "DescribeSourceServers",
      ids: filters.sourceServerIDs,
      hw: filters.hardwareId,
      st: filters.stagingAccountIDs,
    },
    config: ctx.sim.config,
    now: ctx.sim.now(),
  });
  const view = ctx.view();
  return {
    items: page.items.map((s) => renderSourceServer(view, s)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const getLaunchConfiguration: OperationHandler = (ctx, { body }) =>
  renderLaunchConfiguration(sourceServerOr404(ctx, body.sourceServerID as string));

export const updateLaunchConfiguration: OperationHandler = (ctx, { body }) => {
  const server = sourceServerOr404(ctx, body.sourceServerID as string);
  assertNotInActiveJob(ctx, server);
  const lc = server.launchConfiguration;
  if (typeof body.name === "string") lc.name = body.name;
  if (typeof body.launchDisposition === "string")
    lc.launchDisposition = body.launchDisposition as LaunchDisposition;
  if (typeof body.targetInstanceTypeRightSizingMethod === "string")
    lc.targetInstanceTypeRightSizingMethod = body.targetInstanceTypeRightSizingMethod as RightSizingMethod;
  if (typeof body.copyPrivateIp === "boolean") lc.copyPrivateIp = body.copyPrivateIp;
  if (typeof body.copyTags === "boolean") lc.copyTags = body.copyTags;
  if (typeof body.postLaunchEnabled === "boolean") lc.postLaunchEnabled = body.postLaunchEnabled;
  const licensing = body.licensing as { osByol?: boolean } | undefined;
  if (typeof licensing?.osByol === "boolean") lc.licensing = { osByol: licensing.osByol };
  const into = body.launchIntoInstanceProperties as { launchIntoEC2InstanceID?: string } | undefined;
  if (into) {
    lc.launchIntoInstanceProperties = into.launchIntoEC2InstanceID
      ? { launchIntoEC2InstanceID: into.launchIntoEC2InstanceID }
      : {};
  }
  return renderLaunchConfiguration(server);
};

export const describeRecoverySnapshots: OperationHandler = (ctx, { body }) => {
  const id = body.sourceServerID as string;
  const server = ctx.region()?.servers.get(id);
  if (!server) {
    if (ctx.sim.config.snapshotsUnknownServer === "rnf") throw errors.notFound("SOURCE_SERVER", id);
    return { items: [] };
  }
  const filters = (body.filters ?? {}) as { fromDateTime?: string; toDateTime?: string };
  const from = filters.fromDateTime ? parseIsoDateTime(filters.fromDateTime) : undefined;
  const to = filters.toDateTime ? parseIsoDateTime(filters.toDateTime) : undefined;
  const descending = body.order === "DESC";
  let snapshots = ctx.sim
    .snapshotsOf(server)
    .filter((s) => (from === undefined || s.takenMs >= from) && (to === undefined || s.takenMs <= to));
  if (descending) snapshots = snapshots.reverse();
  const page = paginate(snapshots, (s) => [descending ? -s.expectedMs : s.expectedMs], pageRequest(body), {
    filters: {
      op: "DescribeRecoverySnapshots",
      id,
      from: filters.fromDateTime,
      to: filters.toDateTime,
      o: descending,
    },
    config: ctx.sim.config,
    now: ctx.sim.now(),
  });
  const view = ctx.view();
  return {
    items: page.items.map((s) => renderSnapshot(view, id, s)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const startReplication: OperationHandler = (ctx, { body }) => {
  const server = sourceServerOr404(ctx, body.sourceServerID as string);
  if (server.replication.state !== "STOPPED") {
    throw errors.conflict("SOURCE_SERVER", server.id, `Source server ${server.id} is not stopped`);
  }
  if (countReplicating(ctx.sim, server.accountId) >= ctx.sim.config.quotas.replicatingServers) {
    throw errors.quota(
      QUOTA_CODES.replicatingServers,
      "Replicating source servers per account quota exceeded",
      {
        resourceId: server.id,
        resourceType: "SOURCE_SERVER",
      },
    );
  }
  setReplicationState(ctx.sim, server, "INITIATING", { autoProgress: true });
  return { sourceServer: renderSourceServer(ctx.view(), server) };
};

export const stopReplication: OperationHandler = (ctx, { body }) => {
  const server = sourceServerOr404(ctx, body.sourceServerID as string);
  assertNotInActiveJob(ctx, server);
  const state = server.replication.state;
  if (state === "STOPPED" || state === "DISCONNECTED") {
    throw errors.conflict(
      "SOURCE_SERVER",
      server.id,
      `Source server ${server.id} is not replicating (${state})`,
    );
  }
  setReplicationState(ctx.sim, server, "STOPPED");
  return { sourceServer: renderSourceServer(ctx.view(), server) };
};

export const disconnectSourceServer: OperationHandler = (ctx, { body }) => {
  const server = sourceServerOr404(ctx, body.sourceServerID as string);
  const region = ctx.region();
  const hasInstance = [...(region?.instances.values() ?? [])].some((i) => i.sourceServerID === server.id);
  if (hasInstance) {
    throw errors.conflict(
      "SOURCE_SERVER",
      server.id,
      "You cannot disconnect a Source Server if it has a Recovery Instance",
    );
  }
  assertNotInActiveJob(ctx, server);
  if (server.replication.state !== "DISCONNECTED") setReplicationState(ctx.sim, server, "DISCONNECTED");
  return renderSourceServer(ctx.view(), server);
};
