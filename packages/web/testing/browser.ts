import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's Chromium (installed by `.ci/run` with apt); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.DRSO_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped (install it with \`apt-get install -y chromium\`; .ci/run does).`;

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh persistent context in a temporary user-data dir, removed on close. */
export async function launchBrowser(
  options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {},
): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "drso-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? "light",
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
