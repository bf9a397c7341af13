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
 * Issue 17 in Chromium: the readiness badge in the plan list, on the dashboard and on the plan page, whose
 * "Check now" shows a stalled server as NOT_READY with the server and the fix, and the recovery afterwards.
 */
const available = browserTestsAvailable();

describe.skipIf(!available)("plan readiness in the console", () => {
  let product: RunningProduct;
  let browser: Browser;
  let page: Page;
  let planId = "";
  let web01 = "";

  beforeAll(async () => {
    product = await startProduct({ timeScale: 0.01 });
    const token = await apiToken(product.url);
    const group = await apiCall<{ groupId: string }>(product.url, token, "POST", "/protection-groups", {
      name: "badge-web",
      accountId: "111122223333",
      region: "us-east-1",
      serverSelectionTags: { App: "orders", Tier: "web", Environment: "prod" },
    });
    const plan = await apiCall<{ planId: string }>(product.url, token, "POST", "/recovery-plans", {
      name: "badge-plan",
      rpoSeconds: 3600,
      waves: [{ name: "web", protectionGroupIds: [group.groupId] }],
    });
    planId = plan.planId;
    const servers = await apiCall<{ items: Array<{ sourceServerId: string; hostname: string }> }>(
      product.url,
      token,
      "GET",
      "/drs/source-servers?region=us-east-1&accountId=111122223333",
    );
    web01 = servers.items.find((s) => s.hostname === "web-orders-01")!.sourceServerId;
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  const badgeIn = (testId: string) => page.getByTestId(testId).getByTestId("readiness-badge").first();

  it("shows the plan's readiness in the plan list and on the dashboard", async () => {
    await page.goto(`${product.url}/`);
    await ui(page).signIn(ADMIN.email, ADMIN.password);
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    // Creating the plan started an evaluation in the background: a plan never drilled has WARNINGS.
    await expect
      .poll(
        async () => {
          await page.goto(`${product.url}/recovery-plans`);
          const row = page.getByRole("row").filter({ hasText: "badge-plan" });
          await row.waitFor();
          return row.getByTestId("readiness-badge").getAttribute("data-status");
        },
        { timeout: 30_000 },
      )
      .toBe("WARNINGS");
    const row = page.getByRole("row").filter({ hasText: "badge-plan" });
    expect(await row.getByTestId("readiness-badge").textContent()).toContain("Warnings");
    await page.goto(`${product.url}/`);
    await page.getByTestId("plan-readiness").getByText("badge-plan").waitFor();
    expect(await badgeIn("plan-readiness").getAttribute("data-status")).toBe("WARNINGS");
  });

  it("Check now on the plan page shows a stalled server as NOT_READY with the fix, and WARNINGS again once it replicates", async () => {
    product.server.simulator!.control.setSourceServerState(web01, {
      state: "STALLED",
      error: "AGENT_NOT_SEEN",
    });
    await page.goto(`${product.url}/recovery-plans/${planId}`);
    await page.getByTestId("readiness-panel").waitFor();
    await ui(page).click("readiness-check-now");
    await expect.poll(() => badgeIn("readiness-panel").getAttribute("data-status")).toBe("NOT_READY");
    expect(await badgeIn("readiness-panel").textContent()).toContain("Not ready");
    const findings = page.getByTestId("readiness-findings");
    await findings.getByText("web-orders-01").first().waitFor();
    expect(await findings.textContent()).toContain("replication-state");
    expect(await findings.textContent()).toContain("Restore replication");

    product.server.simulator!.control.setSourceServerState(web01, { state: "CONTINUOUS" });
    await ui(page).click("readiness-check-now");
    await expect.poll(() => badgeIn("readiness-panel").getAttribute("data-status")).toBe("WARNINGS");
    expect(await page.getByTestId("readiness-findings").textContent()).not.toContain("web-orders-01");
  });
});
