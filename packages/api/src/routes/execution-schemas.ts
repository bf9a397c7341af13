import { EXECUTION_STATUSES, EXECUTION_TYPES, OnFailureSchema, ServerImpactSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";

/**
 * Precise response schemas of the execution views (`executionView`, `terminationView` in
 * ./execution-views.ts; `buildReport`, `jobLogs`, `checkExistingInstances` in @drso/app), so that typed
 * clients (the web console) need no casts.
 * Documentation only: responses are not validated at run time.
 */

const WAVE_STATUSES = [
  "PENDING",
  "WAITING",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "TIMED_OUT",
  "CANCELLED",
  "SKIPPED",
] as const;
const SERVER_OUTCOMES = [
  "NOT_STARTED",
  "PENDING",
  "IN_PROGRESS",
  "LAUNCHED",
  "FAILED",
  "TERMINATED",
  "CANCELLED",
  "SKIPPED",
] as const;
const ACTION_STATUSES = [
  "PENDING",
  "RUNNING",
  "WAITING_APPROVAL",
  "SUCCEEDED",
  "FAILED",
  "SKIPPED",
  "CANCELLED",
] as const;
const BATCH_STATUSES = ["PLANNED", "LAUNCHING", "UNKNOWN", "ACTIVE", "DONE", "CANCELLED", "FAILED"] as const;

const ByAt = z.object({ by: z.string(), at: z.string() });

export const ApprovalDecisionRecordSchema = z
  .object({
    decision: z.enum(["approve", "reject"]),
    by: z.string(),
    at: z.string(),
    comment: z.string().optional(),
  })
  .openapi("ApprovalDecisionRecord");

export const ExecutionServerSchema = z
  .object({
    sourceServerId: z.string(),
    hostname: z.string(),
    accountId: z.string(),
    region: z.string(),
    groupId: z.string(),
    launchStatus: z.enum(SERVER_OUTCOMES),
    impact: ServerImpactSchema,
    retries: z
      .number()
      .int()
      .optional()
      .openapi({ description: "How many times a wave retry relaunched it" }),
    snapshot: z.object({ snapshotId: z.string(), takenAt: z.string() }).optional().openapi({
      description: "Point-in-time recovery: the snapshot chosen at start (absent: the latest data)",
    }),
    jobId: z.string().optional(),
    recoveryInstanceId: z.string().optional(),
    ec2InstanceId: z.string().optional(),
    ec2State: z.string().optional(),
    launchedAt: z.string().optional(),
    error: z.string().optional(),
    failback: z
      .object({
        origin: z.enum(["ON_PREMISES", "AWS"]),
        phase: z.string().openapi({
          description:
            "resolve, reverse, waiting-client (DRS has not seen the failback client), replicating, ready, launching, done, failed",
        }),
        drsState: z
          .string()
          .optional()
          .openapi({ description: "The recovery instance's failback state as DRS last reported it" }),
        recoveryInstanceId: z.string().optional(),
        originRegion: z.string().optional(),
      })
      .optional(),
  })
  .openapi("ExecutionServer");

export const ExecutionJobSchema = z
  .object({
    batchId: z.string(),
    kind: z.enum(["recovery", "failback-launch", "terminate"]),
    accountId: z.string(),
    region: z.string(),
    servers: z.number().int(),
    status: z.enum(BATCH_STATUSES),
    attempt: z.number().int(),
    jobId: z.string().optional(),
    jobStatus: z.enum(["PENDING", "STARTED", "COMPLETED"]).optional(),
    submittedAt: z.string().optional(),
    completedAt: z.string().optional(),
    jobCreatedAt: z.string().optional(),
    jobEndedAt: z.string().optional(),
    logItems: z.number().int(),
    lastError: z.string().optional(),
  })
  .openapi("ExecutionJob");

export const ExecutionActionSchema = z
  .object({
    actionId: z.string(),
    phase: z.enum(["pre", "post"]),
    index: z.number().int(),
    type: z.string(),
    name: z.string().optional(),
    optional: z.boolean(),
    status: z.enum(ACTION_STATUSES),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    deadlineAt: z.string().optional(),
    output: z.string().optional(),
    error: z.string().optional(),
    decision: ApprovalDecisionRecordSchema.optional(),
    message: z.string().optional(),
  })
  .openapi("ExecutionAction");

export const ExecutionWaveSchema = z
  .object({
    waveId: z.string(),
    name: z.string(),
    status: z.enum(WAVE_STATUSES),
    phase: z.enum(["pre-actions", "launching", "post-actions"]).optional(),
    onFailure: OnFailureSchema,
    decision: z
      .object({
        decision: z.enum(["retry", "skip", "abort"]),
        by: z.string(),
        at: z.string(),
        comment: z.string().optional(),
        fromStatus: z.enum(WAVE_STATUSES),
      })
      .optional()
      .openapi({ description: "The last run-control decision a person took about this wave" }),
    retries: z.number().int().optional(),
    awaitingDecision: z.boolean().optional().openapi({
      description:
        "The wave failed under onFailure pause and waits for a person: retry, skip (go on) or abort",
    }),
    dependsOn: z.array(z.string()),
    pauseBefore: z.boolean(),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    durationSeconds: z.number().int().optional(),
    achievedRtoSeconds: z.number().int().optional(),
    error: z.string().optional(),
    timeoutSeconds: z.number().int().openapi({
      description: "How long the wave's launch may take once it starts (pre-actions and pauses do not count)",
    }),
    failbackAllowanceSeconds: z.number().int().optional().openapi({
      description: "FAILBACK: time allowed for replication back to the origin, on top of timeoutSeconds",
    }),
    deadlineAt: z.string().optional().openapi({
      description: "While the wave is launching: when its launch times out (timeoutSeconds + allowance)",
    }),
    servers: z.array(ExecutionServerSchema),
    jobs: z.array(ExecutionJobSchema),
    actions: z.array(ExecutionActionSchema),
  })
  .openapi("ExecutionWave");

export const ExecutionCountsSchema = z
  .object({
    waves: z.number().int(),
    wavesCompleted: z.number().int(),
    wavesFailed: z.number().int(),
    servers: z.number().int(),
    launched: z.number().int(),
    failed: z.number().int(),
    optionalFailed: z.number().int().openapi({ description: "Of `failed`, the OPTIONAL servers" }),
    inProgress: z.number().int(),
  })
  .openapi("ExecutionCounts");

export const TerminationStatusSchema = z
  .object({
    status: z.enum(["NOT_REQUESTED", "RUNNING", "COMPLETED", "FAILED"]),
    reason: z.enum(["user", "drill-ttl"]).optional(),
    requestedBy: z.string().optional(),
    requestedAt: z.string().optional(),
    completedAt: z.string().optional(),
    total: z.number().int().optional(),
    terminated: z.number().int().optional(),
    failed: z.number().int().optional(),
    instances: z.array(
      z.object({
        recoveryInstanceId: z.string(),
        sourceServerId: z.string(),
        status: z.enum(["PENDING", "TERMINATING", "TERMINATED", "FAILED"]),
        error: z.string().optional(),
      }),
    ),
    jobs: z
      .array(
        z.object({
          batchId: z.string(),
          accountId: z.string(),
          region: z.string(),
          status: z.enum(BATCH_STATUSES),
          jobId: z.string().optional(),
          lastError: z.string().optional(),
        }),
      )
      .optional(),
  })
  .openapi("TerminationStatus");

const PauseRecordSchema = z
  .object({
    reason: z.enum(["pauseBefore", "user", "approval", "failure"]),
    waveId: z.string().optional(),
    actionId: z.string().optional(),
    by: z.string().optional(),
    from: z.string(),
    to: z.string().optional().openapi({ description: "Unset while the pause lasts" }),
  })
  .openapi("PauseRecord");

export const ExecutionDetailSchema = z
  .object({
    executionId: z.string(),
    planId: z.string(),
    planName: z.string(),
    executionType: z.enum(EXECUTION_TYPES),
    status: z.enum(EXECUTION_STATUSES),
    initiatedBy: z.string(),
    comment: z.string().optional(),
    startTime: z.string(),
    endTime: z.string().optional(),
    durationSeconds: z.number().int(),
    pause: z
      .object({
        reason: z.enum(["pauseBefore", "user", "approval", "failure"]),
        waveId: z.string().optional(),
        actionId: z.string().optional(),
        since: z.string(),
        by: z.string().optional(),
      })
      .optional(),
    pauseRequested: ByAt.optional(),
    cancelRequested: ByAt.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    options: z.object({ reverseWaveOrder: z.boolean() }).optional(),
    pointInTime: z
      .object({ mode: z.enum(["latest", "time", "snapshots"]), at: z.string().optional() })
      .openapi({
        description: "The point in time asked for at start; each server's snapshot is on the server",
      }),
    failbackAllowanceSeconds: z.number().int().optional().openapi({
      description:
        "FAILBACK: the replication allowance each wave gets on top of its timeout, frozen from settings.failbackReplicationTimeoutHours when the execution started",
    }),
    pauses: z.array(PauseRecordSchema).optional(),
    rto: z.object({
      targetSeconds: z.number().optional(),
      achievedSeconds: z.number().optional(),
      humanSeconds: z
        .number()
        .optional()
        .openapi({ description: "Time the execution waited for people (pauses, approvals)" }),
      achievedWithoutHumanSeconds: z.number().optional(),
      met: z.boolean().optional(),
    }),
    rpoTargetSeconds: z.number().optional(),
    counts: ExecutionCountsSchema,
    waves: z.array(ExecutionWaveSchema),
    termination: TerminationStatusSchema.optional(),
    instancesTerminateAt: z.string().optional(),
    version: z.number().int(),
  })
  .passthrough()
  .openapi("ExecutionDetail");

export const JobLogItemSchema = z
  .object({
    jobId: z.string(),
    index: z.number().int(),
    at: z.string(),
    event: z.string(),
    sourceServerId: z.string().optional(),
    /** The hostname of `sourceServerId` as the execution recorded it. */
    hostname: z.string().optional(),
    conversionServerId: z.string().optional(),
    targetInstanceId: z.string().optional(),
    rawError: z.string().optional(),
  })
  .openapi("JobLogItem");

export const ExecutionJobLogsSchema = z
  .object({
    executionId: z.string(),
    jobs: z.array(
      z.object({
        jobId: z.string(),
        batchId: z.string(),
        accountId: z.string(),
        region: z.string(),
        status: z.string(),
      }),
    ),
    items: z.array(JobLogItemSchema),
  })
  .openapi("ExecutionJobLogs");

export const PreflightCheckSchema = z
  .object({
    planId: z.string(),
    servers: z.number().int(),
    accounts: z.array(z.string()).openapi({ description: "`accountId/region` targets of the plan" }),
    hasExistingInstances: z.boolean(),
    existingInstances: z.array(
      z
        .object({
          accountId: z.string(),
          region: z.string(),
          recoveryInstanceId: z.string(),
          sourceServerId: z.string(),
          hostname: z.string(),
          ec2InstanceId: z.string().optional(),
          ec2State: z.string().optional(),
          jobId: z.string().optional(),
          isDrill: z.boolean(),
          instanceType: z.string().optional(),
          privateIp: z.string().optional(),
          pointInTimeSnapshotDateTime: z.string().optional(),
        })
        .passthrough(),
    ),
    readinessProblems: z.array(
      z.object({ sourceServerId: z.string(), hostname: z.string(), problem: z.string() }),
    ),
    note: z.string().optional(),
  })
  .openapi("PreflightCheck");

export const ExecutionReportSchema = z
  .object({
    title: z.string(),
    generatedAt: z.string(),
    execution: z.object({
      pointInTime: z.object({ mode: z.enum(["latest", "time", "snapshots"]), at: z.string().optional() }),
      executionId: z.string(),
      executionType: z.enum(EXECUTION_TYPES),
      status: z.enum(EXECUTION_STATUSES),
      initiatedBy: z.string(),
      comment: z.string().optional(),
      startTime: z.string(),
      endTime: z.string().optional(),
      durationSeconds: z.number().int().optional(),
    }),
    plan: z.object({
      planId: z.string(),
      name: z.string(),
      version: z.number().int(),
      waves: z.number().int(),
      servers: z.number().int(),
    }),
    objectives: z.object({
      rtoTargetSeconds: z.number().optional(),
      rtoAchievedSeconds: z.number().optional(),
      humanSeconds: z.number(),
      rtoAchievedWithoutHumanSeconds: z.number().optional(),
      rtoMet: z.boolean().optional(),
      rpoTargetSeconds: z.number().optional(),
    }),
    outcome: z.object({
      launched: z.number().int(),
      failed: z.number().int(),
      optionalFailed: z.number().int().openapi({ description: "Of `failed`, the OPTIONAL servers" }),
      notLaunched: z.number().int(),
    }),
    waves: z.array(
      z.object({
        waveId: z.string(),
        name: z.string(),
        status: z.enum(WAVE_STATUSES),
        startTime: z.string().optional(),
        endTime: z.string().optional(),
        durationSeconds: z.number().int().optional(),
        achievedRtoSeconds: z.number().int().optional(),
        servers: z.number().int(),
        launched: z.number().int(),
        failed: z.number().int(),
        jobs: z.array(z.string()),
        error: z.string().optional(),
      }),
    ),
    servers: z.array(
      z.object({
        waveId: z.string(),
        wave: z.string(),
        hostname: z.string(),
        sourceServerId: z.string(),
        accountId: z.string(),
        region: z.string(),
        recoveryInstanceId: z.string().optional(),
        ec2InstanceId: z.string().optional(),
        startTime: z.string().optional(),
        endTime: z.string().optional(),
        outcome: z.string(),
        impact: ServerImpactSchema,
        snapshotId: z.string().optional(),
        snapshotTakenAt: z.string().optional(),
        retries: z.number().int().optional(),
        jobId: z.string().optional(),
        error: z.string().optional(),
      }),
    ),
    pauses: z.array(PauseRecordSchema),
    humanActions: z.array(
      z.object({
        at: z.string(),
        by: z.string(),
        action: z.string(),
        subject: z.string().optional(),
        comment: z.string().optional(),
      }),
    ),
    failures: z.array(
      z.object({
        hostname: z.string(),
        sourceServerId: z.string(),
        accountId: z.string(),
        region: z.string(),
        error: z.string(),
        impact: ServerImpactSchema,
        jobId: z.string().optional(),
      }),
    ),
    approvals: z.array(
      z.object({
        actionId: z.string(),
        decision: z.enum(["approve", "reject"]),
        by: z.string(),
        at: z.string(),
        comment: z.string().optional(),
      }),
    ),
    cleanup: z
      .object({
        status: z.enum(["RUNNING", "COMPLETED", "FAILED"]),
        reason: z.enum(["user", "drill-ttl"]),
        requestedBy: z.string(),
        terminated: z.number().int(),
        total: z.number().int(),
      })
      .optional(),
  })
  .openapi("ExecutionReport");
