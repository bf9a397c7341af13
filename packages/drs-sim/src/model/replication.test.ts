import { describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";
import { readinessOf } from "./replication.js";

const GIB = 1024 ** 3;

describe("source server replication (spec §7.2)", () => {
  it("maps states to readiness classes", async () => {
    const h = new Harness();
    const cases = [
      ["CONTINUOUS", "READY"],
      ["BACKLOG", "READY_WITH_LAG"],
      ["RESCAN", "READY_WITH_LAG"],
      ["STALLED", "DEGRADED"],
      ["PAUSED", "DEGRADED"],
      ["INITIAL_SYNC", "NOT_READY"],
      ["INITIATING", "NOT_READY"],
      ["STOPPED", "NOT_READY"],
      ["DISCONNECTED", "NOT_READY"],
    ] as const;
    for (const [state, readiness] of cases) {
      const [id] = h.seed(1, { state }) as [string];
      expect([state, readinessOf(h.sim.world.server(id)!)]).toEqual([state, readiness]);
    }
    await h.close();
  });

  it("StartReplication: STOPPED → INITIATING → RESCAN → CONTINUOUS on the clock, sync time = bytes / bandwidth", async () => {
    const h = new Harness({ config: { initiationDelay: { dist: "fixed", ms: 60_000 } } });
    const [id] = h.seed(1, { disks: [{ deviceName: "/dev/sda", bytes: 10 * GIB }] }) as [string];
    expect(
      h.call("StopReplication", { sourceServerID: id }).sourceServer.dataReplicationInfo.dataReplicationState,
    ).toBe("STOPPED");
    expect(h.call("DescribeRecoverySnapshots", { sourceServerID: id }).items).toEqual([]);
    const started = h.call("StartReplication", { sourceServerID: id }).sourceServer;
    expect(started.dataReplicationInfo.dataReplicationState).toBe("INITIATING");
    expect(started.dataReplicationInfo.dataReplicationInitiation.steps[0]).toEqual({
      name: "WAIT",
      status: "IN_PROGRESS",
    });
    h.clock.advance(60_000);
    const server = h.sim.world.server(id)!;
    expect(server.replication.state).toBe("RESCAN");
    // 10 GiB at 100 Mbps = 858.99 s; a rescan takes a quarter of that.
    h.clock.advance(214_000);
    expect(server.replication.state).toBe("RESCAN");
    h.clock.advance(1_000);
    expect(server.replication.state).toBe("CONTINUOUS");
    expect(() => h.call("StartReplication", { sourceServerID: id })).toThrowError(
      expect.objectContaining({ exception: "ConflictException" }),
    );
    await h.close();
  });

  it("a new server syncs INITIAL_SYNC → CONTINUOUS and only then takes snapshots", async () => {
    const h = new Harness({ timeScale: 0.1 });
    const [id] = h.seed(1, {
      state: "INITIAL_SYNC",
      disks: [{ deviceName: "/dev/sda", bytes: 10 * GIB }],
    }) as [string];
    const view = () => h.call("DescribeSourceServers", { filters: { sourceServerIDs: [id] } }).items[0];
    expect(view().dataReplicationInfo.etaDateTime).toBeDefined();
    h.clock.advance(43_000);
    const half = view().dataReplicationInfo.replicatedDisks[0];
    expect(half.replicatedStorageBytes / half.totalStorageBytes).toBeCloseTo(0.5, 1);
    h.clock.advance(43_000);
    expect(view().dataReplicationInfo.dataReplicationState).toBe("CONTINUOUS");
    expect(h.call("DescribeRecoverySnapshots", { sourceServerID: id }).items).toEqual([]);
    h.clock.advance(20 * 60_000);
    expect(h.call("DescribeRecoverySnapshots", { sourceServerID: id }).items.length).toBeGreaterThan(0);
    await h.close();
  });

  it("neverSynced keeps a server in INITIAL_SYNC; a drill then fails with SERVER_SKIPPED (F4)", async () => {
    const h = new Harness({ timeScale: 0.01 });
    const [id] = h.seed(1, { state: "INITIAL_SYNC" }) as [string];
    h.runtime.setConfig({ servers: { [id]: { neverSynced: true } } });
    h.clock.advance(48 * 3_600_000);
    expect(h.sim.world.server(id)?.replication.state).toBe("INITIAL_SYNC");
    const job = h.drill([id]);
    h.settle();
    expect(h.events(job)).toContain("SERVER_SKIPPED");
    await h.close();
  });

  it("stallAt makes a server STALLED during a drill", async () => {
    const h = new Harness();
    const [id] = h.seed(1) as [string];
    h.runtime.setConfig({ servers: { [id]: { stallAt: { afterMs: 1_000 } } } });
    h.drill([id]);
    h.settle();
    expect(h.sim.world.server(id)?.replication.state).toBe("STALLED");
    expect(h.sim.world.server(id)?.replication.error?.error).toBe("AGENT_NOT_SEEN");
    await h.close();
  });

  it("control plane forces states with errors, lag and backlog", async () => {
    const h = new Harness();
    const [id] = h.seed(1) as [string];
    const stalled = h.runtime.setSourceServerState(id, { state: "STALLED", error: "UNSTABLE_NETWORK" });
    expect(stalled).toMatchObject({
      dataReplicationInfo: {
        dataReplicationState: "STALLED",
        dataReplicationError: { error: "UNSTABLE_NETWORK" },
      },
    });
    const backlog = h.runtime.setSourceServerState(id, {
      state: "BACKLOG",
      lagSeconds: 150,
      backlogBytes: GIB,
    }) as {
      dataReplicationInfo: { lagDuration: string; replicatedDisks: { backloggedStorageBytes: number }[] };
    };
    expect(backlog.dataReplicationInfo.lagDuration).toBe("PT2M30S");
    expect(backlog.dataReplicationInfo.replicatedDisks[0]?.backloggedStorageBytes).toBe(GIB);
    const initiating = h.runtime.setSourceServerState(id, {
      state: "INITIATING",
      error: "FAILED_TO_PAIR_REPLICATION_SERVER_WITH_AGENT",
    }) as {
      dataReplicationInfo: { dataReplicationInitiation: { steps: { name: string; status: string }[] } };
    };
    const steps = initiating.dataReplicationInfo.dataReplicationInitiation.steps;
    expect(steps.find((s) => s.status === "FAILED")?.name).toBe("PAIR_REPLICATION_SERVER_WITH_AGENT");
    await h.close();
  });

  it("DisconnectSourceServer clears storage and is refused while the server has a recovery instance", async () => {
    const h = new Harness();
    const [a, b] = h.seed(2) as [string, string];
    h.drill([b]);
    h.settle();
    expect(() => h.call("DisconnectSourceServer", { sourceServerID: b })).toThrowError(
      expect.objectContaining({ exception: "ConflictException" }),
    );
    const out = h.call("DisconnectSourceServer", { sourceServerID: a });
    expect(out.dataReplicationInfo.dataReplicationState).toBe("DISCONNECTED");
    expect(
      out.dataReplicationInfo.replicatedDisks.every(
        (d: { totalStorageBytes: number }) => d.totalStorageBytes === 0,
      ),
    ).toBe(true);
    expect(out.dataReplicationInfo.lagDuration).toBeUndefined();
    await h.close();
  });
});
