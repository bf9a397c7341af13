export { type CreateExecutionInput, createExecution } from "./create-execution.js";
export { failbackAllowanceSeconds, formatHours, launchBudget } from "./failback-timeout.js";
export { type WaveDecisionRefusal, waveDecisionRefusal } from "./run-control.js";
export {
  hasInstancesToTerminate,
  launchEffectId,
  parseSourceServerArn,
  recordedInstancesToTerminate,
  step,
  TAG_ATTEMPT,
  TAG_BATCH,
  TAG_EXECUTION,
  TAG_TYPE,
  TAG_WAVE,
} from "./step.js";
export {
  backoffMs,
  IDLE_WAKE_MS,
  LOOKUP_SETTLE_MS,
  MAX_CONSECUTIVE_ERRORS,
  nextPollDelayMs,
  POLL_FRACTION,
} from "./timing.js";
export type {
  Effect,
  EffectError,
  EffectKind,
  EffectValue,
  Observation,
  StepContext,
  StepResult,
} from "./types.js";
