import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeJobsCommand, DescribeSourceServersCommand, StartRecoveryCommand } from "@aws-sdk/client-drs";
import { ManualClock } from "@drso/clock";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../simulator.js";
import { drsClient } from "../testing/sdk-client.js";

const dir = mkdtempSync(join(tmpdir(), "drs-sim-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const START = Date.UTC(2026, 0, 1);

describe("state file", () => {
  it("a restarted simulator keeps its servers, jobs, schedule and ID sequence", async () => {
    const stateFile = join(dir, "state.json");
    const first = await startSimulator({
      clock: new ManualClock(START),
      fleet: "demo",
      timeScale: 0.01,
      stateFile,
    });
    const client = drsClient(first, { accountId: "111122223333" });
    const servers = (await client.send(new DescribeSourceServersCommand({}))).items ?? [];
    const ids = servers.slice(0, 3).map((s) => s.sourceServerID as string);
    const job = (
      await client.send(
        new StartRecoveryCommand({
          sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
          isDrill: true,
        }),
      )
    ).job?.jobID as string;
    first.control.advance(1_000);
    const midway = (await client.send(new DescribeJobsCommand({ filters: { jobIDs: [job] } }))).items?.[0];
    expect(midway?.status).toBe("STARTED");
    await first.close();
    expect(existsSync(stateFile)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // A fresh manual clock behind the saved time catches up to it.
    const second = await startSimulator({
      clock: new ManualClock(START),
      fleet: "empty",
      timeScale: 0.01,
      stateFile,
    });
    const again = drsClient(second, { accountId: "111122223333" });
    expect(second.clock.now()).toBe(START + 1_000);
    expect(
      ((await again.send(new DescribeSourceServersCommand({}))).items ?? []).map((s) => s.sourceServerID),
    ).toEqual(servers.map((s) => s.sourceServerID));
    const resumed = (await again.send(new DescribeJobsCommand({ filters: { jobIDs: [job] } }))).items?.[0];
    expect(resumed).toEqual(midway);
    second.control.settle();
    const done = (await again.send(new DescribeJobsCommand({ filters: { jobIDs: [job] } }))).items?.[0];
    expect(done?.status).toBe("COMPLETED");
    const nextJob = (
      await again.send(
        new StartRecoveryCommand({
          sourceServers: [{ sourceServerID: servers[5]?.sourceServerID as string }],
        }),
      )
    ).job?.jobID;
    await second.close();

    // The same history without a restart gives the same IDs and the same outcome.
    const straight = await startSimulator({ clock: new ManualClock(START), fleet: "demo", timeScale: 0.01 });
    const c = drsClient(straight, { accountId: "111122223333" });
    const job2 = (
      await c.send(
        new StartRecoveryCommand({
          sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
          isDrill: true,
        }),
      )
    ).job?.jobID;
    straight.control.advance(1_000);
    straight.control.settle();
    expect(job2).toBe(job);
    expect((await c.send(new DescribeJobsCommand({ filters: { jobIDs: [job] } }))).items?.[0]).toEqual(done);
    const nextJob2 = (
      await c.send(
        new StartRecoveryCommand({
          sourceServers: [{ sourceServerID: servers[5]?.sourceServerID as string }],
        }),
      )
    ).job?.jobID;
    expect(nextJob2).toBe(nextJob);
    await straight.close();
  });

  it("saves after changes without waiting for close, and refuses a corrupt file", async () => {
    const stateFile = join(dir, "debounced.json");
    const sim = await startSimulator({ clock: new ManualClock(START), stateFile });
    sim.control.seedSourceServers({ region: "us-east-1", servers: [{ hostname: "saved" }] });
    await sim.control.save();
    const saved = JSON.parse(readFileSync(stateFile, "utf8")) as {
      format: string;
      simulation: { world: { servers: unknown[] } };
    };
    expect(saved.format).toBe("drs-sim-state");
    expect(saved.simulation.world.servers).toHaveLength(1);
    await sim.close();

    const corrupt = join(dir, "corrupt.json");
    writeFileSync(corrupt, "{oops");
    await expect(startSimulator({ stateFile: corrupt })).rejects.toThrow(/not valid JSON/);
  });
});
