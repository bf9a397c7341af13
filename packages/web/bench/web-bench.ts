import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchFigure, BenchSuite } from "../../../bench/types.js";
import { bundleSizes } from "../scripts/bundle-sizes.mjs";
import { CHROMIUM_MISSING, chromiumAvailable, launchBrowser } from "../testing/browser.js";
import { ADMIN, startProduct } from "../testing/product.js";

const LOADS = 5;
const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Runs in the page: the dashboard's tables are there and the quota rows (the slowest data) are shown. */
function contentVisible(): boolean {
  // Typed by hand: this file is type-checked without the DOM library.
  type Doc = { querySelector(selector: string): { textContent: string | null } | null };
  const doc = (globalThis as unknown as { document: Doc }).document;
  const quotas = doc.querySelector('[data-testid="quotas"]');
  return Boolean(
    doc.querySelector('[data-testid="active-executions"]') && quotas?.textContent?.includes("/ us-east-1"),
  );
}

/**
 * First load of the dashboard with the built bundle in Chromium on loopback: navigation start until the
 * dashboard's content (its tables and quota rows) is on screen, for a signed-in user with a cold cache
 * (a fresh browser profile per load). Plus the bundle sizes.
 */
async function firstLoads(): Promise<number[]> {
  const product = await startProduct();
  try {
    const response = await fetch(`${product.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    const t = (await response.json()) as {
      idToken: string;
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
    };
    const tokens = JSON.stringify({
      idToken: t.idToken,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresAt: Date.now() + t.expiresIn * 1000,
    });
    const times: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const browser = await launchBrowser();
      try {
        // Evaluated in the page (a string: this file is type-checked without the DOM library).
        await browser.context.addInitScript({
          content: `sessionStorage.setItem("drso.tokens", ${JSON.stringify(tokens)});`,
        });
        const page = browser.context.pages()[0] ?? (await browser.context.newPage());
        await page.goto(`${product.url}/`, { waitUntil: "commit" });
        await page.waitForFunction(contentVisible, undefined, { timeout: 30_000, polling: "raf" });
        times.push(await page.evaluate(() => performance.now()));
      } finally {
        await browser.close();
      }
    }
    return times;
  } finally {
    await product.close();
  }
}

export const webBench: BenchSuite = {
  name: "web",
  async run(): Promise<BenchFigure[]> {
    const figures: BenchFigure[] = [];
    const sizes = bundleSizes(DIST);
    const largest = sizes.files[0];
    figures.push(
      {
        suite: "web",
        metric: "initial bundle (entry js+css), gzip",
        value: Math.round(sizes.initial.gzipBytes / 1024),
        unit: "KiB",
      },
      {
        suite: "web",
        metric: "initial bundle (entry js+css), raw",
        value: Math.round(sizes.initial.bytes / 1024),
        unit: "KiB",
      },
      {
        suite: "web",
        metric: "all chunks, gzip",
        value: Math.round(sizes.total.gzipBytes / 1024),
        unit: "KiB",
        note: `${sizes.total.count} files`,
      },
      ...(largest
        ? [
            {
              suite: "web",
              metric: `largest chunk (${largest.file})`,
              value: Math.round(largest.bytes / 1024),
              unit: "KiB",
            },
          ]
        : []),
    );
    if (!chromiumAvailable()) {
      figures.push({
        suite: "web",
        metric: "dashboard first load (median)",
        value: Number.NaN,
        unit: "ms",
        note: CHROMIUM_MISSING,
      });
      return figures;
    }
    const times = await firstLoads();
    figures.push(
      {
        suite: "web",
        metric: `dashboard first load, median of ${LOADS} (navigation start → content visible)`,
        value: Math.round(median(times)),
        unit: "ms",
        target: "< 2000 ms",
        pass: median(times) < 2000,
        note: `loads: ${times.map((t) => Math.round(t)).join(", ")} ms; load average ${loadavg()[0]!.toFixed(1)} on this machine`,
      },
      {
        suite: "web",
        metric: "dashboard first load, slowest",
        value: Math.round(Math.max(...times)),
        unit: "ms",
      },
    );
    return figures;
  },
};
