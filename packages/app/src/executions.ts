import {
  ConflictError,
  createExecution,
  type Execution,
  type ExecutionStatus,
  type ExecutionType,
  type GroupSnapshot,
  hasInstancesToTerminate,
  isTerminal,
  type NewExecutionCommand,
  NotFoundError,
  type PageRequest,
  type Role,
  recordedInstancesToTerminate,
  type StartExecution,
  serverConflict,
  serverImpactOf,
  ValidationError,
  type WaveDecisionType,
  waveDecisionRefusal,
} from "@drso/core";
import { checkApprover } from "./approvers.js";
import type { AppDeps } from "./deps.js";
import type { EngineSignal } from "./engine-signal.js";
import { executionRecords } from "./execution-records.js";
import { createForceEnd } from "./force-end.js";
import type { Inventory } from "./inventory.js";
import { applyPointInTime, chooseSnapshots } from "./point-in-time.js";
import type { RecoveryPlanService } from "./recovery-plans.js";
import { failbackAllowanceNow } from "./settings.js";

export type { EngineSignal } from "./engine-signal.js";

export interface ExecutionListQuery {
  planId?: string;
  status?: string;
  executionType?: ExecutionType;
  initiatedBy?: string;
  startDate?: string;
  endDate?: string;
  dateRange?: "today" | "yesterday" | "thisWeek" | "lastWeek" | "thisMonth" | "lastMonth";
  sortBy?: "StartTime" | "EndTime" | "Status" | "startTime" | "endTime" | "status";
  sortOrder?: "asc" | "desc";
}

const DAY = 86_400_000;

/** MM-DD-YYYY (the seed's format) → UTC midnight, or a 400 naming the parameter. */
export function parseSeedDate(value: string, name: string): number {
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(value);
  const t = m ? Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) : Number.NaN;
  const d = new Date(t);
  if (!m || Number.isNaN(t) || d.getUTCMonth() !== Number(m[1]) - 1 || d.getUTCDate() !== Number(m[2])) {
    throw new ValidationError(`${name} must be a date in MM-DD-YYYY format.`, [
      { path: name, message: "expected MM-DD-YYYY" },
    ]);
  }
  return t;
}

export function dateRangeBounds(
  range: NonNullable<ExecutionListQuery["dateRange"]>,
  now: number,
): { from: number; to: number } {
  const d = new Date(now);
  const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekStart = today - ((d.getUTCDay() + 6) % 7) * DAY;
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  switch (range) {
    case "today":
      return { from: today, to: today + DAY - 1 };
    case "yesterday":
      return { from: today - DAY, to: today - 1 };
    case "thisWeek":
      return { from: weekStart, to: weekStart + 7 * DAY - 1 };
    case "lastWeek":
      return { from: weekStart - 7 * DAY, to: weekStart - 1 };
    case "thisMonth":
      return { from: monthStart, to: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1 };
    case "lastMonth":
      return { from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1), to: monthStart - 1 };
  }
}

export function createExecutionService(
  deps: AppDeps,
  inventory: Inventory,
  plans: RecoveryPlanService,
  engine: EngineSignal,
) {
  const { store } = deps;
  let startQueue: Promise<unknown> = Promise.resolve();

  /** Starts are serialized in-process so that two starts cannot both pass the overlap check. */
  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = startQueue.then(fn, fn);
    startQueue = run.catch(() => undefined);
    return run;
  }

  async function require(executionId: string): Promise<Execution> {
    const e = await store.executions.get(executionId);
    if (!e) throw new NotFoundError("execution", executionId);
    return e;
  }

  async function command(
    executionId: string,
    cmd: NewExecutionCommand,
    allowed: ExecutionStatus[],
    what: string,
  ) {
    const e = await require(executionId);
    if (!allowed.includes(e.status)) {
      throw new ConflictError("INVALID_STATE", `Cannot ${what}: the execution is ${e.status}.`, {
        executionStatus: e.status,
        executionId,
      });
    }
    const seq = await store.executions.appendCommand(executionId, cmd);
    await engine.kick(executionId);
    return { executionId, status: e.status, accepted: cmd.type, commandSeq: seq };
  }

  async function snapshotGroups(groupIds: string[]): Promise<GroupSnapshot[]> {
    const groups = [];
    for (const id of groupIds) {
      const g = await store.protectionGroups.get(id);
      if (!g)
        throw new ConflictError(
          "PLAN_INVALID",
          `Protection group ${id} used by the plan no longer exists; fix the plan first.`,
          { groupId: id },
        );
      groups.push(g);
    }
    const resolved = await inventory.resolveGroups(groups, { refresh: true });
    return groups.map((g) => ({
      groupId: g.groupId,
      name: g.name,
      accountId: g.accountId,
      region: g.region,
      selectionMode: g.selectionMode,
      ...(g.launchSettings ? { launchSettings: g.launchSettings } : {}),
      servers: (resolved.get(g.groupId) ?? []).map((s) => ({
        sourceServerId: s.sourceServerId,
        hostname: s.hostname,
        readiness: s.readiness,
        originEnvironment: s.originEnvironment,
        ...(serverImpactOf(g, s.sourceServerId) === "OPTIONAL" ? { impact: "OPTIONAL" as const } : {}),
      })),
    }));
  }

  return {
    start(planId: string, request: StartExecution, initiatedBy: string) {
      return serialized(async () => {
        const plan = await store.recoveryPlans.get(planId);
        if (!plan) throw new NotFoundError("recovery plan", planId);
        if (request.executionType === "RECOVERY" && request.confirm !== plan.name) {
          throw new ValidationError(
            `A RECOVERY launches production instances: set "confirm" to the plan name ('${plan.name}') to proceed.`,
            [{ path: "confirm", message: "must equal the plan name" }],
            "CONFIRMATION_REQUIRED",
          );
        }
        if (request.drillTtlHours !== undefined && request.executionType !== "DRILL")
          throw new ValidationError(
            "drillTtlHours applies to a DRILL only (recovery instances of a RECOVERY are production).",
            [{ path: "drillTtlHours", message: "DRILL only" }],
          );
        if (
          request.executionType === "FAILBACK" &&
          request.pointInTime !== undefined &&
          request.pointInTime !== "latest"
        )
          throw new ValidationError(
            "A FAILBACK returns servers with their current data: pointInTime applies to DRILL and RECOVERY only.",
            [{ path: "pointInTime", message: "DRILL and RECOVERY only" }],
          );
        const validation = await plans.validate({
          name: plan.name,
          waves: plan.waves,
          ...(plan.rtoSeconds !== undefined ? { rtoSeconds: plan.rtoSeconds } : {}),
        });
        if (!validation.valid)
          throw new ValidationError(
            "The plan is no longer valid; fix it before running it.",
            validation.issues,
            "PLAN_INVALID",
          );
        const groups = await snapshotGroups([...new Set(plan.waves.flatMap((w) => w.protectionGroupIds))]);
        const serverCount = groups.reduce((n, g) => n + g.servers.length, 0);
        if (serverCount === 0)
          throw new ValidationError(
            "The plan's protection groups select no source servers right now.",
            [{ path: "waves", message: "no servers" }],
            "PLAN_HAS_NO_SERVERS",
          );
        const keys = new Set(
          groups.flatMap((g) => g.servers.map((s) => `${g.accountId}/${g.region}/${s.sourceServerId}`)),
        );
        const active = await store.executions.listActive();
        // The store enforces the rule again inside its create (racing starts); this check names the server.
        const found = serverConflict({ executionType: request.executionType, serverKeys: [...keys] }, active);
        if (found) {
          const other = await store.executions.getSummary(found.holder.executionId);
          const sourceServerId = found.serverKey.split("/")[2] ?? found.serverKey;
          const hostname = groups
            .flatMap((g) => g.servers)
            .find((s) => s.sourceServerId === sourceServerId)?.hostname;
          const server = hostname ? `${hostname} (${sourceServerId})` : sourceServerId;
          throw new ConflictError(
            "SERVER_IN_ACTIVE_EXECUTION",
            `Source server ${server} is already in active ${found.holder.executionType} execution ${found.holder.executionId} of plan '${other?.planName ?? "?"}'.`,
            {
              executionId: found.holder.executionId,
              sourceServerId,
              ...(hostname ? { hostname } : {}),
              executionType: found.holder.executionType,
            },
          );
        }
        /** Drills of this product holding servers of a RECOVERY: the recovery cancels them (the worst day wins). */
        const drills: Array<{ executionId: string; planName: string; servers: number; cancelling: boolean }> =
          [];
        if (request.executionType === "RECOVERY")
          for (const a of active) {
            if (a.executionType !== "DRILL" || isTerminal(a.status)) continue;
            const servers = a.serverKeys.filter((k) => keys.has(k)).length;
            if (servers === 0) continue;
            drills.push({
              executionId: a.executionId,
              planName: (await store.executions.getSummary(a.executionId))?.planName ?? "?",
              servers,
              cancelling: a.status === "CANCELLING",
            });
          }
        const pointInTime = await applyPointInTime(deps.drs, groups, request.pointInTime, deps.clock.now());
        const { execution, events } = createExecution({
          ...(pointInTime ? { pointInTime } : {}),
          ...(request.drillTtlHours !== undefined ? { drillTtlHours: request.drillTtlHours } : {}),
          executionId: deps.newId(),
          plan,
          groups,
          executionType: request.executionType,
          initiatedBy,
          now: deps.clock.now(),
          reverseWaveOrder: request.reverseWaveOrder ?? false,
          ...(request.executionType === "FAILBACK"
            ? {
                failbackAllowanceSeconds: await failbackAllowanceNow(store),
              }
            : {}),
          ...(request.comment ? { comment: request.comment } : {}),
        });
        for (const d of drills)
          events.push({
            type: "execution.drill-cancelled",
            at: execution.startTime,
            message: `${d.cancelling ? "Waiting for" : "Cancelling"} DRILL ${d.executionId} of plan '${d.planName}', which holds ${d.servers} of this recovery's servers: its DRS jobs are followed to their end, then those servers launch`,
            data: { drillExecutionId: d.executionId, servers: d.servers },
          });
        const created = await store.executions.create(execution, { events, exclusiveServers: true });
        // Not in the create's transaction: if the process dies in between, the recovery still waits for the
        // drill's jobs (as for any job holding its servers) and the drill can be cancelled by hand.
        for (const d of drills.filter((x) => !x.cancelling)) {
          await store.executions.appendCommand(d.executionId, {
            type: "cancel",
            by: initiatedBy,
            at: deps.clock.now(),
            reason: `RECOVERY ${created.executionId} of plan '${plan.name}' needs its servers`,
            forExecutionId: created.executionId,
          });
          await engine.kick(d.executionId);
        }
        await engine.kick(created.executionId);
        return {
          executionId: created.executionId,
          status: created.status,
          executionType: created.executionType,
          planId,
          servers: serverCount,
          waves: created.waves.length,
        };
      });
    },

    async list(query: ExecutionListQuery, page: PageRequest) {
      const filter: Parameters<typeof store.executions.list>[0] = {};
      if (query.planId) filter.planId = query.planId;
      if (query.status)
        filter.status = query.status.split(",").map((s) => s.trim().toUpperCase()) as ExecutionStatus[];
      if (query.executionType) filter.executionType = query.executionType;
      if (query.initiatedBy) filter.initiatedBy = query.initiatedBy;
      if (query.dateRange) {
        const { from, to } = dateRangeBounds(query.dateRange, deps.clock.now());
        filter.startFrom = from;
        filter.startTo = to;
      }
      if (query.startDate)
        filter.startFrom = Math.max(filter.startFrom ?? 0, parseSeedDate(query.startDate, "startDate"));
      if (query.endDate)
        filter.startTo = Math.min(
          filter.startTo ?? Number.MAX_SAFE_INTEGER,
          parseSeedDate(query.endDate, "endDate") + DAY - 1,
        );
      if (
        filter.startFrom !== undefined &&
        filter.startTo !== undefined &&
        filter.startFrom > filter.startTo
      ) {
        throw new ValidationError("startDate is after endDate.", [
          { path: "startDate", message: "after endDate" },
        ]);
      }
      const by = (query.sortBy ?? "startTime").replace(/^./, (c) => c.toLowerCase()) as
        | "startTime"
        | "endTime"
        | "status";
      return store.executions.list(filter, { by, order: query.sortOrder ?? "desc" }, page);
    },

    /** The stored execution; the API shapes it (packages/api/src/routes/execution-views.ts). */
    async get(executionId: string): Promise<Execution> {
      return require(executionId);
    },
    require,

    pause: (id: string, by: string) =>
      command(id, { type: "pause", by, at: deps.clock.now() }, ["PENDING", "RUNNING"], "pause"),
    resume: (id: string, by: string) =>
      command(id, { type: "resume", by, at: deps.clock.now() }, ["PAUSED"], "resume"),
    cancel: (id: string, by: string) =>
      command(id, { type: "cancel", by, at: deps.clock.now() }, ["PENDING", "RUNNING", "PAUSED"], "cancel"),
    /**
     * Run control: retry a failed wave, skip a wave not started (or past a failure waiting for a decision), abort
     * after a failure waiting for a decision. Refused (409, nothing queued) when the engine would not take it.
     */
    async decideWave(
      id: string,
      waveId: string,
      decision: WaveDecisionType,
      by: string,
      input: { comment?: string } = {},
    ) {
      const e = await require(id);
      const refusal = waveDecisionRefusal(e, waveId, decision);
      if (refusal?.code === "WAVE_NOT_FOUND") throw new NotFoundError("wave", waveId);
      if (refusal)
        throw new ConflictError(refusal.code, `Cannot ${decision} wave ${waveId}: ${refusal.message}`, {
          executionStatus: e.status,
          waveStatus: e.waves.find((w) => w.waveId === waveId)?.status,
        });
      const seq = await store.executions.appendCommand(id, {
        type: "wave-decision",
        waveId,
        decision,
        by,
        at: deps.clock.now(),
        ...(input.comment ? { comment: input.comment } : {}),
      });
      await engine.kick(id);
      return { executionId: id, status: e.status, accepted: decision, waveId, commandSeq: seq };
    },
    /** An administrator ends a stuck execution, after DRS confirms none of its jobs still runs. */
    forceEnd: createForceEnd(deps, engine),

    async decide(
      id: string,
      decision: "approve" | "reject",
      by: string,
      input: { actionId?: string; comment?: string },
      principal?: { role: Role },
    ) {
      const e = await require(id);
      const waiting = e.waves
        .flatMap((w) => w.actions)
        .filter((a) => a.status === "WAITING_APPROVAL" && (!input.actionId || a.actionId === input.actionId));
      if (waiting.length === 0) {
        throw new ConflictError(
          "NO_PENDING_APPROVAL",
          input.actionId
            ? `Approval ${input.actionId} is not waiting for a decision.`
            : "No approval is waiting for a decision.",
          { executionStatus: e.status },
        );
      }
      await checkApprover(deps, e, waiting[0]!, decision, by, principal);
      const cmd: NewExecutionCommand = {
        type: decision,
        by,
        at: deps.clock.now(),
        actionId: waiting[0]!.actionId,
        ...(input.comment ? { comment: input.comment } : {}),
      };
      const seq = await store.executions.appendCommand(id, cmd);
      await engine.kick(id);
      return {
        executionId: id,
        status: e.status,
        accepted: decision,
        actionId: waiting[0]!.actionId,
        commandSeq: seq,
      };
    },

    async terminateInstances(id: string, by: string, confirm?: string) {
      const e = await require(id);
      if (!isTerminal(e.status))
        throw new ConflictError(
          "INVALID_STATE",
          `Recovery instances can be terminated once the execution has ended; it is ${e.status}.`,
          { executionStatus: e.status },
        );
      if (e.executionType === "FAILBACK")
        throw new ConflictError(
          "INVALID_STATE",
          "A failback's instances are production servers: terminate them from EC2, not from here.",
          {},
        );
      if (e.executionType === "RECOVERY" && confirm !== e.planName) {
        throw new ValidationError(
          `These are production recovery instances: set "confirm" to the plan name ('${e.planName}') to terminate them.`,
          [{ path: "confirm", message: "must equal the plan name" }],
          "CONFIRMATION_REQUIRED",
        );
      }
      if (e.termination?.status === "RUNNING")
        throw new ConflictError("INVALID_STATE", "A termination is already running for this execution.", {});
      if (!hasInstancesToTerminate(e))
        throw new ConflictError(
          "NOTHING_TO_TERMINATE",
          "This execution has no recovery instance left to terminate.",
          {},
        );
      const seq = await store.executions.appendCommand(id, {
        type: "terminate-instances",
        by,
        at: deps.clock.now(),
        reason: "user",
      });
      await engine.kick(id);
      return {
        executionId: id,
        accepted: "terminate-instances",
        // The recorded ones; DRS may report more that the execution's jobs created (termination-status counts them).
        instances: recordedInstancesToTerminate(e).length,
        commandSeq: seq,
      };
    },

    ...executionRecords(store, require),

    /** Existing recovery instances of a plan's servers: a new launch replaces them (spec §14). */
    /**
     * Before starting: the snapshot each server of the plan would recover from at `at` (its newest at all when
     * absent), with its age; servers with none at or before `at` are listed under `missing`.
     */
    async previewPointInTime(planId: string, at: string | undefined) {
      const plan = await store.recoveryPlans.get(planId);
      if (!plan) throw new NotFoundError("recovery plan", planId);
      const now = deps.clock.now();
      if (at !== undefined && Date.parse(at) > now)
        throw new ValidationError(
          `at ${at} is in the future.`,
          [{ path: "at", message: "must not be in the future" }],
          "POINT_IN_TIME_IN_FUTURE",
        );
      const groups = await snapshotGroups([...new Set(plan.waves.flatMap((w) => w.protectionGroupIds))]);
      const waveOf = new Map(
        plan.waves.flatMap((w) => w.protectionGroupIds.map((g) => [g, w.name] as const)),
      );
      const choices = await chooseSnapshots(deps.drs, groups, at);
      const servers = choices.map((c) => ({
        sourceServerId: c.sourceServerId,
        hostname: c.hostname,
        accountId: c.accountId,
        region: c.region,
        wave: waveOf.get(c.groupId) ?? "",
        ...(c.snapshot
          ? {
              snapshotId: c.snapshot.snapshotId,
              takenAt: c.snapshot.takenAt,
              ageSeconds: Math.max(0, Math.round((now - Date.parse(c.snapshot.takenAt)) / 1000)),
            }
          : {}),
      }));
      return {
        planId,
        ...(at !== undefined ? { at: new Date(Date.parse(at)).toISOString() } : {}),
        servers,
        missing: servers.filter((s) => !s.snapshotId).map((s) => s.sourceServerId),
      };
    },

    async checkExistingInstances(planId: string) {
      const plan = await store.recoveryPlans.get(planId);
      if (!plan) throw new NotFoundError("recovery plan", planId);
      const groups = await snapshotGroups([...new Set(plan.waves.flatMap((w) => w.protectionGroupIds))]);
      const active = await store.executions.listActive();
      const activeByKey = new Map<string, string>();
      for (const a of active)
        if (!isTerminal(a.status)) for (const k of a.serverKeys) activeByKey.set(k, a.executionId);
      const byTarget = new Map<string, GroupSnapshot[]>();
      for (const g of groups)
        byTarget.set(`${g.accountId}/${g.region}`, [
          ...(byTarget.get(`${g.accountId}/${g.region}`) ?? []),
          g,
        ]);
      const instances = [];
      const problems: Array<{ sourceServerId: string; hostname: string; problem: string }> = [];
      for (const list of byTarget.values()) {
        const { accountId, region } = list[0]!;
        const servers = list.flatMap((g) => g.servers);
        const found = await deps.drs
          .forTarget({ accountId, region })
          .describeRecoveryInstances({ sourceServerIds: servers.map((s) => s.sourceServerId) });
        for (const i of found) {
          const server = servers.find((s) => s.sourceServerId === i.sourceServerId);
          instances.push({ ...i, hostname: server?.hostname ?? i.sourceServerId });
        }
        for (const s of servers) {
          if (s.readiness && s.readiness !== "READY")
            problems.push({
              sourceServerId: s.sourceServerId,
              hostname: s.hostname,
              problem: `replication readiness ${s.readiness}`,
            });
          const running = activeByKey.get(`${accountId}/${region}/${s.sourceServerId}`);
          if (running) {
            const other = await store.executions.getSummary(running);
            problems.push({
              sourceServerId: s.sourceServerId,
              hostname: s.hostname,
              problem:
                `in active ${other?.executionType ?? ""} execution ${running}${other ? ` of plan '${other.planName}'` : ""}`.replace(
                  "active  execution",
                  "active execution",
                ),
            });
          }
        }
      }
      return {
        planId,
        servers: groups.reduce((n, g) => n + g.servers.length, 0),
        accounts: [...byTarget.keys()],
        hasExistingInstances: instances.length > 0,
        existingInstances: instances,
        readinessProblems: problems,
        note:
          instances.length > 0
            ? "Launching these servers again replaces their existing recovery instances (DRS cleans up previous instances on launch)."
            : undefined,
      };
    },

    /** Sum of server keys per active execution, for the dashboard. */
    activeServerKeys: async () =>
      (await store.executions.listActive()).map((a) => ({
        executionId: a.executionId,
        serverKeys: a.serverKeys,
      })),
  };
}

export type ExecutionService = ReturnType<typeof createExecutionService>;
