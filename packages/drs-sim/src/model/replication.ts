import type { DataReplicationErrorString, DataReplicationState } from "./drs-enums.js";
import type { SourceServerRecord } from "./records.js";
import type { SimContext } from "./sim-context.js";
import { closePitInterval, openPitInterval } from "./snapshots.js";

/** Readiness classes of spec §7.2 [DESIGN]. */
export type Readiness = "READY" | "READY_WITH_LAG" | "DEGRADED" | "NOT_READY";

/** States in which point-in-time snapshots keep being taken [INFERRED]. */
const SNAPSHOT_TAKING: ReadonlySet<DataReplicationState> = new Set([
  "CONTINUOUS",
  "BACKLOG",
  "CREATING_SNAPSHOT",
]);

/** States that count as "replicating" for the per-account quota. */
export function isReplicating(state: DataReplicationState): boolean {
  return state !== "STOPPED" && state !== "DISCONNECTED";
}

export function readinessOf(server: SourceServerRecord): Readiness {
  const state = server.replication.state;
  switch (state) {
    case "CONTINUOUS":
      return "READY";
    case "BACKLOG":
    case "CREATING_SNAPSHOT":
    case "RESCAN":
      return server.initialSyncDone ? "READY_WITH_LAG" : "NOT_READY";
    case "STALLED":
    case "PAUSED":
      return server.initialSyncDone ? "DEGRADED" : "NOT_READY";
    default:
      return "NOT_READY";
  }
}

/** Time to copy `bytes` at the configured bandwidth, in simulator ms. */
export function transferMs(sim: SimContext, bytes: number, mbps: number): number {
  return sim.scaled((bytes * 8 * 1000) / (mbps * 1_000_000));
}

function totalBytes(server: SourceServerRecord): number {
  return server.disks.reduce((sum, d) => sum + d.bytes, 0);
}

/** Which initiation step an initiation error belongs to (FAILED_TO_X → X). */
export function stepOfError(error: DataReplicationErrorString | undefined): string | undefined {
  if (!error?.startsWith("FAILED_TO_")) return undefined;
  return error.slice("FAILED_TO_".length);
}

export interface ReplicationChange {
  error?: DataReplicationErrorString | undefined;
  rawError?: string | undefined;
  /** Move on by itself (INITIATING → INITIAL_SYNC/RESCAN → CONTINUOUS). */
  autoProgress?: boolean;
  lagSeconds?: number | undefined;
  backlogBytes?: number | undefined;
  /** When the state began (fleets seed servers that have been in a state for a while). */
  since?: number;
  /** For INITIAL_SYNC/RESCAN: the fraction already copied. */
  progress?: number;
}

/**
 * Moves a source server to a replication state (spec §7.2), keeping the snapshot history, readiness and the
 * scheduled follow-up transition consistent.
 */
export function setReplicationState(
  sim: SimContext,
  server: SourceServerRecord,
  state: DataReplicationState,
  change: ReplicationChange = {},
): void {
  const now = sim.now();
  const since = change.since ?? now;
  const rep = server.replication;
  rep.epoch++;
  rep.state = state;
  rep.since = since;
  rep.error = change.error
    ? { error: change.error, ...(change.rawError ? { rawError: change.rawError } : {}) }
    : undefined;
  rep.autoProgress = change.autoProgress ?? false;
  rep.phaseStart = undefined;
  rep.phaseEnd = undefined;
  rep.failedStep = state === "INITIATING" ? stepOfError(change.error) : undefined;
  rep.lagSeconds = change.lagSeconds ?? (state === "BACKLOG" ? (rep.lagSeconds ?? 120) : undefined);
  rep.backlogBytes =
    change.backlogBytes ?? (state === "BACKLOG" ? (rep.backlogBytes ?? 2 * 1024 ** 3) : undefined);

  if (state === "CONTINUOUS") server.initialSyncDone = true;
  if (state === "STOPPED" || state === "DISCONNECTED") {
    // StopReplication deletes the snapshots; a disconnected server loses its replication resources.
    server.pitIntervals = [];
  } else if (SNAPSHOT_TAKING.has(state) && server.initialSyncDone) {
    openPitInterval(server, since);
  } else {
    closePitInterval(server, since);
  }
  if (state === "DISCONNECTED") server.disconnectedMs = since;

  let phaseMs: number | undefined;
  if (state === "INITIATING" && !rep.failedStep) phaseMs = sim.duration("initiationDelay");
  if (state === "INITIAL_SYNC")
    phaseMs = transferMs(sim, totalBytes(server), sim.config.replicationBandwidthMbps);
  if (state === "RESCAN")
    phaseMs = Math.round(transferMs(sim, totalBytes(server), sim.config.replicationBandwidthMbps) / 4);
  if (phaseMs !== undefined) {
    const done = Math.min(Math.max(change.progress ?? 0, 0), 0.99);
    rep.phaseStart = since - Math.round(phaseMs * done);
    rep.phaseEnd = rep.phaseStart + phaseMs;
    const neverSynced = state === "INITIAL_SYNC" && sim.config.servers[server.id]?.neverSynced === true;
    if (rep.autoProgress && !neverSynced) {
      sim.schedule(Math.max(rep.phaseEnd, now), { kind: "replication", server: server.id, epoch: rep.epoch });
    }
  }
}

/** The scheduled end of INITIATING / INITIAL_SYNC / RESCAN. */
export function onReplicationStep(sim: SimContext, serverId: string, epoch: number): void {
  const server = sim.world.server(serverId);
  if (!server || server.replication.epoch !== epoch) return;
  const at = sim.now();
  switch (server.replication.state) {
    case "INITIATING":
      setReplicationState(sim, server, server.initialSyncDone ? "RESCAN" : "INITIAL_SYNC", {
        autoProgress: true,
        since: at,
      });
      break;
    case "INITIAL_SYNC":
    case "RESCAN":
      if (sim.config.servers[server.id]?.neverSynced) return;
      setReplicationState(sim, server, "CONTINUOUS", { autoProgress: true, since: at });
      break;
    default:
      break;
  }
}

/** Knob `stallAt`: the server goes STALLED while a drill runs. */
export function onStall(sim: SimContext, serverId: string): void {
  const server = sim.world.server(serverId);
  if (!server || !isReplicating(server.replication.state) || server.replication.state === "STALLED") return;
  setReplicationState(sim, server, "STALLED", { error: "AGENT_NOT_SEEN" });
}
