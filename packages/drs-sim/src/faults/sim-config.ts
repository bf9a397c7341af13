import {
  DATA_REPLICATION_ERRORS,
  DATA_REPLICATION_STATES,
  type DataReplicationErrorString,
  type DataReplicationState,
  FAILBACK_REPLICATION_ERRORS,
  type FailbackReplicationError,
  type LaunchDisposition,
} from "../model/drs-enums.js";
import { type Distribution, distributionProblem, TIMING_NAMES, type TimingName } from "../model/timing.js";

/** Where an injected launch failure happens (spec §11, §7.5 F1–F8). */
export const FAILURE_PHASES = [
  "snapshot",
  "usingPrevious",
  "conversionServer",
  "conversion",
  "launch",
  "silent",
  "cleanup",
] as const;
export type FailurePhase = (typeof FAILURE_PHASES)[number];

export interface ThrottleBucket {
  ratePerSec: number;
  burst: number;
}

/** A throttling storm, in ms of simulator-clock time since the simulator started (or was last reset). */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** Knobs that can be set globally and overridden per operation in `operations`. */
export interface ProtocolFaults {
  throttleProbability: number;
  internalErrorProbability: number;
  serviceUnavailableProbability: number;
  badGatewayHtmlProbability: number;
  /** 200 with truncated JSON, sent after the operation ran (a lost response). */
  malformedJsonProbability: number;
  connectionResetProbability: number;
  /** "before": the socket is destroyed before the operation runs; "after": after it ran. */
  connectionResetPhase: "before" | "after";
  hangProbability: number;
  /** Added response latency (real time, not simulator time). */
  latencyMs: { median: number; p95: number } | null;
}

export interface Quotas {
  concurrentJobs: number;
  serversPerJob: number;
  serversInAllJobs: number;
  jobsPerServer: number;
  replicatingServers: number;
  totalServers: number;
}

/** Knobs for one source server (`servers[id]`); the launch ones also exist globally and per job. */
export interface ServerKnobs {
  replicationState?: DataReplicationState;
  dataReplicationError?: DataReplicationErrorString;
  rawError?: string;
  neverSynced?: boolean;
  lagSeconds?: number;
  backlogBytes?: number;
  snapshotsAvailable?: number;
  noSnapshots?: boolean;
  stallAt?: { afterMs: number };
  launchFailureRate?: number;
  failurePhase?: FailurePhase;
  launchRawError?: string;
  /** The server stays IN_PROGRESS in any job (spec `stuckServer`). */
  stuck?: boolean;
}

export interface JobKnobs {
  stuck?: "PENDING" | "STARTED";
  jobTimeoutMs?: number;
  cancel?: boolean;
  launchFailureRate?: number;
  failurePhase?: FailurePhase;
  launchRawError?: string;
}

export interface RecoveryInstanceKnobs {
  failbackErrorProbability?: number;
  failbackClientNeverSeen?: boolean;
  failbackError?: FailbackReplicationError;
  reverseReplicationFailure?: boolean;
  terminateFails?: boolean;
  failbackLaunchFails?: boolean;
}

export type TimingKnobs = { [K in TimingName]?: Distribution } & { failbackReplicationDelay?: Distribution };

/** Every simulator knob (spec §11). All of it is JSON, so it can come from a file or `POST /__sim/config`. */
export interface SimConfig extends ProtocolFaults, TimingKnobs {
  // Protocol and availability
  throttle: Record<string, ThrottleBucket>;
  throttleRetryAfter: number | null;
  throttleWindows: TimeWindow[];
  /** `Retry-After` (integer seconds) on injected InternalServerException. */
  retryAfter: number | null;
  accessDenied: Record<string, boolean>;
  requireAuthHeader: boolean;
  /** Accounts and regions first seen by a request start UNINITIALIZED. */
  uninitialized: boolean;
  errorWithoutHeader: boolean;
  timestampStyle: "offset" | "zulu";
  operations: Record<string, Partial<ProtocolFaults>>;
  maxBodyBytes: number;
  requestLogSize: number;
  // Pagination and consistency
  pageSize: number;
  maxPageSize: number;
  emptyPagesWithToken: boolean;
  repeatToken: boolean;
  invalidTokenAfterMs: number | null;
  eventualConsistencyMs: number;
  staleReadProbability: number;
  // Jobs and launch
  launchFailureRate: number;
  failurePhase: FailurePhase;
  launchRawError: string | null;
  lagSnapshotFailureProbability: number;
  stuckJob: { where: "PENDING" | "STARTED"; servers?: string[] } | null;
  stuckServer: string | null;
  jobTimeoutMs: number | null;
  jobCancelProbability: number;
  perServerJobConflictAs: "conflict" | "quota";
  unknownServerOnStart: "validation" | "rnf" | "skipInJob";
  notReadyOnStart: "failInJob" | "conflict";
  snapshotMismatchOnStart: "validation" | "conflict";
  pitLaunchEvents: "usingPrevious" | "snapshotPair";
  conversionForAwsOrigin: "normal" | "fast" | "skip";
  cleanupFailureFatal: boolean;
  snapshotsUnknownServer: "empty" | "rnf";
  jobLogUnknownJob: "empty" | "rnf";
  terminateUnknownInstance: "failInJob" | "validation";
  deleteUnknownInstance: "noop" | "conflict";
  quotas: Quotas;
  launchDisposition: LaunchDisposition | null;
  ec2EndState: "RUNNING" | "STOPPED" | "NOT_FOUND" | null;
  instanceTerminatedExternallyAfterMs: number | null;
  postLaunchActions: { runs: number; failProbability: number } | null;
  // Replication
  replicationBandwidthMbps: number;
  pitDailyRetentionDays: number;
  // Failback
  failbackBandwidthMbps: number;
  failbackErrorProbability: number;
  failbackClientNeverSeen: boolean;
  reverseReplicationFailure: boolean;
  /** Demo knob: failback clients of recovery (not drill) instances connect and become ready by themselves. */
  autoFailbackReady: boolean;
  // Per entity
  servers: Record<string, ServerKnobs>;
  recoveryInstances: Record<string, RecoveryInstanceKnobs>;
  jobs: Record<string, JobKnobs>;
}

type RecordKnob = "throttle" | "operations" | "servers" | "recoveryInstances" | "jobs" | "accessDenied";

/**
 * A change to the knobs (`POST /__sim/config`, `SimControl.setConfig`, `SimulatorOptions.config`): per-entity
 * records merge by key and a `null` entry removes one; `quotas` merges field by field; a `null` timing knob
 * returns to its default.
 */
export type ConfigPatch = Omit<Partial<SimConfig>, RecordKnob | "quotas" | keyof TimingKnobs> & {
  throttle?: Record<string, ThrottleBucket | null>;
  operations?: Record<string, Partial<ProtocolFaults> | null>;
  servers?: Record<string, ServerKnobs | null>;
  recoveryInstances?: Record<string, RecoveryInstanceKnobs | null>;
  jobs?: Record<string, JobKnobs | null>;
  accessDenied?: Record<string, boolean | null>;
  quotas?: Partial<Quotas>;
} & { [K in keyof TimingKnobs]?: Distribution | null };

export const DEFAULT_QUOTAS: Quotas = {
  concurrentJobs: 20,
  serversPerJob: 100,
  serversInAllJobs: 500,
  jobsPerServer: 1,
  replicatingServers: 300,
  totalServers: 4000,
};

export function defaultConfig(): SimConfig {
  return {
    throttleProbability: 0,
    internalErrorProbability: 0,
    serviceUnavailableProbability: 0,
    badGatewayHtmlProbability: 0,
    malformedJsonProbability: 0,
    connectionResetProbability: 0,
    connectionResetPhase: "before",
    hangProbability: 0,
    latencyMs: null,
    throttle: {},
    throttleRetryAfter: null,
    throttleWindows: [],
    retryAfter: null,
    accessDenied: {},
    requireAuthHeader: false,
    uninitialized: false,
    errorWithoutHeader: false,
    timestampStyle: "offset",
    operations: {},
    maxBodyBytes: 5 * 1024 * 1024,
    requestLogSize: 10_000,
    pageSize: 100,
    maxPageSize: 1000,
    emptyPagesWithToken: false,
    repeatToken: false,
    invalidTokenAfterMs: null,
    eventualConsistencyMs: 0,
    staleReadProbability: 0,
    launchFailureRate: 0,
    failurePhase: "launch",
    launchRawError: null,
    lagSnapshotFailureProbability: 0,
    stuckJob: null,
    stuckServer: null,
    jobTimeoutMs: null,
    jobCancelProbability: 0,
    perServerJobConflictAs: "conflict",
    unknownServerOnStart: "validation",
    notReadyOnStart: "failInJob",
    snapshotMismatchOnStart: "validation",
    pitLaunchEvents: "usingPrevious",
    conversionForAwsOrigin: "normal",
    cleanupFailureFatal: false,
    snapshotsUnknownServer: "empty",
    jobLogUnknownJob: "empty",
    terminateUnknownInstance: "failInJob",
    deleteUnknownInstance: "noop",
    quotas: { ...DEFAULT_QUOTAS },
    launchDisposition: null,
    ec2EndState: null,
    instanceTerminatedExternallyAfterMs: null,
    postLaunchActions: null,
    replicationBandwidthMbps: 100,
    pitDailyRetentionDays: 7,
    failbackBandwidthMbps: 100,
    failbackErrorProbability: 0,
    failbackClientNeverSeen: false,
    reverseReplicationFailure: false,
    autoFailbackReady: false,
    servers: {},
    recoveryInstances: {},
    jobs: {},
  };
}

// ---------------------------------------------------------------------------------------------------------
// Validation of knobs read from JSON (start-up file, CLI, POST /__sim/config).

type Check = (value: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const probability: Check = (v) =>
  typeof v === "number" && v >= 0 && v <= 1 ? undefined : "must be a number between 0 and 1";
const nonNegative: Check = (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? undefined : "must be a number >= 0";
const positiveInt: Check = (v) =>
  typeof v === "number" && Number.isInteger(v) && v >= 1 ? undefined : "must be an integer >= 1";
const nonNegativeInt: Check = (v) =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 ? undefined : "must be an integer >= 0";
const bool: Check = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
const text: Check = (v) => (typeof v === "string" ? undefined : "must be a string");
const oneOf =
  (...values: readonly string[]): Check =>
  (v) =>
    typeof v === "string" && values.includes(v) ? undefined : `must be one of ${values.join(", ")}`;
const nullable =
  (check: Check): Check =>
  (v) =>
    v === null ? undefined : check(v);
const record =
  (check: Check): Check =>
  (v) => {
    if (!isObject(v)) return "must be an object";
    for (const [key, value] of Object.entries(v)) {
      if (value === null) continue;
      const problem = check(value);
      if (problem) return `${key}: ${problem}`;
    }
    return undefined;
  };
const struct =
  (fields: Record<string, Check>, required: string[] = []): Check =>
  (v) => {
    if (!isObject(v)) return "must be an object";
    for (const key of required) if (!(key in v)) return `${key} is required`;
    for (const [key, value] of Object.entries(v)) {
      const check = fields[key];
      if (!check) return `unknown field ${key}`;
      if (value === undefined) continue;
      const problem = check(value);
      if (problem) return `${key}: ${problem}`;
    }
    return undefined;
  };
const list =
  (check: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return "must be an array";
    for (const [i, item] of v.entries()) {
      const problem = check(item);
      if (problem) return `[${i}]: ${problem}`;
    }
    return undefined;
  };
const distribution: Check = (v) => distributionProblem(v);

const failurePhase = oneOf(...FAILURE_PHASES);
const protocolFaultChecks: Record<keyof ProtocolFaults, Check> = {
  throttleProbability: probability,
  internalErrorProbability: probability,
  serviceUnavailableProbability: probability,
  badGatewayHtmlProbability: probability,
  malformedJsonProbability: probability,
  connectionResetProbability: probability,
  connectionResetPhase: oneOf("before", "after"),
  hangProbability: probability,
  latencyMs: nullable(struct({ median: nonNegative, p95: nonNegative }, ["median", "p95"])),
};

const serverKnobChecks: Record<keyof ServerKnobs, Check> = {
  replicationState: oneOf(...DATA_REPLICATION_STATES),
  dataReplicationError: oneOf(...DATA_REPLICATION_ERRORS),
  rawError: text,
  neverSynced: bool,
  lagSeconds: nonNegative,
  backlogBytes: nonNegative,
  snapshotsAvailable: nonNegativeInt,
  noSnapshots: bool,
  stallAt: struct({ afterMs: nonNegative }, ["afterMs"]),
  launchFailureRate: probability,
  failurePhase,
  launchRawError: text,
  stuck: bool,
};

const jobKnobChecks: Record<keyof JobKnobs, Check> = {
  stuck: oneOf("PENDING", "STARTED"),
  jobTimeoutMs: nonNegative,
  cancel: bool,
  launchFailureRate: probability,
  failurePhase,
  launchRawError: text,
};

const instanceKnobChecks: Record<keyof RecoveryInstanceKnobs, Check> = {
  failbackErrorProbability: probability,
  failbackClientNeverSeen: bool,
  failbackError: oneOf(...FAILBACK_REPLICATION_ERRORS),
  reverseReplicationFailure: bool,
  terminateFails: bool,
  failbackLaunchFails: bool,
};

const timingChecks = Object.fromEntries(
  [...TIMING_NAMES, "failbackReplicationDelay"].map((name) => [name, distribution]),
) as Record<keyof TimingKnobs, Check>;

const configChecks: Record<keyof SimConfig, Check> = {
  ...protocolFaultChecks,
  ...timingChecks,
  throttle: record(struct({ ratePerSec: nonNegative, burst: positiveInt }, ["ratePerSec", "burst"])),
  throttleRetryAfter: nullable(nonNegativeInt),
  throttleWindows: list(struct({ startMs: nonNegative, endMs: nonNegative }, ["startMs", "endMs"])),
  retryAfter: nullable(nonNegativeInt),
  accessDenied: record(bool),
  requireAuthHeader: bool,
  uninitialized: bool,
  errorWithoutHeader: bool,
  timestampStyle: oneOf("offset", "zulu"),
  operations: record(struct(protocolFaultChecks)),
  maxBodyBytes: positiveInt,
  requestLogSize: positiveInt,
  pageSize: positiveInt,
  maxPageSize: positiveInt,
  emptyPagesWithToken: bool,
  repeatToken: bool,
  invalidTokenAfterMs: nullable(nonNegative),
  eventualConsistencyMs: nonNegative,
  staleReadProbability: probability,
  launchFailureRate: probability,
  failurePhase,
  launchRawError: nullable(text),
  lagSnapshotFailureProbability: probability,
  stuckJob: nullable(struct({ where: oneOf("PENDING", "STARTED"), servers: list(text) }, ["where"])),
  stuckServer: nullable(text),
  jobTimeoutMs: nullable(nonNegative),
  jobCancelProbability: probability,
  perServerJobConflictAs: oneOf("conflict", "quota"),
  unknownServerOnStart: oneOf("validation", "rnf", "skipInJob"),
  notReadyOnStart: oneOf("failInJob", "conflict"),
  snapshotMismatchOnStart: oneOf("validation", "conflict"),
  pitLaunchEvents: oneOf("usingPrevious", "snapshotPair"),
  conversionForAwsOrigin: oneOf("normal", "fast", "skip"),
  cleanupFailureFatal: bool,
  snapshotsUnknownServer: oneOf("empty", "rnf"),
  jobLogUnknownJob: oneOf("empty", "rnf"),
  terminateUnknownInstance: oneOf("failInJob", "validation"),
  deleteUnknownInstance: oneOf("noop", "conflict"),
  quotas: struct(
    Object.fromEntries(Object.keys(DEFAULT_QUOTAS).map((k) => [k, positiveInt])) as Record<string, Check>,
  ),
  launchDisposition: nullable(oneOf("STOPPED", "STARTED")),
  ec2EndState: nullable(oneOf("RUNNING", "STOPPED", "NOT_FOUND")),
  instanceTerminatedExternallyAfterMs: nullable(nonNegative),
  postLaunchActions: nullable(
    struct({ runs: nonNegativeInt, failProbability: probability }, ["runs", "failProbability"]),
  ),
  replicationBandwidthMbps: (v) =>
    typeof v === "number" && v > 0 && Number.isFinite(v) ? undefined : "must be a number > 0",
  pitDailyRetentionDays: (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 365
      ? undefined
      : "must be an integer 1-365",
  failbackBandwidthMbps: (v) =>
    typeof v === "number" && v > 0 && Number.isFinite(v) ? undefined : "must be a number > 0",
  failbackErrorProbability: probability,
  failbackClientNeverSeen: bool,
  reverseReplicationFailure: bool,
  autoFailbackReady: bool,
  servers: record(struct(serverKnobChecks)),
  recoveryInstances: record(struct(instanceKnobChecks)),
  jobs: record(struct(jobKnobChecks)),
};

/** Problems in a partial config, one message per bad knob (empty when it is fine). */
export function configProblems(patch: unknown): string[] {
  if (!isObject(patch)) return ["config must be a JSON object"];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const check = (configChecks as Record<string, Check>)[key];
    if (!check) {
      problems.push(`unknown knob '${key}'`);
      continue;
    }
    if (value === null && isNullableKnob(key)) continue;
    const problem = check(value);
    if (problem) problems.push(`${key}: ${problem}`);
  }
  return problems;
}

const NULLABLE_KNOBS = new Set<string>([
  "throttleRetryAfter",
  "retryAfter",
  "invalidTokenAfterMs",
  "launchRawError",
  "stuckJob",
  "stuckServer",
  "jobTimeoutMs",
  "launchDisposition",
  "ec2EndState",
  "instanceTerminatedExternallyAfterMs",
  "postLaunchActions",
  "latencyMs",
  ...TIMING_NAMES,
  "failbackReplicationDelay",
]);

function isNullableKnob(key: string): boolean {
  return NULLABLE_KNOBS.has(key);
}

const MERGED_RECORDS = new Set([
  "throttle",
  "operations",
  "servers",
  "recoveryInstances",
  "jobs",
  "accessDenied",
]);

/**
 * Merges a validated patch into a config. Record-valued knobs (per operation, server, instance, job) merge
 * by key, and a `null` entry removes that key; `quotas` merges field by field; a `null` timing knob
 * returns it to its default; everything else is replaced.
 */
export function mergeConfig(base: SimConfig, patch: ConfigPatch): SimConfig {
  const next = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (MERGED_RECORDS.has(key) && isObject(value)) {
      const target = { ...((next[key] as Record<string, unknown>) ?? {}) };
      for (const [entryKey, entry] of Object.entries(value)) {
        if (entry === null) delete target[entryKey];
        else if (isObject(entry) && isObject(target[entryKey]) && key !== "throttle")
          target[entryKey] = { ...(target[entryKey] as object), ...entry };
        else target[entryKey] = structuredClone(entry);
      }
      next[key] = target;
    } else if (key === "quotas" && isObject(value)) {
      next[key] = { ...(next[key] as object), ...value };
    } else if (
      value === null &&
      ((TIMING_NAMES as string[]).includes(key) || key === "failbackReplicationDelay")
    ) {
      delete next[key];
    } else {
      next[key] = structuredClone(value);
    }
  }
  return next as unknown as SimConfig;
}

/**
 * A protocol knob for one operation: `operations["<account>:<op>"]` and `operations["<account>:*"]` (one slow
 * or failing account among healthy ones), then `operations[op]`, then `operations["*"]`, then the global value.
 */
export function protocolKnob<K extends keyof ProtocolFaults>(
  config: SimConfig,
  operation: string,
  key: K,
  accountId?: string,
): ProtocolFaults[K] {
  if (accountId !== undefined) {
    const forAccount =
      config.operations[`${accountId}:${operation}`]?.[key] ?? config.operations[`${accountId}:*`]?.[key];
    if (forAccount !== undefined) return forAccount as ProtocolFaults[K];
  }
  const specific = config.operations[operation]?.[key];
  if (specific !== undefined) return specific as ProtocolFaults[K];
  const wildcard = config.operations["*"]?.[key];
  if (wildcard !== undefined) return wildcard as ProtocolFaults[K];
  return config[key];
}

type LaunchKnobKey = "launchFailureRate" | "failurePhase" | "launchRawError";

/** A launch knob for one server in one job: the job's knob, then the server's, then the global one. */
export function launchKnob<K extends LaunchKnobKey>(
  config: SimConfig,
  jobId: string,
  serverId: string | undefined,
  key: K,
): SimConfig[K] {
  const fromJob = config.jobs[jobId]?.[key];
  if (fromJob !== undefined) return fromJob as SimConfig[K];
  const fromServer = serverId ? config.servers[serverId]?.[key] : undefined;
  if (fromServer !== undefined) return fromServer as SimConfig[K];
  return config[key];
}

export function instanceKnob<K extends keyof RecoveryInstanceKnobs>(
  config: SimConfig,
  instanceId: string,
  key: K,
): RecoveryInstanceKnobs[K] | undefined {
  return config.recoveryInstances[instanceId]?.[key];
}
