import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bashCompletion, commandTree, zshCompletion } from "./commands/completion.js";
import { EXIT } from "./errors.js";
import { formatTime } from "./output.js";
import { createProgram, runCli } from "./program.js";
import { Capture, FakeApi, fakeIo } from "./testing/fake-api.js";
import { docsExample } from "./testing/harness.js";

let dir: string;
let api: FakeApi;
let env: Record<string, string>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drsctl-unit-"));
  api = new FakeApi();
  env = { DRSCTL_CONFIG: join(dir, "drsctl", "config.yaml"), HOME: dir };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], extraEnv: Record<string, string> = {}, overrides = {}) {
  const { io, stdout, stderr } = fakeIo(api, { ...env, ...extraEnv }, overrides);
  const code = await runCli(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function login() {
  const run = await cli(["login", "--url", api.base, "--email", "admin@example.com"], {
    DRSCTL_PASSWORD: api.password,
  });
  expect(run.code, run.stderr).toBe(0);
}

describe("exit codes and help", () => {
  it("exits 2 on usage errors and 0 on --help", async () => {
    expect((await cli([])).code).toBe(EXIT.USAGE);
    expect((await cli(["frobnicate"])).code).toBe(EXIT.USAGE);
    expect((await cli(["list", "executions", "--no-such-flag"])).code).toBe(EXIT.USAGE);
    expect((await cli(["-o", "xml", "version"])).code).toBe(EXIT.USAGE);
    expect((await cli(["validate"])).code).toBe(EXIT.USAGE);
    expect((await cli(["--help"])).code).toBe(EXIT.OK);
    const help = await cli(["run", "--help"]);
    expect(help.code).toBe(EXIT.OK);
    expect(help.stdout).toContain("drsctl run payments --drill --wait");
  });

  it("gives every command --help with examples", () => {
    const { io } = fakeIo(api, env);
    const program = createProgram(io);
    const missing: string[] = [];
    const visit = (command: Command, path: string) => {
      for (const sub of command.commands) {
        if (sub.name() === "help") continue;
        const name = `${path} ${sub.name()}`.trim();
        const help = sub.helpInformation() + ((sub as unknown as { _helpText?: string })._helpText ?? "");
        let text = "";
        sub.configureOutput({ writeOut: (s) => (text += s), writeErr: () => {} });
        sub.outputHelp();
        if (!text.includes("Examples:")) missing.push(name);
        expect(help.length).toBeGreaterThan(0);
        visit(sub, name);
      }
    };
    visit(program, "");
    expect(missing).toEqual([]);
  });

  it("exits 1 with the problem's code when the API refuses, and on network errors", async () => {
    await login();
    api.failures.set("GET /protection-groups", [500, "INTERNAL"]);
    const refused = await cli(["list", "pg"]);
    expect(refused.code).toBe(EXIT.FAILURE);
    expect(refused.stderr).toContain("GET /protection-groups → 500 INTERNAL: injected INTERNAL");
    const down = await cli(
      ["list", "pg"],
      {},
      {
        fetch: async () => {
          throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
        },
      },
    );
    expect(down.code).toBe(EXIT.FAILURE);
    expect(down.stderr).toContain("cannot reach the API");
  });

  it("refuses a recovery without the typed plan name when nobody can be asked", async () => {
    await login();
    api.plans.set("p1", {
      planId: "4a4a4a4a-4444-4444-8444-444444444444",
      version: 1,
      name: "payments",
      waves: [],
    });
    expect((await cli(["run", "payments"])).code).toBe(EXIT.USAGE);
    expect((await cli(["run", "payments", "--drill", "--failback"])).code).toBe(EXIT.USAGE);
    const noConfirm = await cli(["run", "payments", "--recovery"]);
    expect(noConfirm.code).toBe(EXIT.USAGE);
    expect(noConfirm.stderr).toContain('a RECOVERY needs --confirm "payments"');
    expect((await cli(["run", "payments", "--recovery", "--confirm", "Payments"])).code).toBe(EXIT.USAGE);
    expect(api.calls.filter((c) => c.method === "POST" && c.path.includes("/execute"))).toEqual([]);
  });
});

describe("login, profiles and tokens", () => {
  it("keeps tokens in a 0600 file, never the password", async () => {
    await login();
    expect((await stat(env.DRSCTL_CONFIG!)).mode & 0o777).toBe(0o600);
    const text = await readFile(env.DRSCTL_CONFIG!, "utf8");
    expect(text).toContain("currentProfile: default");
    expect(text).not.toContain(api.password);
    const profiles = await cli(["profile", "list", "-o", "json"]);
    expect(JSON.parse(profiles.stdout)).toEqual([
      {
        current: true,
        name: "default",
        url: api.base,
        auth: "local",
        email: "admin@example.com",
        signedIn: true,
      },
    ]);
  });

  it("refreshes an expiring token, saves the rotated refresh token, and never reuses one", async () => {
    await login();
    const before = await readFile(env.DRSCTL_CONFIG!, "utf8");
    api.now += 44 * 60_000;
    expect((await cli(["whoami"])).code).toBe(0);
    const after = await readFile(env.DRSCTL_CONFIG!, "utf8");
    expect(after).not.toBe(before);
    api.now += 44 * 60_000;
    expect((await cli(["whoami"])).code).toBe(0);
    expect(api.calls.filter((c) => c.path === "/api/auth/refresh")).toHaveLength(2);
    expect(api.revokedAll).toBe(false);
  });

  it("two drsctl runs refreshing at once share one rotation instead of reusing a refresh token", async () => {
    await login();
    api.now += 50 * 60_000;
    const results = await Promise.all([cli(["whoami"]), cli(["whoami"]), cli(["whoami"])]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(api.calls.filter((c) => c.path === "/api/auth/refresh")).toHaveLength(1);
    expect(api.revokedAll).toBe(false);
  });

  it("retries once with a fresh token when the API rejects one, and signs in from the environment", async () => {
    await login();
    api.validIdTokens.clear();
    expect((await cli(["whoami"])).code).toBe(0);
    api.validIdTokens.clear();
    api.revokedAll = true;
    const expired = await cli(["whoami"]);
    expect(expired.code).toBe(EXIT.FAILURE);
    expect(expired.stderr).toContain("GET /users/profile → 401 UNAUTHENTICATED");
    expect(expired.stderr).toContain("hint: sign in again with drsctl login");
    api.revokedAll = false;
    expect((await cli(["whoami"], { DRSCTL_PASSWORD: api.password })).code).toBe(0);
  });

  it("never sends a profile's tokens to another URL given by DRSCTL_URL", async () => {
    await login();
    const run = await cli(["whoami"], { DRSCTL_URL: "http://other.test" });
    expect(run.code).toBe(EXIT.FAILURE);
    expect(
      api.calls.filter((c) => c.path.startsWith("/api/") && c.authorization && c.path.includes("users")),
    ).toHaveLength(1);
  });
});

describe("apply through the API", () => {
  it("creates, then stops at a 412 with what was and was not done", async () => {
    await login();
    const file = join(dir, "plans.yaml");
    await writeFile(file, await docsExample());
    const created = await cli(["apply", "-f", file]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("Apply complete: 4 created, 0 updated, 0 deleted.");
    const groupIds = Object.fromEntries([...api.groups.values()].map((g) => [g.name, g.groupId]));
    const posted = api.calls.filter((c) => c.method === "POST" && !c.path.startsWith("/api/auth"));
    expect(posted.map((c) => c.path)).toEqual([
      "/api/protection-groups",
      "/api/protection-groups",
      "/api/protection-groups",
      "/api/recovery-plans",
    ]);
    const plan = [...api.plans.values()][0]!;
    expect((plan.waves as Array<{ protectionGroupIds: string[] }>).map((w) => w.protectionGroupIds)).toEqual([
      [groupIds["payments-db"]],
      [groupIds["payments-app"]],
      [groupIds["payments-web"]],
    ]);

    const changed = (await docsExample())
      .replace("description: Payments databases", "description: Payments databases (PostgreSQL)")
      .replace("rtoSeconds: 3600", "rtoSeconds: 1800");
    await writeFile(file, changed);
    // Someone edits the plan after drsctl read it: the plan's PUT gets 412, nothing after it happens.
    api.failures.set(`PUT /recovery-plans/${plan.planId}`, [412, "PRECONDITION_FAILED"]);
    const from = api.calls.length;
    const run = await cli(["apply", "-f", file]);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr).toContain('update of recovery-plan "payments" failed');
    expect(run.stderr).toContain("changed on the server after drsctl read it");
    expect(run.stderr).toContain("1 change was applied before the failure.");
    const writes = api.calls.slice(from).filter((c) => c.method === "PUT");
    expect(writes.map((c) => [c.path, c.ifMatch])).toEqual([
      [`/api/protection-groups/${groupIds["payments-db"]}`, '"v1"'],
      [`/api/recovery-plans/${plan.planId}`, '"v1"'],
    ]);
  });

  it("prints one JSON document for apply -o json", async () => {
    await login();
    const file = join(dir, "plans.yaml");
    await writeFile(file, await docsExample());
    const run = await cli(["apply", "-f", file, "-o", "json"]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { summary: unknown; applied: unknown[]; changes: unknown[] };
    expect(doc.summary).toEqual({ create: 4, update: 0, delete: 0 });
    expect(doc.applied).toHaveLength(4);
  });
});

describe("watching an execution", () => {
  const id = "7e7e7e7e-7777-4777-8777-777777777777";
  const detail = (status: string, extra: Record<string, unknown> = {}) => ({
    executionId: id,
    planId: "p",
    planName: "payments",
    executionType: "DRILL",
    status,
    initiatedBy: "admin@example.com",
    startTime: "2026-01-01T00:00:00.000Z",
    durationSeconds: 0,
    rto: { targetSeconds: 3600 },
    counts: { waves: 1, wavesCompleted: 0, wavesFailed: 0, servers: 2, launched: 0, failed: 0 },
    waves: [
      {
        waveId: "db",
        name: "Databases",
        status: status === "PENDING" ? "PENDING" : status,
        servers: [
          {
            sourceServerId: "s-1",
            hostname: "db-1",
            launchStatus: status === "COMPLETED" ? "LAUNCHED" : "FAILED",
          },
          {
            sourceServerId: "s-2",
            hostname: "db-2",
            launchStatus: status === "COMPLETED" ? "LAUNCHED" : "FAILED",
          },
        ],
        actions: [],
      },
    ],
    version: 1,
    ...extra,
  });
  const event = (seq: number, message: string) => ({
    executionId: id,
    seq,
    at: Date.parse("2026-01-01T00:00:00.000Z") + seq * 1000,
    type: "x",
    message,
  });

  it("prints append-only lines without control codes in a pipe and exits 0 on COMPLETED", async () => {
    await login();
    api.executions.set(id, { detail: detail("RUNNING"), events: [] });
    api.executionScript.set(id, [
      { ...detail("RUNNING"), __events: [event(1, "DRILL started"), event(2, "Wave 'Databases' started")] },
      { ...detail("RUNNING") },
      {
        ...detail("COMPLETED", {
          endTime: "2026-01-01T00:00:08.000Z",
          rto: { targetSeconds: 3600, achievedSeconds: 8, met: true },
          counts: { waves: 1, wavesCompleted: 1, wavesFailed: 0, servers: 2, launched: 2, failed: 0 },
        }),
        __events: [event(3, "Wave 'Databases' completed")],
      },
    ]);
    const run = await cli(["watch", id, "--interval", "1"]);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout.includes("\x1b")).toBe(false);
    expect(run.stdout.split("\n")).toEqual([
      `Watching DRILL ${id} of "payments" (1 wave, 2 servers, started ${formatTime("2026-01-01T00:00:00.000Z")}, target RTO 1h00m00s)`,
      "[+1s] DRILL started",
      "[+2s] Wave 'Databases' started",
      "[+3s] Wave 'Databases' completed",
      'COMPLETED: DRILL of "payments" after 8s — waves 1/1 completed; servers 2/2 launched',
      "RTO: 8s against a target of 1h00m00s (met)",
      "",
    ]);
  });

  it("exits 3 on FAILED and prints only the final document with -o json", async () => {
    await login();
    const failed = detail("FAILED", {
      endTime: "2026-01-01T00:00:05.000Z",
      counts: { waves: 1, wavesCompleted: 0, wavesFailed: 1, servers: 2, launched: 0, failed: 2 },
      error: { code: "WAVE_FAILED", message: "Wave 'Databases' failed" },
    });
    api.executions.set(id, { detail: failed, events: [event(1, "failed")] });
    const run = await cli(["watch", id, "-o", "json"]);
    expect(run.code).toBe(EXIT.EXECUTION_FAILED);
    expect(JSON.parse(run.stdout)).toEqual(failed);
    expect(run.stderr).toContain("error: WAVE_FAILED: Wave 'Databases' failed");
  });

  it("redraws a frame in place on a terminal", async () => {
    await login();
    api.executions.set(id, { detail: detail("RUNNING"), events: [] });
    api.executionScript.set(id, [
      detail("RUNNING"),
      detail("COMPLETED", { endTime: "2026-01-01T00:00:04.000Z" }),
    ]);
    const terminal = new Capture(true, 120);
    const run = await cli(["watch", id], {}, { stderr: terminal });
    expect(run.code).toBe(EXIT.OK);
    expect(terminal.text).toContain("\x1b[2K");
    expect(terminal.text).toMatch(/\[\d+F/); // after ESC: cursor up to redraw the frame
    expect(terminal.text).toContain("Databases");
    expect(terminal.text).toContain("[████████████████████] 2/2 launched");
  });
});

describe("shell completion", () => {
  it("lists every command path, aliases included", () => {
    const { io } = fakeIo(api, env);
    const tree = commandTree(createProgram(io));
    const paths = tree.map((n) => n.path);
    expect(paths).toContain("list protection-groups");
    expect(paths).toContain("list pg");
    expect(tree.find((n) => n.path === "run")!.options).toEqual(
      expect.arrayContaining(["--drill", "--wait", "-o"]),
    );
  });

  it("completes commands, subcommands and options in bash", () => {
    const { io } = fakeIo(api, env);
    const script = bashCompletion(createProgram(io));
    const complete = (words: string[]) => {
      const result = spawnSync(
        "bash",
        [
          "-c",
          `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _drsctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: "utf8" },
      );
      expect(result.status, result.stderr).toBe(0);
      return result.stdout.trim().split("\n");
    };
    expect(complete(["drsctl", "li"])).toEqual(["list"]);
    expect(complete(["drsctl", "list", "rec"])).toEqual(["recovery-plans"]);
    expect(complete(["drsctl", "run", "payments", "--dr"])).toEqual(["--drill"]);
    expect(complete(["drsctl", "-o", "j"])).toEqual(["json"]);
    expect(complete(["drsctl", "completion", "z"])).toEqual(["zsh"]);
  });

  it("writes a zsh script that zsh parses", (context) => {
    const { io } = fakeIo(api, env);
    const script = zshCompletion(createProgram(io));
    expect(script).toMatch(/^#compdef drsctl/);
    const zsh = spawnSync("zsh", ["-n"], { input: script, encoding: "utf8" });
    if (zsh.error) {
      console.log("skipping the zsh syntax check: zsh is not installed on this machine");
      context.skip();
    }
    expect(zsh.status, zsh.stderr).toBe(0);
  });
});
