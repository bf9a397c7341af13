import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  apiCall,
  apiToken,
  type Browser,
  browserTestsAvailable,
  launchBrowser,
  type RunningProduct,
  startProduct,
  ui,
} from "../../packages/web/testing/e2e.js";

/**
 * Issue 12 items 4 and 5 in Chromium: the plan editor (validation as you edit, the graph inside its frame with a
 * cycle, the notice when waves start immediately, saving while a run uses its frozen plan) and the live view
 * (a ticking duration, Live only while running, pauses on the timeline, RTO with and without human time, the
 * terminate dialog, the report's servers and human actions).
 */
const available = browserTestsAvailable();

interface Detail {
  status: string;
  waves: Array<{ jobs: Array<{ status: string }>; servers: Array<{ recoveryInstanceId?: string }> }>;
}

describe.skipIf(!available)("plan editor and live view", () => {
  let product: RunningProduct;
  let browser: Browser;
  let page: Page;
  let token = "";
  let planId = "";
  let executionId = "";
  const groups: string[] = [];

  const detail = () => apiCall<Detail>(product.url, token, "GET", `/executions/${executionId}`);
  async function until(what: string, test: (d: Detail) => boolean) {
    for (let i = 0; ; i++) {
      const d = await detail();
      if (test(d)) return d;
      if (i > 480) throw new Error(`timed out waiting for ${what}: ${d.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    product = await startProduct({ timeScale: 0.01 });
    token = await apiToken(product.url);
    for (const tier of ["db", "app", "web"]) {
      const g = await apiCall<{ groupId: string }>(product.url, token, "POST", "/protection-groups", {
        name: `orders-${tier}`,
        accountId: "111122223333",
        region: "us-east-1",
        serverSelectionTags: { App: "orders", Tier: tier },
      });
      groups.push(g.groupId);
    }
    const plan = await apiCall<{ planId: string }>(product.url, token, "POST", "/recovery-plans", {
      name: "orders",
      waves: [
        { waveId: "db", name: "Databases", protectionGroupIds: [groups[0]] },
        { waveId: "app", name: "Applications", protectionGroupIds: [groups[1]], pauseBefore: true },
        { waveId: "web", name: "Web", protectionGroupIds: [groups[2]] },
      ],
    });
    planId = plan.planId;
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);
    await page.goto(`${product.url}/recovery-plans/${planId}`);
    await ui(page).signIn(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it("says which waves start immediately once a dependency is added, and shows a cycle at the field as it is made", async () => {
    const c = ui(page);
    await page.getByTestId("wave-graph").waitFor();
    await c.multiChoose("wave-2-depends", ["Databases"]);
    const notice = page.getByTestId("dependency-mode-notice");
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(
      /Wave app \(Applications\) no longer waits.*starts immediately/,
    );
    // A cycle: db after web, web after db. No Validate click: the error is at the field.
    await c.multiChoose("wave-0-depends", ["Web"]);
    const field = page.getByTestId("wave-0-depends-field");
    await field.getByText(/Dependency cycle/).waitFor();
    expect(await page.getByTestId("plan-problems").count()).toBe(0);
    // Every node of the graph inside the drawing.
    const svg = await page.getByTestId("wave-graph").boundingBox();
    const nodes = page.getByTestId("wave-graph").locator("[data-wave]");
    await expect.poll(() => nodes.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      const box = (await nodes.nth(i).boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(svg!.x - 0.5);
      expect(box.y).toBeGreaterThanOrEqual(svg!.y - 0.5);
      expect(box.x + box.width).toBeLessThanOrEqual(svg!.x + svg!.width + 0.5);
      expect(box.y + box.height).toBeLessThanOrEqual(svg!.y + svg!.height + 0.5);
    }
  });

  it("saving a plan with a running execution says the run keeps the version it started with", async () => {
    const started = await apiCall<{ executionId: string }>(
      product.url,
      token,
      "POST",
      `/recovery-plans/${planId}/execute`,
      { executionType: "DRILL", comment: "e2e drill" },
    );
    executionId = started.executionId;
    await until("the pause before Applications", (d) => d.status === "PAUSED");
    await page.reload();
    const running = page.getByTestId("running-execution-notice");
    await running.waitFor();
    expect(await running.textContent()).toContain("frozen when it started");
    await ui(page).fill("plan-rto", "1800");
    await ui(page).click("save-plan");
    await page
      .getByText(/Recovery plan orders saved\. The running drill .* frozen when it started/)
      .waitFor();
  });

  it("the live view: a ticking duration, the pause on the timeline, Live while running", async () => {
    await page.goto(`${product.url}/executions/${executionId}`);
    const duration = page.getByTestId("execution-duration");
    await duration.waitFor();
    const first = await duration.textContent();
    await expect.poll(() => duration.textContent(), { timeout: 5000 }).not.toBe(first);
    await page.getByTestId("live-indicator").waitFor();
    const pause = page.locator('[data-testid="gantt-chart"] [data-wave="app"] [data-segment="pause"]');
    await pause.waitFor();
    expect(await pause.locator("title").textContent()).toContain("Paused before the wave");
  });

  it("after the end: no Live, RTO with and without human time, the terminate dialog to completion", async () => {
    await apiCall(product.url, token, "POST", `/executions/${executionId}/resume`);
    await expect.poll(() => ui(page).status(), { timeout: 120_000, interval: 500 }).toBe("Completed");
    await expect.poll(() => page.getByTestId("live-indicator").count()).toBe(0);
    const rto = page.getByTestId("rto-achieved");
    expect(await rto.textContent()).toMatch(/including .* of human time; .* without human time/);
    const segment = page.locator('[data-testid="gantt-chart"] [data-wave="app"] [data-segment="pause"]');
    expect(await segment.locator("title").textContent()).toMatch(/Paused before the wave: \+\S+ to \+/);

    const launched = (await detail()).waves.flatMap((w) => w.servers).filter((s) => s.recoveryInstanceId);
    const n = launched.length;
    expect(n).toBeGreaterThanOrEqual(3);
    await ui(page).click("terminate-instances");
    const dialog = page.getByTestId("terminate-dialog");
    const rows = dialog.getByTestId("terminate-instances-list").locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(n);
    for (const s of launched) expect(await dialog.textContent()).toContain(s.recoveryInstanceId);
    expect((await dialog.getByTestId("cancel-terminate").textContent())?.trim()).toBe("Cancel");
    const confirm = dialog.getByTestId("confirm-terminate");
    expect((await confirm.textContent())?.trim()).toBe(`Terminate ${n} instances`);
    await confirm.click();
    const done = page.getByTestId("termination-done");
    await done.waitFor({ timeout: 120_000 });
    expect(await done.textContent()).toContain(`${n} instances of ${n} terminated`);
    await ui(page).click("close-terminate");
  });

  it("the report lists every server and every human action", async () => {
    await ui(page).click("open-report");
    const servers = page.getByTestId("report-servers");
    await servers.waitFor();
    const all = (await detail()).waves.flatMap((w) => w.servers);
    await expect.poll(() => servers.locator("tbody tr").count()).toBe(all.length);
    const text = (await servers.textContent()) ?? "";
    expect(text).toContain("111122223333/us-east-1");
    expect(text).toMatch(/i-[0-9a-f]+/);
    const actions = (await page.getByTestId("report-human-actions").textContent()) ?? "";
    expect(actions).toContain("started");
    expect(actions).toContain("e2e drill");
    expect(actions).toContain("resumed");
    expect(actions).toContain("terminated instances");
    expect(await page.getByTestId("report-rto-human").textContent()).toContain("human time");
  });
});
