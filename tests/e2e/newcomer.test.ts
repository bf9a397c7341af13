import { join } from "node:path";
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
import { freePort, type Spawned, spawnOrchestrator, tempDir } from "../support/processes.js";

/**
 * Issue 12 in the browser: the administrator's force end of a stuck execution (items 2), and what a user of
 * real DRS without AWS credentials sees on the dashboard and the source servers page (item 3).
 */
const available = browserTestsAvailable();

interface Detail {
  status: string;
  waves: Array<{ jobs: Array<{ status: string }> }>;
}

describe.skipIf(!available)("force end in the execution view", () => {
  let product: RunningProduct;
  let browser: Browser;
  let page: Page;
  let executionId = "";

  beforeAll(async () => {
    product = await startProduct({ timeScale: 0.01 });
    const token = await apiToken(product.url);
    const groups: string[] = [];
    for (const tier of ["db", "app"]) {
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
        { name: "Databases", protectionGroupIds: [groups[0]] },
        { name: "Applications", protectionGroupIds: [groups[1]], pauseBefore: true },
      ],
    });
    const started = await apiCall<{ executionId: string }>(
      product.url,
      token,
      "POST",
      `/recovery-plans/${plan.planId}/execute`,
      { executionType: "DRILL" },
    );
    executionId = started.executionId;
    // Paused before the second wave: the first wave's DRS job has ended, nothing runs in DRS.
    for (let i = 0; ; i++) {
      const d = await apiCall<Detail>(product.url, token, "GET", `/executions/${executionId}`);
      if (d.status === "PAUSED" && d.waves.every((w) => w.jobs.every((j) => j.status !== "ACTIVE"))) break;
      if (i > 240) throw new Error(`the drill did not pause before its second wave: ${d.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it("asks for a reason, ends the execution and shows who ended it and why", async () => {
    await page.goto(`${product.url}/executions/${executionId}`);
    await ui(page).signIn(ADMIN.email, ADMIN.password);
    await page.getByTestId("force-end-execution").click();
    const confirm = page.getByTestId("confirm-force-end");
    await expect.poll(() => confirm.isDisabled()).toBe(true);
    await ui(page).fill("force-end-reason", "INC-4711: paused since the weekend, plan retired");
    await expect.poll(() => confirm.isDisabled()).toBe(false);
    await confirm.click();
    await expect.poll(() => ui(page).status(), { timeout: 20_000 }).toBe("Cancelled");
    const notice = page.getByTestId("force-ended");
    await notice.waitFor();
    expect(await notice.textContent()).toContain("INC-4711: paused since the weekend, plan retired");
    expect(await notice.textContent()).toContain(ADMIN.email);
    expect(await page.getByTestId("force-end-execution").count()).toBe(0);
  });
});

describe.skipIf(!available)("DRSO_DRS_MODE=aws without AWS credentials", () => {
  let server: Spawned;
  let url = "";
  let browser: Browser;
  let page: Page;
  const data = tempDir("drso-e2e-aws-");

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const none = join(data.path, "none");
    server = await spawnOrchestrator({
      HOST: "127.0.0.1",
      PORT: String(port),
      DRSO_DATA_DIR: join(data.path, "data"),
      DRSO_DRS_MODE: "aws",
      DRSO_ADMIN_EMAIL: ADMIN.email,
      DRSO_ADMIN_PASSWORD: ADMIN.password,
      // No credentials anywhere in the default chain.
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_CONFIG_FILE: none,
      AWS_WEB_IDENTITY_TOKEN_FILE: "",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it("the start-up output says so", () => {
    expect(server.output()).toMatch(/no AWS credentials were found/);
  });

  it("the dashboard says so", async () => {
    await page.goto(`${url}/`);
    await ui(page).signIn(ADMIN.email, ADMIN.password);
    const alert = page.getByTestId("aws-credentials-missing");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/no AWS credentials were found/);
  });

  it("the source servers page asks for credentials, not for agents", async () => {
    await page.goto(`${url}/source-servers`);
    await page.getByTestId("aws-credentials-missing").waitFor();
    const table = page.getByTestId("source-servers");
    await table.getByText("No source servers: DRS cannot be reached").waitFor();
    expect(await table.textContent()).toContain("Configure them");
    expect(await table.textContent()).not.toContain("Replication Agent");
  });
});
