import {
  type ChosenSnapshot,
  ConflictError,
  type DrsGatewayFactory,
  type Execution,
  type GroupSnapshot,
  type PointInTime,
  plural,
  type RecoverySnapshot,
  ValidationError,
} from "@drso/core";
import { mapLimit } from "./engine/effect-runner.js";

/**
 * Point-in-time recovery (issue 17 item 2): which snapshot each server of a plan recovers from, chosen when the
 * execution starts and frozen into it. The console's preview asks the same question before starting.
 */

export interface SnapshotChoice {
  sourceServerId: string;
  hostname: string;
  groupId: string;
  accountId: string;
  region: string;
  /** Absent when the server has no snapshot that fits (a time with none at or before it). */
  snapshot?: ChosenSnapshot;
}

/** Each server's newest snapshot taken at or before `at` (or its newest at all when `at` is undefined). */
export async function chooseSnapshots(
  drs: DrsGatewayFactory,
  groups: readonly GroupSnapshot[],
  at: string | undefined,
): Promise<SnapshotChoice[]> {
  const servers = groups.flatMap((g) => g.servers.map((s) => ({ g, s })));
  return mapLimit(servers, 8, async ({ g, s }) => {
    const gateway = drs.forTarget({ accountId: g.accountId, region: g.region });
    const snapshots = await gateway.describeRecoverySnapshots(s.sourceServerId, at ? { to: at } : undefined);
    const newest = newestTaken(snapshots, at);
    return {
      sourceServerId: s.sourceServerId,
      hostname: s.hostname,
      groupId: g.groupId,
      accountId: g.accountId,
      region: g.region,
      ...(newest ? { snapshot: { snapshotId: newest.snapshotId, takenAt: newest.timestamp! } } : {}),
    };
  });
}

function newestTaken(snapshots: readonly RecoverySnapshot[], at: string | undefined) {
  const limit = at ? Date.parse(at) : Number.POSITIVE_INFINITY;
  return snapshots
    .filter((x) => x.timestamp && Date.parse(x.timestamp) <= limit)
    .sort((a, b) => Date.parse(b.timestamp!) - Date.parse(a.timestamp!))[0];
}

/**
 * Applies the requested point in time to the frozen groups (each server gets its chosen snapshot) and says what
 * the execution records. Refuses (nothing starts) when a server has no snapshot at or before the time, naming
 * every such server, or when an explicit snapshot ID is not one of that server's.
 */
export async function applyPointInTime(
  drs: DrsGatewayFactory,
  groups: GroupSnapshot[],
  pointInTime: PointInTime | undefined,
  now: number,
): Promise<Execution["pointInTime"]> {
  if (pointInTime === undefined || pointInTime === "latest") return undefined;
  if (typeof pointInTime === "string") {
    if (Date.parse(pointInTime) > now)
      throw new ValidationError(
        `pointInTime ${pointInTime} is in the future: give a past time, or "latest".`,
        [{ path: "pointInTime", message: "must not be in the future" }],
        "POINT_IN_TIME_IN_FUTURE",
      );
    const choices = await chooseSnapshots(drs, groups, pointInTime);
    const missing = choices.filter((c) => !c.snapshot);
    if (missing.length > 0)
      throw new ConflictError(
        "NO_SNAPSHOT_AT_POINT_IN_TIME",
        `${plural(missing.length, "server")} of the plan ${missing.length === 1 ? "has" : "have"} no recovery snapshot taken at or before ${pointInTime}: ${missing
          .slice(0, 20)
          .map((c) => `${c.hostname} (${c.sourceServerId})`)
          .join(", ")}${missing.length > 20 ? ", …" : ""}. Choose a later time, or "latest".`,
        {
          pointInTime,
          servers: missing.map((c) => ({ sourceServerId: c.sourceServerId, hostname: c.hostname })),
        },
      );
    const byServer = new Map(choices.map((c) => [`${c.groupId}/${c.sourceServerId}`, c.snapshot!]));
    for (const g of groups)
      for (const s of g.servers) s.snapshot = byServer.get(`${g.groupId}/${s.sourceServerId}`)!;
    return { mode: "time", at: new Date(Date.parse(pointInTime)).toISOString() };
  }
  const wanted = pointInTime.snapshotIds;
  const members = new Map(groups.flatMap((g) => g.servers.map((s) => [s.sourceServerId, { g, s }] as const)));
  const strangers = Object.keys(wanted).filter((id) => !members.has(id));
  if (strangers.length > 0)
    throw new ValidationError(
      `pointInTime.snapshotIds names ${plural(strangers.length, "server")} that the plan does not recover: ${strangers.join(", ")}.`,
      strangers.map((id) => ({ path: `pointInTime.snapshotIds.${id}`, message: "not a server of the plan" })),
      "UNKNOWN_SOURCE_SERVERS",
    );
  const unknown: Array<{ sourceServerId: string; hostname: string; snapshotId: string }> = [];
  await mapLimit(Object.entries(wanted), 8, async ([sourceServerId, snapshotId]) => {
    const { g, s } = members.get(sourceServerId)!;
    const snapshots = await drs
      .forTarget({ accountId: g.accountId, region: g.region })
      .describeRecoverySnapshots(sourceServerId);
    const found = snapshots.find((x) => x.snapshotId === snapshotId && x.timestamp);
    if (!found) unknown.push({ sourceServerId, hostname: s.hostname, snapshotId });
    else s.snapshot = { snapshotId, takenAt: found.timestamp! };
  });
  if (unknown.length > 0)
    throw new ConflictError(
      "SNAPSHOT_NOT_FOUND",
      `DRS has no such recovery snapshot for ${unknown.map((u) => `${u.hostname} (${u.sourceServerId}): ${u.snapshotId}`).join(", ")}.`,
      { servers: unknown },
    );
  return { mode: "snapshots" };
}
