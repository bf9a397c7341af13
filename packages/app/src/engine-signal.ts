/**
 * How the use cases tell the engine that an execution has news (created, or a command appended). Local: wake
 * the driver loop. AWS: start the execution's state machine, or send task success to a paused one.
 */
export interface EngineSignal {
  kick(executionId?: string): void | Promise<void>;
}
