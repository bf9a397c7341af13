import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticFleet } from "drs-sim";
import { signIn, startProduct } from "./api-bench.js";
import type { BenchFigure, BenchSuite } from "./types.js";

const SUITE = "discovery";
const SERVERS = 3_000;
const ACCOUNT = "111122223333";
const RUNS = 5;
/** The seed: "DRS Server Discovery: 200-500ms p95" (on AWS); here per page, through the product. */
const PAGE_P95_TARGET_MS = 500;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * GET /api/drs/source-servers through the whole product (API, inventory cache, SDK gateway, simulator) for a
 * 3,000-server fleet: full pagination at 100 per page, the first page of each pass forcing a fresh read from
 * DRS (refresh=true), the rest served from the inventory the product caches.
 */
export const discoveryBench: BenchSuite = {
  name: SUITE,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), "drso-discovery-"));
    const fleetFile = join(dir, "fleet.json");
    writeFileSync(fleetFile, JSON.stringify(syntheticFleet({ count: SERVERS, accountId: ACCOUNT })));
    const product = await startProduct({ DRSO_ENGINE: "off", DRSO_SIM_FLEET: fleetFile });
    const figures: BenchFigure[] = [];
    try {
      const token = await signIn(product.url);
      const page = async (nextToken: string | undefined, refresh: boolean) => {
        const query = new URLSearchParams({ region: "us-east-1", accountId: ACCOUNT, limit: "100" });
        if (refresh) query.set("refresh", "true");
        if (nextToken) query.set("nextToken", nextToken);
        const started = performance.now();
        const response = await fetch(`${product.url}/api/drs/source-servers?${query}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!response.ok) throw new Error(`discovery page: HTTP ${response.status} ${await response.text()}`);
        const body = (await response.json()) as { items: unknown[]; nextToken?: string };
        return { ms: performance.now() - started, items: body.items.length, nextToken: body.nextToken };
      };
      const pass = async () => {
        const started = performance.now();
        const pages: number[] = [];
        let items = 0;
        let token: string | undefined;
        let first = true;
        do {
          const p = await page(token, first);
          first = false;
          pages.push(p.ms);
          items += p.items;
          token = p.nextToken;
        } while (token);
        return { ms: performance.now() - started, pages, items, firstPage: pages[0] ?? Number.NaN };
      };
      await pass(); // warm-up: JIT on both sides, connections
      const passes = [];
      for (let i = 0; i < RUNS; i++) passes.push(await pass());
      const totals = passes.map((p) => p.ms).sort((a, b) => a - b);
      const pageTimes = passes.flatMap((p) => p.pages).sort((a, b) => a - b);
      const cold = passes.map((p) => p.firstPage).sort((a, b) => a - b);
      const items = passes[0]?.items ?? 0;
      const note = `${RUNS} passes of ${passes[0]?.pages.length} pages (limit 100), ${items} servers each`;
      figures.push(
        {
          suite: SUITE,
          metric: `${SERVERS.toLocaleString("en")} servers: full pagination through the API`,
          value: percentile(totals, 50),
          unit: "ms",
          note: `median; best ${totals[0]?.toFixed(0)} ms, worst ${totals[totals.length - 1]?.toFixed(0)} ms; ${note}`,
        },
        {
          suite: SUITE,
          metric: "servers listed per pass",
          value: items,
          unit: "servers",
          target: `= ${SERVERS}`,
          pass: items === SERVERS,
        },
        {
          suite: SUITE,
          metric: "first page with refresh=true (a fresh DescribeSourceServers of 3,000 servers)",
          value: percentile(cold, 50),
          unit: "ms",
          note: `median of ${RUNS}; worst ${cold[cold.length - 1]?.toFixed(0)} ms`,
        },
        { suite: SUITE, metric: "per page: p50", value: percentile(pageTimes, 50), unit: "ms" },
        {
          suite: SUITE,
          metric: "per page: p95",
          value: percentile(pageTimes, 95),
          unit: "ms",
          target: `< ${PAGE_P95_TARGET_MS} ms (seed, discovery)`,
          pass: percentile(pageTimes, 95) < PAGE_P95_TARGET_MS,
        },
        { suite: SUITE, metric: "per page: p99", value: percentile(pageTimes, 99), unit: "ms" },
        { suite: SUITE, metric: "server RSS after discovery", value: product.rssMiB(), unit: "MiB" },
      );
    } finally {
      await product.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};
