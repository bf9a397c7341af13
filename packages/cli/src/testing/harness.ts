import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const DRSCTL_BIN = join(REPO_ROOT, "packages/cli/bin/drsctl.mjs");
export const ADMIN = { email: "admin@example.com", password: "Admin123!" };

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Product {
  url: string;
  simulatorUrl: string;
  dataDir: string;
  process: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** `npm start`'s entry point as a child process, with the simulator, on free loopback ports. */
export async function startProduct(): Promise<Product> {
  const dataDir = await mkdtemp(join(tmpdir(), "drsctl-it-"));
  const port = await freePort();
  const simPort = await freePort();
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "hosts/local/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dataDir,
      HOST: "127.0.0.1",
      PORT: String(port),
      DRSO_SIM_PORT: String(simPort),
      DRSO_DATA_DIR: join(dataDir, "data"),
      DRSO_SIM_TIME_SCALE: "0.01",
      DRSO_ADMIN_EMAIL: ADMIN.email,
      DRSO_ADMIN_PASSWORD: ADMIN.password,
      DRSO_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the product did not start in 60 s:\n${output}`)),
      60_000,
    );
    const check = () => {
      if (/ready in \d+ ms/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the product exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    simulatorUrl: `http://127.0.0.1:${simPort}`,
    dataDir,
    process: child,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        process.kill(child.pid, "SIGTERM");
        const timer = setTimeout(
          () => child.pid && child.exitCode === null && process.kill(child.pid, "SIGKILL"),
          10_000,
        );
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RecordedCall {
  method: string;
  path: string;
  ifMatch?: string;
  status: number;
}

/** A loopback HTTP proxy in front of the product that records every call drsctl makes. */
export async function startRecordingProxy(target: string): Promise<{
  url: string;
  calls: RecordedCall[];
  close: () => Promise<void>;
}> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const call: RecordedCall = {
          method: req.method ?? "",
          path: req.url ?? "",
          status: answer.statusCode ?? 0,
        };
        const ifMatch = req.headers["if-match"];
        if (typeof ifMatch === "string") call.ifMatch = ifMatch;
        calls.push(call);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real drsctl binary as a child process. */
export function runDrsctl(
  args: string[],
  options: { env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRSCTL_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, "SIGKILL");
      reject(new Error(`drsctl ${args.join(" ")} did not finish in time\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** The plans file example of docs/plans-as-code.md: the first YAML block that holds a DrPlanSet. */
export async function docsExample(): Promise<string> {
  const doc = await readFile(join(REPO_ROOT, "docs/plans-as-code.md"), "utf8");
  for (const match of doc.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    if (/^kind: DrPlanSet$/m.test(match[1]!) && /^protectionGroups:$/m.test(match[1]!)) return match[1]!;
  }
  throw new Error("docs/plans-as-code.md has no complete plans example");
}
