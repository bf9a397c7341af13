import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import {
  ADMIN,
  type CliRun,
  docsExample,
  type Product,
  type RecordedCall,
  runDrsctl,
  startProduct,
  startRecordingProxy,
} from "./testing/harness.js";

// The acceptance suite of issue 8: the real drsctl binary, as a child process, against `npm start`'s entry
// point (SQLite + the DRS simulator), through a recording proxy that shows exactly which calls drsctl makes.
describe("drsctl against the product", { timeout: 120_000 }, () => {
  let product: Product;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let work: string;
  let env: Record<string, string>;
  let examplePath: string;

  const drsctl = (args: string[], extra: { input?: string; env?: Record<string, string> } = {}) =>
    runDrsctl(args, {
      env: { ...env, ...extra.env },
      ...(extra.input !== undefined ? { input: extra.input } : {}),
    });
  const mutations = (from: number) =>
    proxy.calls.slice(from).filter((c) => c.method !== "GET" && !c.path.startsWith("/api/auth/"));
  const shape = (calls: RecordedCall[]) => calls.map((c) => `${c.method} ${c.path.replace(/\?.*$/, "")}`);
  const expectOk = (run: CliRun) => {
    if (run.code !== 0) throw new Error(`exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  };

  beforeAll(async () => {
    product = await startProduct();
    proxy = await startRecordingProxy(product.url);
    work = await mkdtemp(join(tmpdir(), "drsctl-work-"));
    env = { HOME: work, DRSCTL_CONFIG: join(work, "config", "drsctl.yaml") };
    examplePath = join(work, "plans.yaml");
    await writeFile(examplePath, await docsExample());
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    await product?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("logs in with the password on stdin and keeps the session in a 0600 file", async () => {
    const run = await drsctl(["login", "--url", proxy.url, "--email", ADMIN.email, "--password-stdin"], {
      input: `${ADMIN.password}\n`,
    });
    expectOk(run);
    expect(run.stdout).toContain("Signed in to");
    expect((await stat(env.DRSCTL_CONFIG!)).mode & 0o777).toBe(0o600);
    const config = await readFile(env.DRSCTL_CONFIG!, "utf8");
    expect(config).toContain("refreshToken");
    expect(config).not.toContain(ADMIN.password);
  });

  it("validates the docs example", async () => {
    const run = await drsctl(["validate", "-f", examplePath]);
    expectOk(run);
    expect(run.stdout).toMatch(/valid \(3 protection group\(s\), 1 recovery plan\(s\)\)/);
  });

  it("applies the docs example with one POST per resource, groups before plans", async () => {
    const from = proxy.calls.length;
    const run = await drsctl(["apply", "-f", examplePath]);
    expectOk(run);
    expect(shape(mutations(from))).toEqual([
      "POST /api/protection-groups",
      "POST /api/protection-groups",
      "POST /api/protection-groups",
      "POST /api/recovery-plans",
    ]);
    expect(mutations(from).every((c) => c.status === 201)).toBe(true);
  });

  it("is idempotent: apply again and export → apply change nothing", async () => {
    const from = proxy.calls.length;
    const again = await drsctl(["apply", "-f", examplePath]);
    expectOk(again);
    expect(again.stdout).toContain("No changes: the server matches the file.");

    const exported = await drsctl(["export"]);
    expectOk(exported);
    const exportedPath = join(work, "exported.yaml");
    await writeFile(exportedPath, exported.stdout);
    const roundTrip = await drsctl(["apply", "-f", exportedPath]);
    expectOk(roundTrip);
    expect(roundTrip.stdout).toContain("No changes: the server matches the file.");
    expect(mutations(from)).toEqual([]);

    const exportedAgain = await drsctl(["export"]);
    expect(exportedAgain.stdout).toBe(exported.stdout);
  });

  it("applies a changed file with exactly the expected calls, updates carrying If-Match", async () => {
    const doc = parseDocument(await readFile(examplePath, "utf8"));
    doc.setIn(["recoveryPlans", 0, "rtoSeconds"], 1800);
    doc.setIn(["protectionGroups", 2, "launchSettings", "targetInstanceTypeRightSizingMethod"], "IN_AWS");
    const groups = doc.get("protectionGroups") as { add: (v: unknown) => void };
    groups.add(
      doc.createNode({
        name: "hr-db",
        accountId: "444455556666",
        region: "us-east-1",
        serverSelectionTags: { App: "hr", Tier: "db" },
      }),
    );
    const changedPath = join(work, "changed.yaml");
    await writeFile(changedPath, doc.toString());

    const diff = await drsctl(["diff", "-f", changedPath]);
    expectOk(diff);
    expect(diff.stdout).toContain('~ protection-group "payments-web"');
    expect(diff.stdout).toContain('~ launchSettings.targetInstanceTypeRightSizingMethod: "BASIC" → "IN_AWS"');
    expect(diff.stdout).toContain('+ protection-group "hr-db"');
    expect(diff.stdout).toContain("~ rtoSeconds: 3600 → 1800");
    expect(diff.stdout).toContain("Plan: 1 to create, 2 to update, 0 to delete.");

    const groupsBefore = JSON.parse((await drsctl(["list", "pg", "-o", "json"])).stdout) as {
      items: Array<{ name: string; groupId: string; version: number }>;
    };
    const web = groupsBefore.items.find((g) => g.name === "payments-web")!;
    const plans = JSON.parse((await drsctl(["list", "plans", "-o", "json"])).stdout) as {
      items: Array<{ name: string; planId: string; version: number }>;
    };
    const payments = plans.items.find((p) => p.name === "payments")!;

    const from = proxy.calls.length;
    const apply = await drsctl(["apply", "-f", changedPath]);
    expectOk(apply);
    const calls = mutations(from);
    expect(shape(calls)).toEqual([
      `PUT /api/protection-groups/${web.groupId}`,
      "POST /api/protection-groups",
      `PUT /api/recovery-plans/${payments.planId}`,
    ]);
    expect(calls[0]!.ifMatch).toBe(`"v${web.version}"`);
    expect(calls[2]!.ifMatch).toBe(`"v${payments.version}"`);
    expect(calls.map((c) => c.status)).toEqual([200, 201, 200]);

    // The audit trail saw the same three changes.
    const audit = JSON.parse((await drsctl(["list", "audit", "--all", "-o", "json"])).stdout) as {
      items: Array<{ action: string }>;
    };
    const writes = audit.items
      .map((a) => a.action)
      .filter((a) => /^(protection-group|recovery-plan)\./.test(a));
    expect(writes.filter((a) => a.endsWith(".update"))).toHaveLength(2);

    const second = await drsctl(["apply", "-f", changedPath]);
    expect(second.stdout).toContain("No changes");
  });

  it("--prune deletes what the file no longer has, after reverting the updates", async () => {
    const list = JSON.parse((await drsctl(["list", "pg", "-o", "json"])).stdout) as {
      items: Array<{ name: string; groupId: string; version: number }>;
    };
    const hr = list.items.find((g) => g.name === "hr-db")!;
    const without = await drsctl(["diff", "-f", examplePath]);
    expect(without.stdout).toContain(
      'Not in the file and left alone (--prune deletes them): protection-group "hr-db"',
    );

    const from = proxy.calls.length;
    const run = await drsctl(["apply", "-f", examplePath, "--prune"]);
    expectOk(run);
    const calls = mutations(from);
    expect(shape(calls)).toEqual([
      expect.stringMatching(/^PUT \/api\/protection-groups\//),
      expect.stringMatching(/^PUT \/api\/recovery-plans\//),
      `DELETE /api/protection-groups/${hr.groupId}`,
    ]);
    expect(calls[2]!.ifMatch).toBe(`"v${hr.version}"`);
    const after = await drsctl(["diff", "-f", examplePath, "--prune"]);
    expect(after.stdout).toContain("No changes");
  });

  it("rejects a bad file with line-numbered errors and changes nothing", async () => {
    const bad = (await readFile(examplePath, "utf8"))
      .replace('accountId: "444455556666"', "accountId: 444455556666")
      .replace("protectionGroups: [payments-app]", "protectionGroups: [payments-ap]")
      .replace("onFailure: continue", "onFailure: sometimes");
    const badPath = join(work, "bad.yaml");
    await writeFile(badPath, bad);
    const before = (await drsctl(["export"])).stdout;
    const from = proxy.calls.length;

    for (const command of ["validate", "diff", "apply"]) {
      const run = await drsctl([command, "-f", badPath]);
      expect(run.code, command).toBe(1);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toContain(
        `${badPath}:8:16: protectionGroups[0].accountId: Invalid input: expected string, received number (quote it in YAML, e.g. accountId: "012345678901", or leading zeros are lost)`,
      );
      expect(
        lines.some((l) => /:\d+:\d+: recoveryPlans\[0\]\.waves\[2\]\.onFailure: Invalid option/.test(l)),
      ).toBe(true);
      expect(lines.at(-1)).toContain("nothing was changed");
    }
    expect(proxy.calls.slice(from).filter((c) => c.method !== "GET")).toEqual([]);

    const references = bad
      .replace("accountId: 444455556666", 'accountId: "444455556666"')
      .replace("onFailure: sometimes", "onFailure: continue");
    await writeFile(badPath, references);
    const run = await drsctl(["apply", "-f", badPath]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /bad\.yaml:\d+:28: recoveryPlans\[0\]\.waves\[1\]\.protectionGroups\[0\]: unknown protection group "payments-ap"/,
    );
    expect((await drsctl(["export"])).stdout).toBe(before);
  });

  it("prints stable JSON", async () => {
    const first = await drsctl(["diff", "-f", examplePath, "--prune", "-o", "json"]);
    const second = await drsctl(["diff", "-f", examplePath, "--prune", "-o", "json"]);
    expectOk(first);
    expect(first.stdout).toBe(second.stdout);
    expect(JSON.parse(first.stdout)).toEqual({
      changes: [],
      summary: { create: 0, update: 0, delete: 0 },
      unmanaged: [],
    });
    const groups = JSON.parse((await drsctl(["list", "protection-groups", "-o", "json"])).stdout) as {
      items: Array<{ name: string }>;
    };
    expect(groups.items.map((g) => g.name).sort()).toEqual(["payments-app", "payments-db", "payments-web"]);
  });

  let drillId = "";
  it("run --drill --wait in a pipe: append-only lines, no control codes, exit 0", async () => {
    const run = await drsctl(["run", "payments", "--drill", "--wait", "--interval", "0.5"]);
    expectOk(run);
    expect(run.stdout).not.toContain("\x1b");
    expect(run.stdout).toMatch(
      /^COMPLETED: DRILL of "payments" after \d+s — waves 3\/3 completed; servers 3\/3 launched$/m,
    );
    expect(run.stdout).toMatch(/^RTO: \d+s against a target of 1h00m00s \(met\)$/m);
    expect(run.stdout).toMatch(/^\[\+\d+s\] Wave 'Databases' started/m);
    drillId = /Started DRILL ([0-9a-f-]{36})/.exec(run.stdout)![1]!;
  }, 120_000);

  it("report, logs and get work on the finished drill", async () => {
    const report = await drsctl(["report", drillId]);
    expectOk(report);
    expect(report.stdout).toMatch(/^# DRILL report: payments/m);
    // The same content as the web report: every server (account, region, recovery instance, times, outcome)
    // and every human action.
    const web = JSON.parse((await drsctl(["report", drillId, "--format", "json"])).stdout) as {
      servers: Array<{
        sourceServerId: string;
        accountId: string;
        region: string;
        recoveryInstanceId: string;
        startTime: string;
        outcome: string;
      }>;
      humanActions: Array<{ action: string; by: string }>;
    };
    expect(web.servers).toHaveLength(3);
    for (const s of web.servers) {
      const row = report.stdout
        .split("\n")
        .find((l) => l.includes(s.sourceServerId) && l.includes(s.outcome));
      expect(row).toContain(`${s.accountId}/${s.region}`);
      expect(row).toContain(s.recoveryInstanceId);
      expect(row).toContain(s.startTime);
    }
    expect(web.humanActions[0]?.action).toBe("started");
    expect(report.stdout).toMatch(/^## Human actions$/m);
    expect(report.stdout).toContain(`| started |`);
    expect(report.stdout).toMatch(/RTO achieved without human time/);
    const json = await drsctl(["report", drillId, "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      execution: { executionId: drillId, status: "COMPLETED" },
    });
    const logs = await drsctl(["logs", drillId]);
    expectOk(logs);
    expect(logs.stdout).toContain("JOB_START");
    const get = await drsctl(["get", "execution", drillId, "-o", "json"]);
    expect(JSON.parse(get.stdout)).toMatchObject({ executionId: drillId, status: "COMPLETED" });
  });

  it("run --drill --wait exits 3 when every launch fails, and -o json prints the final document only", async () => {
    const inject = await fetch(`${product.simulatorUrl}/__sim/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ launchFailureRate: 1 }),
    });
    expect(inject.ok).toBe(true);
    try {
      const run = await drsctl(["run", "payments", "--drill", "--wait", "--interval", "0.5", "-o", "json"]);
      expect(run.code, run.stderr).toBe(3);
      const detail = JSON.parse(run.stdout) as {
        status: string;
        counts: { launched: number; failed: number };
        waves: Array<{ status: string }>;
      };
      expect(detail.status).toBe("FAILED");
      expect(detail.counts.launched).toBe(0);
      expect(detail.counts.failed).toBeGreaterThan(0);
      expect(detail.waves.map((w) => w.status)).toEqual(["FAILED", "SKIPPED", "SKIPPED"]);
      expect(run.stderr).toMatch(/^FAILED: DRILL of "payments"/m);

      const plain = await drsctl(["run", "payments", "--drill", "--wait", "--interval", "0.5"]);
      expect(plain.code).toBe(3);
      expect(plain.stdout).toMatch(/^error: WAVE_FAILED: /m);
    } finally {
      await fetch(`${product.simulatorUrl}/__sim/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ launchFailureRate: 0 }),
      });
    }
  }, 120_000);

  it("retry-wave, skip-wave and abort-wave decide what a failure waiting for a person means", async () => {
    const file = join(work, "pause.yaml");
    await writeFile(
      file,
      // The docs example (its groups) plus a plan whose first wave pauses for a decision when it fails.
      [
        (await docsExample()).trimEnd(),
        "  - name: payments-pause",
        "    waves:",
        "      - { waveId: db, name: Databases, protectionGroups: [payments-db], onFailure: pause }",
        "      - { waveId: app, name: Application servers, protectionGroups: [payments-app], dependsOn: [db] }",
        "",
      ].join("\n"),
    );
    expectOk(await drsctl(["apply", "-f", file]));
    const sim = (knobs: Record<string, unknown>) =>
      fetch(`${product.simulatorUrl}/__sim/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(knobs),
      });
    expect((await sim({ launchFailureRate: 1 })).ok).toBe(true);
    let id = "";
    try {
      const started = await drsctl(["run", "payments-pause", "--drill", "-o", "json"]);
      expectOk(started);
      id = (JSON.parse(started.stdout) as { executionId: string }).executionId;
      const detail = async () =>
        JSON.parse((await drsctl(["get", "execution", id, "-o", "json"])).stdout) as {
          status: string;
          pause?: { reason: string };
          waves: Array<{ status: string; retries?: number }>;
        };
      for (let i = 0; i < 240 && (await detail()).pause?.reason !== "failure"; i++)
        await new Promise((r) => setTimeout(r, 250));
      expect((await detail()).pause?.reason).toBe("failure");
      const unknown = await drsctl(["retry-wave", id, "no-such-wave"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("has no wave 'no-such-wave'");
      const tooEarly = await drsctl(["abort-wave", id, "app"]);
      expect(tooEarly.code).toBe(1);
      expect(tooEarly.stderr).toContain("INVALID_STATE");
    } finally {
      await sim({ launchFailureRate: 0 });
    }
    const retry = await drsctl(["retry-wave", id, "Databases", "--comment", "capacity is back"]);
    expectOk(retry);
    expect(retry.stdout).toContain("Retrying wave 'Databases' (db)");
    const watched = await drsctl(["watch", id, "--interval", "0.5"]);
    expect(watched.code, watched.stderr).toBe(0);
    const final = JSON.parse((await drsctl(["get", "execution", id, "-o", "json"])).stdout) as {
      status: string;
      waves: Array<{ status: string; retries?: number }>;
    };
    expect(final.status).toBe("COMPLETED");
    expect(final.waves[0]!.retries).toBe(1);
  }, 120_000);

  it("usage errors exit 2 and API errors exit 1", async () => {
    expect((await drsctl(["run", "payments"])).code).toBe(2);
    expect((await drsctl(["run", "payments", "--recovery"])).code).toBe(2);
    expect((await drsctl(["no-such-command"])).code).toBe(2);
    const pit = await drsctl(["run", "payments", "--drill", "--point-in-time", "yesterday"]);
    expect(pit.code).toBe(2);
    expect(pit.stderr).toContain("--point-in-time must be an ISO time");
    const early = await drsctl(["run", "payments", "--drill", "--point-in-time", "2020-01-01T00:00:00Z"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("NO_SNAPSHOT_AT_POINT_IN_TIME");
    const missing = await drsctl(["get", "recovery-plan", "no-such-plan"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no recovery plan named "no-such-plan"');
    const notFound = await drsctl(["get", "execution", "00000000-0000-4000-8000-000000000000"]);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(/GET \/executions\/00000000-0000-4000-8000-000000000000 → 404/);
  });
});
