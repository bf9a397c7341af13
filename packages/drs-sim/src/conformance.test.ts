import {
  AccessDeniedException,
  ConflictException,
  DeleteJobCommand,
  DeleteRecoveryInstanceCommand,
  DescribeJobLogItemsCommand,
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeRecoverySnapshotsCommand,
  DescribeSourceServersCommand,
  DisconnectRecoveryInstanceCommand,
  DisconnectSourceServerCommand,
  type DrsClient,
  DrsServiceException,
  GetFailbackReplicationConfigurationCommand,
  GetLaunchConfigurationCommand,
  InitializeServiceCommand,
  InternalServerException,
  type JobLog,
  ListTagsForResourceCommand,
  paginateDescribeJobLogItems,
  paginateDescribeJobs,
  paginateDescribeRecoveryInstances,
  paginateDescribeRecoverySnapshots,
  paginateDescribeSourceServers,
  ResourceNotFoundException,
  ReverseReplicationCommand,
  ServiceQuotaExceededException,
  StartFailbackLaunchCommand,
  StartRecoveryCommand,
  StartReplicationCommand,
  StopFailbackCommand,
  StopReplicationCommand,
  TagResourceCommand,
  TerminateRecoveryInstancesCommand,
  ThrottlingException,
  UninitializedAccountException,
  UntagResourceCommand,
  UpdateFailbackReplicationConfigurationCommand,
  UpdateLaunchConfigurationCommand,
  ValidationException,
} from "@aws-sdk/client-drs";
import { ManualClock } from "@drso/clock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "./simulator.js";
import { drsClient } from "./testing/sdk-client.js";

/**
 * The conformance checks of spec §13, with the unmodified `@aws-sdk/client-drs@3.523.0` over loopback.
 */

const ACCOUNT = "123456789012";
const S1 = ["SNAPSHOT_START", "SNAPSHOT_END", "CONVERSION_START", "CONVERSION_END", "LAUNCH_START"];

async function startDrill(client: DrsClient, ids: string[]): Promise<string> {
  const out = await client.send(
    new StartRecoveryCommand({
      sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
      isDrill: true,
    }),
  );
  return out.job?.jobID as string;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("§13.1 every operation of §2 returns typed output with the modeled status code", () => {
  let sim: RunningSimulator;
  let clock: ManualClock;
  let client: DrsClient;
  let west: DrsClient;

  beforeAll(async () => {
    clock = new ManualClock();
    sim = await startSimulator({ clock, timeScale: 0.01 });
    client = drsClient(sim);
    west = drsClient(sim, { region: "us-west-2" });
    sim.control.setRegion({ accountId: ACCOUNT, region: "us-east-1", initialized: false });
    sim.control.seedSourceServers({
      region: "us-east-1",
      servers: [
        { hostname: "web-1", tags: { App: "shop" } },
        { hostname: "ec2-app-1", originEnvironment: "AWS", originRegion: "us-west-2" },
        { hostname: "spare-1" },
      ],
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("runs all 24 operations", async () => {
    const statuses: Record<string, number | undefined> = {};
    const note = (name: string, out: { $metadata: { httpStatusCode?: number } }) => {
      statuses[name] = out.$metadata.httpStatusCode;
    };

    note("InitializeService", await client.send(new InitializeServiceCommand({})));
    const servers = await client.send(new DescribeSourceServersCommand({}));
    note("DescribeSourceServers", servers);
    expect(servers.items?.map((s) => s.sourceProperties?.identificationHints?.hostname)).toEqual([
      "web-1",
      "ec2-app-1",
      "spare-1",
    ]);
    const [web, ec2, spare] = (servers.items ?? []).map((s) => s.sourceServerID as string) as [
      string,
      string,
      string,
    ];

    const lc = await client.send(new GetLaunchConfigurationCommand({ sourceServerID: web }));
    note("GetLaunchConfiguration", lc);
    expect(lc).toMatchObject({ sourceServerID: web, launchDisposition: "STARTED", copyTags: false });
    const updated = await client.send(
      new UpdateLaunchConfigurationCommand({ sourceServerID: web, copyTags: true, name: "web" }),
    );
    note("UpdateLaunchConfiguration", updated);
    expect(updated).toMatchObject({ copyTags: true, name: "web" });

    const snapshots = await client.send(
      new DescribeRecoverySnapshotsCommand({ sourceServerID: web, order: "DESC" }),
    );
    note("DescribeRecoverySnapshots", snapshots);
    expect(snapshots.items?.[0]?.snapshotID).toMatch(/^pit-[0-9a-f]{17}$/);

    const started = await client.send(
      new StartRecoveryCommand({
        sourceServers: [{ sourceServerID: web }, { sourceServerID: ec2 }],
        tags: { k: "v" },
      }),
    );
    note("StartRecovery", started);
    expect(started.job).toMatchObject({
      type: "LAUNCH",
      status: "PENDING",
      initiatedBy: "START_RECOVERY",
      tags: { k: "v" },
    });
    const jobID = started.job?.jobID as string;

    const jobs = await client.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }));
    note("DescribeJobs", jobs);
    expect(jobs.items?.[0]?.jobID).toBe(jobID);
    sim.control.settle();
    const log = await client.send(new DescribeJobLogItemsCommand({ jobID }));
    note("DescribeJobLogItems", log);
    expect(log.items?.[0]?.event).toBe("JOB_START");

    const instances = await client.send(new DescribeRecoveryInstancesCommand({}));
    note("DescribeRecoveryInstances", instances);
    expect(instances.items).toHaveLength(2);
    const webInstance = instances.items?.find((i) => i.sourceServerID === web);
    const ec2Instance = instances.items?.find((i) => i.sourceServerID === ec2);
    // copyTags was switched on for web-1 only.
    expect(webInstance?.tags).toEqual({ App: "shop" });
    expect(ec2Instance?.tags).toEqual({});
    const webRi = webInstance?.recoveryInstanceID as string;
    const ec2Ri = ec2Instance?.recoveryInstanceID as string;

    const arn = servers.items?.[0]?.arn as string;
    note("TagResource", await client.send(new TagResourceCommand({ resourceArn: arn, tags: { a: "1" } })));
    const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    note("ListTagsForResource", tags);
    expect(tags.tags).toEqual({ App: "shop", a: "1" });
    note("UntagResource", await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a"] })));

    const fbConfig = await client.send(
      new GetFailbackReplicationConfigurationCommand({ recoveryInstanceID: webRi }),
    );
    note("GetFailbackReplicationConfiguration", fbConfig);
    expect(fbConfig).toMatchObject({
      recoveryInstanceID: webRi,
      bandwidthThrottling: 0,
      usePrivateIP: false,
    });
    note(
      "UpdateFailbackReplicationConfiguration",
      await client.send(
        new UpdateFailbackReplicationConfigurationCommand({ recoveryInstanceID: webRi, usePrivateIP: true }),
      ),
    );

    const reversed = await client.send(new ReverseReplicationCommand({ recoveryInstanceID: ec2Ri }));
    note("ReverseReplication", reversed);
    expect(reversed.reversedDirectionSourceServerArn).toMatch(
      /^arn:aws:drs:us-west-2:123456789012:source-server\/s-/,
    );
    expect((await west.send(new DescribeSourceServersCommand({}))).items?.[0]?.replicationDirection).toBe(
      "FAILBACK",
    );

    sim.control.driveFailback(webRi, { action: "replicationHealthy" });
    note("StopFailback", await client.send(new StopFailbackCommand({ recoveryInstanceID: webRi })));
    sim.control.driveFailback(webRi, { action: "replicationHealthy" });
    const failback = await client.send(new StartFailbackLaunchCommand({ recoveryInstanceIDs: [webRi] }));
    note("StartFailbackLaunch", failback);
    expect(failback.job).toMatchObject({ initiatedBy: "FAILBACK", type: "LAUNCH" });
    sim.control.settle();

    const terminate = await client.send(
      new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: [ec2Ri] }),
    );
    note("TerminateRecoveryInstances", terminate);
    expect(terminate.job).toMatchObject({ type: "TERMINATE", initiatedBy: "TERMINATE_RECOVERY_INSTANCES" });
    sim.control.settle();

    note(
      "DisconnectRecoveryInstance",
      await client.send(new DisconnectRecoveryInstanceCommand({ recoveryInstanceID: webRi })),
    );
    note(
      "DeleteRecoveryInstance",
      await client.send(new DeleteRecoveryInstanceCommand({ recoveryInstanceID: webRi })),
    );
    note("DeleteJob", await client.send(new DeleteJobCommand({ jobID })));

    const stopped = await client.send(new StopReplicationCommand({ sourceServerID: spare }));
    note("StopReplication", stopped);
    expect(stopped.sourceServer?.dataReplicationInfo?.dataReplicationState).toBe("STOPPED");
    const restarted = await client.send(new StartReplicationCommand({ sourceServerID: spare }));
    note("StartReplication", restarted);
    expect(restarted.sourceServer?.dataReplicationInfo?.dataReplicationState).toBe("INITIATING");
    const disconnected = await client.send(new DisconnectSourceServerCommand({ sourceServerID: spare }));
    note("DisconnectSourceServer", disconnected);
    expect(disconnected.dataReplicationInfo?.dataReplicationState).toBe("DISCONNECTED");

    expect(statuses).toEqual({
      InitializeService: 204,
      DescribeSourceServers: 200,
      GetLaunchConfiguration: 200,
      UpdateLaunchConfiguration: 200,
      DescribeRecoverySnapshots: 200,
      StartRecovery: 202,
      DescribeJobs: 200,
      DescribeJobLogItems: 200,
      DescribeRecoveryInstances: 200,
      TagResource: 200,
      ListTagsForResource: 200,
      UntagResource: 200,
      GetFailbackReplicationConfiguration: 200,
      UpdateFailbackReplicationConfiguration: 200,
      ReverseReplication: 200,
      StopFailback: 200,
      StartFailbackLaunch: 200,
      TerminateRecoveryInstances: 200,
      DisconnectRecoveryInstance: 200,
      DeleteRecoveryInstance: 200,
      DeleteJob: 204,
      StopReplication: 200,
      StartReplication: 200,
      DisconnectSourceServer: 200,
    });
    expect(Object.keys(statuses)).toHaveLength(24);
  });
});

describe("§13.2 each of the 8 exceptions arrives as its typed class", () => {
  let sim: RunningSimulator;
  let client: DrsClient;
  let ids: string[];

  beforeAll(async () => {
    sim = await startSimulator({ clock: new ManualClock(), fleet: "empty" });
    client = drsClient(sim, { maxAttempts: 1 });
    ids = sim.control.seedSourceServers({
      region: "us-east-1",
      servers: Array.from({ length: 101 }, (_, i) => ({ hostname: `h-${i}`, snapshotsHistoryHours: 1 })),
    }).sourceServerIDs;
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("ValidationException: reason and fieldList", async () => {
    const error = await rejection(client.send(new StartRecoveryCommand({ sourceServers: [] })));
    expect(error).toBeInstanceOf(ValidationException);
    const e = error as ValidationException;
    expect(e.$fault).toBe("client");
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.reason).toBe("fieldValidationFailed");
    expect(e.fieldList?.[0]?.name).toBe("sourceServers");
    expect(e.message).toBe("Invalid request");
  });

  it("UninitializedAccountException", async () => {
    sim.control.setRegion({ accountId: ACCOUNT, region: "eu-west-1", initialized: false });
    const error = await rejection(
      drsClient(sim, { region: "eu-west-1", maxAttempts: 1 }).send(new DescribeJobsCommand({})),
    );
    expect(error).toBeInstanceOf(UninitializedAccountException);
    expect((error as UninitializedAccountException).$fault).toBe("client");
    expect((error as UninitializedAccountException).$metadata.httpStatusCode).toBe(400);
  });

  it("AccessDeniedException", async () => {
    sim.control.setConfig({ accessDenied: { DescribeJobs: true } });
    const error = await rejection(client.send(new DescribeJobsCommand({})));
    sim.control.setConfig({ accessDenied: { DescribeJobs: null } });
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((error as AccessDeniedException).$fault).toBe("client");
    expect((error as AccessDeniedException).$metadata.httpStatusCode).toBe(403);
  });

  it("ResourceNotFoundException: resourceId and resourceType", async () => {
    const error = await rejection(
      client.send(new GetLaunchConfigurationCommand({ sourceServerID: "s-00000000000000000" })),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    const e = error as ResourceNotFoundException;
    expect(e.$fault).toBe("client");
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect(e.resourceId).toBe("s-00000000000000000");
    expect(e.resourceType).toBe("SOURCE_SERVER");
  });

  it("ConflictException: resourceId", async () => {
    await startDrill(client, [ids[0] as string]);
    const error = await rejection(startDrill(client, [ids[0] as string]));
    expect(error).toBeInstanceOf(ConflictException);
    const e = error as ConflictException;
    expect(e.$fault).toBe("client");
    expect(e.$metadata.httpStatusCode).toBe(409);
    expect(e.resourceId).toBe(ids[0]);
    expect(e.resourceType).toBe("SOURCE_SERVER");
  });

  it("ServiceQuotaExceededException: quotaCode and serviceCode", async () => {
    const error = await rejection(startDrill(client, ids.slice(0, 101)));
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    const e = error as ServiceQuotaExceededException;
    expect(e.$fault).toBe("client");
    expect(e.$metadata.httpStatusCode).toBe(402);
    expect(e.quotaCode).toBe("L-B827C881");
    expect(e.serviceCode).toBe("drs");
  });

  it("ThrottlingException: retryAfterSeconds is a string", async () => {
    sim.control.setConfig({
      operations: { DescribeSourceServers: { throttleProbability: 1 } },
      throttleRetryAfter: 7,
    });
    const error = await rejection(client.send(new DescribeSourceServersCommand({})));
    sim.control.setConfig({ operations: { DescribeSourceServers: null }, throttleRetryAfter: null });
    expect(error).toBeInstanceOf(ThrottlingException);
    const e = error as ThrottlingException;
    expect(e.$fault).toBe("client");
    expect(e.$metadata.httpStatusCode).toBe(429);
    expect(e.retryAfterSeconds).toBe("7");
    expect(e.serviceCode).toBe("drs");
  });

  it("InternalServerException: retryAfterSeconds is a number", async () => {
    sim.control.setConfig({ operations: { DescribeJobs: { internalErrorProbability: 1 } }, retryAfter: 3 });
    const error = await rejection(client.send(new DescribeJobsCommand({})));
    sim.control.setConfig({ operations: { DescribeJobs: null }, retryAfter: null });
    expect(error).toBeInstanceOf(InternalServerException);
    const e = error as InternalServerException;
    expect(e.$fault).toBe("server");
    expect(e.$metadata.httpStatusCode).toBe(500);
    expect(e.retryAfterSeconds).toBe(3);
  });

  it("errorWithoutHeader gives an untyped DrsServiceException named after the body's code", async () => {
    sim.control.setConfig({ errorWithoutHeader: true });
    const error = await rejection(
      client.send(new GetLaunchConfigurationCommand({ sourceServerID: "s-00000000000000000" })),
    );
    sim.control.setConfig({ errorWithoutHeader: false });
    expect(error).toBeInstanceOf(DrsServiceException);
    expect(error).not.toBeInstanceOf(ResourceNotFoundException);
    expect((error as DrsServiceException).name).toBe("RESOURCE_NOT_FOUND");
  });
});

describe("§13.3 paginators with pageSize 1 visit every item exactly once and stop", () => {
  let sim: RunningSimulator;
  let client: DrsClient;
  let ids: string[];
  let jobIds: string[];

  beforeAll(async () => {
    sim = await startSimulator({ clock: new ManualClock(), timeScale: 0.01 });
    client = drsClient(sim);
    ids = sim.control.seedSourceServers({
      region: "us-east-1",
      servers: Array.from({ length: 5 }, (_, i) => ({ hostname: `p-${i}`, snapshotsHistoryHours: 3 })),
    }).sourceServerIDs;
    jobIds = [];
    for (const group of [ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)])
      jobIds.push(await startDrill(client, group));
    sim.control.settle();
  });
  afterAll(async () => {
    await sim?.close();
  });

  async function collect<T>(
    pages: AsyncIterable<{ items?: T[]; nextToken?: string }>,
  ): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let count = 0;
    for await (const page of pages) {
      count++;
      items.push(...(page.items ?? []));
      if (count > 1000) throw new Error("paginator did not stop");
    }
    return { items, pages: count };
  }

  it("DescribeSourceServers", async () => {
    const { items, pages } = await collect(paginateDescribeSourceServers({ client, pageSize: 1 }, {}));
    expect(items.map((s) => s.sourceServerID)).toEqual(ids);
    expect(pages).toBe(5);
  });

  it("DescribeJobs (latest first)", async () => {
    const { items, pages } = await collect(paginateDescribeJobs({ client, pageSize: 1 }, {}));
    expect(items.map((j) => j.jobID)).toEqual([...jobIds].reverse());
    expect(pages).toBe(3);
  });

  it("DescribeJobLogItems", async () => {
    const all =
      (await client.send(new DescribeJobLogItemsCommand({ jobID: jobIds[0] as string, maxResults: 1000 })))
        .items ?? [];
    const { items, pages } = await collect(
      paginateDescribeJobLogItems({ client, pageSize: 1 }, { jobID: jobIds[0] as string }),
    );
    expect(items).toEqual(all);
    expect(items.length).toBe(1 + 2 * 5 + 1);
    expect(pages).toBe(items.length);
  });

  it("DescribeRecoveryInstances", async () => {
    const { items, pages } = await collect(paginateDescribeRecoveryInstances({ client, pageSize: 1 }, {}));
    const seen = items.map((i) => i.recoveryInstanceID);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toHaveLength(5);
    expect(pages).toBe(5);
  });

  it("DescribeRecoverySnapshots", async () => {
    const all =
      (
        await client.send(
          new DescribeRecoverySnapshotsCommand({ sourceServerID: ids[0] as string, maxResults: 1000 }),
        )
      ).items ?? [];
    expect(all.length).toBeGreaterThan(5);
    const { items, pages } = await collect(
      paginateDescribeRecoverySnapshots({ client, pageSize: 1 }, { sourceServerID: ids[0] as string }),
    );
    expect(items.map((s) => s.snapshotID)).toEqual(all.map((s) => s.snapshotID));
    expect(pages).toBe(all.length);
  });
});

describe("§13.4 tag ARNs round-trip and Untag takes repeated tagKeys", () => {
  let sim: RunningSimulator;
  let client: DrsClient;

  beforeAll(async () => {
    sim = await startSimulator({ clock: new ManualClock() });
    client = drsClient(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("tags a source server ARN (with ':' and '/') and removes keys with spaces", async () => {
    const [id] = sim.control.seedSourceServers({
      region: "us-east-1",
      servers: [{ hostname: "t", tags: { App: "x" } }],
    }).sourceServerIDs as [string];
    const arn = `arn:aws:drs:us-east-1:${ACCOUNT}:source-server/${id}`;
    await client.send(
      new TagResourceCommand({ resourceArn: arn, tags: { a: "1", "b c": "2", "k/:=": "v/:" } }),
    );
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      App: "x",
      a: "1",
      "b c": "2",
      "k/:=": "v/:",
    });
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a", "b c", "k/:="] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      App: "x",
    });
    const tagged = sim.control.requests({ op: "TagResource" })[0];
    expect(tagged?.path).toBe(`/tags/${encodeURIComponent(arn)}`);
    expect(tagged?.path).toContain("%3A");
    expect(tagged?.path).toContain("%2F");
    expect((await client.send(new DescribeSourceServersCommand({}))).items?.[0]?.tags).toEqual({ App: "x" });
  });

  it("tags jobs and recovery instances; unknown ARNs are 404, non-DRS ARNs 400", async () => {
    const [id] = sim.control.seedSourceServers({ region: "us-east-1", servers: [{ hostname: "j" }] })
      .sourceServerIDs as [string];
    const jobId = await startDrill(client, [id]);
    const jobArn = `arn:aws:drs:us-east-1:${ACCOUNT}:job/${jobId}`;
    await client.send(new TagResourceCommand({ resourceArn: jobArn, tags: { wave: "1" } }));
    expect(
      (await client.send(new DescribeJobsCommand({ filters: { jobIDs: [jobId] } }))).items?.[0]?.tags,
    ).toEqual({ wave: "1" });
    const missing = await rejection(
      client.send(
        new ListTagsForResourceCommand({
          resourceArn: `arn:aws:drs:us-east-1:${ACCOUNT}:job/drsjob-00000000000000000`,
        }),
      ),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    const bad = await rejection(
      client.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:s3:::some-bucket-name" })),
    );
    expect(bad).toBeInstanceOf(ValidationException);
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(
      await rejection(client.send(new TagResourceCommand({ resourceArn: jobArn, tags: tooMany }))),
    ).toBeInstanceOf(ValidationException);
  });
});

describe("§13.5 drill lifecycle on 1 and on 50 servers under a manual clock", () => {
  let sim: RunningSimulator;
  let clock: ManualClock;
  let client: DrsClient;

  beforeAll(async () => {
    clock = new ManualClock();
    sim = await startSimulator({ clock, timeScale: 0.01 });
    client = drsClient(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  for (const n of [1, 50]) {
    it(`drill on ${n} server(s)`, async () => {
      const ids = sim.control.seedSourceServers({
        region: "us-east-1",
        servers: Array.from({ length: n }, (_, i) => ({ hostname: `d${n}-${i}`, snapshotsHistoryHours: 2 })),
      }).sourceServerIDs;
      const jobId = await startDrill(client, ids);
      const jobStatuses: string[] = [];
      const launchStatuses = new Map<string, string[]>(ids.map((id) => [id, []]));
      const push = (list: string[], value: string | undefined) => {
        if (value && list.at(-1) !== value) list.push(value);
      };
      for (let step = 0; step < 5_000; step++) {
        const job = (await client.send(new DescribeJobsCommand({ filters: { jobIDs: [jobId] } }))).items?.[0];
        push(jobStatuses, job?.status);
        for (const p of job?.participatingServers ?? [])
          push(launchStatuses.get(p.sourceServerID as string) ?? [], p.launchStatus);
        if (job?.status === "COMPLETED") break;
        clock.runNext();
      }
      expect(jobStatuses).toEqual(["PENDING", "STARTED", "COMPLETED"]);
      for (const id of ids) expect(launchStatuses.get(id)).toEqual(["PENDING", "IN_PROGRESS", "LAUNCHED"]);

      const log: JobLog[] = [];
      for await (const page of paginateDescribeJobLogItems({ client, pageSize: 7 }, { jobID: jobId }))
        log.push(...(page.items ?? []));
      expect(log[0]?.event).toBe("JOB_START");
      expect(log.at(-1)?.event).toBe("JOB_END");
      expect(log.filter((e) => e.event === "JOB_START" || e.event === "JOB_END")).toHaveLength(2);
      for (const id of ids) {
        expect(log.filter((e) => e.eventData?.sourceServerID === id).map((e) => e.event)).toEqual(S1);
      }
      const times = log.map((e) => Date.parse(e.logDateTime as string));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(log.find((e) => e.event === "CONVERSION_START")?.eventData?.conversionServerID).toMatch(/^i-/);
      expect(log.find((e) => e.event === "LAUNCH_START")?.eventData?.targetInstanceID).toMatch(/^i-/);

      const instances = (
        await client.send(
          new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: ids }, maxResults: 100 }),
        )
      ).items;
      expect(instances).toHaveLength(n);
      expect(
        instances?.every((i) => i.isDrill === true && i.ec2InstanceState === "RUNNING" && i.jobID === jobId),
      ).toBe(true);
      const servers = (
        await client.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: ids } }))
      ).items;
      expect(
        servers?.every(
          (s) => s.lastLaunchResult === "SUCCEEDED" && s.lifeCycle?.lastLaunch?.initiated?.type === "DRILL",
        ),
      ).toBe(true);
    });
  }
});

describe("§13.6 quotas and conflicts through the SDK", () => {
  let sim: RunningSimulator;
  let client: DrsClient;
  let ids: string[];

  beforeAll(async () => {
    sim = await startSimulator({ clock: new ManualClock() });
    client = drsClient(sim, { maxAttempts: 1 });
    ids = sim.control.seedSourceServers({
      region: "us-east-1",
      servers: Array.from({ length: 521 }, (_, i) => ({ hostname: `q-${i}`, snapshotsHistoryHours: 1 })),
    }).sourceServerIDs;
  });
  afterAll(async () => {
    await sim?.close();
  });

  const quotaCode = async (promise: Promise<unknown>) => {
    const error = await rejection(promise);
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    return (error as ServiceQuotaExceededException).quotaCode;
  };

  it("101 servers in one job → L-B827C881", async () => {
    expect(await quotaCode(startDrill(client, ids.slice(0, 101)))).toBe("L-B827C881");
  });

  it("the 21st active job → L-D88FAC3A", async () => {
    for (let i = 0; i < 20; i++) await startDrill(client, [ids[i] as string]);
    expect(await quotaCode(startDrill(client, [ids[20] as string]))).toBe("L-D88FAC3A");
    sim.control.settle();
  });

  it("more than 500 servers in active jobs → L-05AFA8C6", async () => {
    for (let i = 0; i < 5; i++) await startDrill(client, ids.slice(i * 100, i * 100 + 100));
    expect(await quotaCode(startDrill(client, ids.slice(500, 501)))).toBe("L-05AFA8C6");
    sim.control.settle();
  });

  it("the same server in two jobs → 409 ConflictException naming it", async () => {
    await startDrill(client, [ids[510] as string, ids[511] as string]);
    const error = await rejection(startDrill(client, [ids[512] as string, ids[511] as string]));
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).resourceId).toBe(ids[511]);
    expect((error as ConflictException).$metadata.httpStatusCode).toBe(409);
  });
});

describe("§13.7 throttle injection and SDK retries", () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      clock: new ManualClock(),
      config: { operations: { DescribeJobs: { throttleProbability: 1 } } },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("the default client makes 3 attempts, then throws ThrottlingException", async () => {
    const error = await rejection(drsClient(sim).send(new DescribeJobsCommand({})));
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.attempts).toBe(3);
    const requests = sim.control.requests({ op: "DescribeJobs" });
    expect(requests.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(requests.every((r) => r.status === 429 && r.errorType === "ThrottlingException")).toBe(true);
    expect(new Set(requests.map((r) => r.invocationId)).size).toBe(1);
  });

  it("maxAttempts: 1 makes exactly one attempt", async () => {
    sim.control.clearRequests();
    const error = await rejection(drsClient(sim, { maxAttempts: 1 }).send(new DescribeJobsCommand({})));
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.attempts).toBe(1);
    expect(sim.control.requests({ op: "DescribeJobs" }).map((r) => r.attempt)).toEqual([1]);
  });

  it("a token bucket throttles per operation; the SDK retries each 429 until its attempts run out", async () => {
    sim.control.setConfig({
      operations: { DescribeJobs: null },
      throttle: { DescribeSourceServers: { ratePerSec: 0, burst: 1 } },
    });
    sim.control.clearRequests();
    const client = drsClient(sim);
    await client.send(new DescribeSourceServersCommand({}));
    const error = await rejection(client.send(new DescribeSourceServersCommand({})));
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(sim.control.requests({ op: "DescribeSourceServers" }).map((r) => r.status)).toEqual([
      200, 429, 429, 429,
    ]);
  });
});
