import type { ConfigPatch, SimConfig } from "../faults/sim-config.js";
import type { FleetOption } from "../fleets/fleet-loader.js";
import type { SourceServerSeed } from "../fleets/fleet-spec.js";
import type {
  DataReplicationErrorString,
  DataReplicationState,
  Ec2InstanceState,
  FailbackReplicationError,
} from "../model/drs-enums.js";
import type { FailbackAction } from "../model/failback.js";
import type { RequestLogEntry, RequestLogFilter } from "./request-log.js";

export interface ClockInfo {
  /** "external": a clock passed in that the simulator cannot steer (e.g. SystemClock). */
  mode: "real" | "manual" | "external";
  now: number;
  iso: string;
  /** Whether `advanceMs` / `settle` work with this clock. */
  controllable: boolean;
  pendingSteps: number;
  nextStepAt: number | null;
}

export interface ClockRequest {
  mode?: "real" | "manual";
  advanceMs?: number;
  /** Advance through scheduled steps until no job is active (or `maxMs` has passed). */
  settle?: boolean;
  maxMs?: number;
}

export interface SourceServerStateRequest {
  state: DataReplicationState;
  error?: DataReplicationErrorString;
  rawError?: string;
  lagSeconds?: number;
  backlogBytes?: number;
  /** Let INITIATING / INITIAL_SYNC / RESCAN move on by themselves (default false: the state holds). */
  autoProgress?: boolean;
}

export interface SeedServersRequest {
  accountId?: string;
  region: string;
  servers: SourceServerSeed[];
}

export interface FailbackRequest {
  action: FailbackAction;
  error?: FailbackReplicationError;
}

export interface RegionRequest {
  accountId: string;
  region: string;
  initialized: boolean;
}

export interface ResetRequest {
  seed?: number;
  fleet?: FleetOption;
}

/** A dump of everything, for assertions and debugging (`GET /__sim/state`). */
export interface SimStateDump {
  now: string;
  nowMs: number;
  seed: number;
  timeScale: number;
  clock: ClockInfo;
  config: SimConfig;
  regions: {
    accountId: string;
    region: string;
    initialized: boolean;
    sourceServers: Record<string, unknown>[];
    recoveryInstances: Record<string, unknown>[];
    jobs: Record<string, unknown>[];
  }[];
  requests: RequestLogEntry[];
}

/** The control plane (§12), callable in-process; `/__sim/*` exposes the same operations over HTTP. */
export interface SimControl {
  reset(request?: ResetRequest): void;
  getConfig(): SimConfig;
  /** Merges knobs (§11); throws on unknown or invalid knobs. Returns the effective config. */
  setConfig(patch: ConfigPatch): SimConfig;
  seedSourceServers(request: SeedServersRequest): { sourceServerIDs: string[] };
  setSourceServerState(sourceServerId: string, request: SourceServerStateRequest): Record<string, unknown>;
  driveFailback(recoveryInstanceId: string, request: FailbackRequest): Record<string, unknown>;
  setInstanceState(recoveryInstanceId: string, state: Ec2InstanceState): Record<string, unknown>;
  setRegion(request: RegionRequest): void;
  clock(request?: ClockRequest): ClockInfo;
  /** Shorthand for `clock({ advanceMs })`. */
  advance(ms: number): ClockInfo;
  /** Shorthand for `clock({ settle: true, maxMs })`. */
  settle(maxMs?: number): ClockInfo;
  state(): SimStateDump;
  requests(filter?: RequestLogFilter): RequestLogEntry[];
  clearRequests(): void;
  /** Writes the state file now (no-op without one). */
  save(): Promise<void>;
}

/** A control-plane error with the HTTP status `/__sim` answers with. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
