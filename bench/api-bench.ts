import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { BenchFigure, BenchSuite } from "./types.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SUITE = "api";
export const BENCH_ADMIN = { email: "admin@example.com", password: "Bench-Admin-1" };
/** Fixed request rates (DESIGN §10: CRUD p99 under 20 ms at 1,000 requests/s on loopback). */
const RATES = (process.env.DRSO_BENCH_API_RATES ?? "250,500,1000").split(",").map(Number);
const SECONDS = Number(process.env.DRSO_BENCH_API_SECONDS ?? 12);
const P99_TARGET_MS = 20;
/** Closed-loop runs against the product and the bare floor alternate this many times (the machine is shared). */
const FLOOR_ROUNDS = Number(process.env.DRSO_BENCH_FLOOR_ROUNDS ?? 3);
const FLOOR_SECONDS = Number(process.env.DRSO_BENCH_FLOOR_SECONDS ?? 5);
const FLOOR_CRUD_RATE = 1000;
/** Issue 16: the product's share of the bare floor's throughput. */
const FLOOR_TARGETS: Array<{ path: string; label: string; ratio: number }> = [
  { path: "/api/health", label: "GET /api/health", ratio: 0.5 },
  {
    path: "/api/recovery-plans?limit=50",
    label: "GET /api/recovery-plans?limit=50 (authenticated)",
    ratio: 0.33,
  },
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface ProductProcess {
  url: string;
  pid: number;
  /** Resident set size of the server process now (from /proc), in MiB. */
  rssMiB(): number;
  stop(): Promise<void>;
}

/** `npm start`'s entry point in its own process, on loopback, with a temporary data directory. */
export async function startProduct(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ProductProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "drso-bench-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", join(ROOT, "hosts/local/src/main.ts")],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        HOST: "127.0.0.1",
        PORT: String(port),
        DRSO_SIM_PORT: String(await freePort()),
        DRSO_DATA_DIR: dataDir,
        DRSO_ADMIN_EMAIL: BENCH_ADMIN.email,
        DRSO_ADMIN_PASSWORD: BENCH_ADMIN.password,
        DRSO_RATE_LIMIT_PER_USER: "1000000",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const pid = child.pid ?? -1;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready in \d+ ms/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    rssMiB() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGTERM");
      const force = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
      }, 15_000);
      await exited;
      clearTimeout(force);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The bare floor (bench/reference-server.ts) in its own process, started and stopped like the product. */
export async function startReference(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench/reference-server.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the reference server did not start:\n${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the reference server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(BENCH_ADMIN),
  });
  if (!response.ok) throw new Error(`login: HTTP ${response.status}`);
  return ((await response.json()) as { idToken: string }).idToken;
}

interface Context {
  id?: string;
  n?: number;
}

/**
 * One connection's cycle through the CRUD mix: list, create, read, update (If-Match), list plans, delete
 * (If-Match) — half reads, half writes, every write a real SQLite transaction with an audit record.
 */
let counter = 0;
function crudMix(): autocannon.Request[] {
  const body = (name: string, description?: string) =>
    JSON.stringify({
      name,
      accountId: "111122223333",
      region: "us-east-1",
      serverSelectionTags: { Bench: "none" },
      ...(description ? { description } : {}),
    });
  const groupPath = (context: Context) => `/api/protection-groups/${context.id}`;
  return [
    { method: "GET", path: "/api/protection-groups?limit=20" },
    {
      method: "POST",
      path: "/api/protection-groups",
      setupRequest: (request, context: Context) => {
        context.n = ++counter;
        return { ...request, body: body(`bench ${context.n}`) };
      },
      onResponse: (status, responseBody, context: Context) => {
        if (status === 201) context.id = (JSON.parse(responseBody) as { groupId: string }).groupId;
      },
    },
    {
      method: "GET",
      setupRequest: (request, context: Context) => ({ ...request, path: groupPath(context) }),
    },
    {
      method: "PUT",
      setupRequest: (request, context: Context) => ({
        ...request,
        path: groupPath(context),
        headers: { ...request.headers, "if-match": '"v1"' },
        body: body(`bench ${context.n}`, "updated"),
      }),
    },
    { method: "GET", path: "/api/recovery-plans?limit=20" },
    {
      method: "DELETE",
      setupRequest: (request, context: Context) => ({
        ...request,
        path: groupPath(context),
        headers: { ...request.headers, "if-match": '"v2"' },
      }),
    },
  ] as autocannon.Request[];
}

async function seed(url: string, token: string): Promise<void> {
  const call = (method: string, path: string, body: unknown) =>
    fetch(`${url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const groupIds: string[] = [];
  for (let i = 0; i < 100; i++) {
    const r = await call("POST", "/protection-groups", {
      name: `seed ${String(i).padStart(3, "0")}`,
      accountId: "111122223333",
      region: "us-east-1",
      serverSelectionTags: { Seed: String(i) },
    });
    if (r.status !== 201) throw new Error(`seed group: HTTP ${r.status} ${await r.text()}`);
    groupIds.push(((await r.json()) as { groupId: string }).groupId);
  }
  for (let i = 0; i < 20; i++) {
    const r = await call("POST", "/recovery-plans", {
      name: `seed plan ${i}`,
      waves: [0, 1, 2].map((w) => ({
        waveId: `w${w}`,
        name: `Wave ${w}`,
        protectionGroupIds: [groupIds[(i * 3 + w) % groupIds.length]],
        ...(w > 0 ? { dependsOn: [`w${w - 1}`] } : {}),
      })),
    });
    if (r.status !== 201) throw new Error(`seed plan: HTTP ${r.status} ${await r.text()}`);
  }
}

/** Closed-loop throughput of one GET (16 connections, as fast as the server answers). */
async function saturate(url: string, path: string, token: string, seconds: number) {
  return autocannon({
    url: `${url}${path}`,
    connections: 16,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function load(url: string, token: string, rate: number, seconds: number) {
  return autocannon({
    url,
    connections: 16,
    overallRate: rate,
    duration: seconds,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    requests: crudMix(),
  });
}

export const apiBench: BenchSuite = {
  name: SUITE,
  async run() {
    const product = await startProduct(
      { DRSO_ENGINE: "off" },
      process.env.DRSO_BENCH_CPU_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.DRSO_BENCH_CPU_PROF}`]
        : [],
    );
    const reference = await startReference();
    const figures: BenchFigure[] = [];
    try {
      const token = await signIn(product.url);
      await seed(product.url, token);
      await seed(reference.url, token);
      await load(product.url, token, 300, 4); // warm-up: JIT, statement caches, inventory cache
      await load(reference.url, token, 300, 4);
      figures.push(...(await floorRatios(product.url, reference.url, token)));
      for (const rate of RATES) {
        const r = await load(product.url, token, rate, SECONDS);
        const failed = r.errors + r.timeouts + r.non2xx;
        if (process.env.DRSO_BENCH_DEBUG)
          console.error(rate, JSON.stringify((r as unknown as { statusCodeStats: unknown }).statusCodeStats));
        const label = `CRUD mix at ${rate} req/s`;
        const note = `${SECONDS} s, 16 connections; ${r.requests.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts; p90 ${r.latency.p90} ms, p97.5 ${r.latency.p97_5} ms, max ${r.latency.max} ms`;
        if (rate === FLOOR_CRUD_RATE) {
          const floor = await load(reference.url, token, rate, SECONDS);
          figures.push(
            {
              suite: SUITE,
              metric: `${label}: throughput / bare floor`,
              value: r.requests.average / floor.requests.average,
              unit: "ratio",
              note: `floor ${floor.requests.average} req/s, p99 ${floor.latency.p99} ms (offered the same rate)`,
            },
            {
              suite: SUITE,
              metric: `${label}: bare floor p99 latency`,
              value: floor.latency.p99,
              unit: "ms",
            },
          );
        }
        figures.push(
          {
            suite: SUITE,
            metric: `${label}: throughput`,
            value: r.requests.average,
            unit: "req/s",
            target: `>= ${Math.round(rate * 0.95)}`,
            pass: r.requests.average >= rate * 0.95,
            note,
          },
          { suite: SUITE, metric: `${label}: p50 latency`, value: r.latency.p50, unit: "ms" },
          {
            suite: SUITE,
            metric: `${label}: p99 latency`,
            value: r.latency.p99,
            unit: "ms",
            ...(rate >= 1000 ? { target: `< ${P99_TARGET_MS} ms`, pass: r.latency.p99 < P99_TARGET_MS } : {}),
          },
          {
            suite: SUITE,
            metric: `${label}: failed requests`,
            value: failed,
            unit: "requests",
            target: "= 0",
            pass: failed === 0,
          },
        );
      }
      figures.push({
        suite: SUITE,
        metric: "server RSS after the CRUD runs",
        value: product.rssMiB(),
        unit: "MiB",
      });
    } finally {
      await product.stop();
      await reference.stop();
    }
    return figures;
  },
};

/**
 * Each GET saturated on the product and on the bare floor in turn, FLOOR_ROUNDS times, so both see the
 * same share of a machine other work is using; the figure is the median of the per-round ratios.
 */
async function floorRatios(productUrl: string, floorUrl: string, token: string): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const { path, label, ratio } of FLOOR_TARGETS) {
    const ratios: number[] = [];
    const productRates: number[] = [];
    const floorRates: number[] = [];
    for (let round = 0; round < FLOOR_ROUNDS; round++) {
      const p = await saturate(productUrl, path, token, FLOOR_SECONDS);
      const f = await saturate(floorUrl, path, token, FLOOR_SECONDS);
      if (p.non2xx + p.errors > 0) throw new Error(`${label}: ${p.non2xx} non-2xx, ${p.errors} errors`);
      productRates.push(p.requests.average);
      floorRates.push(f.requests.average);
      ratios.push(p.requests.average / f.requests.average);
    }
    const value = median(ratios);
    figures.push(
      { suite: SUITE, metric: `${label}: throughput`, value: median(productRates), unit: "req/s" },
      { suite: SUITE, metric: `${label}: bare floor throughput`, value: median(floorRates), unit: "req/s" },
      {
        suite: SUITE,
        metric: `${label}: throughput / bare floor`,
        value,
        unit: "ratio",
        target: `>= ${ratio}`,
        pass: value >= ratio,
        note: `median of ${FLOOR_ROUNDS} interleaved ${FLOOR_SECONDS} s rounds, 16 connections; per round ${ratios.map((r) => r.toFixed(2)).join(", ")}; load average ${loadavg()[0]?.toFixed(2)}`,
      },
    );
  }
  return figures;
}
