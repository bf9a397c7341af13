import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "@drso/clock";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../simulator.js";
import { demoFleet } from "./demo-fleet.js";
import { loadFleetFile } from "./fleet-loader.js";
import { fleetProblems, fleetServerCount } from "./fleet-spec.js";

const dir = mkdtempSync(join(tmpdir(), "drs-sim-fleet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("demo fleet", () => {
  it("has 2 accounts × 2 regions, about 30 servers, Linux and Windows, the agreed tags", () => {
    const fleet = demoFleet();
    expect(fleetProblems(fleet)).toEqual([]);
    expect(fleet.accounts.map((a) => a.accountId)).toEqual(["111122223333", "444455556666"]);
    for (const account of fleet.accounts)
      expect(account.regions.map((r) => r.region)).toEqual(["us-east-1", "us-west-2"]);
    expect(fleetServerCount(fleet)).toBe(30);
    const servers = fleet.accounts.flatMap((a) => a.regions.flatMap((r) => r.servers));
    expect(new Set(servers.map((s) => s.os ?? "linux"))).toEqual(new Set(["linux", "windows"]));
    expect(new Set(servers.map((s) => s.tags?.Tier))).toEqual(new Set(["web", "app", "db"]));
    expect(new Set(servers.map((s) => s.tags?.Environment))).toEqual(new Set(["prod", "staging"]));
    expect(servers.every((s) => s.tags?.App && s.tags.Owner)).toBe(true);
    expect(servers.map((s) => s.state ?? "CONTINUOUS").sort()).toEqual(
      [...Array(27).fill("CONTINUOUS"), "BACKLOG", "INITIAL_SYNC", "STALLED"].sort(),
    );
    expect(servers.filter((s) => s.originEnvironment === "AWS")).toHaveLength(2);
  });

  it("gives the same source server IDs for the same seed, different ones for another seed", async () => {
    const ids = async (seed: number) => {
      const sim = await startSimulator({ clock: new ManualClock(), fleet: "demo", seed });
      const out = sim.control
        .state()
        .regions.flatMap((r) => r.sourceServers.map((s) => `${s.sourceServerID}`));
      await sim.close();
      return out;
    };
    const first = await ids(1);
    expect(first).toHaveLength(30);
    expect(await ids(1)).toEqual(first);
    expect(await ids(2)).not.toEqual(first);
    // Stable across releases too: the orchestrator stores these IDs in protection groups.
    expect(first[0]).toBe("s-53f1703408811cb1f");
  });

  it("seeds snapshot history on the cadence, and every region is initialized", async () => {
    // Five minutes past a slot, so the newest 10-minute snapshot is complete.
    const sim = await startSimulator({ clock: new ManualClock(Date.UTC(2026, 0, 1, 0, 5)), fleet: "demo" });
    const state = sim.control.state();
    expect(state.regions.every((r) => r.initialized)).toBe(true);
    const healthy = state.regions[0]?.sourceServers.find(
      (s) =>
        (s.dataReplicationInfo as { dataReplicationState: string }).dataReplicationState === "CONTINUOUS",
    );
    expect((healthy?.simulator as { snapshots: number } | undefined)?.snapshots).toBe(6 + 23 + 6);
    const stalled = state.regions[0]?.sourceServers.find(
      (s) => (s.dataReplicationInfo as { dataReplicationState: string }).dataReplicationState === "STALLED",
    );
    expect(stalled?.dataReplicationInfo).toMatchObject({ dataReplicationError: { error: "AGENT_NOT_SEEN" } });
    await sim.close();
  });
});

describe("JSON fleet files", () => {
  it("loads a valid file and reports problems in an invalid one", async () => {
    const good = join(dir, "fleet.json");
    writeFileSync(
      good,
      JSON.stringify({
        accounts: [
          {
            accountId: "222233334444",
            regions: [
              { region: "eu-west-1", servers: [{ hostname: "erp-01", os: "windows", tags: { App: "erp" } }] },
            ],
          },
        ],
      }),
    );
    const sim = await startSimulator({ clock: new ManualClock(), fleet: good });
    expect(sim.control.state().regions[0]).toMatchObject({ accountId: "222233334444", region: "eu-west-1" });
    await sim.close();

    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        accounts: [{ accountId: "1", regions: [{ region: "x", servers: [{ os: "mac" }] }] }],
      }),
    );
    expect(() => loadFleetFile(bad)).toThrow(/accountId: must be 12 digits.*hostname: required.*os: invalid/);
    writeFileSync(bad, "{");
    expect(() => loadFleetFile(bad)).toThrow(/cannot read fleet file/);
  });
});
