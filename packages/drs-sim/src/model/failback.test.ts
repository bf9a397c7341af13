import { describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";

async function recovered(h: Harness, seed = {}, isDrill = false): Promise<{ id: string; ri: string }> {
  const [id] = h.seed(1, seed) as [string];
  const job = h.call("StartRecovery", { sourceServers: [{ sourceServerID: id }], isDrill }).job.jobID;
  h.settle();
  return { id, ri: h.job(job).participants[0]?.recoveryInstanceID as string };
}

describe("on-premises failback (spec §7.8)", () => {
  it("client connects, replicates, becomes READY; StartFailbackLaunch completes the failback", async () => {
    const h = new Harness({ timeScale: 0.01 });
    const { ri } = await recovered(h);
    const instance = () => h.sim.world.instance(ri)!;
    expect(instance().failback.state).toBe("FAILBACK_NOT_STARTED");
    expect(() => h.call("StartFailbackLaunch", { recoveryInstanceIDs: [ri] })).toThrowError(
      expect.objectContaining({ exception: "ConflictException" }),
    );
    h.runtime.driveFailback(ri, { action: "clientConnected" });
    expect(instance().failback.state).toBe("FAILBACK_NOT_READY_FOR_LAUNCH");
    expect(instance().failbackReplication.state).toBe("INITIATING");
    h.clock.advance(3_600_000);
    expect(instance().failbackReplication.state).toBe("CONTINUOUS");
    expect(instance().failback.state).toBe("FAILBACK_READY_FOR_LAUNCH");

    const job = h.call("StartFailbackLaunch", { recoveryInstanceIDs: [ri], tags: { wave: "1" } }).job;
    expect(job).toMatchObject({ type: "LAUNCH", initiatedBy: "FAILBACK", status: "PENDING" });
    expect(instance().failback.state).toBe("FAILBACK_IN_PROGRESS");
    expect(instance().failback.failbackJobID).toBe(job.jobID);
    expect(() => h.call("TerminateRecoveryInstances", { recoveryInstanceIDs: [ri] })).toThrowError(
      expect.objectContaining({ exception: "ConflictException" }),
    );
    h.settle();
    expect(h.events(job.jobID)).toEqual([
      "JOB_START",
      "CONVERSION_START",
      "CONVERSION_END",
      "LAUNCH_START",
      "JOB_END",
    ]);
    expect(h.job(job.jobID).participants[0]?.launchStatus).toBe("LAUNCHED");
    expect(instance().failback.state).toBe("FAILBACK_COMPLETED");
    await h.close();
  });

  it("replicationHealthy jumps to READY; error → FAILBACK_ERROR; StopFailback → NOT_STARTED", async () => {
    const h = new Harness();
    const { ri } = await recovered(h);
    const view = () =>
      h.call("DescribeRecoveryInstances", { filters: { recoveryInstanceIDs: [ri] } }).items[0];
    h.runtime.driveFailback(ri, { action: "replicationHealthy" });
    expect(view().failback.state).toBe("FAILBACK_READY_FOR_LAUNCH");
    expect(view().failback.failbackClientID).toBeDefined();
    h.runtime.driveFailback(ri, { action: "error", error: "UNSTABLE_NETWORK" });
    expect(view().failback.state).toBe("FAILBACK_ERROR");
    expect(view().dataReplicationInfo.dataReplicationError).toEqual({ error: "UNSTABLE_NETWORK" });
    h.call("StopFailback", { recoveryInstanceID: ri });
    expect(view().failback.state).toBe("FAILBACK_NOT_STARTED");
    expect(view().dataReplicationInfo.dataReplicationState).toBe("NOT_STARTED");
    await h.close();
  });

  it("failback knobs: client never seen, replication errors, failed failback launch", async () => {
    const h = new Harness({ timeScale: 0.01 });
    const { ri } = await recovered(h);
    h.runtime.setConfig({ recoveryInstances: { [ri]: { failbackClientNeverSeen: true } } });
    h.runtime.driveFailback(ri, { action: "clientConnected" });
    expect(h.sim.world.instance(ri)?.failback.state).toBe("FAILBACK_LAUNCH_STATE_NOT_AVAILABLE");
    h.runtime.setConfig({ recoveryInstances: { [ri]: null }, failbackErrorProbability: 1 });
    h.runtime.driveFailback(ri, { action: "clientConnected" });
    h.clock.advance(3_600_000);
    expect(h.sim.world.instance(ri)?.failback.state).toBe("FAILBACK_ERROR");
    expect(h.sim.world.instance(ri)?.failbackReplication.error?.error).toBe(
      "FAILED_TO_ESTABLISH_RECOVERY_INSTANCE_COMMUNICATION",
    );
    h.runtime.setConfig({
      failbackErrorProbability: 0,
      recoveryInstances: { [ri]: { failbackLaunchFails: true } },
    });
    h.runtime.driveFailback(ri, { action: "replicationHealthy" });
    const job = h.call("StartFailbackLaunch", { recoveryInstanceIDs: [ri] }).job.jobID;
    h.settle();
    expect(h.events(job)).toContain("CONVERSION_FAIL");
    expect(h.sim.world.instance(ri)?.failback.state).toBe("FAILBACK_ERROR");
    await h.close();
  });

  it("autoFailbackReady makes the failback client of a recovery instance ready by itself", async () => {
    const h = new Harness({ timeScale: 0.01, config: { autoFailbackReady: true } });
    const { ri } = await recovered(h);
    const drill = await recovered(h, { hostname: "drill-host" }, true);
    h.clock.advance(3_600_000);
    expect(h.sim.world.instance(ri)?.failback.state).toBe("FAILBACK_READY_FOR_LAUNCH");
    expect(h.sim.world.instance(drill.ri)?.failback.state).toBe("FAILBACK_NOT_STARTED");
    await h.close();
  });
});

describe("autoFailbackReady with several servers in one recovery job (issue 20)", () => {
  it("connects the failback client of every recovery instance, even when the job was still active at pairing time", async () => {
    const h = new Harness({ timeScale: 0.01, config: { autoFailbackReady: true } });
    const ids = h.seed(3) as string[];
    const job = h.call("StartRecovery", { sourceServers: ids.map((sourceServerID) => ({ sourceServerID })) })
      .job.jobID;
    h.settle();
    h.clock.advance(6 * 3_600_000);
    const ris = h.job(job).participants.map((p) => p.recoveryInstanceID as string);
    expect(ris).toHaveLength(3);
    expect(ris.map((ri: string) => h.sim.world.instance(ri)?.failback.state)).toEqual([
      "FAILBACK_READY_FOR_LAUNCH",
      "FAILBACK_READY_FOR_LAUNCH",
      "FAILBACK_READY_FOR_LAUNCH",
    ]);
    await h.close();
  });
});

describe("EC2-origin failback: ReverseReplication (spec §7.9)", () => {
  it("creates a FAILBACK source server in the origin region that StartRecovery there can launch", async () => {
    const h = new Harness({ timeScale: 0.01 });
    const { id, ri } = await recovered(h, { originEnvironment: "AWS", originRegion: "us-west-2" });
    const arn = h.call("ReverseReplication", { recoveryInstanceID: ri })
      .reversedDirectionSourceServerArn as string;
    expect(arn).toMatch(/^arn:aws:drs:us-west-2:123456789012:source-server\/s-[0-9a-f]{17}$/);
    expect(() => h.call("ReverseReplication", { recoveryInstanceID: ri })).toThrowError(
      expect.objectContaining({ exception: "ConflictException" }),
    );
    const reversedId = arn.split("/")[1] as string;
    const west = (body = {}) => h.call("DescribeSourceServers", body, { region: "us-west-2" }).items;
    const reversed = west()[0];
    expect(reversed).toMatchObject({
      sourceServerID: reversedId,
      replicationDirection: "FAILBACK",
      reversedDirectionSourceServerArn: `arn:aws:drs:us-east-1:123456789012:source-server/${id}`,
      sourceCloudProperties: { originRegion: "us-east-1", originAccountID: "123456789012" },
      dataReplicationInfo: { dataReplicationState: "INITIATING" },
    });
    expect(
      h.call("DescribeSourceServers", { filters: { sourceServerIDs: [id] } }).items[0]
        .reversedDirectionSourceServerArn,
    ).toBe(arn);
    // The recovery instance reports the reverse replication's progress.
    expect(h.call("DescribeRecoveryInstances", {}).items[0].dataReplicationInfo.dataReplicationState).toBe(
      "INITIATING",
    );
    h.clock.advance(6 * 3_600_000);
    expect(west()[0].dataReplicationInfo.dataReplicationState).toBe("CONTINUOUS");
    const job = h.call(
      "StartRecovery",
      { sourceServers: [{ sourceServerID: reversedId }] },
      { region: "us-west-2" },
    ).job;
    h.settle();
    expect(h.job(job.jobID).participants[0]?.launchStatus).toBe("LAUNCHED");
    const failbackInstance = h.call("DescribeRecoveryInstances", {}, { region: "us-west-2" }).items[0];
    expect(failbackInstance.originEnvironment).toBe("AWS");
    // Re-protect: reversing the failback instance links back to the original server.
    const back = h.call(
      "ReverseReplication",
      { recoveryInstanceID: failbackInstance.recoveryInstanceID },
      { region: "us-west-2" },
    );
    expect(back.reversedDirectionSourceServerArn).toBe(
      `arn:aws:drs:us-east-1:123456789012:source-server/${id}`,
    );
    await h.close();
  });

  it("is refused for on-premises instances", async () => {
    const h = new Harness();
    const { ri } = await recovered(h);
    expect(() => h.call("ReverseReplication", { recoveryInstanceID: ri })).toThrowError(
      expect.objectContaining({ exception: "ValidationException" }),
    );
    await h.close();
  });
});
