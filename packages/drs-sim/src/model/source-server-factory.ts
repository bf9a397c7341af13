import type { DataReplicationErrorString, DataReplicationState, LaunchDisposition } from "./drs-enums.js";
import type { LaunchConfigurationRecord, SourceServerRecord } from "./records.js";
import { setReplicationState } from "./replication.js";
import type { SimContext } from "./sim-context.js";

/**
 * How a source server is described in a fleet file or `POST /__sim/source-servers` (spec §12). Everything
 * but the hostname has a default.
 */
export interface SourceServerSeed {
  hostname: string;
  /** Fixed ID; otherwise one is drawn from the seeded ID stream. */
  id?: string;
  os?: "linux" | "windows";
  osFullString?: string;
  disks?: { deviceName: string; bytes: number }[];
  cpuCores?: number;
  ramBytes?: number;
  recommendedInstanceType?: string;
  /** Replication state, CONTINUOUS by default. */
  state?: DataReplicationState;
  error?: DataReplicationErrorString;
  rawError?: string;
  /** How long the server has been in `state` (STALLED since…, INITIAL_SYNC started…), in minutes. */
  stateMinutesAgo?: number;
  /** INITIAL_SYNC / RESCAN: fraction already copied (0–1). */
  progress?: number;
  lagSeconds?: number;
  backlogBytes?: number;
  originEnvironment?: "ON_PREMISES" | "AWS";
  originRegion?: string;
  originAccountID?: string;
  originAvailabilityZone?: string;
  tags?: Record<string, string>;
  /** Hours of point-in-time history (default 192: a full 7-day retention). */
  snapshotsHistoryHours?: number;
  ip?: string;
  launchDisposition?: LaunchDisposition;
  copyPrivateIp?: boolean;
  copyTags?: boolean;
}

const GIB = 1024 ** 3;
const HOUR = 3_600_000;
const MINUTE = 60_000;

export function newLaunchConfiguration(sim: SimContext, name: string): LaunchConfigurationRecord {
  return {
    name,
    ec2LaunchTemplateID: sim.ids.launchTemplate(),
    launchDisposition: "STARTED",
    targetInstanceTypeRightSizingMethod: "BASIC",
    copyPrivateIp: false,
    copyTags: false,
    licensing: { osByol: false },
    postLaunchEnabled: false,
  };
}

function defaultDisks(os: "linux" | "windows"): { deviceName: string; bytes: number }[] {
  return os === "windows"
    ? [
        { deviceName: "PhysicalDrive0", bytes: 100 * GIB },
        { deviceName: "PhysicalDrive1", bytes: 200 * GIB },
      ]
    : [
        { deviceName: "/dev/sda", bytes: 40 * GIB },
        { deviceName: "/dev/sdb", bytes: 100 * GIB },
      ];
}

/** Builds a source server and puts it in its initial replication state (fleets, control plane). */
export function createSourceServer(
  sim: SimContext,
  accountId: string,
  region: string,
  seed: SourceServerSeed,
  /** Minutes by which this server was added before the next one (keeps a fleet in file order). */
  addedEarlierMinutes = 0,
): SourceServerRecord {
  const now = sim.now();
  const id = seed.id ?? sim.ids.sourceServer();
  if (seed.id) sim.ids.reserve(seed.id);
  const os = seed.os ?? "linux";
  const disks = seed.disks?.map((d) => ({ ...d })) ?? defaultDisks(os);
  const state = seed.state ?? "CONTINUOUS";
  const historyHours = seed.snapshotsHistoryHours ?? 192;
  const since = now - (seed.stateMinutesAgo ?? 0) * MINUTE;
  const synced = state !== "INITIATING" && state !== "INITIAL_SYNC";
  const addedMs =
    (synced ? Math.min(now - historyHours * HOUR - 2 * HOUR, since) : since - 10 * MINUTE) -
    addedEarlierMinutes * MINUTE;
  const aws = seed.originEnvironment === "AWS";
  const ipHex = sim.ids.uuid().replace(/-/g, "");
  const byte = (i: number) => (Number.parseInt(ipHex.slice(i, i + 2), 16) % 250) + 2;
  const ip = seed.ip ?? `10.${byte(0)}.${byte(2)}.${byte(4)}`;
  const cores = seed.cpuCores ?? (os === "windows" ? 4 : 2);
  const server: SourceServerRecord = {
    id,
    seq: sim.nextServerSeq(),
    accountId,
    region,
    hostname: seed.hostname,
    fqdn: aws ? `ip-${ip.replace(/\./g, "-")}.ec2.internal` : `${seed.hostname}.corp.example.com`,
    os,
    osFullString:
      seed.osFullString ??
      (os === "windows"
        ? "Microsoft Windows Server 2019 Datacenter"
        : "Amazon Linux 2 (Karoo) 4.14.355-271.569.amzn2"),
    cpus: [{ cores, modelName: "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz" }],
    ramBytes: seed.ramBytes ?? (os === "windows" ? 16 : 8) * GIB,
    disks,
    ips: [ip],
    macAddress: ipHex
      .slice(6, 18)
      .replace(/(..)(?=.)/g, "$1:")
      .replace(/^../, "0a"),
    recommendedInstanceType: seed.recommendedInstanceType ?? (os === "windows" ? "m5.xlarge" : "t3.large"),
    ...(aws ? { awsInstanceID: sim.ids.instance() } : { vmWareUuid: sim.ids.uuid() }),
    agentVersion: "4.7.1248.0",
    stagingAvailabilityZone: `${region}a`,
    addedMs,
    firstByteMs: addedMs + 5 * MINUTE,
    tags: { ...(seed.tags ?? {}) },
    origin: aws
      ? {
          environment: "AWS",
          accountId: seed.originAccountID ?? accountId,
          region: seed.originRegion ?? region,
          availabilityZone: seed.originAvailabilityZone ?? `${seed.originRegion ?? region}a`,
        }
      : { environment: "ON_PREMISES" },
    replicationDirection: "FAILOVER",
    replication: { state: "INITIATING", epoch: 0, since, autoProgress: false },
    initialSyncDone: synced,
    pitIntervals: synced ? [[now - historyHours * HOUR, null]] : [],
    launchConfiguration: {
      ...newLaunchConfiguration(sim, seed.hostname),
      ...(seed.launchDisposition ? { launchDisposition: seed.launchDisposition } : {}),
      ...(seed.copyPrivateIp !== undefined ? { copyPrivateIp: seed.copyPrivateIp } : {}),
      ...(seed.copyTags !== undefined ? { copyTags: seed.copyTags } : {}),
    },
    lastLaunchResult: "NOT_STARTED",
    launchedInstanceIds: [],
  };
  setReplicationState(sim, server, state, {
    since,
    autoProgress: true,
    ...(seed.error ? { error: seed.error } : {}),
    ...(seed.rawError ? { rawError: seed.rawError } : {}),
    ...(seed.lagSeconds !== undefined ? { lagSeconds: seed.lagSeconds } : {}),
    ...(seed.backlogBytes !== undefined ? { backlogBytes: seed.backlogBytes } : {}),
    ...(seed.progress !== undefined ? { progress: seed.progress } : {}),
  });
  return server;
}
