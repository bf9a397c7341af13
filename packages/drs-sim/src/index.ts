/**
 * drs-sim: a wire-compatible AWS Elastic Disaster Recovery simulator. See docs/drs-simulator.md.
 */

export type {
  ClockInfo,
  ClockRequest,
  FailbackRequest,
  RegionRequest,
  ResetRequest,
  SeedServersRequest,
  SimControl,
  SimStateDump,
  SourceServerStateRequest,
} from "./control/control-types.js";
export { ControlError } from "./control/control-types.js";
export type { RequestLogEntry, RequestLogFilter } from "./control/request-log.js";
export {
  type ConfigPatch,
  DEFAULT_QUOTAS,
  defaultConfig,
  type FailurePhase,
  type JobKnobs,
  type ProtocolFaults,
  type Quotas,
  type RecoveryInstanceKnobs,
  type ServerKnobs,
  type SimConfig,
  type ThrottleBucket,
  type TimeWindow,
} from "./faults/sim-config.js";
export { demoFleet } from "./fleets/demo-fleet.js";
export type { FleetSpec, SourceServerSeed } from "./fleets/fleet-spec.js";
export { type SyntheticFleetOptions, syntheticFleet } from "./fleets/synthetic-fleet.js";
export type {
  DataReplicationErrorString,
  DataReplicationState,
  Ec2InstanceState,
  FailbackReplicationError,
  FailbackState,
  JobLogEvent,
} from "./model/drs-enums.js";
export type { DrsExceptionName } from "./model/drs-error.js";
export { QUOTA_CODES } from "./model/drs-error.js";
export type { FailbackAction } from "./model/failback.js";
export type { Distribution } from "./model/timing.js";
export { DEFAULT_TIMINGS } from "./model/timing.js";
export { credentialsFor } from "./protocol/sigv4-scope.js";
export { type RunningSimulator, type SimulatorOptions, startSimulator } from "./simulator.js";
export { type ClockMode, SwitchableClock } from "./switchable-clock.js";
