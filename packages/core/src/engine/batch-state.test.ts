import { describe, expect, it } from "vitest";
import type { BatchRun } from "../domain/execution.js";
import { toActive, toCancelled, toDone, toLaunching, toPlanned, toUnknown } from "./batch-state.js";

const planned = (): BatchRun => ({
  batchId: "w1-b1",
  kind: "recovery",
  accountId: "111122223333",
  region: "us-east-1",
  sourceServerIds: ["s-1"],
  status: "PLANNED",
  attempt: 0,
  logCount: 0,
  errorCount: 0,
});

describe("batch states", () => {
  it("a transition requires what the new status needs and drops what it does not allow", () => {
    const b = planned();
    toPlanned(b, 5000);
    expect(b).toMatchObject({ status: "PLANNED", notBefore: 5000 });
    const launching = toLaunching(b, 6000);
    expect(launching).toMatchObject({ status: "LAUNCHING", attempt: 1, intentAt: 6000 });
    expect("notBefore" in launching).toBe(false);
    const unknown = toUnknown(launching, true);
    unknown.heldBy = ["drsjob-1"];
    unknown.heldChecks = 2;
    unknown.nextPollAt = 7000;
    const active = toActive(unknown, "drsjob-2", 8000);
    expect(Object.keys(active).filter((k) => ["conflict", "heldBy", "heldChecks"].includes(k))).toEqual([]);
    expect(active).toMatchObject({ status: "ACTIVE", jobId: "drsjob-2", submittedAt: 8000 });
    active.nextPollAt = 9000;
    const done = toDone(active, 10_000);
    expect(done).toMatchObject({ status: "DONE", jobId: "drsjob-2", completedAt: 10_000 });
    expect("nextPollAt" in done).toBe(false);
    // Back to PLANNED (a relaunch): the old job id goes with the old state.
    expect("jobId" in toPlanned(toCancelled(done))).toBe(false);
  });

  it("impossible states do not type-check", () => {
    // These lines are checked by `npm run typecheck` (tsc): each must stay a type error.
    // @ts-expect-error an ACTIVE batch always has its job
    const noJob: BatchRun = { ...planned(), status: "ACTIVE", submittedAt: 1 };
    // @ts-expect-error a PLANNED batch never carries a job id
    const plannedWithJob: BatchRun = { ...planned(), jobId: "drsjob-1" };
    // @ts-expect-error only an UNKNOWN batch waits for holders
    const heldActive: BatchRun = {
      ...planned(),
      status: "ACTIVE",
      jobId: "j",
      submittedAt: 1,
      heldBy: ["j2"],
    };
    expect([noJob, plannedWithJob, heldActive]).toHaveLength(3);
  });
});
