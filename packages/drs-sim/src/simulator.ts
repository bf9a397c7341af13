import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Clock } from "@drso/clock";
import type { SimControl } from "./control/control-types.js";
import { type ConfigPatch, configProblems, defaultConfig, mergeConfig } from "./faults/sim-config.js";
import type { FleetSpec } from "./fleets/fleet-spec.js";
import { SimulatorRuntime } from "./runtime.js";
import { createRequestHandler } from "./server.js";
import { SwitchableClock } from "./switchable-clock.js";

export interface SimulatorOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default: a SwitchableClock in real mode. Pass a ManualClock for deterministic tests. */
  clock?: Clock;
  /** Default 1: the same seed gives the same IDs, timings and faults. */
  seed?: number;
  /** Multiplies every simulated duration (default 1.0). */
  timeScale?: number;
  /** "demo", "empty" (default), a path to a JSON fleet file, or a fleet object. */
  fleet?: "demo" | "empty" | string | FleetSpec;
  /** Access key ID → account ID. */
  accounts?: Record<string, string>;
  /** Default "123456789012". */
  defaultAccountId?: string;
  /** Loaded at start if present; saved (debounced, atomically) after changes and on close. */
  stateFile?: string;
  /** Fault and behaviour knobs (spec §11). */
  config?: ConfigPatch;
  /** Print one line per DRS request. */
  logRequests?: boolean;
}

export interface RunningSimulator {
  /** e.g. "http://127.0.0.1:4566" */
  url: string;
  port: number;
  clock: Clock;
  /** The control plane, in-process (the same operations as `/__sim`). */
  control: SimControl;
  close(): Promise<void>;
}

/** Starts a DRS simulator on node:http. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 1;
  const timeScale = options.timeScale ?? 1;
  if (!Number.isInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  const defaultAccountId = options.defaultAccountId ?? "123456789012";
  if (!/^\d{12}$/.test(defaultAccountId)) throw new RangeError(`defaultAccountId must be 12 digits`);
  for (const [key, account] of Object.entries(options.accounts ?? {})) {
    if (!/^\d{12}$/.test(account)) throw new RangeError(`account for access key ${key} must be 12 digits`);
  }
  const problems = configProblems(options.config ?? {});
  if (problems.length > 0) throw new RangeError(`invalid config: ${problems.join("; ")}`);

  const ownsClock = options.clock === undefined;
  const clock = options.clock ?? new SwitchableClock();
  const runtime = new SimulatorRuntime({
    clock,
    seed,
    timeScale,
    fleet: options.fleet,
    config: mergeConfig(defaultConfig(), options.config ?? {}),
    accounts: { ...(options.accounts ?? {}) },
    defaultAccountId,
    stateFile: options.stateFile,
  });

  const server: Server = createServer(
    { keepAlive: true, keepAliveTimeout: 5_000 },
    createRequestHandler(runtime, { logRequests: options.logRequests === true }),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await runtime.close();
    if (ownsClock) (clock as SwitchableClock).dispose();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await runtime.close();
      if (ownsClock) (clock as SwitchableClock).dispose();
    })();
    return closing;
  };

  return { url: `http://${urlHost}:${port}`, port, clock, control: runtime, close };
}
