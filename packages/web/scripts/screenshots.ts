// `npm run screenshots`: the main screens of the console, in Debian's Chromium against the product with the
// simulator, written to docs/screenshots/*.png (used by the README).
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { CHROMIUM_MISSING, chromiumAvailable, launchBrowser } from "../testing/browser.js";
import { ui } from "../testing/console.js";
import { ADMIN, apiToken, startProduct } from "../testing/product.js";
import { runDrill, seedDemoPlan } from "../testing/scenario.js";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "screenshots");

async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.waitForTimeout(400);
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  console.log(`wrote ${path}`);
}

async function main() {
  if (!chromiumAvailable()) {
    console.error(CHROMIUM_MISSING);
    process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  const product = await startProduct({ timeScale: 0.01 });
  const browser = await launchBrowser({ width: 1440, height: 900 });
  try {
    const token = await apiToken(product.url);
    const { planId } = await seedDemoPlan(product.url, token);
    const executionId = await runDrill(product.url, token, planId);
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);

    await page.goto(`${product.url}/`);
    await shot(page, "sign-in");
    await ui(page).signIn(ADMIN.email, ADMIN.password);
    await page.getByTestId("recent-drills").getByText("Billing platform").waitFor();
    await page.getByText("Servers by replication state").waitFor();
    await page.getByTestId("quotas").getByText("444455556666 / us-west-2").waitFor();
    await shot(page, "dashboard", { fullPage: true });

    await page.goto(`${product.url}/source-servers`);
    await page.getByTestId("source-servers").getByText("db-billing-01").waitFor();
    await shot(page, "source-servers");

    await page.goto(`${product.url}/protection-groups/new`);
    await ui(page).fill("group-name", "orders");
    await page.getByRole("button", { name: "Next" }).click();
    await ui(page).fill("tag-key-0", "App");
    await ui(page).fill("tag-value-0", "orders");
    await page.getByTestId("resolve-preview").getByText("db-orders-01").waitFor();
    await shot(page, "protection-group-wizard", { fullPage: true });

    await page.goto(`${product.url}/recovery-plans/${planId}`);
    await page.getByTestId("wave-graph").waitFor();
    await shot(page, "plan-editor", { fullPage: true });

    await page.goto(`${product.url}/executions/${executionId}`);
    await page.getByTestId("gantt-chart").waitFor();
    await page.getByTestId("execution-state").getByText("Every wave completed").waitFor();
    await shot(page, "execution", { fullPage: true });

    await page.goto(`${product.url}/executions/${executionId}/report`);
    await page.getByTestId("drill-report").getByRole("heading", { name: "Wave timeline" }).waitFor();
    await shot(page, "drill-report", { fullPage: true });

    await page.goto(`${product.url}/`);
    await page.getByRole("button", { name: "Switch to dark mode" }).click();
    await page.getByTestId("recent-drills").getByText("Billing platform").waitFor();
    await shot(page, "dashboard-dark");
  } finally {
    await browser.close();
    await product.close();
  }
}

await main();
