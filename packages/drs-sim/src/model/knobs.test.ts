import { describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";

/** Knobs of spec §11 not covered elsewhere. */
describe("behaviour knobs", () => {
  it("timestampStyle switches between +00:00 with microseconds and Z", async () => {
    const h = new Harness();
    h.seed(1);
    const offset = h.call("DescribeSourceServers", {}).items[0].lifeCycle.addedToServiceDateTime as string;
    expect(offset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    h.runtime.setConfig({ timestampStyle: "zulu" });
    const zulu = h.call("DescribeSourceServers", {}).items[0].lifeCycle.addedToServiceDateTime as string;
    expect(zulu).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(zulu)).toBe(Date.parse(offset));
    await h.close();
  });

  it("uninitialized: new accounts and regions need InitializeService; tag operations do not", async () => {
    const h = new Harness({ config: { uninitialized: true } });
    expect(() => h.call("DescribeJobs", {})).toThrowError(
      expect.objectContaining({ exception: "UninitializedAccountException" }),
    );
    expect(() =>
      h.call(
        "ListTagsForResource",
        {},
        { resourceArn: "arn:aws:drs:us-east-1:123456789012:job/drsjob-00000000000000000" },
      ),
    ).toThrowError(expect.objectContaining({ exception: "ResourceNotFoundException" }));
    h.call("InitializeService");
    h.call("InitializeService");
    expect(h.call("DescribeJobs", {}).items).toEqual([]);
    await h.close();
  });

  it("staleReadProbability serves a job one step old", async () => {
    const h = new Harness({ config: { staleReadProbability: 1 } });
    const [id] = h.seed(1) as [string];
    const jobId = h.drill([id]);
    h.settle();
    const job = h.call("DescribeJobs", { filters: { jobIDs: [jobId] } }).items[0];
    expect(job.status).toBe("STARTED");
    h.runtime.setConfig({ staleReadProbability: 0 });
    expect(h.call("DescribeJobs", { filters: { jobIDs: [jobId] } }).items[0].status).toBe("COMPLETED");
    await h.close();
  });

  it("conversionForAwsOrigin: skip leaves out conversion, fast shortens it", async () => {
    const h = new Harness({ config: { conversionForAwsOrigin: "skip" } });
    const [aws] = h.seed(1, { originEnvironment: "AWS", originRegion: "us-west-2" }) as [string];
    const skipped = h.drill([aws]);
    h.settle();
    expect(h.events(skipped)).toEqual([
      "JOB_START",
      "SNAPSHOT_START",
      "SNAPSHOT_END",
      "LAUNCH_START",
      "JOB_END",
    ]);
    h.runtime.setConfig({ conversionForAwsOrigin: "fast", conversionDelay: { dist: "fixed", ms: 100_000 } });
    const fast = h.drill([aws]);
    h.settle();
    const log = h.job(fast).log;
    const start = log.find((e) => e.event === "CONVERSION_START")?.ms as number;
    const end = log.find((e) => e.event === "CONVERSION_END")?.ms as number;
    expect(end - start).toBe(10_000);
    await h.close();
  });

  it("launch disposition and ec2EndState decide the instance state; instances can vanish", async () => {
    const h = new Harness({ config: { launchDisposition: "STOPPED" } });
    const [a, b] = h.seed(2) as [string, string];
    h.drill([a]);
    h.settle();
    expect(h.call("DescribeRecoveryInstances", {}).items[0].ec2InstanceState).toBe("STOPPED");
    h.runtime.setConfig({ launchDisposition: null, instanceTerminatedExternallyAfterMs: 60_000 });
    const job = h.drill([b]);
    h.settle();
    const ri = h.job(job).participants[0]?.recoveryInstanceID as string;
    expect(h.sim.world.instance(ri)?.ec2State).toBe("RUNNING");
    h.clock.advance(60_000);
    expect(h.sim.world.instance(ri)?.ec2State).toBe("NOT_FOUND");
    await h.close();
  });

  it("postLaunchActions fill launchActionsStatus", async () => {
    const h = new Harness({ config: { postLaunchActions: { runs: 2, failProbability: 1 } } });
    const [id] = h.seed(1) as [string];
    const jobId = h.drill([id]);
    h.settle();
    h.clock.advance(3_600_000);
    const p = h.call("DescribeJobs", { filters: { jobIDs: [jobId] } }).items[0].participatingServers[0];
    expect(p.launchActionsStatus.runs).toHaveLength(2);
    expect(p.launchActionsStatus.runs.map((r: { status: string }) => r.status)).toEqual(["FAILED", "FAILED"]);
    expect(p.launchActionsStatus.runs[0].action.type).toBe("SSM_COMMAND");
    await h.close();
  });

  it("jobCancelProbability cancels jobs with JOB_CANCEL", async () => {
    const h = new Harness({ config: { jobCancelProbability: 1 } });
    const [id] = h.seed(1) as [string];
    const jobId = h.drill([id]);
    h.settle();
    expect(h.events(jobId).slice(-2)).toEqual(["JOB_CANCEL", "JOB_END"]);
    await h.close();
  });

  it("per-server replicationState knobs take effect when set", async () => {
    const h = new Harness();
    const [id] = h.seed(1) as [string];
    h.runtime.setConfig({ servers: { [id]: { replicationState: "PAUSED" } } });
    expect(h.sim.world.server(id)?.replication.state).toBe("PAUSED");
    await h.close();
  });

  it("reverseReplicationFailure leaves the reversed server failing to initiate", async () => {
    const h = new Harness({ config: { reverseReplicationFailure: true } });
    const [id] = h.seed(1, { originEnvironment: "AWS", originRegion: "us-west-2" }) as [string];
    const job = h.call("StartRecovery", { sourceServers: [{ sourceServerID: id }] }).job.jobID;
    h.settle();
    const ri = h.job(job).participants[0]?.recoveryInstanceID;
    const arn = h.call("ReverseReplication", { recoveryInstanceID: ri })
      .reversedDirectionSourceServerArn as string;
    h.clock.advance(24 * 3_600_000);
    const reversed = h.sim.world.server(arn.split("/")[1] as string);
    expect(reversed?.replication.state).toBe("INITIATING");
    expect(reversed?.replication.error?.error).toBe("FAILED_TO_CONNECT_AGENT_TO_REPLICATION_SERVER");
    await h.close();
  });

  it("the same seed gives the same job IDs, timings and log", async () => {
    const run = async () => {
      const h = new Harness({ seed: 42, config: { launchFailureRate: 0.3 } });
      const ids = h.seed(10);
      const job = h.drill(ids);
      h.settle();
      const out = h.job(job).log.map((e) => `${e.ms}:${e.event}:${String(e.data?.sourceServerID ?? "")}`);
      await h.close();
      return { job, out };
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a.out.some((e) => e.includes("FAIL"))).toBe(true);
  });
});
