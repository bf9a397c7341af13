import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGKILL by PID: no cleanup, no flushing, like a crash. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `node --import tsx <script>` and resolves once a line matches `ready`. */
export function spawnNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let settled = false;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const handle: Spawned = {
      child,
      pid: child.pid ?? -1,
      output: () => out,
      async kill9() {
        if (child.exitCode === null && child.signalCode === null) process.kill(handle.pid, "SIGKILL");
        await exited;
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) process.kill(handle.pid, "SIGTERM");
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(handle.pid, "SIGKILL");
        }, 10_000);
        await exited;
        clearTimeout(timer);
      },
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void handle.kill9();
      reject(new Error(`${script} did not become ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!settled && ready.test(out)) {
        settled = true;
        clearTimeout(timer);
        resolve(handle);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Error(`${script} exited early (${code ?? signal}):\n${out}`));
      }
    });
  });
}

/** The DRS simulator in its own process (it survives the orchestrator's crashes). */
export async function spawnSimulator(options: {
  fleetFile?: string;
  fleet?: string;
  timeScale: number;
  seed?: number;
  config?: string;
}) {
  const port = await freePort();
  const args = [
    "--port",
    String(port),
    "--fleet",
    options.fleetFile ?? options.fleet ?? "demo",
    "--time-scale",
    String(options.timeScale),
    "--seed",
    String(options.seed ?? 1),
  ];
  if (options.config) args.push("--config", options.config);
  const sim = await spawnNode(
    "packages/drs-sim/src/cli.ts",
    args,
    {},
    /listening on http:\/\/127\.0\.0\.1:\d+/,
  );
  return { ...sim, url: `http://127.0.0.1:${port}` };
}

/** `npm start`'s entry point with a given environment; resolves when it is serving. */
export async function spawnOrchestrator(env: Record<string, string>) {
  const server = await spawnNode("hosts/local/src/main.ts", [], env, /^ready in \d+ ms/m);
  return server;
}
