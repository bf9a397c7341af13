import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type ConfigPatch, configProblems } from "./faults/sim-config.js";

export interface CliOptions {
  host: string;
  port: number;
  fleet: string;
  seed: number;
  timeScale: number;
  stateFile?: string;
  config?: ConfigPatch;
  accounts: Record<string, string>;
  defaultAccountId: string;
  manualClock: boolean;
  logRequests: boolean;
}

export type CliParse =
  | { kind: "run"; options: CliOptions }
  | { kind: "help" }
  | { kind: "error"; message: string };

export const USAGE = `drs-sim: a wire-compatible AWS Elastic Disaster Recovery (DRS) simulator

Usage: drs-sim [options]      (from the repo root: npm run sim -- [options])

Options:
  --host <host>            Address to listen on (default 127.0.0.1)
  --port <port>            Port to listen on (default 4566; 0 picks a free one)
  --fleet <demo|empty|path>
                           Source servers to start with: the built-in demo fleet (default), none,
                           or a JSON fleet file (format in docs/drs-simulator.md)
  --seed <n>               Seed for IDs, timings and faults (default 1): same seed, same server IDs
  --time-scale <x>         Multiplies every simulated duration (default 1.0; 0.05 makes a 5-minute
                           drill take 15 seconds)
  --state-file <path>      Load state from this file if it exists, save to it after changes and on exit
  --config <path>          JSON file of fault and behaviour knobs (spec §11), e.g. {"throttleProbability":0.1}
  --account <KEY=ACCOUNT>  Map an access key ID to a 12-digit account ID (repeatable). Without a mapping,
                           a key ending in 12 digits (AKIASIM111122223333) selects that account
  --default-account <id>   Account for other access keys (default 123456789012)
  --manual-clock           Start with a frozen clock; advance it with POST /__sim/clock {"advanceMs":60000}
  --log-requests           Print one line per DRS request
  -h, --help               Show this help

Control plane: http://<host>:<port>/__sim/state, /__sim/requests, /__sim/clock, /__sim/config, /__sim/reset, …
`;

function integer(text: string, name: string, min: number, max: number): number | string {
  if (!/^-?\d+$/.test(text)) return `${name} must be an integer, got '${text}'`;
  const value = Number(text);
  if (value < min || value > max) return `${name} must be between ${min} and ${max}, got ${value}`;
  return value;
}

/** Parses command-line flags; never throws (bad flags come back as an error message). */
export function parseCliArgs(argv: string[]): CliParse {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
  const v = parsed.values;
  if (v.help) return { kind: "help" };

  const port = integer(v.port ?? "4566", "--port", 0, 65535);
  if (typeof port === "string") return { kind: "error", message: port };
  const seed = integer(v.seed ?? "1", "--seed", 0, 2 ** 32 - 1);
  if (typeof seed === "string") return { kind: "error", message: seed };
  const timeScale = Number(v["time-scale"] ?? "1");
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    return { kind: "error", message: `--time-scale must be a number > 0, got '${v["time-scale"]}'` };
  }
  const fleet = v.fleet ?? "demo";
  if (fleet !== "demo" && fleet !== "empty" && !existsSync(fleet)) {
    return { kind: "error", message: `--fleet: no such file '${fleet}' (use demo, empty or a JSON file)` };
  }
  const defaultAccountId = v["default-account"] ?? "123456789012";
  if (!/^\d{12}$/.test(defaultAccountId)) {
    return { kind: "error", message: `--default-account must be 12 digits, got '${defaultAccountId}'` };
  }
  const accounts: Record<string, string> = {};
  for (const mapping of v.account ?? []) {
    const match = /^([^=]+)=(\d{12})$/.exec(mapping);
    if (!match?.[1] || !match[2]) {
      return {
        kind: "error",
        message: `--account expects KEY=ACCOUNT with a 12-digit account, got '${mapping}'`,
      };
    }
    accounts[match[1]] = match[2];
  }
  let config: ConfigPatch | undefined;
  if (v.config !== undefined) {
    try {
      config = JSON.parse(readFileSync(v.config, "utf8")) as ConfigPatch;
    } catch (error) {
      return { kind: "error", message: `--config: cannot read '${v.config}': ${(error as Error).message}` };
    }
    const problems = configProblems(config);
    if (problems.length > 0) return { kind: "error", message: `--config: ${problems.join("; ")}` };
  }
  const host = v.host ?? "127.0.0.1";
  if (!host) return { kind: "error", message: "--host must not be empty" };
  return {
    kind: "run",
    options: {
      host,
      port,
      fleet,
      seed,
      timeScale,
      ...(v["state-file"] ? { stateFile: v["state-file"] } : {}),
      ...(config ? { config } : {}),
      accounts,
      defaultAccountId,
      manualClock: v["manual-clock"] === true,
      logRequests: v["log-requests"] === true,
    },
  };
}

const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  fleet: { type: "string" },
  seed: { type: "string" },
  "time-scale": { type: "string" },
  "state-file": { type: "string" },
  config: { type: "string" },
  account: { type: "string", multiple: true },
  "default-account": { type: "string" },
  "manual-clock": { type: "boolean" },
  "log-requests": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
