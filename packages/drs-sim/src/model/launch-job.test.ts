import { describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";
import type { DrsError } from "./drs-error.js";

const S1 = [
  "JOB_START",
  "SNAPSHOT_START",
  "SNAPSHOT_END",
  "CONVERSION_START",
  "CONVERSION_END",
  "LAUNCH_START",
  "JOB_END",
];

/** Steps the clock one scheduled instant at a time, recording each distinct (job status, launch status) pair. */
function trace(h: Harness, jobId: string): string[] {
  const seen: string[] = [];
  const record = () => {
    const job = h.job(jobId);
    const pair = `${job.status}/${job.participants[0]?.launchStatus}`;
    if (seen.at(-1) !== pair) seen.push(pair);
  };
  record();
  for (let i = 0; i < 1000 && h.job(jobId).status !== "COMPLETED"; i++) {
    if (!h.clock.runNext()) break;
    record();
  }
  return seen;
}

describe("LAUNCH job: successful sequences", () => {
  it("S1: on-demand snapshot, one server: log order, job and launch status transitions", async () => {
    const h = new Harness();
    const [id] = h.seed(1);
    const jobId = h.drill([id as string]);
    expect(trace(h, jobId)).toEqual([
      "PENDING/PENDING",
      "STARTED/PENDING",
      "STARTED/IN_PROGRESS",
      "STARTED/LAUNCHED",
      "COMPLETED/LAUNCHED",
    ]);
    expect(h.events(jobId)).toEqual(S1);
    const job = h.job(jobId);
    expect(job.initiatedBy).toBe("START_DRILL");
    expect(job.endMs).toBeGreaterThan(job.createdMs);
    const instanceId = job.participants[0]?.recoveryInstanceID as string;
    const instance = h.sim.world.instance(instanceId);
    expect(instance?.isDrill).toBe(true);
    expect(instance?.ec2State).toBe("RUNNING");
    const server = h.sim.world.server(id as string);
    expect(server?.lastLaunchResult).toBe("SUCCEEDED");
    expect(server?.lastLaunch).toMatchObject({ jobID: jobId, type: "DRILL", status: "LAUNCHED" });
    expect(server?.recoveryInstanceId).toBe(instanceId);
    await h.close();
  });

  it("sets the server's last launch to PENDING when the job is accepted (spec §7.6)", async () => {
    const h = new Harness();
    const [id] = h.seed(1);
    const jobId = h.call("StartRecovery", { sourceServers: [{ sourceServerID: id }] }).job.jobID;
    const server = h.sim.world.server(id as string);
    expect(server?.lastLaunchResult).toBe("PENDING");
    expect(server?.lastLaunch).toMatchObject({ jobID: jobId, type: "RECOVERY", status: "PENDING" });
    expect(h.job(jobId).initiatedBy).toBe("START_RECOVERY");
    h.settle();
    expect(h.sim.world.instance(h.job(jobId).participants[0]?.recoveryInstanceID as string)?.isDrill).toBe(
      false,
    );
    await h.close();
  });

  it("cleans up the previous instance before launching a new one", async () => {
    const h = new Harness();
    const [id] = h.seed(1) as [string];
    const first = h.drill([id]);
    h.settle();
    const oldInstance = h.job(first).participants[0]?.recoveryInstanceID as string;
    expect(h.sim.world.instance(oldInstance)).toBeDefined();
    const second = h.drill([id]);
    h.settle();
    expect(h.events(second)).toEqual(["JOB_START", "CLEANUP_START", "CLEANUP_END", ...S1.slice(1)]);
    expect(h.sim.world.instance(oldInstance)).toBeUndefined();
    expect(h.sim.world.server(id)?.recoveryInstanceId).toBe(
      h.job(second).participants[0]?.recoveryInstanceID,
    );
    await h.close();
  });

  it("S2: a given point-in-time snapshot replaces the snapshot pair with USING_PREVIOUS_SNAPSHOT", async () => {
    const h = new Harness();
    const [id] = h.seed(1) as [string];
    const snapshots = h.call("DescribeRecoverySnapshots", { sourceServerID: id, order: "DESC" }).items;
    const pit = snapshots[3];
    const jobId = h.call("StartRecovery", {
      sourceServers: [{ sourceServerID: id, recoverySnapshotID: pit.snapshotID }],
      isDrill: true,
    }).job.jobID;
    h.settle();
    expect(h.events(jobId)).toEqual([
      "JOB_START",
      "USING_PREVIOUS_SNAPSHOT",
      "CONVERSION_START",
      "CONVERSION_END",
      "LAUNCH_START",
      "JOB_END",
    ]);
    const instance = h.call("DescribeRecoveryInstances", {}).items[0];
    expect(instance.pointInTimeSnapshotDateTime).toBe(pit.timestamp);
    await h.close();
  });

  it("S2 with pitLaunchEvents=snapshotPair shows SNAPSHOT_START/END instead", async () => {
    const h = new Harness({ config: { pitLaunchEvents: "snapshotPair" } });
    const [id] = h.seed(1) as [string];
    const pit = h.call("DescribeRecoverySnapshots", { sourceServerID: id }).items[0];
    const jobId = h.call("StartRecovery", {
      sourceServers: [{ sourceServerID: id, recoverySnapshotID: pit.snapshotID }],
      isDrill: true,
    }).job.jobID;
    h.settle();
    expect(h.events(jobId)).toEqual(S1);
    await h.close();
  });

  it("S3: an on-demand snapshot that fails falls back to the previous point in time", async () => {
    const h = new Harness();
    const [id] = h.seed(1, { state: "STALLED", error: "AGENT_NOT_SEEN", stateMinutesAgo: 30 }) as [string];
    const jobId = h.drill([id]);
    h.settle();
    expect(h.events(jobId)).toEqual([
      "JOB_START",
      "SNAPSHOT_START",
      "SNAPSHOT_FAIL",
      "USING_PREVIOUS_SNAPSHOT",
      "CONVERSION_START",
      "CONVERSION_END",
      "LAUNCH_START",
      "JOB_END",
    ]);
    expect(h.job(jobId).participants[0]?.launchStatus).toBe("LAUNCHED");
    // A drill does not touch replication (spec §7.6).
    expect(h.sim.world.server(id)?.replication.state).toBe("STALLED");
    await h.close();
  });
});

describe("LAUNCH job: failure scenarios F1–F8", () => {
  const failing = (phase: string, extra: Record<string, unknown> = {}) =>
    new Harness({ config: { launchFailureRate: 1, failurePhase: phase as never, ...extra } });

  function runOne(h: Harness, seedOverrides = {}) {
    const [id] = h.seed(1, seedOverrides) as [string];
    const jobId = h.drill([id]);
    h.settle();
    const job = h.job(jobId);
    return { id, jobId, job, events: h.events(jobId), p: job.participants[0] };
  }

  it("F1: snapshot failure with no usable PIT", async () => {
    const h = failing("snapshot");
    const [id] = h.seed(1) as [string];
    h.runtime.setConfig({ servers: { [id]: { noSnapshots: true } } });
    const jobId = h.drill([id]);
    h.settle();
    expect(h.events(jobId)).toEqual(["JOB_START", "SNAPSHOT_START", "SNAPSHOT_FAIL", "JOB_END"]);
    expect(h.job(jobId).status).toBe("COMPLETED");
    expect(h.job(jobId).participants[0]?.launchStatus).toBe("FAILED");
    expect(h.job(jobId).log[2]?.data?.rawError).toBe("Failed to take snapshot");
    expect(h.sim.world.server(id)?.lastLaunchResult).toBe("FAILED");
    await h.close();
  });

  it("F2: conversion server fails to launch", async () => {
    const h = failing("conversionServer");
    const { events, job, p } = runOne(h);
    expect(events).toEqual([
      "JOB_START",
      "SNAPSHOT_START",
      "SNAPSHOT_END",
      "CONVERSION_START",
      "CONVERSION_FAIL",
      "JOB_END",
    ]);
    expect(job.log[4]?.data?.rawError).toBe("Conversion server launch failed");
    expect(p?.launchStatus).toBe("FAILED");
    await h.close();
  });

  it("F3: conversion fails", async () => {
    const h = failing("conversion", { launchRawError: "Failed to connect using HTTP channel" });
    const { events, job } = runOne(h);
    expect(events).toEqual([
      "JOB_START",
      "SNAPSHOT_START",
      "SNAPSHOT_END",
      "CONVERSION_START",
      "CONVERSION_FAIL",
      "JOB_END",
    ]);
    expect(job.log[4]?.data?.rawError).toBe("Failed to connect using HTTP channel");
    await h.close();
  });

  it("F4: a server that is not ready is skipped", async () => {
    const h = new Harness();
    const { events, job, p } = runOne(h, { state: "INITIAL_SYNC", progress: 0.2 });
    expect(events).toEqual(["JOB_START", "SERVER_SKIPPED", "JOB_END"]);
    expect(job.log[1]?.data?.rawError).toBe(
      "instance not launched because server lifecycle state is not READY_FOR_TEST",
    );
    expect(p?.launchStatus).toBe("FAILED");
    await h.close();
  });

  it("F4 with notReadyOnStart=conflict rejects the call with 409", async () => {
    const h = new Harness({ config: { notReadyOnStart: "conflict" } });
    const [id] = h.seed(1, { state: "INITIAL_SYNC" }) as [string];
    expect(() => h.drill([id])).toThrowError(
      expect.objectContaining({
        exception: "ConflictException",
        fields: expect.objectContaining({ resourceId: id }),
      }),
    );
    await h.close();
  });

  it("F5: EC2 launch fails and leaves no recovery instance", async () => {
    const h = failing("launch");
    const { events, job, p, id } = runOne(h);
    expect(events).toEqual([...S1.slice(0, 6), "LAUNCH_FAILED", "JOB_END"]);
    expect(job.log[6]?.data?.rawError).toBe("The EBS encryption key could not be found in this account");
    expect(p?.launchStatus).toBe("FAILED");
    expect(p?.recoveryInstanceID).toBeUndefined();
    expect(h.call("DescribeRecoveryInstances", {}).items).toEqual([]);
    expect(h.sim.world.server(id)?.lastLaunchResult).toBe("FAILED");
    await h.close();
  });

  it("F6: silent failure: SNAPSHOT_START, SNAPSHOT_END, JOB_END and a FAILED server", async () => {
    const h = failing("silent");
    const { events, p } = runOne(h);
    expect(events).toEqual(["JOB_START", "SNAPSHOT_START", "SNAPSHOT_END", "JOB_END"]);
    expect(p?.launchStatus).toBe("FAILED");
    await h.close();
  });

  it("F7: a failed cleanup is not fatal by default, and fatal with cleanupFailureFatal", async () => {
    for (const fatal of [false, true]) {
      const h = new Harness();
      const [id] = h.seed(1) as [string];
      h.drill([id]);
      h.settle();
      h.runtime.setConfig({
        servers: { [id]: { launchFailureRate: 1, failurePhase: "cleanup" } },
        cleanupFailureFatal: fatal,
      });
      const jobId = h.drill([id]);
      h.settle();
      if (fatal) {
        expect(h.events(jobId)).toEqual(["JOB_START", "CLEANUP_START", "CLEANUP_FAIL", "JOB_END"]);
        expect(h.job(jobId).participants[0]?.launchStatus).toBe("FAILED");
      } else {
        expect(h.events(jobId)).toEqual(["JOB_START", "CLEANUP_START", "CLEANUP_FAIL", ...S1.slice(1)]);
        expect(h.job(jobId).participants[0]?.launchStatus).toBe("LAUNCHED");
      }
      await h.close();
    }
  });

  it("F8: a job timeout cancels the job: JOB_CANCEL, JOB_END, unfinished servers FAILED", async () => {
    const h = new Harness({ config: { jobTimeoutMs: 60_000 } });
    const { events, job, p } = runOne(h);
    expect(events.slice(-2)).toEqual(["JOB_CANCEL", "JOB_END"]);
    expect(job.status).toBe("COMPLETED");
    expect(job.endMs! - job.createdMs).toBe(60_000);
    expect(p?.launchStatus).toBe("FAILED");
    await h.close();
  });

  it("other servers continue when one fails; the job still ends COMPLETED", async () => {
    const h = new Harness();
    const ids = h.seed(3) as [string, string, string];
    h.runtime.setConfig({ servers: { [ids[1]]: { launchFailureRate: 1, failurePhase: "conversion" } } });
    const jobId = h.drill(ids);
    h.settle();
    const job = h.job(jobId);
    expect(job.status).toBe("COMPLETED");
    expect(job.participants.map((p) => p.launchStatus)).toEqual(["LAUNCHED", "FAILED", "LAUNCHED"]);
    expect(job.log.filter((e) => e.event === "JOB_END")).toHaveLength(1);
    expect(job.log.at(-1)?.event).toBe("JOB_END");
    await h.close();
  });
});

describe("LAUNCH job: stuck knobs", () => {
  it("stuckJob PENDING never starts; STARTED never finishes; stuckServer stays IN_PROGRESS", async () => {
    for (const where of ["PENDING", "STARTED"] as const) {
      const h = new Harness({ config: { stuckJob: { where } } });
      const [id] = h.seed(1) as [string];
      const jobId = h.drill([id]);
      h.clock.advance(24 * 3_600_000);
      expect(h.job(jobId).status).toBe(where);
      expect(h.job(jobId).participants[0]?.launchStatus).toBe("PENDING");
      await h.close();
    }
    const h = new Harness();
    const [a, b] = h.seed(2) as [string, string];
    h.runtime.setConfig({ stuckServer: a });
    const jobId = h.drill([a, b]);
    h.clock.advance(24 * 3_600_000);
    expect(h.job(jobId).status).toBe("STARTED");
    expect(h.job(jobId).participants.map((p) => p.launchStatus)).toEqual(["IN_PROGRESS", "LAUNCHED"]);
    await h.close();
  });
});

describe("StartRecovery validation order", () => {
  it("rejects duplicates, unknown servers and foreign snapshots with fieldList entries", async () => {
    const h = new Harness();
    const [a, b] = h.seed(2) as [string, string];
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as DrsError;
      }
      throw new Error("expected an error");
    };
    const dup = error(() => h.drill([a, a]));
    expect(dup.fields.fieldList?.[0]?.name).toBe("sourceServers.1.sourceServerID");
    const unknown = error(() => h.drill([a, "s-00000000000000000"]));
    expect(unknown.exception).toBe("ValidationException");
    expect(unknown.fields.fieldList?.[0]?.name).toBe("sourceServers.1.sourceServerID");
    const pitOfA = h.call("DescribeRecoverySnapshots", { sourceServerID: a }).items[0].snapshotID;
    const foreign = error(() =>
      h.call("StartRecovery", { sourceServers: [{ sourceServerID: b, recoverySnapshotID: pitOfA }] }),
    );
    expect(foreign.fields.fieldList?.[0]?.name).toBe("sourceServers.0.recoverySnapshotID");
    await h.close();
  });

  it("unknownServerOnStart=rnf gives 404, skipInJob keeps the server in the job as FAILED", async () => {
    const h = new Harness({ config: { unknownServerOnStart: "rnf" } });
    const [a] = h.seed(1) as [string];
    expect(() => h.drill([a, "s-00000000000000000"])).toThrowError(
      expect.objectContaining({ exception: "ResourceNotFoundException" }),
    );
    h.runtime.setConfig({ unknownServerOnStart: "skipInJob" });
    const jobId = h.drill([a, "s-00000000000000000"]);
    h.settle();
    expect(h.job(jobId).participants.map((p) => p.launchStatus)).toEqual(["LAUNCHED", "FAILED"]);
    expect(h.events(jobId)).toContain("SERVER_SKIPPED");
    await h.close();
  });
});
