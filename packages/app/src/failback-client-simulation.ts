import { AppError, ConflictError, isTerminal, NotFoundError, UpstreamError } from "@drso/core";
import type { AppDeps } from "./deps.js";
import type { EngineSignal } from "./engine-signal.js";

/** 404 NOT_SIM_MODE: the request only makes sense against the DRS simulator. */
export class NotSimModeError extends AppError {
  readonly status = 404;
  constructor() {
    super(
      "NOT_SIM_MODE",
      "There is no simulator to ask: DRS mode is aws. Boot the DRS Failback Client on the original server instead.",
    );
  }
}

export interface SimulatedFailbackClient {
  sourceServerId: string;
  hostname: string;
  waveName: string;
  recoveryInstanceId: string;
}

/**
 * Sim mode: connects the failback client(s) a FAILBACK execution waits for (every server in phase
 * waiting-client, or the one named), as the operator would by booting the DRS Failback Client.
 */
export function createFailbackClientSimulation(deps: AppDeps, engine: EngineSignal) {
  return {
    available: () => deps.simulator !== undefined,
    async connect(executionId: string, serverId?: string) {
      const simulator = deps.simulator;
      if (!simulator) throw new NotSimModeError();
      const e = await deps.store.executions.get(executionId);
      if (!e) throw new NotFoundError("execution", executionId);
      if (e.executionType !== "FAILBACK")
        throw new ConflictError(
          "NOT_A_FAILBACK",
          `Execution ${executionId} is a ${e.executionType}: only a FAILBACK waits for failback clients.`,
          { executionType: e.executionType },
        );
      if (isTerminal(e.status))
        throw new ConflictError("INVALID_STATE", `The failback has ended (${e.status}); nothing waits.`, {
          executionStatus: e.status,
        });
      const servers = e.waves.flatMap((w) => w.servers.map((s) => ({ w, s })));
      if (serverId && !servers.some(({ s }) => s.sourceServerId === serverId))
        throw new NotFoundError("server", serverId, "SERVER_NOT_IN_EXECUTION");
      const waiting: SimulatedFailbackClient[] = servers
        .filter(({ s }) => !serverId || s.sourceServerId === serverId)
        .filter(({ s }) => s.failback?.phase === "waiting-client" && s.failback.recoveryInstanceId)
        .map(({ w, s }) => ({
          sourceServerId: s.sourceServerId,
          hostname: s.hostname,
          waveName: w.name,
          recoveryInstanceId: s.failback!.recoveryInstanceId!,
        }));
      if (waiting.length === 0)
        throw new ConflictError(
          "NO_FAILBACK_CLIENT_AWAITED",
          serverId
            ? `Server ${serverId} is not waiting for its failback client.`
            : "No server of this failback is waiting for its failback client.",
          { executionStatus: e.status },
        );
      for (const c of waiting) {
        try {
          await simulator.connectFailbackClient(c.recoveryInstanceId);
        } catch (error) {
          throw new UpstreamError(
            "SIMULATOR_FAILED",
            `The simulator did not connect the failback client of ${c.recoveryInstanceId} (${c.hostname}): ${(error as Error).message}`,
          );
        }
      }
      await engine.kick(executionId);
      return { executionId, connected: waiting };
    },
  };
}
