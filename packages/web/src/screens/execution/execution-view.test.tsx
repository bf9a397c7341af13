import createWrapper from "@cloudscape-design/components/test-utils/dom";
import { act, render } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ExecutionDetail } from "../../hooks/use-execution-live.js";
import { type Command, ExecutionView } from "./execution-view.js";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
type Wave = ExecutionDetail["waves"][number];

function wave(id: string, status: Wave["status"], patch: Partial<Wave> = {}): Wave {
  const launched = status === "COMPLETED";
  return {
    waveId: id,
    name: `Wave ${id}`,
    status,
    onFailure: "abort",
    dependsOn: [],
    pauseBefore: false,
    timeoutSeconds: 7200,
    servers: [
      {
        sourceServerId: `s-${id.padEnd(17, "0")}`,
        hostname: `${id}-host-01`,
        accountId: "111122223333",
        region: "us-east-1",
        groupId: "g1",
        impact: "CRITICAL",
        launchStatus: launched
          ? "LAUNCHED"
          : status === "FAILED"
            ? "FAILED"
            : status === "RUNNING"
              ? "IN_PROGRESS"
              : "NOT_STARTED",
        ...(launched
          ? { recoveryInstanceId: `i-${id}recovery`, ec2InstanceId: `i-${id}ec2`, ec2State: "running" }
          : {}),
        ...(status === "FAILED" ? { error: "LAUNCH_FAILED: insufficient capacity" } : {}),
      },
    ],
    jobs: [],
    actions: [],
    ...patch,
  };
}

function detail(patch: Partial<ExecutionDetail>): ExecutionDetail {
  const waves = patch.waves ?? [
    wave("db", "COMPLETED", { startTime: at(0), endTime: at(60) }),
    wave("app", "RUNNING", { startTime: at(60) }),
  ];
  const launched = waves.flatMap((w) => w.servers).filter((s) => s.launchStatus === "LAUNCHED").length;
  const failed = waves.flatMap((w) => w.servers).filter((s) => s.launchStatus === "FAILED").length;
  return {
    executionId: "e1",
    planId: "p1",
    planName: "Billing",
    executionType: "DRILL",
    status: "RUNNING",
    initiatedBy: "operator@example.com",
    startTime: at(0),
    durationSeconds: 90,
    rto: { targetSeconds: 600 },
    counts: {
      waves: waves.length,
      wavesCompleted: waves.filter((w) => w.status === "COMPLETED").length,
      wavesFailed: waves.filter((w) => w.status === "FAILED").length,
      servers: waves.length,
      launched,
      failed,
      optionalFailed: 0,
      inProgress: waves.filter((w) => w.status === "RUNNING").length,
    },
    version: 3,
    pointInTime: { mode: "latest" },
    ...patch,
    waves,
  };
}

const ALL = () => true;

function renderView(d: ExecutionDetail, can: (p: string) => boolean = ALL) {
  const onCommand = vi.fn<(c: Command) => void>();
  const { container } = render(
    <ExecutionView
      detail={d}
      events={[]}
      transport="sse"
      can={can}
      onCommand={onCommand}
      now={T0 + 90_000}
    />,
  );
  const wrapper = createWrapper(container);
  const button = (id: string) => wrapper.findButton(`[data-testid="${id}"]`);
  const state = () => container.querySelector('[data-testid="execution-state"]')!.textContent ?? "";
  const status = () => container.querySelector('[data-testid="execution-status"]')!.textContent ?? "";
  return { container, wrapper, button, state, status, onCommand };
}

describe("execution view states", () => {
  it("running: status, Pause and Cancel, no Resume or Terminate, a Gantt bar per wave", () => {
    const v = renderView(detail({}));
    expect(v.status()).toBe("Running");
    expect(v.button("pause-execution")).not.toBeNull();
    expect(v.button("cancel-execution")).not.toBeNull();
    expect(v.button("resume-execution")).toBeNull();
    expect(v.button("terminate-instances")).toBeNull();
    const bars = v.container.querySelectorAll('[data-testid="gantt-chart"] [data-wave]');
    expect(bars).toHaveLength(2);
    expect(bars[0]!.getAttribute("aria-label")).toContain("Wave db: completed, started at +0s, took 1m 0s");
    expect(bars[1]!.getAttribute("aria-label")).toContain("Wave app: running");
    act(() => v.button("pause-execution")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "pause" });
  });

  it("failback: each server says its failback phase as DRS reports it and what the operator must do", () => {
    const w = wave("db", "RUNNING", { startTime: at(0) });
    w.servers[0] = {
      ...w.servers[0]!,
      launchStatus: "IN_PROGRESS",
      recoveryInstanceId: "i-0123456789abcdef0",
      error: "Waiting for the failback client: boot the DRS Failback Client on the original server",
      failback: { origin: "ON_PREMISES", phase: "waiting-client", drsState: "FAILBACK_NOT_STARTED" },
    };
    const v = renderView(detail({ executionType: "FAILBACK", waves: [w] }));
    act(() => v.wrapper.findTabs()!.findTabLinkById("servers")!.click());
    const text = v.wrapper.findTable('[data-testid="wave-servers-db"]')!.getElement().textContent ?? "";
    expect(text).toContain("Failback (as DRS reports it)");
    expect(text).toContain("Waiting for the failback client (FAILBACK_NOT_STARTED)");
    expect(text).toContain("boot the DRS Failback Client on the original server");
  });

  it("paused before a wave: says why, offers Resume, not Pause", () => {
    const v = renderView(
      detail({
        status: "PAUSED",
        pause: { reason: "pauseBefore", waveId: "app", since: at(60) },
        waves: [
          wave("db", "COMPLETED", { startTime: at(0), endTime: at(60) }),
          wave("app", "WAITING", { pauseBefore: true }),
        ],
      }),
    );
    expect(v.status()).toBe("Paused");
    expect(v.state()).toContain("Paused before Wave app, as the plan asks. Resume to start the wave.");
    expect(v.button("pause-execution")).toBeNull();
    act(() => v.button("resume-execution")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "resume" });
  });

  it("awaiting approval: shows the request with Approve and Reject for that action", () => {
    const v = renderView(
      detail({
        status: "PAUSED",
        pause: { reason: "approval", waveId: "app", actionId: "app-pre-0", since: at(60) },
        waves: [
          wave("db", "COMPLETED", { startTime: at(0), endTime: at(60) }),
          wave("app", "RUNNING", {
            startTime: at(60),
            phase: "pre-actions",
            actions: [
              {
                actionId: "app-pre-0",
                phase: "pre",
                index: 0,
                type: "approval",
                name: "Change board",
                optional: false,
                status: "WAITING_APPROVAL",
                message: "Confirm the database is consistent",
              },
            ],
          }),
        ],
      }),
    );
    expect(v.state()).toContain("Awaiting approval: Change board (Wave app, before launch)");
    expect(v.state()).toContain("Confirm the database is consistent");
    expect(v.state()).not.toContain("Paused by");
    act(() => v.button("approve-action")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "approve", actionId: "app-pre-0" });
    act(() => v.button("reject-action")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "reject", actionId: "app-pre-0" });
  });

  it("a failure waiting for a decision: says what failed and offers Retry, Skip and go on, Abort", () => {
    const v = renderView(
      detail({
        status: "PAUSED",
        pause: { reason: "failure", waveId: "db", since: at(60) },
        waves: [
          wave("db", "FAILED", {
            startTime: at(0),
            endTime: at(60),
            onFailure: "pause",
            awaitingDecision: true,
            error: "1 of 1 server failed to launch",
          }),
          wave("app", "PENDING"),
        ],
      }),
    );
    expect(v.state()).toContain("Wave Wave db failed: waiting for a decision");
    expect(v.state()).toContain("1 of 1 server failed to launch");
    act(() => v.button("retry-wave")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "retry-wave", waveId: "db", waveName: "Wave db" });
    act(() => v.button("skip-wave")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "skip-wave", waveId: "db", waveName: "Wave db" });
    act(() => v.button("abort-wave")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "abort-wave", waveId: "db", waveName: "Wave db" });
    // A wave not started can be skipped from its table; nobody may decide without drs:ManageExecution.
    act(() => v.wrapper.findTabs()!.findTabLinkById("servers")!.click());
    expect(v.button("skip-wave-app")).not.toBeNull();
    const viewer = renderView(
      detail({
        status: "PAUSED",
        pause: { reason: "failure", waveId: "db", since: at(60) },
        waves: [wave("db", "FAILED", { onFailure: "pause", awaitingDecision: true }), wave("app", "PENDING")],
      }),
      (p) => p !== "drs:ManageExecution",
    );
    expect(viewer.button("retry-wave")).toBeNull();
  });

  it("a failed wave under onFailure continue can be retried while the execution goes on", () => {
    const v = renderView(
      detail({
        waves: [
          wave("db", "FAILED", { startTime: at(0), endTime: at(60), onFailure: "continue" }),
          wave("app", "RUNNING", { startTime: at(60) }),
        ],
      }),
    );
    act(() => v.wrapper.findTabs()!.findTabLinkById("servers")!.click());
    act(() => v.button("retry-wave-db")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "retry-wave", waveId: "db", waveName: "Wave db" });
    expect(v.button("skip-wave-app")).toBeNull();
  });

  it("failed: shows the error and the failed server, offers termination of what was launched", () => {
    const v = renderView(
      detail({
        status: "FAILED",
        endTime: at(120),
        error: { code: "WAVE_FAILED", message: "Wave app failed: 1 server did not launch" },
        waves: [
          wave("db", "COMPLETED", { startTime: at(0), endTime: at(60) }),
          wave("app", "FAILED", { startTime: at(60), endTime: at(120), error: "1 server failed" }),
        ],
      }),
    );
    expect(v.status()).toBe("Failed");
    expect(v.state()).toContain("The execution failed");
    expect(v.state()).toContain("Wave app failed: 1 server did not launch");
    expect(v.button("pause-execution")).toBeNull();
    expect(v.button("cancel-execution")).toBeNull();
    expect(v.button("terminate-instances")).not.toBeNull();
    const servers = v.wrapper.findTabs()!;
    act(() => servers.findTabLinkById("servers")!.click());
    const table = v.wrapper.findTable('[data-testid="wave-servers-app"]')!;
    expect(table.findBodyCell(1, 2)!.getElement().textContent).toBe("Failed");
    expect(table.findBodyCell(1, 3)!.getElement().textContent).toBe("Critical");
    expect(table.findBodyCell(1, 8)!.getElement().textContent).toContain("insufficient capacity");
  });

  it("completed drill: RTO met, reminds to terminate, then shows termination progress", () => {
    const done = detail({
      status: "COMPLETED",
      endTime: at(150),
      rto: { targetSeconds: 600, achievedSeconds: 150, met: true },
      waves: [
        wave("db", "COMPLETED", { startTime: at(0), endTime: at(60) }),
        wave("app", "COMPLETED", { startTime: at(60), endTime: at(150) }),
      ],
    });
    const v = renderView(done);
    expect(v.status()).toBe("Completed");
    expect(v.state()).toContain("Every wave completed in 2m 30s (RTO target 10m 0s: met).");
    expect(v.state()).toContain("terminate them when you are done");
    act(() => v.button("terminate-instances")!.click());
    expect(v.onCommand).toHaveBeenCalledWith({ type: "terminate" });
    v.container.remove();

    const terminating = renderView({
      ...done,
      termination: {
        status: "RUNNING",
        reason: "user",
        requestedBy: "operator@example.com",
        total: 2,
        terminated: 1,
        failed: 0,
        instances: [],
      },
    });
    expect(terminating.button("terminate-instances")).toBeNull();
    expect(terminating.container.querySelector('[data-testid="termination"]')!.textContent).toContain(
      "1 of 2 terminated",
    );
  });

  it("missed RTO is shown as missed", () => {
    const v = renderView(
      detail({
        status: "COMPLETED",
        endTime: at(900),
        rto: { targetSeconds: 600, achievedSeconds: 900, met: false },
        waves: [wave("db", "COMPLETED", { startTime: at(0), endTime: at(900) })],
      }),
    );
    expect(v.state()).toContain("(RTO target 10m 0s: missed)");
  });

  it("a read-only caller sees the state but no control", () => {
    const viewer = (p: string) => p === "drs:ViewResources";
    const v = renderView(
      detail({
        status: "PAUSED",
        pause: { reason: "approval", waveId: "app", actionId: "a", since: at(60) },
        waves: [
          wave("app", "RUNNING", {
            startTime: at(0),
            actions: [
              {
                actionId: "a",
                phase: "pre",
                index: 0,
                type: "approval",
                optional: false,
                status: "WAITING_APPROVAL",
              },
            ],
          }),
        ],
      }),
      viewer,
    );
    expect(v.state()).toContain("Awaiting approval");
    for (const id of [
      "pause-execution",
      "resume-execution",
      "cancel-execution",
      "terminate-instances",
      "approve-action",
      "reject-action",
    ])
      expect(v.button(id), id).toBeNull();
  });
});

describe("execution view live figures", () => {
  function view(d: ExecutionDetail, now: number, transport: "sse" | "polling" = "sse") {
    return (
      <ExecutionView detail={d} events={[]} transport={transport} can={ALL} onCommand={() => {}} now={now} />
    );
  }
  const duration = (c: HTMLElement) => c.querySelector('[data-testid="execution-duration"]')?.textContent;

  it("the duration follows the clock while running, not the last update from the server", () => {
    const d = detail({ durationSeconds: 90 });
    const { container, rerender } = render(view(d, T0 + 125_000));
    expect(duration(container)).toBe("2m 5s");
    rerender(view(d, T0 + 126_000));
    expect(duration(container)).toBe("2m 6s");
  });

  it("an ended execution shows its final duration and no Live badge", () => {
    const d = detail({
      status: "COMPLETED",
      endTime: at(300),
      durationSeconds: 300,
      rto: { targetSeconds: 600, achievedSeconds: 300, met: true },
      waves: [
        wave("db", "COMPLETED", { startTime: at(0), endTime: at(60) }),
        wave("app", "COMPLETED", { startTime: at(60), endTime: at(300) }),
      ],
    });
    const { container } = render(view(d, T0 + 900_000));
    expect(duration(container)).toBe("5m 0s");
    expect(container.querySelector('[data-testid="live-indicator"]')).toBeNull();
    expect(container.textContent).not.toMatch(/\bLive\b/);
  });

  it("a running execution shows Live while the stream is connected", () => {
    const { container } = render(view(detail({}), T0 + 90_000));
    expect(container.querySelector('[data-testid="live-indicator"]')?.textContent).toBe("Live");
  });
});

describe("execution view human time", () => {
  const ended = () =>
    detail({
      status: "COMPLETED",
      endTime: at(400),
      durationSeconds: 400,
      rto: {
        targetSeconds: 600,
        achievedSeconds: 400,
        humanSeconds: 100,
        achievedWithoutHumanSeconds: 300,
        met: true,
      },
      pauses: [
        { reason: "pauseBefore", waveId: "app", from: at(60), to: at(120) },
        { reason: "user", by: "ops@example.com", from: at(200), to: at(240) },
      ],
      waves: [
        wave("db", "COMPLETED", { startTime: at(0), endTime: at(60) }),
        wave("app", "COMPLETED", { startTime: at(120), endTime: at(400) }),
      ],
    });

  it("RTO achieved says that it includes human time, and shows the time without it", () => {
    const { container } = render(
      <ExecutionView detail={ended()} events={[]} transport="sse" can={ALL} onCommand={() => {}} now={T0} />,
    );
    const rto = container.querySelector('[data-testid="rto-achieved"]')?.textContent ?? "";
    expect(rto).toContain("6m 40s");
    expect(rto).toContain("including 1m 40s of human time");
    expect(rto).toContain("5m 0s without human time");
  });

  it("the timeline shows the pause before a wave on its row and a user's pause on a row of its own", () => {
    const { container } = render(
      <ExecutionView detail={ended()} events={[]} transport="sse" can={ALL} onCommand={() => {}} now={T0} />,
    );
    const app = container.querySelector('[data-testid="gantt-chart"] [data-wave="app"]')!;
    expect(app.querySelector('[data-segment="pause"] title')?.textContent).toContain(
      "Paused before the wave",
    );
    const own = container.querySelector('[data-testid="gantt-chart"] [data-row="execution-pauses"]')!;
    expect(own.querySelector("[data-segment] title")?.textContent).toContain("Paused by ops@example.com");
  });
});

describe("failback waiting for its failback client", () => {
  function waitingFailback(status: ExecutionDetail["status"] = "RUNNING") {
    const w = wave("db", "RUNNING");
    w.servers[0] = {
      ...w.servers[0]!,
      launchStatus: "PENDING",
      failback: {
        origin: "ON_PREMISES",
        phase: "waiting-client",
        drsState: "FAILBACK_NOT_STARTED",
        recoveryInstanceId: "i-0abc1234567890def",
      },
    };
    return detail({ executionType: "FAILBACK", status, waves: [w] });
  }
  const panel = (v: ReturnType<typeof renderView>) =>
    [...v.container.querySelectorAll('[data-testid="failback-waiting"]')].map((e) => e.textContent ?? "");

  it("says what to boot, for which recovery instance, source server and region", () => {
    const v = renderView(waitingFailback());
    const [text, more] = panel(v);
    expect(more).toBeUndefined();
    expect(text).toContain("Waiting for the failback client: db-host-01 (Wave db)");
    expect(text).toContain("Boot the DRS Failback Client on the original server db-host-01");
    expect(text).toContain("source server s-db000000000000000");
    expect(text).toContain("recovery instance i-0abc1234567890def");
    expect(text).toContain("region us-east-1");
    expect(text).toContain("FAILBACK_NOT_STARTED");
    // Not the simulator: no button to simulate the client.
    expect(v.button("simulate-failback-client")).toBeNull();
  });

  it("in sim mode, a button simulates the failback client of that server", () => {
    const onCommand = vi.fn<(c: Command) => void>();
    const { container } = render(
      <ExecutionView
        detail={waitingFailback()}
        events={[]}
        transport="sse"
        can={ALL}
        onCommand={onCommand}
        now={T0}
        simulator
      />,
    );
    const button = createWrapper(container).findButton('[data-testid="simulate-failback-client"]');
    expect(button?.getElement().textContent).toBe("Simulate failback client");
    act(() => button!.click());
    expect(onCommand).toHaveBeenCalledWith({
      type: "simulate-failback-client",
      serverId: "s-db000000000000000",
    });
  });

  it("no button without drs:ManageExecution; no panel once the failback has ended or for other phases", () => {
    const { container } = render(
      <ExecutionView
        detail={waitingFailback()}
        events={[]}
        transport="sse"
        can={(p) => p === "drs:ViewResources"}
        onCommand={() => {}}
        now={T0}
        simulator
      />,
    );
    expect(container.querySelector('[data-testid="failback-waiting"]')).not.toBeNull();
    expect(container.querySelector('[data-testid="simulate-failback-client"]')).toBeNull();
    expect(panel(renderView(waitingFailback("FAILED")))).toEqual([]);
    const replicating = waitingFailback();
    replicating.waves[0]!.servers[0]!.failback!.phase = "replicating";
    expect(panel(renderView(replicating))).toEqual([]);
  });
});
