import {
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeSourceServersCommand,
  DrsClient,
  ListTagsForResourceCommand,
  paginateDescribeSourceServers,
  ResourceNotFoundException,
  ReverseReplicationCommand,
  StartFailbackLaunchCommand,
  StartRecoveryCommand,
  TerminateRecoveryInstancesCommand,
  ValidationException,
} from "@aws-sdk/client-drs";
import { ManualClock } from "@drso/clock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "./simulator.js";
import { control, drsClient } from "./testing/sdk-client.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("accounts and regions", () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ clock: new ManualClock(), accounts: { AKIDTEST: "999988887777" } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("keeps each account and region apart", async () => {
    sim.control.seedSourceServers({
      accountId: "111122223333",
      region: "us-east-1",
      servers: [{ hostname: "a1" }],
    });
    const b = sim.control.seedSourceServers({
      accountId: "444455556666",
      region: "us-east-1",
      servers: [{ hostname: "b1" }],
    });
    const aw = sim.control.seedSourceServers({
      accountId: "111122223333",
      region: "us-west-2",
      servers: [{ hostname: "aw" }],
    });
    const hosts = async (accountId: string, region: string) =>
      (await drsClient(sim, { accountId, region }).send(new DescribeSourceServersCommand({}))).items?.map(
        (s) => s.sourceProperties?.identificationHints?.hostname,
      );
    expect(await hosts("111122223333", "us-east-1")).toEqual(["a1"]);
    expect(await hosts("444455556666", "us-east-1")).toEqual(["b1"]);
    expect(await hosts("111122223333", "us-west-2")).toEqual(["aw"]);
    expect(await hosts("444455556666", "us-west-2")).toEqual([]);

    const fromA = drsClient(sim, { accountId: "111122223333", maxAttempts: 1 });
    const launchB = await rejection(
      fromA.send(
        new StartRecoveryCommand({ sourceServers: [{ sourceServerID: b.sourceServerIDs[0] as string }] }),
      ),
    );
    expect(launchB).toBeInstanceOf(ValidationException);
    const tagB = await rejection(
      fromA.send(
        new ListTagsForResourceCommand({
          resourceArn: `arn:aws:drs:us-east-1:444455556666:source-server/${b.sourceServerIDs[0]}`,
        }),
      ),
    );
    expect(tagB).toBeInstanceOf(ResourceNotFoundException);
    const westFromEast = await rejection(
      fromA.send(
        new ListTagsForResourceCommand({
          resourceArn: `arn:aws:drs:us-west-2:111122223333:source-server/${aw.sourceServerIDs[0]}`,
        }),
      ),
    );
    expect(westFromEast).toBeInstanceOf(ResourceNotFoundException);
    const log = sim.control.requests({ account: "444455556666" });
    expect(log.every((r) => r.accountId === "444455556666")).toBe(true);
    expect(sim.control.requests({ region: "us-west-2" }).length).toBeGreaterThan(0);
  });

  it("requireAuthHeader refuses unsigned requests with 403", async () => {
    sim.control.setConfig({ requireAuthHeader: true });
    const unsigned = await fetch(`${sim.url}/DescribeJobs`, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect((await drsClient(sim).send(new DescribeJobsCommand({}))).$metadata.httpStatusCode).toBe(200);
    sim.control.setConfig({ requireAuthHeader: false });
    const fallback = await fetch(`${sim.url}/DescribeJobs`, { method: "POST", body: "{}" });
    expect(fallback.status).toBe(200);
    expect(sim.control.requests({ limit: 1 })[0]).toMatchObject({
      accountId: "123456789012",
      region: "us-east-1",
    });
  });

  it("maps access keys: explicit mapping, 12 trailing digits, else the default account", async () => {
    sim.control.seedSourceServers({
      accountId: "999988887777",
      region: "us-east-1",
      servers: [{ hostname: "mapped" }],
    });
    sim.control.seedSourceServers({ region: "us-east-1", servers: [{ hostname: "default" }] });
    const send = (accessKeyId: string) =>
      new DrsClient({
        region: "us-east-1",
        endpoint: sim.url,
        credentials: { accessKeyId, secretAccessKey: "x" },
      }).send(new DescribeSourceServersCommand({}));
    expect((await send("AKIDTEST")).items?.[0]?.sourceProperties?.identificationHints?.hostname).toBe(
      "mapped",
    );
    expect((await send("AKIAEXAMPLE")).items?.[0]?.arn).toContain(":123456789012:");
    expect((await send("AKIASIM999988887777")).items?.[0]?.arn).toContain(":999988887777:");
  });
});

describe("recovery, failback and termination end to end", () => {
  let sim: RunningSimulator;
  let client: DrsClient;

  beforeAll(async () => {
    sim = await startSimulator({ clock: new ManualClock(), timeScale: 0.01 });
    client = drsClient(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("on-premises failback driven through /__sim", async () => {
    const [id] = (
      await control(sim, "POST", "/__sim/source-servers", {
        region: "us-east-1",
        servers: [{ hostname: "onprem" }],
      })
    ).body.sourceServerIDs as [string];
    const job = (await client.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: id }] })))
      .job;
    expect((await control(sim, "POST", "/__sim/clock", { settle: true })).status).toBe(200);
    const ri = (
      await client.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [id] } }))
    ).items?.[0];
    expect(ri).toMatchObject({ isDrill: false, jobID: job?.jobID, originEnvironment: "ON_PREMISES" });
    const riId = ri?.recoveryInstanceID as string;
    const connected = await control(sim, "POST", `/__sim/recovery-instances/${riId}/failback`, {
      action: "clientConnected",
    });
    expect(connected.body.failback.state).toBe("FAILBACK_NOT_READY_FOR_LAUNCH");
    const clock = await control(sim, "POST", "/__sim/clock", { advanceMs: 3_600_000 });
    expect(clock.body.controllable).toBe(true);
    const ready = (
      await client.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: [riId] } }))
    ).items?.[0];
    expect(ready?.failback?.state).toBe("FAILBACK_READY_FOR_LAUNCH");
    expect(ready?.dataReplicationInfo?.dataReplicationState).toBe("CONTINUOUS");
    const failback = await client.send(new StartFailbackLaunchCommand({ recoveryInstanceIDs: [riId] }));
    await control(sim, "POST", "/__sim/clock", { settle: true });
    const done = (
      await client.send(new DescribeJobsCommand({ filters: { jobIDs: [failback.job?.jobID as string] } }))
    ).items?.[0];
    expect(done).toMatchObject({ status: "COMPLETED", initiatedBy: "FAILBACK" });
    expect(done?.participatingServers?.[0]?.launchStatus).toBe("LAUNCHED");
    const after = (
      await client.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: [riId] } }))
    ).items?.[0];
    expect(after?.failback?.state).toBe("FAILBACK_COMPLETED");
    expect(after?.failback?.failbackJobID).toBe(failback.job?.jobID);
  });

  it("EC2-origin failback: ReverseReplication, then StartRecovery in the origin region", async () => {
    const [id] = sim.control.seedSourceServers({
      region: "us-east-1",
      servers: [{ hostname: "ec2-app", originEnvironment: "AWS", originRegion: "us-west-2" }],
    }).sourceServerIDs as [string];
    await client.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: id }] }));
    sim.control.settle();
    const ri = (
      await client.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [id] } }))
    ).items?.[0];
    expect(ri?.originEnvironment).toBe("AWS");
    const { reversedDirectionSourceServerArn } = await client.send(
      new ReverseReplicationCommand({ recoveryInstanceID: ri?.recoveryInstanceID as string }),
    );
    const west = drsClient(sim, { region: "us-west-2" });
    const reversedId = (reversedDirectionSourceServerArn as string).split("/")[1] as string;
    sim.control.advance(6 * 3_600_000);
    const reversed = (
      await west.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: [reversedId] } }))
    ).items?.[0];
    expect(reversed).toMatchObject({
      replicationDirection: "FAILBACK",
      dataReplicationInfo: { dataReplicationState: "CONTINUOUS" },
    });
    const job = (
      await west.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: reversedId }] }))
    ).job;
    sim.control.settle();
    const launched = (
      await west.send(new DescribeJobsCommand({ filters: { jobIDs: [job?.jobID as string] } }))
    ).items?.[0];
    expect(launched?.participatingServers?.[0]?.launchStatus).toBe("LAUNCHED");
    const westInstances = (await west.send(new DescribeRecoveryInstancesCommand({}))).items;
    expect(westInstances?.map((i) => i.sourceServerID)).toEqual([reversedId]);
  });

  it("TerminateRecoveryInstances removes the instances, and the request log shows each server launched once", async () => {
    const ids = sim.control.seedSourceServers({
      region: "us-east-1",
      servers: [{ hostname: "t1" }, { hostname: "t2" }, { hostname: "t3" }],
    }).sourceServerIDs;
    await client.send(
      new StartRecoveryCommand({
        sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
        isDrill: true,
      }),
    );
    sim.control.settle();
    const instances =
      (await client.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: ids } })))
        .items ?? [];
    const terminate = await client.send(
      new TerminateRecoveryInstancesCommand({
        recoveryInstanceIDs: instances.map((i) => i.recoveryInstanceID as string),
      }),
    );
    sim.control.settle();
    expect(
      (await client.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: ids } }))).items,
    ).toEqual([]);
    const jobs = await control(sim, "GET", `/__sim/requests?op=TerminateRecoveryInstances`);
    expect(jobs.body.requests.at(-1)).toMatchObject({
      status: 200,
      jobID: terminate.job?.jobID,
      recoveryInstanceIDs: instances.map((i) => i.recoveryInstanceID),
    });
    const launches = (await control(sim, "GET", "/__sim/requests?op=StartRecovery&status=202")).body
      .requests as {
      sourceServerIDs: string[];
      jobID: string;
    }[];
    for (const id of ids) expect(launches.filter((r) => r.sourceServerIDs.includes(id))).toHaveLength(1);
    expect(launches.every((r) => /^drsjob-/.test(r.jobID))).toBe(true);
  });
});

describe("simulator-owned clock and consistency knobs", () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.01 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("switches between real and manual mode and advances deterministically", async () => {
    const frozen = await control(sim, "POST", "/__sim/clock", { mode: "manual" });
    expect(frozen.body.mode).toBe("manual");
    const again = await control(sim, "GET", "/__sim/clock");
    expect(again.body.now).toBe(frozen.body.now);
    const advanced = await control(sim, "POST", "/__sim/clock", { advanceMs: 60_000 });
    expect(advanced.body.now).toBe(frozen.body.now + 60_000);
    expect((await control(sim, "POST", "/__sim/clock", { advanceMs: -1 })).status).toBe(400);
  });

  it("eventualConsistencyMs hides a new job for a while; emptyPagesWithToken inserts empty pages", async () => {
    const client = drsClient(sim);
    const ids = sim.control.seedSourceServers({
      region: "us-east-1",
      servers: [{ hostname: "e1" }, { hostname: "e2" }],
    }).sourceServerIDs;
    sim.control.setConfig({ eventualConsistencyMs: 5_000, emptyPagesWithToken: true });
    const job = (
      await client.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: ids[0] as string }] }))
    ).job;
    const filter = { filters: { jobIDs: [job?.jobID as string] } };
    expect((await client.send(new DescribeJobsCommand(filter))).items).toEqual([]);
    sim.control.advance(5_000);
    expect((await client.send(new DescribeJobsCommand(filter))).items).toHaveLength(1);
    let pages = 0;
    const seen: string[] = [];
    for await (const page of paginateDescribeSourceServers({ client, pageSize: 1 }, {})) {
      pages++;
      seen.push(...(page.items ?? []).map((s) => s.sourceServerID as string));
    }
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    sim.control.setConfig({ eventualConsistencyMs: 0, emptyPagesWithToken: false });
  });

  it("availability faults: 503, 502 HTML, malformed JSON, reset, latency, hang", async () => {
    const client = drsClient(sim, { maxAttempts: 1 });
    const fault = async (knobs: Record<string, unknown>) => {
      sim.control.setConfig({ operations: { DescribeJobs: knobs } });
      const error = await rejection(client.send(new DescribeJobsCommand({})));
      sim.control.setConfig({ operations: { DescribeJobs: null } });
      return error as Error & { $metadata?: { httpStatusCode?: number } };
    };
    expect((await fault({ serviceUnavailableProbability: 1 })).$metadata?.httpStatusCode).toBe(503);
    expect((await fault({ badGatewayHtmlProbability: 1 })).name).toMatch(/SyntaxError|Error/);
    const malformed = await fault({ malformedJsonProbability: 1 });
    expect(malformed).toBeInstanceOf(Error);
    expect(await fault({ connectionResetProbability: 1 })).toBeInstanceOf(Error);
    expect(
      sim.control
        .requests({ op: "DescribeJobs" })
        .map((r) => r.fault)
        .filter(Boolean),
    ).toEqual(["serviceUnavailable", "badGateway", "malformedJson", "connectionReset"]);

    sim.control.setConfig({ operations: { DescribeJobs: { latencyMs: { median: 30, p95: 30 } } } });
    const started = performance.now();
    await client.send(new DescribeJobsCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    sim.control.setConfig({ operations: { DescribeJobs: { latencyMs: null, hangProbability: 1 } } });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    expect(
      await rejection(client.send(new DescribeJobsCommand({}), { abortSignal: abort.signal })),
    ).toBeInstanceOf(Error);
    sim.control.setConfig({ operations: { DescribeJobs: null } });
  });
});
