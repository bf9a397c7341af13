import { describe, expect, it } from "vitest";
import {
  evaluateReadiness,
  isoDurationSeconds,
  type ReadinessInputs,
  type ReadinessServer,
  readinessExitCode,
} from "./readiness.js";

const NOW = Date.parse("2026-12-04T12:00:00Z");
const T = { accountId: "111122223333", region: "us-east-1" };

function server(id: string, over: Partial<ReadinessServer> = {}): ReadinessServer {
  return {
    waveId: "wave-1",
    ...T,
    sourceServerId: id,
    hostname: `host-${id}`,
    replicationState: "CONTINUOUS",
    readiness: "READY",
    lagDuration: "PT0S",
    latestSnapshotAt: NOW - 60_000,
    launchConfiguration: { state: "ok" },
    ...over,
  };
}

function inputs(over: Partial<ReadinessInputs> = {}): ReadinessInputs {
  const servers = over.servers ?? [server("s-1"), server("s-2")];
  return {
    now: NOW,
    plan: {
      planId: "p-1",
      name: "orders",
      rpoSeconds: 900,
      waves: [
        { waveId: "wave-1", name: "db", dependsOn: [] },
        { waveId: "wave-2", name: "app", dependsOn: [] },
      ],
    },
    quotas: { serversPerJob: 100, concurrentJobs: 20, serversInAllJobs: 500 },
    maxDrillAgeDays: 90,
    targets: [{ ...T, access: { ok: true } }],
    servers,
    otherPlans: [],
    lastSuccessfulDrill: {
      executionId: "e-1",
      endedAt: NOW - 86_400_000,
      serverKeys: servers.map((s) => `${s.accountId}/${s.region}/${s.sourceServerId}`),
    },
    ssmDocuments: { mode: "not-applicable", reason: "simulator" },
    ...over,
  };
}

const codes = (i: ReadinessInputs) => evaluateReadiness(i).checks.map((c) => `${c.check}:${c.severity}`);

describe("evaluateReadiness", () => {
  it("is READY when every check passes, and says which checks did not apply", () => {
    const r = evaluateReadiness(inputs());
    expect(r.status).toBe("READY");
    expect(r.checks).toEqual([]);
    expect(r.serverCount).toBe(2);
    expect(r.evaluatedAt).toBe("2026-12-04T12:00:00.000Z");
    expect(r.notApplicable).toEqual([{ check: "ssm-documents", reason: "simulator" }]);
  });

  it("names the server, wave and fix of a stalled or unreplicated server (error)", () => {
    const r = evaluateReadiness(
      inputs({
        servers: [server("s-1", { readiness: "DEGRADED", replicationState: "STALLED" }), server("s-2")],
      }),
    );
    expect(r.status).toBe("NOT_READY");
    expect(r.checks).toHaveLength(1);
    expect(r.checks[0]).toMatchObject({
      check: "replication-state",
      severity: "error",
      waveId: "wave-1",
      waveName: "db",
      sourceServerId: "s-1",
      hostname: "host-s-1",
    });
    expect(r.checks[0]!.message).toContain("STALLED");
    expect(r.checks[0]!.fix).toMatch(/replication/i);
    expect(codes(inputs({ servers: [server("s-1", { readiness: "NOT_READY" })] }))).toContain(
      "replication-state:error",
    );
  });

  it("lag beyond the RPO is an error; lag within it a warning", () => {
    expect(
      codes(inputs({ servers: [server("s-1", { readiness: "READY_WITH_LAG", lagDuration: "PT20M" })] })),
    ).toEqual(["replication-lag:error"]);
    expect(
      codes(inputs({ servers: [server("s-1", { readiness: "READY_WITH_LAG", lagDuration: "PT2M" })] })),
    ).toEqual(["replication-lag:warning"]);
  });

  it("no snapshot is an error; a snapshot older than the RPO a warning", () => {
    expect(codes(inputs({ servers: [server("s-1", { latestSnapshotAt: null })] }))).toEqual([
      "snapshot-age:error",
    ]);
    expect(codes(inputs({ servers: [server("s-1", { latestSnapshotAt: NOW - 3_600_000 })] }))).toEqual([
      "snapshot-age:warning",
    ]);
  });

  it("a missing or invalid launch configuration is an error", () => {
    expect(
      codes(inputs({ servers: [server("s-1", { launchConfiguration: { state: "missing" } })] })),
    ).toEqual(["launch-configuration:error"]);
    expect(
      codes(
        inputs({
          servers: [
            server("s-1", { launchConfiguration: { state: "invalid", problem: "no EC2 launch template" } }),
          ],
        }),
      ),
    ).toEqual(["launch-configuration:error"]);
  });

  it("compares what the largest wave needs with the quotas, counting plans sharing the account", () => {
    const tight = { serversPerJob: 1, concurrentJobs: 1, serversInAllJobs: 1 };
    expect(codes(inputs({ quotas: tight }))).toEqual([
      "quota-servers-per-job:warning",
      "quota-concurrent-jobs:error",
      "quota-servers-in-all-jobs:error",
    ]);
    const shared = codes(
      inputs({
        quotas: { serversPerJob: 100, concurrentJobs: 20, serversInAllJobs: 3 },
        otherPlans: [
          {
            planId: "p-2",
            name: "billing",
            serverKeys: [],
            largestWaveByTarget: { [`${T.accountId}/${T.region}`]: 2 },
          },
        ],
      }),
    );
    expect(shared).toEqual(["quota-servers-in-all-jobs:warning"]);
  });

  it("an unreachable account is an error naming the account", () => {
    const r = evaluateReadiness(
      inputs({ targets: [{ ...T, access: { ok: false, problem: "AccessDenied", fix: "fix the role" } }] }),
    );
    expect(r.status).toBe("NOT_READY");
    expect(r.checks[0]).toMatchObject({
      check: "account-access",
      accountId: T.accountId,
      fix: "fix the role",
    });
  });

  it("warns about servers added or dropped since the last successful drill", () => {
    const i = inputs({
      servers: [server("s-1"), server("s-3")],
      lastSuccessfulDrill: {
        executionId: "e-1",
        endedAt: NOW - 1000,
        serverKeys: [`${T.accountId}/${T.region}/s-1`, `${T.accountId}/${T.region}/s-2`],
      },
    });
    const r = evaluateReadiness(i);
    expect(r.status).toBe("WARNINGS");
    expect(r.checks.map((c) => [c.check, c.sourceServerId])).toEqual([
      ["selection-changed", "s-3"],
      ["selection-changed", "s-2"],
    ]);
  });

  it("warns about servers in other plans, and about a missing or old drill", () => {
    expect(
      codes(
        inputs({
          otherPlans: [
            {
              planId: "p-2",
              name: "billing",
              serverKeys: [`${T.accountId}/${T.region}/s-1`],
              largestWaveByTarget: {},
            },
          ],
        }),
      ),
    ).toEqual(["plan-conflict:warning"]);
    const { lastSuccessfulDrill: _none, ...never } = inputs();
    expect(codes(never)).toEqual(["drill-age:warning"]);
    expect(
      codes(
        inputs({
          lastSuccessfulDrill: {
            executionId: "e",
            endedAt: NOW - 91 * 86_400_000,
            serverKeys: ["111122223333/us-east-1/s-1", "111122223333/us-east-1/s-2"],
          },
        }),
      ),
    ).toEqual(["drill-age:warning"]);
  });

  it("checks SSM documents when they were read (aws mode)", () => {
    expect(
      codes(
        inputs({
          ssmDocuments: {
            mode: "checked",
            documents: [
              { waveId: "wave-1", documentName: "AWS-RunShellScript", exists: true },
              { waveId: "wave-2", documentName: "Missing-Doc", exists: false },
            ],
          },
        }),
      ),
    ).toEqual(["ssm-documents:error"]);
  });

  it("maps statuses to drsctl exit codes", () => {
    expect([
      readinessExitCode("READY"),
      readinessExitCode("WARNINGS"),
      readinessExitCode("NOT_READY"),
    ]).toEqual([0, 1, 2]);
  });
});

describe("isoDurationSeconds", () => {
  it("parses DRS lag durations", () => {
    expect(isoDurationSeconds("PT0S")).toBe(0);
    expect(isoDurationSeconds("PT1H2M3S")).toBe(3723);
    expect(isoDurationSeconds("P1DT1S")).toBe(86401);
    expect(isoDurationSeconds("PT1.5S")).toBe(1.5);
    expect(isoDurationSeconds("bogus")).toBeUndefined();
    expect(isoDurationSeconds("P")).toBeUndefined();
    expect(isoDurationSeconds(undefined)).toBeUndefined();
  });
});
