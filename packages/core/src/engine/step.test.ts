import { describe, expect, it } from "vitest";
import type { DrsJob } from "../domain/drs.js";
import type { Execution, ExecutionCommand, GroupSnapshot } from "../domain/execution.js";
import { normalizeWaves, type RecoveryPlan, type WaveInput } from "../domain/recovery-plan.js";
import { DEFAULT_SETTINGS, type Settings } from "../domain/settings.js";
import { createExecution } from "./create-execution.js";
import { step, TAG_BATCH, TAG_EXECUTION } from "./step.js";
import { LOOKUP_SETTLE_MS } from "./timing.js";
import type { Effect, Observation, StepContext } from "./types.js";

const T0 = Date.UTC(2026, 0, 1);
const A = { accountId: "111122223333", region: "us-east-1" };
const sid = (n: number) => `s-${n.toString(16).padStart(17, "0")}`;

function group(id: string, servers: number[], target = A): GroupSnapshot {
  return {
    groupId: id,
    name: id,
    ...target,
    selectionMode: "explicit",
    servers: servers.map((n) => ({ sourceServerId: sid(n), hostname: `host-${n}` })),
  };
}

function plan(waves: WaveInput[], extra: Partial<RecoveryPlan> = {}): RecoveryPlan {
  return {
    planId: "p1",
    name: "Plan",
    waves: normalizeWaves(waves),
    owner: "o",
    createdAt: "",
    updatedAt: "",
    version: 1,
    ...extra,
  };
}

function start(
  waves: WaveInput[],
  groups: GroupSnapshot[],
  type: Execution["executionType"] = "DRILL",
  extra: Partial<RecoveryPlan> = {},
) {
  return createExecution({
    executionId: "e1",
    plan: plan(waves, extra),
    groups,
    executionType: type,
    initiatedBy: "alice",
    now: T0,
  }).execution;
}

function ctx(
  now: number,
  settings: Partial<Settings> = {},
  otherUsage: StepContext["otherUsage"] = {},
): StepContext {
  return {
    now,
    settings: {
      ...DEFAULT_SETTINGS,
      ...settings,
      quotas: { ...DEFAULT_SETTINGS.quotas, ...settings.quotas },
    },
    otherUsage,
  };
}

function job(
  effect: Extract<Effect, { kind: "launch" }>,
  status: DrsJob["status"],
  launch: DrsJob["participants"][number]["launchStatus"] = "PENDING",
  jobId = "drsjob-00000000000000001",
): DrsJob {
  return {
    ...effect.target,
    jobId,
    type: "LAUNCH",
    status,
    tags: effect.tags,
    createdAt: new Date(T0).toISOString(),
    participants: effect.sourceServerIds.map((sourceServerId, i) => ({
      sourceServerId,
      launchStatus: launch,
      ...(launch === "LAUNCHED" ? { recoveryInstanceId: `i-${String(i).padStart(17, "0")}` } : {}),
    })),
  };
}

const ok = (effect: Effect, value: Extract<Observation, { ok: true }>["value"]): Observation => ({
  type: "effect",
  effect,
  ok: true,
  value,
});
const fail = (
  effect: Effect,
  kind: "conflict" | "throttled" | "unavailable" | "validation" | "quota",
  extra: { retryable?: boolean; ambiguous?: boolean; resourceId?: string } = {},
): Observation => ({
  type: "effect",
  effect,
  ok: false,
  error: {
    kind,
    message: kind,
    retryable: extra.retryable ?? (kind === "throttled" || kind === "unavailable" || kind === "quota"),
    ambiguous: extra.ambiguous ?? kind === "unavailable",
    ...(extra.resourceId ? { resourceId: extra.resourceId } : {}),
  },
});
const cmd = (c: {
  seq: number;
  type: ExecutionCommand["type"];
  by?: string;
  actionId?: string;
  comment?: string;
}): Observation => ({
  type: "command",
  command: { at: T0, by: "bob", ...c } as ExecutionCommand,
});
const launches = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: "launch" }> => e.kind === "launch");

describe("step: launching", () => {
  it("records the intent in the state it returns before any DRS call, with identifying tags", () => {
    const r = step(start([{ name: "w", protectionGroupIds: ["g"] }], [group("g", [1, 2])]), [], ctx(T0));
    const [launch] = launches(r.effects);
    expect(launch).toBeDefined();
    expect(launch!.tags).toMatchObject({
      [TAG_EXECUTION]: "e1",
      [TAG_BATCH]: "wave-1-b1",
      "drso:attempt": "1",
    });
    expect(launch!.isDrill).toBe(true);
    expect(r.execution.waves[0]!.batches[0]).toMatchObject({ status: "LAUNCHING", attempt: 1, intentAt: T0 });
    expect(r.execution.status).toBe("RUNNING");
    // Saved with the intent: if the process dies now, the execution is due at once after a restart.
    expect(r.execution.wakeAt).toBe(T0);
  });

  it("after a crash between intent and result, looks the job up by its tags instead of launching again", () => {
    const first = step(start([{ name: "w", protectionGroupIds: ["g"] }], [group("g", [1])]), [], ctx(T0));
    // The process died: the saved state has the intent, the result of StartRecovery is lost.
    const restarted = step(first.execution, [], ctx(T0 + 5_000));
    expect(launches(restarted.effects)).toHaveLength(0);
    const lookup = restarted.effects.find((e) => e.kind === "find-job");
    expect(lookup).toMatchObject({
      kind: "find-job",
      tags: { [TAG_EXECUTION]: "e1", [TAG_BATCH]: "wave-1-b1" },
    });
    expect(restarted.events.map((e) => e.type)).toContain("batch.recovering");

    // The job exists: adopt it, still no launch.
    const launchEffect = launches(first.effects)[0]!;
    const adopted = step(
      restarted.execution,
      [ok(lookup!, { kind: "find-job", job: job(launchEffect, "STARTED"), holders: [] })],
      ctx(T0 + 6_000),
    );
    expect(launches(adopted.effects)).toHaveLength(0);
    expect(adopted.execution.waves[0]!.batches[0]).toMatchObject({
      status: "ACTIVE",
      jobId: "drsjob-00000000000000001",
      attempt: 1,
    });
  });

  it("relaunches a lost intent only after the lookup settle time, as attempt 2", () => {
    const first = step(start([{ name: "w", protectionGroupIds: ["g"] }], [group("g", [1])]), [], ctx(T0));
    const restarted = step(first.execution, [], ctx(T0 + 1_000));
    const lookup = restarted.effects.find((e) => e.kind === "find-job")!;
    const early = step(restarted.execution, [ok(lookup, { kind: "find-job", holders: [] })], ctx(T0 + 2_000));
    expect(launches(early.effects)).toHaveLength(0);
    expect(early.execution.waves[0]!.batches[0]!.status).toBe("UNKNOWN");
    expect(early.execution.wakeAt).toBe(T0 + LOOKUP_SETTLE_MS);
    const again = step(early.execution, [], ctx(T0 + LOOKUP_SETTLE_MS));
    const lookup2 = again.effects.find((e) => e.kind === "find-job")!;
    const relaunch = step(
      again.execution,
      [ok(lookup2, { kind: "find-job", holders: [] })],
      ctx(T0 + LOOKUP_SETTLE_MS + 1),
    );
    expect(launches(relaunch.effects).map((l) => l.attempt)).toEqual([2]);
  });

  it("on ConflictException finds the holding job: adopts its own, fails servers held by others and relaunches the rest", () => {
    const first = step(start([{ name: "w", protectionGroupIds: ["g"] }], [group("g", [1, 2])]), [], ctx(T0));
    const launch = launches(first.effects)[0]!;
    const conflicted = step(
      first.execution,
      [fail(launch, "conflict", { resourceId: sid(2) })],
      ctx(T0 + 1_000),
    );
    const lookup = conflicted.effects.find((e) => e.kind === "find-job") as Extract<
      Effect,
      { kind: "find-job" }
    >;
    expect(lookup.holdingServerIds).toEqual([sid(1), sid(2)]);
    const foreign: DrsJob = {
      ...A,
      jobId: "drsjob-0000000000000000f",
      type: "LAUNCH",
      status: "STARTED",
      tags: {},
      participants: [{ sourceServerId: sid(2), launchStatus: "IN_PROGRESS" }],
    };
    const resolved = step(
      conflicted.execution,
      [ok(lookup, { kind: "find-job", holders: [foreign] })],
      ctx(T0 + 2_000),
    );
    // Server 2 waits in a batch of its own for the other job to end (issue 13 item 2); server 1 launches now.
    const server2 = resolved.execution.waves[0]!.servers.find((s) => s.sourceServerId === sid(2))!;
    expect(server2.status).toBe("PENDING");
    const held = resolved.execution.waves[0]!.batches.find((b) => b.batchId === server2.batchId)!;
    expect(held).toMatchObject({ status: "UNKNOWN", heldBy: ["drsjob-0000000000000000f"] });
    expect(held.nextPollAt! - (T0 + 2_000)).toBeGreaterThanOrEqual(3_750);
    expect(resolved.events.find((e) => e.type === "batch.held")?.message).toContain(
      "drsjob-0000000000000000f",
    );
    expect(launches(resolved.effects).map((l) => l.sourceServerIds)).toEqual([[sid(1)]]);
    // Once the other job has ended, the held server launches in its own batch.
    const look = step(resolved.execution, [], ctx(held.nextPollAt!));
    const lookup2 = look.effects.find((e) => e.kind === "find-job" && e.batchId === held.batchId)!;
    const released = step(
      look.execution,
      [ok(lookup2, { kind: "find-job", holders: [] })],
      ctx(held.nextPollAt! + 1),
    );
    expect(launches(released.effects).map((l) => [l.batchId, l.sourceServerIds])).toEqual([
      [held.batchId, [sid(2)]],
    ]);
  });

  it("retries throttling with backoff and fails the batch on a non-retryable error", () => {
    const first = step(start([{ name: "w", protectionGroupIds: ["g"] }], [group("g", [1])]), [], ctx(T0));
    const launch = launches(first.effects)[0]!;
    const throttled = step(first.execution, [fail(launch, "throttled")], ctx(T0 + 100));
    const b = throttled.execution.waves[0]!.batches[0]!;
    expect(b.status).toBe("PLANNED");
    expect(b.notBefore!).toBeGreaterThan(T0 + 100);
    expect(launches(throttled.effects)).toHaveLength(0);
    const retried = step(throttled.execution, [], ctx(b.notBefore!));
    const launch2 = launches(retried.effects)[0]!;
    expect(launch2.attempt).toBe(2);
    const rejected = step(retried.execution, [fail(launch2, "validation")], ctx(b.notBefore! + 10));
    expect(rejected.execution.waves[0]!.servers[0]!.status).toBe("FAILED");
    expect(rejected.execution.status).toBe("FAILED");
  });

  it("splits waves into jobs of serversPerJob and respects concurrent-job and servers-in-jobs quotas across executions", () => {
    const e = start(
      [{ name: "w", protectionGroupIds: ["g"] }],
      [
        group(
          "g",
          Array.from({ length: 250 }, (_, i) => i + 1),
        ),
      ],
    );
    const r = step(
      e,
      [],
      ctx(
        T0,
        { quotas: { serversPerJob: 100, concurrentJobs: 20, serversInAllJobs: 500 } },
        { [`${A.accountId}/${A.region}`]: { jobs: 18, servers: 300 } },
      ),
    );
    expect(r.execution.waves[0]!.batches.map((b) => b.sourceServerIds.length)).toEqual([100, 100, 50]);
    // 18 jobs held elsewhere: room for 2 more jobs and 200 servers.
    expect(launches(r.effects).map((l) => l.sourceServerIds.length)).toEqual([100, 100]);
    expect(r.execution.waves[0]!.batches[2]!.status).toBe("PLANNED");
    expect(r.execution.wakeAt).toBeDefined();
  });

  it("completes a wave in the same step that observes its job COMPLETED, and starts the next wave", () => {
    const first = step(
      start(
        [
          { name: "a", protectionGroupIds: ["g1"] },
          { name: "b", protectionGroupIds: ["g2"] },
        ],
        [group("g1", [1]), group("g2", [2])],
      ),
      [],
      ctx(T0),
    );
    const launch = launches(first.effects)[0]!;
    const active = step(
      first.execution,
      [ok(launch, { kind: "launch", job: job(launch, "PENDING") })],
      ctx(T0 + 1_000),
    );
    const poll = step(active.execution, [], ctx(active.execution.wakeAt!)).effects.find(
      (e) => e.kind === "poll-jobs",
    )!;
    const done = step(
      active.execution,
      [
        ok(poll, {
          kind: "poll-jobs",
          jobs: [job(launch, "COMPLETED", "LAUNCHED")],
          logCounts: {},
          instances: [],
        }),
      ],
      ctx(T0 + 300_000),
    );
    expect(done.execution.waves[0]!.status).toBe("COMPLETED");
    expect(done.execution.waves[1]!.status).toBe("RUNNING");
    expect(launches(done.effects).map((l) => l.sourceServerIds)).toEqual([[sid(2)]]);
  });
});

describe("step: people and time", () => {
  it("pauses before a wave marked pauseBefore and resumes on command", () => {
    const e = start([{ name: "a", protectionGroupIds: ["g1"], pauseBefore: true }], [group("g1", [1])]);
    const paused = step(e, [], ctx(T0));
    expect(paused.execution.status).toBe("PAUSED");
    expect(paused.execution.pause).toMatchObject({ reason: "pauseBefore", waveId: "wave-1" });
    expect(paused.effects).toHaveLength(0);
    expect(paused.execution.wakeAt).toBeUndefined();
    const resumed = step(paused.execution, [cmd({ seq: 1, type: "resume" })], ctx(T0 + 60_000));
    expect(resumed.execution.status).toBe("RUNNING");
    expect(launches(resumed.effects)).toHaveLength(1);
    expect(resumed.execution.appliedCommandSeq).toBe(1);
  });

  it("a user pause stops new waves while the running wave continues; commands apply once", () => {
    const first = step(
      start(
        [
          { name: "a", protectionGroupIds: ["g1"] },
          { name: "b", protectionGroupIds: ["g2"] },
        ],
        [group("g1", [1]), group("g2", [2])],
      ),
      [],
      ctx(T0),
    );
    const launch = launches(first.effects)[0]!;
    const paused = step(
      first.execution,
      [ok(launch, { kind: "launch", job: job(launch, "PENDING") }), cmd({ seq: 1, type: "pause" })],
      ctx(T0 + 10),
    );
    expect(paused.execution.status).toBe("PAUSED");
    const poll = step(paused.execution, [], ctx(paused.execution.wakeAt!)).effects.find(
      (e) => e.kind === "poll-jobs",
    )!;
    const waveDone = step(
      paused.execution,
      [
        ok(poll, {
          kind: "poll-jobs",
          jobs: [job(launch, "COMPLETED", "LAUNCHED")],
          logCounts: {},
          instances: [],
        }),
        cmd({ seq: 1, type: "pause" }),
      ],
      ctx(T0 + 300_000),
    );
    expect(waveDone.execution.waves[0]!.status).toBe("COMPLETED");
    expect(waveDone.execution.waves[1]!.status).toBe("PENDING");
    expect(launches(waveDone.effects)).toHaveLength(0);
    expect(waveDone.events.filter((x) => x.type === "command.ignored")).toHaveLength(0);
  });

  it("cancel launches nothing new, follows running jobs to the end and cancels the rest", () => {
    const first = step(
      start(
        [
          { name: "a", protectionGroupIds: ["g1"] },
          { name: "b", protectionGroupIds: ["g2"] },
        ],
        [group("g1", [1]), group("g2", [2])],
      ),
      [],
      ctx(T0),
    );
    const launch = launches(first.effects)[0]!;
    const cancelling = step(
      first.execution,
      [ok(launch, { kind: "launch", job: job(launch, "STARTED") }), cmd({ seq: 1, type: "cancel" })],
      ctx(T0 + 10),
    );
    expect(cancelling.execution.status).toBe("CANCELLING");
    expect(cancelling.execution.waves[1]!.status).toBe("CANCELLED");
    const poll = step(cancelling.execution, [], ctx(cancelling.execution.wakeAt!)).effects.find(
      (e) => e.kind === "poll-jobs",
    )!;
    const done = step(
      cancelling.execution,
      [
        ok(poll, {
          kind: "poll-jobs",
          jobs: [job(launch, "COMPLETED", "LAUNCHED")],
          logCounts: {},
          instances: [],
        }),
      ],
      ctx(T0 + 200_000),
    );
    expect(done.execution.status).toBe("CANCELLED");
    expect(done.execution.waves[0]!.servers[0]!.status).toBe("LAUNCHED");
    expect(done.execution.waves[1]!.servers[0]!.status).toBe("CANCELLED");
  });

  it("an approval pauses the execution until approved, and a rejection fails the wave", () => {
    const waves = [
      {
        name: "a",
        protectionGroupIds: ["g1"],
        preActions: [{ type: "approval" as const, message: "DBA sign-off" }],
      },
    ];
    const waiting = step(start(waves, [group("g1", [1])]), [], ctx(T0));
    expect(waiting.execution.status).toBe("PAUSED");
    expect(waiting.execution.pause?.reason).toBe("approval");
    const approved = step(
      waiting.execution,
      [cmd({ seq: 1, type: "approve", actionId: "wave-1.pre.0", by: "carol" })],
      ctx(T0 + 5_000),
    );
    expect(approved.execution.waves[0]!.actions[0]).toMatchObject({
      status: "SUCCEEDED",
      decision: { decision: "approve", by: "carol" },
    });
    expect(launches(approved.effects)).toHaveLength(1);
    const rejected = step(
      waiting.execution,
      [cmd({ seq: 1, type: "reject", by: "carol", comment: "not today" })],
      ctx(T0 + 5_000),
    );
    expect(rejected.execution.status).toBe("FAILED");
    expect(rejected.execution.waves[0]!.error).toContain("rejected by carol");
  });

  it("times a wave out at its deadline after asking DRS once, follows the job to its end, then fails the execution under onFailure abort", () => {
    const first = step(
      start(
        [
          { name: "a", protectionGroupIds: ["g1"], timeoutSeconds: 600 },
          { name: "b", protectionGroupIds: ["g2"] },
        ],
        [group("g1", [1]), group("g2", [2])],
      ),
      [],
      ctx(T0),
    );
    const launch = launches(first.effects)[0]!;
    const active = step(
      first.execution,
      [ok(launch, { kind: "launch", job: job(launch, "STARTED") })],
      ctx(T0 + 10),
    );
    // At the deadline DRS is asked first: nothing is decided yet.
    const atDeadline = step(active.execution, [], ctx(T0 + 600_000));
    expect(atDeadline.execution.waves[0]!.status).toBe("RUNNING");
    const poll = atDeadline.effects.find((e) => e.kind === "poll-jobs")!;
    expect(poll).toBeDefined();
    const answer = (status: DrsJob["status"], outcome: DrsJob["participants"][number]["launchStatus"]) =>
      ok(poll, { kind: "poll-jobs", jobs: [job(launch, status, outcome)], logCounts: {}, instances: [] });
    const late = step(atDeadline.execution, [answer("STARTED", "IN_PROGRESS")], ctx(T0 + 601_000));
    expect(late.execution.waves[0]!.status).toBe("TIMED_OUT");
    expect(late.execution.waves[0]!.servers[0]!.error).toContain("timed out");
    expect(late.execution.waves[1]!.status).toBe("SKIPPED");
    // The job is still followed: the execution ends when it does.
    expect(late.execution.status).toBe("RUNNING");
    const ended = step(late.execution, [answer("COMPLETED", "LAUNCHED")], ctx(T0 + 700_000));
    expect(ended.execution.waves[0]!.servers[0]!.status).toBe("LAUNCHED");
    expect(ended.execution.waves[0]!.servers[0]!.error).toContain("after the wave timed out");
    expect(ended.execution.status).toBe("FAILED");
    expect(ended.execution.error?.code).toBe("WAVE_TIMED_OUT");
  });

  it("under onFailure continue, dependents still run and the execution completes with the failure reported", () => {
    const first = step(
      start(
        [
          { name: "a", protectionGroupIds: ["g1"], onFailure: "continue" },
          { name: "b", protectionGroupIds: ["g2"] },
        ],
        [group("g1", [1]), group("g2", [2])],
      ),
      [],
      ctx(T0),
    );
    const launch = launches(first.effects)[0]!;
    const active = step(
      first.execution,
      [ok(launch, { kind: "launch", job: job(launch, "STARTED") })],
      ctx(T0 + 10),
    );
    const poll = step(active.execution, [], ctx(active.execution.wakeAt!)).effects.find(
      (e) => e.kind === "poll-jobs",
    )!;
    const failed = step(
      active.execution,
      [
        ok(poll, {
          kind: "poll-jobs",
          jobs: [job(launch, "COMPLETED", "FAILED")],
          logCounts: {},
          instances: [],
        }),
      ],
      ctx(T0 + 100_000),
    );
    expect(failed.execution.waves[0]!.status).toBe("FAILED");
    expect(failed.execution.waves[1]!.status).toBe("RUNNING");
  });

  it("refuses termination while running, and a drill's TTL terminates its instances automatically", () => {
    const first = step(
      start([{ name: "a", protectionGroupIds: ["g1"] }], [group("g1", [1])]),
      [],
      ctx(T0, { drillTtlHours: 2 }),
    );
    const launch = launches(first.effects)[0]!;
    const active = step(
      first.execution,
      [
        ok(launch, { kind: "launch", job: job(launch, "STARTED") }),
        cmd({ seq: 1, type: "terminate-instances" }),
      ],
      ctx(T0 + 10, { drillTtlHours: 2 }),
    );
    expect(active.events.map((e) => e.type)).toContain("command.ignored");
    const poll = step(active.execution, [], ctx(active.execution.wakeAt!, { drillTtlHours: 2 })).effects.find(
      (e) => e.kind === "poll-jobs",
    )!;
    const done = step(
      active.execution,
      [
        ok(poll, {
          kind: "poll-jobs",
          jobs: [job(launch, "COMPLETED", "LAUNCHED")],
          logCounts: {},
          instances: [],
        }),
      ],
      ctx(T0 + 100_000, { drillTtlHours: 2 }),
    );
    expect(done.execution.status).toBe("COMPLETED");
    expect(done.execution.cleanupAt).toBe(T0 + 100_000 + 2 * 3_600_000);
    expect(done.execution.wakeAt).toBe(done.execution.cleanupAt);
    const cleanup = step(done.execution, [], ctx(done.execution.cleanupAt!, { drillTtlHours: 2 }));
    expect(cleanup.execution.termination).toMatchObject({ reason: "drill-ttl", status: "RUNNING" });
    // The recorded instance is terminated at once; DRS is also asked for any the execution's jobs created.
    expect(cleanup.effects.map((e) => e.kind).sort()).toEqual(["find-instances", "terminate"]);
    const lookup = cleanup.effects.find((e) => e.kind === "find-instances")!;
    const recorded = done.execution.waves[0]!.servers[0]!.recoveryInstanceId;
    const found = step(
      cleanup.execution,
      [
        ok(lookup, {
          kind: "find-instances",
          instances: [
            {
              ...A,
              recoveryInstanceId: recorded ?? "i-recorded",
              sourceServerId: sid(1),
              isDrill: true,
              tags: {},
            },
            {
              ...A,
              recoveryInstanceId: "i-0unrecorded00000",
              sourceServerId: sid(1),
              isDrill: true,
              tags: {},
            },
          ],
        }),
      ],
      ctx(done.execution.cleanupAt! + 1, { drillTtlHours: 2 }),
    );
    expect(found.events.map((e) => e.type)).toContain("termination.discovered");
    expect(found.execution.termination?.instances.map((i) => i.recoveryInstanceId)).toContain(
      "i-0unrecorded00000",
    );
    const terminations = found.effects.filter((e) => e.kind === "terminate");
    expect(terminations.flatMap((e) => ("recoveryInstanceIds" in e ? e.recoveryInstanceIds : []))).toEqual([
      "i-0unrecorded00000",
    ]);
  });

  it("is pure: the input execution is never modified", () => {
    const e = start([{ name: "a", protectionGroupIds: ["g1"] }], [group("g1", [1])]);
    const before = structuredClone(e);
    step(e, [cmd({ seq: 1, type: "cancel" })], ctx(T0));
    expect(e).toEqual(before);
  });
});

describe("step: clock jumps", () => {
  it("moves pending timers back when the clock went backwards, so nothing stalls for the size of the jump", () => {
    const first = step(start([{ name: "a", protectionGroupIds: ["g1"] }], [group("g1", [1])]), [], ctx(T0));
    const launch = launches(first.effects)[0]!;
    const active = step(
      first.execution,
      [ok(launch, { kind: "launch", job: job(launch, "STARTED") })],
      ctx(T0 + 60_000),
    );
    const pollAt = active.execution.waves[0]!.batches[0]!.nextPollAt!;
    const deadline = active.execution.waves[0]!.deadlineAt!;
    // An hour's correction backwards.
    const back = T0 + 60_000 - 3_600_000;
    const r = step(active.execution, [], ctx(back));
    expect(r.events.map((e) => e.type)).toContain("clock.jumped");
    expect(r.execution.waves[0]!.deadlineAt).toBe(deadline - 3_600_000);
    expect(r.effects.map((e) => e.kind)).toEqual(pollAt - 3_600_000 <= back ? ["poll-jobs"] : []);
    expect(r.execution.wakeAt!).toBeLessThan(back + 60_000);
  });
});
