import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, type Product, runDrsctl, startProduct } from "./testing/harness.js";

// drsctl check's exit codes for pipelines: the real binary against `npm start`'s entry point (SQLite + simulator).
describe("drsctl check PLAN", { timeout: 180_000 }, () => {
  let product: Product;
  let token: string;
  const PROD = { accountId: "111122223333", region: "us-east-1" };

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${product.url}/api${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const env = () => ({
    HOME: product.dataDir,
    DRSCTL_URL: product.url,
    DRSCTL_EMAIL: ADMIN.email,
    DRSCTL_PASSWORD: ADMIN.password,
  });
  const check = (args: string[], extra: Record<string, string> = {}) =>
    runDrsctl(["check", ...args], { env: { ...env(), ...extra } });

  let web01: string;
  beforeAll(async () => {
    product = await startProduct();
    const login = await fetch(`${product.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    token = ((await login.json()) as { idToken: string }).idToken;
    const group = await api<{ groupId: string }>("POST", "/protection-groups", {
      name: "check-web",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "web", Environment: "prod" },
    });
    await api("POST", "/recovery-plans", {
      name: "check-me",
      rpoSeconds: 3600,
      waves: [{ name: "web", protectionGroupIds: [group.groupId] }],
    });
    const servers = await api<{ items: Array<{ sourceServerId: string; hostname: string }> }>(
      "GET",
      `/drs/source-servers?region=${PROD.region}&accountId=${PROD.accountId}`,
    );
    web01 = servers.items.find((s) => s.hostname === "web-orders-01")!.sourceServerId;
  }, 120_000);
  let freshHome: string | undefined;
  afterAll(async () => {
    await product?.stop();
    if (freshHome) await rm(freshHome, { recursive: true, force: true });
  });

  it("exits 1 with WARNINGS for a plan never drilled, naming the check and its fix", async () => {
    const run = await check(["check-me"]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain("check-me: WARNINGS");
    expect(run.stdout).toContain("drill-age");
    expect(run.stdout).toMatch(/fix 1 \(drill-age\): Run a DRILL/);
  });

  it("exits 0 when READY (after a drill) and 2 when NOT_READY (a stalled server), with JSON output", async () => {
    const plan = (
      await api<{ items: Array<{ planId: string }> }>("GET", "/recovery-plans?nameExact=check-me")
    ).items[0]!;
    const started = await api<{ executionId: string }>("POST", `/recovery-plans/${plan.planId}/execute`, {
      executionType: "DRILL",
    });
    for (let i = 0; ; i++) {
      const e = await api<{ status: string }>("GET", `/executions/${started.executionId}`);
      if (e.status === "COMPLETED") break;
      if (i > 240 || e.status === "FAILED" || e.status === "CANCELLED") throw new Error(e.status);
      await new Promise((r) => setTimeout(r, 250));
    }
    const ready = await check([plan.planId]);
    expect(ready.code, ready.stdout + ready.stderr).toBe(0);
    expect(ready.stdout).toContain("READY");

    const stall = await fetch(`${product.simulatorUrl}/__sim/source-servers/${web01}/state`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state: "STALLED" }),
    });
    expect(stall.ok).toBe(true);
    const notReady = await check(["check-me", "-o", "json"]);
    expect(notReady.code).toBe(2);
    const body = JSON.parse(notReady.stdout) as {
      status: string;
      checks: Array<{ check: string; hostname?: string }>;
    };
    expect(body.status).toBe("NOT_READY");
    expect(body.checks).toContainEqual(
      expect.objectContaining({ check: "replication-state", hostname: "web-orders-01" }),
    );
  });

  it("exits 4 for usage errors and an unknown plan, 5 when it cannot check", async () => {
    expect((await check([])).code).toBe(4);
    expect((await check(["check-me", "--no-such-option"])).code).toBe(4);
    const unknown = await check(["no-such-plan"]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("no recovery plan named");
    // A home of its own: no session stored by the runs above.
    freshHome = await mkdtemp(join(tmpdir(), "drsctl-check-"));
    const badPassword = await check(["check-me"], {
      HOME: freshHome,
      DRSCTL_PASSWORD: "wrong-password-1",
    });
    expect(badPassword.code, badPassword.stderr).toBe(5);
    const unreachable = await check(["check-me"], { DRSCTL_URL: "http://127.0.0.1:9" });
    expect(unreachable.code, unreachable.stderr).toBe(5);
  });
});
