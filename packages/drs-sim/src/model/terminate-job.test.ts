import { describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";

describe("TerminateRecoveryInstances (spec §4.10)", () => {
  it("a TERMINATE job shuts instances down, then removes them from DRS", async () => {
    const h = new Harness();
    const ids = h.seed(2) as [string, string];
    const launch = h.drill(ids);
    h.settle();
    const instances = h.job(launch).participants.map((p) => p.recoveryInstanceID as string);
    const job = h.call("TerminateRecoveryInstances", { recoveryInstanceIDs: instances }).job;
    expect(job).toMatchObject({
      type: "TERMINATE",
      initiatedBy: "TERMINATE_RECOVERY_INSTANCES",
      status: "PENDING",
    });
    expect(job.participatingServers).toEqual([
      { sourceServerID: ids[0], recoveryInstanceID: instances[0], launchStatus: "PENDING" },
      { sourceServerID: ids[1], recoveryInstanceID: instances[1], launchStatus: "PENDING" },
    ]);
    // While it runs: SHUTTING-DOWN, and the instance is held by the job.
    while (h.sim.world.instance(instances[0] as string)?.ec2State !== "SHUTTING-DOWN") h.clock.runNext();
    expect(() => h.call("TerminateRecoveryInstances", { recoveryInstanceIDs: [instances[0]] })).toThrowError(
      expect.objectContaining({ exception: "ConflictException" }),
    );
    h.settle();
    const done = h.job(job.jobID);
    expect(done.status).toBe("COMPLETED");
    expect(done.participants.map((p) => p.launchStatus)).toEqual(["TERMINATED", "TERMINATED"]);
    expect(h.events(job.jobID)[0]).toBe("JOB_START");
    expect(h.events(job.jobID).at(-1)).toBe("JOB_END");
    expect(h.call("DescribeRecoveryInstances", {}).items).toEqual([]);
    const server = h.sim.world.server(ids[0]);
    expect(server?.recoveryInstanceId).toBeUndefined();
    expect(server?.lastLaunch?.status).toBe("TERMINATED");
    expect(h.job(launch).participants[0]?.launchStatus).toBe("TERMINATED");
    // Nothing is left to clean up on the next launch.
    const next = h.drill([ids[0]]);
    h.settle();
    expect(h.events(next)).not.toContain("CLEANUP_START");
    await h.close();
  });

  it("unknown IDs stay in the job as FAILED (or 400 with the knob)", async () => {
    const h = new Harness();
    const job = h.call("TerminateRecoveryInstances", { recoveryInstanceIDs: ["i-0123456789abcdef0"] }).job;
    expect(job.participatingServers).toEqual([
      { recoveryInstanceID: "i-0123456789abcdef0", launchStatus: "FAILED" },
    ]);
    h.settle();
    expect(h.job(job.jobID).status).toBe("COMPLETED");
    h.runtime.setConfig({ terminateUnknownInstance: "validation" });
    expect(() =>
      h.call("TerminateRecoveryInstances", { recoveryInstanceIDs: ["i-0123456789abcdef0"] }),
    ).toThrowError(expect.objectContaining({ exception: "ValidationException" }));
    await h.close();
  });

  it("Disconnect, then Delete; Delete before Disconnect is a conflict", async () => {
    const h = new Harness();
    const [id] = h.seed(1) as [string];
    const launch = h.drill([id]);
    h.settle();
    const ri = h.job(launch).participants[0]?.recoveryInstanceID as string;
    expect(() => h.call("DeleteRecoveryInstance", { recoveryInstanceID: ri })).toThrowError(
      expect.objectContaining({ exception: "ConflictException" }),
    );
    h.call("DisconnectRecoveryInstance", { recoveryInstanceID: ri });
    const view = h.call("DescribeRecoveryInstances", {}).items[0];
    expect(view.dataReplicationInfo.dataReplicationState).toBe("DISCONNECTED");
    expect(view.failback.state).toBe("FAILBACK_NOT_STARTED");
    h.call("DeleteRecoveryInstance", { recoveryInstanceID: ri });
    expect(h.call("DescribeRecoveryInstances", {}).items).toEqual([]);
    // The EC2 instance still exists: the next launch cleans it up.
    const next = h.drill([id]);
    h.settle();
    expect(h.events(next)).toContain("CLEANUP_END");
    expect(() => h.call("DisconnectRecoveryInstance", { recoveryInstanceID: ri })).toThrowError(
      expect.objectContaining({
        exception: "ResourceNotFoundException",
        fields: expect.objectContaining({ resourceId: ri }),
      }),
    );
    await h.close();
  });
});
