import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/**
 * A `moto_server` (the AWS service emulator) for integration tests of the AWS adapters. One server per test
 * file: start it in `beforeAll`, stop it in `afterAll`, reset it between tests with `reset()` if needed.
 *
 *   const moto = motoAvailable();
 *   describe.skipIf(!moto)("...", () => { let server: MotoServer; beforeAll(async () => { server = await startMoto(); }) ... });
 *   if (!moto) console.warn(motoSkipMessage("dynamodb contract"));
 *
 * Clients take `MOTO_CLIENT_CONFIG` plus `endpoint: server.endpoint` (fake credentials, us-east-1).
 */
export interface MotoServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  pid: number;
  /** Wipes every service's state (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Kills the server by its PID and waits for it to exit. */
  stop(): Promise<void>;
}

export const MOTO_REGION = "us-east-1";
/** moto's default account. */
export const MOTO_ACCOUNT_ID = "123456789012";
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" } as const;
/** Spread into any v3 SDK client's config together with `endpoint`. */
export const MOTO_CLIENT_CONFIG = {
  region: MOTO_REGION,
  credentials: MOTO_CREDENTIALS,
  maxAttempts: 2,
} as const;

const COMMAND = process.env.MOTO_SERVER ?? "moto_server";
/** The Python that has moto installed (moto_server's own), for the serial server below. */
const PYTHON = process.env.MOTO_PYTHON ?? "python3";
/** moto_server's own application, served without threads (see `serial`). */
const SERIAL_MOTO = [
  "import sys",
  "from werkzeug.serving import run_simple",
  "from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app",
  "run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app), threaded=False)",
].join("\n");
let available: boolean | undefined;

/** Whether `moto_server` can be run here (looked up once per process). */
export function motoAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync(COMMAND, ["--help"], { stdio: "ignore", timeout: 30_000 });
    available = probe.error === undefined && probe.status === 0;
  }
  return available;
}

export function motoSkipMessage(suite: string): string {
  return `SKIP ${suite}: moto_server not found on the PATH (pip install 'moto[server]' to run it)`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts `moto_server` on 127.0.0.1 and a free port; resolves once it answers HTTP. */
export async function startMoto(
  options: {
    startTimeoutMs?: number;
    /** Extra environment, e.g. INITIAL_NO_AUTH_ACTION_COUNT to turn on moto's IAM enforcement after N requests. */
    env?: Record<string, string>;
    /**
     * Answer one request at a time. moto_server answers each request on a thread of its own, and its
     * TransactWriteItems is not isolated from a concurrent one (it applies items one by one and, when a condition
     * fails, restores a copy of the whole table taken before: a racing transaction's writes are lost or applied
     * halfway). DynamoDB's transactions are serializable; tests that race transactions need this to be faithful.
     */
    serial?: boolean;
  } = {},
): Promise<MotoServer> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const [command, args] = options.serial
      ? [PYTHON, ["-c", SERIAL_MOTO, "127.0.0.1", String(port)]]
      : [COMMAND, ["-H", "127.0.0.1", "-p", String(port)]];
    const child = spawn(command, args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", ...options.env },
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4000);
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${COMMAND}`);
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, "SIGTERM");
        const killTimer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
        }, 5000);
        await exited(child);
        clearTimeout(killTimer);
      }
    };
    while (Date.now() < deadline && child.exitCode === null) {
      if (await answers(endpoint)) {
        return {
          endpoint,
          port,
          pid,
          async reset() {
            const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
            await response.body?.cancel();
            if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
          },
          stop,
        };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop();
    // Another process may have taken the port between the probe and the bind: try a new one.
    if (attempt >= 3 || Date.now() >= deadline) {
      throw new Error(`moto_server did not start on ${endpoint}: ${stderr.trim().slice(-1000)}`);
    }
  }
}
