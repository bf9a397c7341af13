import { describe, expect, it } from "vitest";
import { type ExecutionDetail, progressBar, renderFrame, summaryLines } from "./view.js";

const detail = {
  executionId: "e-1",
  planId: "p-1",
  planName: "payments",
  executionType: "DRILL",
  status: "PAUSED",
  initiatedBy: "a@example.com",
  startTime: "2026-01-01T00:00:00.000Z",
  durationSeconds: 90,
  rto: { targetSeconds: 60 },
  counts: { waves: 2, wavesCompleted: 1, wavesFailed: 0, servers: 3, launched: 1, failed: 1 },
  pause: { reason: "approval", waveId: "app" },
  waves: [
    {
      waveId: "db",
      name: "Databases",
      status: "COMPLETED",
      durationSeconds: 40,
      servers: [{ sourceServerId: "s-1", hostname: "db-1", launchStatus: "LAUNCHED", ec2InstanceId: "i-1" }],
      actions: [],
    },
    {
      waveId: "app",
      name: "Application",
      status: "WAITING",
      servers: [
        { sourceServerId: "s-2", hostname: "app-1", launchStatus: "FAILED", error: "conversion failed" },
        { sourceServerId: "s-3", hostname: "app-2", launchStatus: "IN_PROGRESS" },
      ],
      actions: [
        {
          actionId: "app-pre-0",
          phase: "pre",
          type: "approval",
          name: "sign-off",
          status: "WAITING_APPROVAL",
          message: "Call the DBA",
        },
      ],
    },
  ],
  version: 3,
} as unknown as ExecutionDetail;

describe("the live view", () => {
  it("draws waves with progress bars, servers, RTO and the approval to give", () => {
    const frame = renderFrame(detail, [], Date.parse("2026-01-01T00:01:30.000Z"), 200);
    expect(frame[0]).toBe('DRILL of "payments" — PAUSED — elapsed 1m30s / target RTO 1m00s — OVER TARGET');
    expect(frame).toContain(
      "  ✓ Databases   [████████████████████] 1/1 launched                             COMPLETED 40s",
    );
    expect(
      frame.some((l) =>
        l.includes("⏸ Application [▓▓▓▓▓▓▓▓▓▓░░░░░░░░░░] 0/2 launched, 1 failed, 1 in progress    WAITING"),
      ),
    ).toBe(true);
    expect(frame).toContain("      app-1                        FAILED       conversion failed");
    expect(
      frame.some((l) =>
        l.includes(
          'waiting for approval: wave "Application", pre-action "sign-off" (app-pre-0): Call the DBA — drsctl approve e-1 --action app-pre-0',
        ),
      ),
    ).toBe(true);
  });

  it("says how to decide a failure waiting for a person (onFailure pause)", () => {
    const failed = {
      ...detail,
      pause: { reason: "failure", waveId: "app" },
      waves: [detail.waves[0], { ...detail.waves[1], status: "FAILED", actions: [] }],
    } as unknown as ExecutionDetail;
    const frame = renderFrame(failed, [], Date.parse("2026-01-01T00:01:30.000Z"), 300);
    expect(frame).toContain(
      "  ⏸ wave app failed and waits for a decision — drsctl retry-wave e-1 app | skip-wave e-1 app | abort-wave e-1 app",
    );
  });

  it("shows an ASCII bar for plain output", () => {
    expect(progressBar(1, 1, 4, 8, false)).toBe("[##xx----]");
  });

  it("calls out failures hidden under onFailure: continue", () => {
    const completed = {
      ...detail,
      status: "COMPLETED",
      endTime: "2026-01-01T00:00:50.000Z",
      rto: { targetSeconds: 60, achievedSeconds: 50, met: true },
    } as unknown as ExecutionDetail;
    expect(summaryLines(completed, 0)).toEqual([
      'COMPLETED: DRILL of "payments" after 50s — waves 1/2 completed; servers 1/3 launched, 1 failed',
      "RTO: 50s against a target of 1m00s (met)",
      'warning: completed with failures under onFailure: continue (wave "Application"); see drsctl report e-1',
    ]);
  });
});
