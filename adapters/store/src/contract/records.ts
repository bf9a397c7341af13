import { randomBytes, randomUUID } from "node:crypto";
import type {
  Account,
  AuditEvent,
  BatchRun,
  Execution,
  ExecutionSort,
  ProtectionGroup,
  RecoveryPlan,
  ServerRun,
  UserRecord,
  Wave,
  WaveRun,
} from "@drso/core";

// ---------------------------------------------------------------------------------------------------------
// Fixtures: small but valid records, each with fresh IDs (no test runner needed: the bench uses them too).

export const ACCOUNT_A = "111122223333";
export const ACCOUNT_B = "444455556666";
export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
export const H = 3_600_000;
export const DESC_START: ExecutionSort = { by: "startTime", order: "desc" };
export const ALL_SORTS: ExecutionSort[] = (["startTime", "endTime", "status"] as const).flatMap((by) =>
  (["asc", "desc"] as const).map((order) => ({ by, order })),
);

export const iso = (ms: number) => new Date(ms).toISOString();
export const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** A DRS source server ID: `s-` and 17 characters. */
export function sid(): string {
  return `s-${hex(9).slice(0, 17)}`;
}

export function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function ids(items: readonly { executionId: string }[]): string[] {
  return items.map((e) => e.executionId).sort();
}

export function explicitGroup(overrides: Partial<ProtectionGroup> = {}): ProtectionGroup {
  return {
    groupId: randomUUID(),
    name: `web tier ${hex(4)}`,
    description: "Front-end web servers",
    accountId: ACCOUNT_A,
    region: "us-east-1",
    selectionMode: "explicit",
    sourceServerIds: [sid(), sid()],
    launchSettings: { launchDisposition: "STARTED", copyTags: true },
    owner: "alice@example.com",
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

export function tagGroup(overrides: Partial<ProtectionGroup> = {}): ProtectionGroup {
  return {
    groupId: randomUUID(),
    name: `billing db ${hex(4)}`,
    accountId: ACCOUNT_A,
    region: "us-east-1",
    selectionMode: "tags",
    serverSelectionTags: { Application: "billing", Tier: "db" },
    owner: "alice@example.com",
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

export function wave(waveId: string, protectionGroupIds: string[]): Wave {
  return {
    waveId,
    name: `Wave ${waveId}`,
    protectionGroupIds,
    dependsOn: [],
    pauseBefore: false,
    preActions: [],
    postActions: [{ type: "http", url: "https://health.example.com/ready", expectStatus: [200] }],
    onFailure: "abort",
    timeoutSeconds: 7200,
  };
}

export function recoveryPlan(groupIds: string[], overrides: Partial<RecoveryPlan> = {}): RecoveryPlan {
  return {
    planId: randomUUID(),
    name: `tier-1 apps ${hex(4)}`,
    description: "Customer-facing applications",
    rpoSeconds: 300,
    rtoSeconds: 3600,
    waves: [wave("wave-1", groupIds)],
    owner: "alice@example.com",
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

export function execution(overrides: Partial<Execution> = {}): Execution {
  const executionId = overrides.executionId ?? randomUUID();
  const planId = overrides.planId ?? randomUUID();
  const groupId = randomUUID();
  const servers = [sid(), sid(), sid()];
  const jobId = `drsjob-${hex(9).slice(0, 17)}`;
  const serverRuns: ServerRun[] = servers.map((sourceServerId, i) => ({
    sourceServerId,
    hostname: `web-0${i + 1}.corp.example.com`,
    accountId: ACCOUNT_A,
    region: "us-east-1",
    groupId,
    status: i === 0 ? "LAUNCHED" : "IN_PROGRESS",
    batchId: "wave-1/1",
    jobId,
  }));
  const batch: BatchRun = {
    batchId: "wave-1/1",
    kind: "recovery",
    accountId: ACCOUNT_A,
    region: "us-east-1",
    sourceServerIds: servers,
    status: "ACTIVE",
    attempt: 1,
    intentAt: T0 + 1000,
    jobId,
    jobStatus: "STARTED",
    submittedAt: T0 + 1500,
    logCount: 2,
    errorCount: 0,
  };
  const waveRun: WaveRun = {
    waveId: "wave-1",
    name: "Web tier",
    status: "RUNNING",
    phase: "launching",
    onFailure: "abort",
    dependsOn: [],
    pauseBefore: false,
    pauseCleared: false,
    startTime: T0 + 1000,
    servers: serverRuns,
    batches: [batch],
    actions: [],
  };
  return {
    executionId,
    planId,
    planName: "Tier-1 applications",
    executionType: "DRILL",
    status: "RUNNING",
    initiatedBy: "alice@example.com",
    startTime: T0,
    options: { reverseWaveOrder: false },
    snapshot: {
      plan: {
        planId,
        name: "Tier-1 applications",
        rpoSeconds: 300,
        rtoSeconds: 3600,
        version: 3,
        waves: [wave("wave-1", [groupId])],
      },
      groups: [
        {
          groupId,
          name: "web tier",
          accountId: ACCOUNT_A,
          region: "us-east-1",
          selectionMode: "explicit",
          servers: serverRuns.map((s) => ({ sourceServerId: s.sourceServerId, hostname: s.hostname })),
        },
      ],
    },
    waves: [waveRun],
    appliedCommandSeq: 0,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

/** The same execution, ended at `endTime` with every server launched and its jobs done. */
export function finished(
  e: Execution,
  endTime: number,
  status: "COMPLETED" | "FAILED" | "CANCELLED" = "COMPLETED",
): Execution {
  const { wakeAt: _wakeAt, ...rest } = e;
  return {
    ...rest,
    status,
    endTime,
    updatedAt: endTime,
    waves: e.waves.map((w) => ({
      ...w,
      status,
      endTime,
      servers: w.servers.map((s) => ({ ...s, status: "LAUNCHED" as const, launchedAt: iso(endTime - 1000) })),
      batches: w.batches.map((b): BatchRun => {
        const { notBefore: _n, nextPollAt: _p, conflict: _c, heldBy: _h, heldChecks: _k, jobId, ...core } = b;
        return {
          ...core,
          status: "DONE",
          jobStatus: "COMPLETED",
          jobId: jobId ?? `drsjob-${b.batchId}`,
          completedAt: endTime,
        };
      }),
    })),
  };
}

export function account(overrides: Partial<Account> & { accountId: string }): Account {
  return {
    name: "Recovery account",
    roleArn: `arn:aws:iam::${overrides.accountId}:role/DRSOrchestrationRole`,
    externalId: "drso-external-id-1234",
    regions: ["us-east-1", "us-west-2"],
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

export function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    userId: randomUUID(),
    email: `user-${hex(4)}@example.com`,
    role: "DRSOperator",
    passwordHash: `scrypt$16384$8$1$${hex(16)}$${hex(32)}`,
    disabled: false,
    failedAttempts: 0,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: randomUUID(),
    at: iso(T0),
    actor: { sub: "user-alice", email: "alice@example.com", role: "DRSAdmin" },
    action: "protection-group.create",
    targetType: "protection-group",
    targetId: randomUUID(),
    outcome: "success",
    status: 201,
    requestId: randomUUID(),
    sourceIp: "10.0.0.5",
    userAgent: "drsctl/0.1.0",
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Assertion helpers.
