import type { LocalConfig } from "./config.js";

/** A start-up failure whose message says what to change; `npm start` prints it without a stack trace. */
export class StartupError extends Error {
  override name = "StartupError";
}

/**
 * A port that cannot be listened on, explained with the variable that sets it. Two servers on one machine
 * usually collide on the simulator port first, because it defaults to PORT+1.
 */
export function listenError(
  error: unknown,
  context: {
    what: "api" | "simulator";
    config: Pick<LocalConfig, "host" | "port" | "simPort" | "simPortFromEnv">;
  },
): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const { config } = context;
  const port = context.what === "api" ? config.port : config.simPort;
  const name =
    context.what === "api"
      ? `PORT ${port}`
      : `DRSO_SIM_PORT ${port} (the embedded DRS simulator's port${config.simPortFromEnv ? "" : "; DRSO_SIM_PORT is not set, so it is PORT+1"})`;
  const alternative = config.port + 10;
  const fix =
    context.what === "api"
      ? `Stop it, or use another port: PORT=${alternative} npm start (the simulator port then defaults to PORT+1, ${alternative + 1}).`
      : `Stop it, or use other ports: PORT=${alternative} npm start (the simulator port defaults to PORT+1, ${alternative + 1}), or set DRSO_SIM_PORT to a free port.`;
  if (code === "EADDRINUSE")
    return new StartupError(
      `${name} on ${config.host} is already in use: another DRS Orchestrator (or another program) may be running there. ${fix}`,
    );
  if (code === "EACCES")
    return new StartupError(
      `${name} on ${config.host} is not allowed for this user (ports below 1024 need privileges). ${fix}`,
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new StartupError(
      `HOST ${config.host} is not an address of this machine; use 127.0.0.1 or 0.0.0.0.`,
    );
  return error instanceof Error ? error : new Error(String(error));
}
