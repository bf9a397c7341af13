import type { ExecutionEventBus } from "@drso/app";
import {
  can,
  EXECUTION_STATUSES,
  EXECUTION_TYPES,
  isPrintable,
  SourceServerIdSchema,
  StartExecutionSchema,
  UuidSchema,
  ValidationError,
  WaveIdSchema,
} from "@drso/core";
import { z } from "@hono/zod-openapi";
import {
  COMMON_ERRORS,
  CONFLICT,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  PageQuery,
  pageOf,
  type RouteKit,
  UPSTREAM,
} from "../route-kit.js";
import { IdParam } from "../schemas.js";
import { registerExecutionRecordRoutes } from "./execution-records.js";
import { ExecutionDetailSchema, PreflightCheckSchema, TerminationStatusSchema } from "./execution-schemas.js";
import { executionView, terminationView } from "./execution-views.js";
import { stripUndefined } from "./protection-groups.js";

const tags = ["Executions"];

const ExecutionSummarySchema = z
  .object({
    executionId: z.string(),
    planId: z.string(),
    planName: z.string(),
    executionType: z.enum(EXECUTION_TYPES),
    status: z.enum(EXECUTION_STATUSES),
    initiatedBy: z.string(),
    startTime: z.string(),
    endTime: z.string().optional(),
    waveCount: z.number().int(),
    wavesCompleted: z.number().int(),
    wavesFailed: z.number().int(),
    serverCount: z.number().int(),
    serversLaunched: z.number().int(),
    serversFailed: z.number().int(),
    optionalServersFailed: z.number().int().optional(),
    paused: z.string().optional(),
    targetRtoSeconds: z.number().int().optional(),
    achievedRtoSeconds: z.number().int().optional(),
    instancesTerminated: z.boolean().optional(),
  })
  .openapi("ExecutionSummary");

const StartedSchema = z
  .object({
    executionId: z.string(),
    status: z.string(),
    executionType: z.string(),
    planId: z.string(),
    servers: z.number().int(),
    waves: z.number().int(),
  })
  .openapi("ExecutionStarted");
const AcceptedSchema = z
  .object({
    executionId: z.string(),
    status: z.string().optional(),
    accepted: z.string(),
    commandSeq: z.number().int(),
  })
  .passthrough()
  .openapi("CommandAccepted");
const DecisionSchema = z
  .strictObject({ actionId: z.string().max(200).optional(), comment: z.string().max(1024).optional() })
  .openapi("ApprovalDecision");
const PointInTimePreviewSchema = z
  .object({
    planId: z.string(),
    at: z.string().optional(),
    servers: z.array(
      z.object({
        sourceServerId: z.string(),
        hostname: z.string(),
        accountId: z.string(),
        region: z.string(),
        wave: z.string(),
        snapshotId: z.string().optional(),
        takenAt: z.string().optional(),
        ageSeconds: z.number().int().optional(),
      }),
    ),
    missing: z.array(z.string()).openapi({ description: "Servers with no snapshot at or before `at`" }),
  })
  .openapi("PointInTimePreview");
const WaveParam = IdParam.extend({
  waveId: WaveIdSchema.meta({ param: { name: "waveId", in: "path" } }),
});
const WaveDecisionRequestSchema = z
  .strictObject({
    comment: z
      .string()
      .max(1024)
      .refine((s) => isPrintable(s, true), "must not contain control characters other than line breaks")
      .optional()
      .openapi({ description: "Why; recorded in the execution's events and the audit log" }),
  })
  .openapi("WaveDecisionRequest");
const ForceEndRequestSchema = z
  .strictObject({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(1024)
      .refine((s) => isPrintable(s, true), "must not contain control characters other than line breaks")
      .openapi({
        description: "Why the execution is ended by hand; recorded in its events and the audit log",
      }),
    skipUnreachableTargets: z.boolean().optional().openapi({
      description:
        "Go on when DRS cannot be asked in some account/region of the execution (a target that is gone); recorded",
    }),
  })
  .openapi("ForceEndRequest");
const DrsJobRefSchema = z.object({
  jobId: z.string(),
  accountId: z.string(),
  region: z.string(),
  status: z.string(),
});
const ForceEndResultSchema = z
  .object({
    executionId: z.string(),
    status: z.enum(EXECUTION_STATUSES),
    previousStatus: z.enum(EXECUTION_STATUSES),
    reason: z.string(),
    jobsChecked: z.array(DrsJobRefSchema),
    unreachableTargets: z.array(z.object({ accountId: z.string(), region: z.string(), error: z.string() })),
    instancesKept: z.number().int(),
  })
  .openapi("ForceEndResult");
const optionalBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: false },
});

export function registerExecutionRoutes(kit: RouteKit, options: { bus?: ExecutionEventBus }) {
  kit.add(
    {
      method: "get",
      path: "/executions",
      access: "drs:ViewResources",
      tags,
      summary: "Execution history with the seed's filters",
      request: {
        query: z.object({
          planId: UuidSchema.optional(),
          status: z
            .string()
            .max(200)
            .optional()
            .openapi({ description: "One status or a comma-separated list" }),
          executionType: z.enum(EXECUTION_TYPES).optional(),
          initiatedBy: z.string().max(254).optional(),
          startDate: z.string().max(10).optional().openapi({ description: "MM-DD-YYYY (UTC)" }),
          endDate: z.string().max(10).optional().openapi({ description: "MM-DD-YYYY (UTC), inclusive" }),
          dateRange: z
            .enum(["today", "yesterday", "thisWeek", "lastWeek", "thisMonth", "lastMonth"])
            .optional(),
          sortBy: z.enum(["StartTime", "EndTime", "Status", "startTime", "endTime", "status"]).optional(),
          sortOrder: z.enum(["asc", "desc"]).optional(),
          ...PageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageOf(ExecutionSummarySchema, "ExecutionPage"), "A page of executions"),
        ...COMMON_ERRORS,
      },
    },
    async (c) => {
      const { limit, nextToken, status, ...query } = c.req.valid("query");
      if (status) {
        const bad = status
          .split(",")
          .map((s) => s.trim().toUpperCase())
          .filter((s) => !(EXECUTION_STATUSES as readonly string[]).includes(s));
        if (bad.length > 0) {
          throw new ValidationError(`Unknown status ${bad.join(", ")}.`, [
            { path: "status", message: `must be among ${EXECUTION_STATUSES.join(", ")}` },
          ]);
        }
      }
      return c.json(
        (await c.var.services.executions.list(
          stripUndefined({ ...query, status }),
          stripUndefined({ limit, nextToken }),
        )) as never,
        200,
      );
    },
  );

  const startResponses = {
    202: jsonResponse(StartedSchema, "Accepted: the engine runs it"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
    ...CONFLICT,
  };
  kit.add(
    {
      method: "post",
      path: "/executions",
      access: "drs:ExecuteRecovery",
      audit: "execution.start",
      target: "execution",
      tags,
      summary: "Start an execution of a plan (DRILL, RECOVERY with confirmation, FAILBACK)",
      request: jsonBody(StartExecutionSchema.extend({ planId: UuidSchema }).openapi("StartExecutionRequest")),
      responses: startResponses,
    },
    async (c) => {
      const { planId, ...request } = c.req.valid("json");
      const started = await c.var.services.executions.start(planId, request, c.var.principal!.email);
      c.set("auditTarget", {
        id: started.executionId,
        detail: { planId, executionType: started.executionType },
      });
      return c.json(started, 202);
    },
  );
  kit.add(
    {
      method: "post",
      path: "/recovery-plans/{id}/execute",
      access: "drs:ExecuteRecovery",
      audit: "execution.start",
      target: "execution",
      tags: ["Recovery plans"],
      summary: "Execute a recovery plan (drill, recovery or failback)",
      request: { params: IdParam, ...jsonBody(StartExecutionSchema) },
      responses: startResponses,
    },
    async (c) => {
      const planId = c.req.valid("param").id;
      const started = await c.var.services.executions.start(
        planId,
        c.req.valid("json"),
        c.var.principal!.email,
      );
      c.set("auditTarget", {
        id: started.executionId,
        detail: { planId, executionType: started.executionType },
      });
      return c.json(started, 202);
    },
  );
  kit.add(
    {
      method: "get",
      path: "/recovery-plans/{id}/point-in-time",
      access: "drs:ViewResources",
      tags: ["Recovery plans"],
      summary:
        "Preview point-in-time recovery: the snapshot each server would recover from at a time (default: its newest), with its age",
      description:
        "Servers with no snapshot taken at or before `at` have no snapshotId and are listed in `missing` (starting at that time would be refused with 409 NO_SNAPSHOT_AT_POINT_IN_TIME).",
      request: {
        params: IdParam,
        query: z.object({
          at: z.iso
            .datetime({ offset: true })
            .max(64)
            .optional()
            .openapi({ description: "ISO time; default: the newest snapshot of each server" }),
        }),
      },
      responses: {
        200: jsonResponse(PointInTimePreviewSchema, "Chosen snapshots"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) =>
      c.json(
        (await c.var.services.executions.previewPointInTime(
          c.req.valid("param").id,
          c.req.valid("query").at,
        )) as never,
        200,
      ),
  );
  kit.add(
    {
      method: "get",
      path: "/recovery-plans/{id}/check-existing-instances",
      access: "drs:ViewResources",
      tags: ["Recovery plans"],
      summary: "Pre-flight: existing recovery instances of the plan's servers, readiness problems, overlaps",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(PreflightCheckSchema, "Pre-flight summary"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) =>
      c.json((await c.var.services.executions.checkExistingInstances(c.req.valid("param").id)) as never, 200),
  );
  kit.add(
    {
      method: "get",
      path: "/executions/{id}",
      access: "drs:ViewResources",
      tags,
      summary: "Execution details: waves, jobs, servers, actions, RTO achieved vs target",
      request: { params: IdParam },
      responses: { 200: jsonResponse(ExecutionDetailSchema, "Details"), ...COMMON_ERRORS, ...NOT_FOUND },
    },
    async (c) =>
      c.json(
        executionView(
          await c.var.services.executions.get(c.req.valid("param").id),
          c.var.services.deps.clock.now(),
          { excerpts: can(c.var.principal!.role, "drs:ManageExecution") },
        ) as never,
        200,
      ),
  );

  const commandRoute = (name: "pause" | "resume" | "cancel", summary: string) =>
    kit.add(
      {
        method: "post",
        path: `/executions/{id}/${name}`,
        access: "drs:ManageExecution",
        audit: `execution.${name}`,
        target: "execution",
        tags,
        summary,
        request: { params: IdParam },
        responses: {
          202: jsonResponse(AcceptedSchema, "Accepted"),
          ...COMMON_ERRORS,
          ...NOT_FOUND,
          ...CONFLICT,
        },
      },
      async (c) =>
        c.json(
          (await c.var.services.executions[name](c.req.valid("param").id, c.var.principal!.email)) as never,
          202,
        ),
    );
  commandRoute("pause", "Pause between waves: no new wave starts; running DRS jobs finish");
  commandRoute("resume", "Resume a paused execution (also releases a pause-before-wave)");
  commandRoute(
    "cancel",
    "Cancel: nothing new starts, running DRS jobs are followed to their end, the rest is CANCELLED",
  );

  kit.add(
    {
      method: "post",
      path: "/executions/{id}/force-end",
      access: "admin:ForceEndExecution",
      audit: "execution.force-end",
      target: "execution",
      tags,
      summary:
        "Administrators: end a stuck execution (CANCELLED, error FORCE_ENDED) after DRS confirms none of its jobs still runs",
      description:
        "Refused with 409 LIVE_DRS_JOBS (naming the jobs) while DRS still runs a job of the execution, and with 409 DRS_CHECK_FAILED when DRS cannot be asked (unless skipUnreachableTargets). Servers a finished job launched keep their recovery instance and can be terminated.",
      request: { params: IdParam, ...jsonBody(ForceEndRequestSchema) },
      responses: {
        200: jsonResponse(ForceEndResultSchema, "Ended"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
      },
    },
    async (c) => {
      const id = c.req.valid("param").id;
      const body = c.req.valid("json");
      c.set("auditTarget", { id, detail: { reason: body.reason } });
      const result = await c.var.services.executions.forceEnd(
        id,
        c.var.principal!.email,
        stripUndefined(body),
      );
      c.set("auditTarget", {
        id,
        detail: {
          reason: result.reason,
          previousStatus: result.previousStatus,
          jobsChecked: result.jobsChecked.map((j) => j.jobId),
          ...(result.unreachableTargets.length > 0 ? { unreachableTargets: result.unreachableTargets } : {}),
        },
      });
      return c.json(result, 200);
    },
  );

  for (const decision of ["approve", "reject"] as const) {
    kit.add(
      {
        method: "post",
        path: `/executions/{id}/${decision}`,
        access: "drs:ManageExecution",
        audit: `execution.${decision}`,
        target: "execution",
        tags,
        summary:
          decision === "approve" ? "Approve a waiting approval action" : "Reject a waiting approval action",
        request: { params: IdParam, ...optionalBody(DecisionSchema) },
        responses: {
          202: jsonResponse(AcceptedSchema, "Accepted"),
          ...COMMON_ERRORS,
          ...NOT_FOUND,
          ...CONFLICT,
        },
      },
      async (c) => {
        const body = (c.req.valid("json") ?? {}) as z.infer<typeof DecisionSchema>;
        return c.json(
          (await c.var.services.executions.decide(
            c.req.valid("param").id,
            decision,
            c.var.principal!.email,
            stripUndefined(body),
            { role: c.var.principal!.role },
          )) as never,
          202,
        );
      },
    );
  }

  const waveDecisions = {
    retry:
      "Retry a failed or timed-out wave: only its servers that did not launch launch again (new DRS jobs, the same exactly-once rules), its unfinished actions run again",
    skip: "Skip a wave that has not started (its dependants may then start), or accept the failure of a wave waiting for a decision (onFailure pause) and go on",
    abort:
      "After a wave failed under onFailure pause: abort (waves not started are skipped, the execution ends FAILED)",
  } as const;
  for (const decision of ["retry", "skip", "abort"] as const) {
    kit.add(
      {
        method: "post",
        path: `/executions/{id}/waves/{waveId}/${decision}`,
        access: "drs:ManageExecution",
        audit: `execution.wave-${decision}`,
        target: "execution",
        tags,
        summary: waveDecisions[decision],
        description:
          "409 INVALID_STATE when the wave or execution is not in a state for this decision, WAVE_BUSY while a DRS job of the wave is still followed (retry), RETRY_NOT_SUPPORTED for a failback wave; 404 WAVE_NOT_FOUND. Nothing is queued when refused.",
        request: { params: WaveParam, ...optionalBody(WaveDecisionRequestSchema) },
        responses: {
          202: jsonResponse(AcceptedSchema, "Accepted"),
          ...COMMON_ERRORS,
          ...NOT_FOUND,
          ...CONFLICT,
        },
      },
      async (c) => {
        const { id, waveId } = c.req.valid("param");
        const body = (c.req.valid("json") ?? {}) as z.infer<typeof WaveDecisionRequestSchema>;
        c.set("auditTarget", { id, detail: { waveId, ...(body.comment ? { comment: body.comment } : {}) } });
        return c.json(
          (await c.var.services.executions.decideWave(
            id,
            waveId,
            decision,
            c.var.principal!.email,
            stripUndefined(body),
          )) as never,
          202,
        );
      },
    );
  }

  kit.add(
    {
      method: "post",
      path: "/executions/{id}/simulate-failback-client",
      access: "drs:ManageExecution",
      audit: "execution.simulate-failback-client",
      target: "execution",
      tags,
      summary:
        "DRS simulator only: connect the failback client(s) a FAILBACK waits for, as booting the DRS Failback Client would",
      description:
        "Every server of the execution in failback phase waiting-client (or only serverId) gets its recovery instance's failback client connected in the simulator; replication back then runs by itself and the failback goes on. 404 NOT_SIM_MODE when DRS mode is aws; 409 NOT_A_FAILBACK, INVALID_STATE (ended) or NO_FAILBACK_CLIENT_AWAITED.",
      request: {
        params: IdParam,
        ...optionalBody(
          z
            .strictObject({
              serverId: SourceServerIdSchema.optional().openapi({
                description: "Only this source server of the execution (default: every one waiting)",
              }),
            })
            .openapi("SimulateFailbackClientRequest"),
        ),
      },
      responses: {
        200: jsonResponse(
          z
            .object({
              executionId: z.string(),
              connected: z.array(
                z.object({
                  sourceServerId: z.string(),
                  hostname: z.string(),
                  waveName: z.string(),
                  recoveryInstanceId: z.string(),
                }),
              ),
            })
            .openapi("SimulatedFailbackClients"),
          "The failback clients connected",
        ),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
        ...UPSTREAM,
      },
    },
    async (c) => {
      const id = c.req.valid("param").id;
      const body = (c.req.valid("json") ?? {}) as { serverId?: string };
      c.set("auditTarget", { id, ...(body.serverId ? { detail: { serverId: body.serverId } } : {}) });
      const result = await c.var.services.failbackClients.connect(id, body.serverId);
      c.set("auditTarget", {
        id,
        detail: { recoveryInstanceIds: result.connected.map((x) => x.recoveryInstanceId) },
      });
      return c.json(result, 200);
    },
  );

  kit.add(
    {
      method: "post",
      path: "/executions/{id}/terminate-instances",
      access: "drs:TerminateInstances",
      audit: "execution.terminate-instances",
      target: "execution",
      tags,
      summary:
        "Terminate the recovery instances this execution launched (a RECOVERY needs confirm = plan name)",
      request: {
        params: IdParam,
        ...optionalBody(
          z.strictObject({ confirm: z.string().max(256).optional() }).openapi("TerminateRequest"),
        ),
      },
      responses: {
        202: jsonResponse(AcceptedSchema, "Accepted"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
      },
    },
    async (c) => {
      const body = (c.req.valid("json") ?? {}) as { confirm?: string };
      return c.json(
        (await c.var.services.executions.terminateInstances(
          c.req.valid("param").id,
          c.var.principal!.email,
          body.confirm,
        )) as never,
        202,
      );
    },
  );
  kit.add(
    {
      method: "get",
      path: "/executions/{id}/termination-status",
      access: "drs:ViewResources",
      tags,
      summary: "Progress of the termination of this execution's recovery instances",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(TerminationStatusSchema, "Status"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) =>
      c.json(terminationView(await c.var.services.executions.get(c.req.valid("param").id)) as never, 200),
  );
  // What the execution recorded: job logs, events (and their stream), the report.
  registerExecutionRecordRoutes(kit, options);
  kit.add(
    {
      method: "delete",
      path: "/executions",
      access: "drs:ManageExecution",
      audit: "execution.bulk-delete",
      target: "execution",
      tags,
      summary:
        "Delete every finished execution (optionally of one plan, or started before a date); never a running one",
      request: {
        query: z.object({
          planId: UuidSchema.optional(),
          before: z.iso.datetime({ offset: true }).max(64).optional(),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ deleted: z.number().int() }), "Deleted count"),
        ...COMMON_ERRORS,
      },
    },
    async (c) => {
      const result = await c.var.services.executions.deleteCompleted(stripUndefined(c.req.valid("query")));
      c.set("auditTarget", { detail: { deleted: result.deleted } });
      return c.json(result, 200);
    },
  );
  kit.add(
    {
      method: "post",
      path: "/executions/delete",
      access: "drs:ManageExecution",
      audit: "execution.delete",
      target: "execution",
      tags,
      summary: "Delete finished executions by ID (all or nothing: a running one refuses the whole request)",
      request: jsonBody(
        z
          .strictObject({ executionIds: z.array(UuidSchema).min(1).max(100) })
          .openapi("DeleteExecutionsRequest"),
      ),
      responses: {
        200: jsonResponse(z.object({ deleted: z.number().int(), notFound: z.array(z.string()) }), "Result"),
        ...COMMON_ERRORS,
        ...CONFLICT,
      },
    },
    async (c) => {
      const ids = c.req.valid("json").executionIds;
      const result = await c.var.services.executions.delete(ids);
      c.set("auditTarget", { detail: { executionIds: ids, deleted: result.deleted } });
      return c.json(result, 200);
    },
  );
}
