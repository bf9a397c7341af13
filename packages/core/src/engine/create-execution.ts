import type {
  Execution,
  ExecutionType,
  GroupSnapshot,
  NewExecutionEvent,
  PlanSnapshot,
  WaveRun,
} from "../domain/execution.js";
import { buildPlanGraph, reverseGraph } from "../domain/plan-graph.js";
import type { RecoveryPlan } from "../domain/recovery-plan.js";
import { plural } from "../domain/text.js";

export interface CreateExecutionInput {
  executionId: string;
  plan: RecoveryPlan;
  /** The plan's protection groups, each resolved to its servers at start (tag groups evaluated now). */
  groups: GroupSnapshot[];
  executionType: ExecutionType;
  initiatedBy: string;
  now: number;
  reverseWaveOrder?: boolean;
  /** FAILBACK: the replication allowance on top of each wave's timeout (frozen into the execution). */
  failbackAllowanceSeconds?: number;
  comment?: string;
  /** Point-in-time recovery as asked (each server's chosen snapshot is on its group snapshot). */
  pointInTime?: Execution["pointInTime"];
  /** DRILL: its own drill TTL (a scheduled drill's). */
  drillTtlHours?: number;
}

/**
 * Freezes the plan: the execution runs what the plan and its groups were at start, whatever is edited later.
 * Effective dependencies (implicit ones for sequential plans, reversed ones for a reverse failback) are
 * written into each wave so the engine never re-derives them.
 */
export function createExecution(input: CreateExecutionInput): {
  execution: Execution;
  events: NewExecutionEvent[];
} {
  const { plan, groups, now } = input;
  const byId = new Map(groups.map((g) => [g.groupId, g]));
  let graph = buildPlanGraph(plan.waves);
  const reverse = input.executionType === "FAILBACK" && input.reverseWaveOrder === true;
  if (reverse) graph = reverseGraph(graph);
  const order = new Map(graph.order.map((id, i) => [id, i]));
  const waves: WaveRun[] = [...plan.waves]
    .sort((a, b) => (order.get(a.waveId) ?? 0) - (order.get(b.waveId) ?? 0))
    .map((w) => ({
      waveId: w.waveId,
      name: w.name,
      status: "PENDING",
      onFailure: w.onFailure,
      dependsOn: [...(graph.dependencies.get(w.waveId) ?? [])],
      pauseBefore: w.pauseBefore,
      pauseCleared: false,
      servers: w.protectionGroupIds.flatMap((gid) => {
        const g = byId.get(gid);
        if (!g) return [];
        return g.servers.map((s) => ({
          sourceServerId: s.sourceServerId,
          hostname: s.hostname,
          accountId: g.accountId,
          region: g.region,
          groupId: g.groupId,
          status: "NOT_STARTED" as const,
          ...(s.impact === "OPTIONAL" ? { impact: "OPTIONAL" as const } : {}),
          ...(s.snapshot ? { snapshot: { ...s.snapshot } } : {}),
        }));
      }),
      batches: [],
      actions: [
        ...w.preActions.map((action, index) => ({
          actionId: `${w.waveId}.pre.${index}`,
          phase: "pre" as const,
          index,
          action,
          status: "PENDING" as const,
          attempts: 0,
        })),
        ...w.postActions.map((action, index) => ({
          actionId: `${w.waveId}.post.${index}`,
          phase: "post" as const,
          index,
          action,
          status: "PENDING" as const,
          attempts: 0,
        })),
      ],
    }));
  const snapshot: PlanSnapshot = {
    plan: {
      planId: plan.planId,
      name: plan.name,
      version: plan.version,
      waves: plan.waves,
      ...(plan.rpoSeconds !== undefined ? { rpoSeconds: plan.rpoSeconds } : {}),
      ...(plan.rtoSeconds !== undefined ? { rtoSeconds: plan.rtoSeconds } : {}),
    },
    groups,
  };
  const execution: Execution = {
    executionId: input.executionId,
    planId: plan.planId,
    planName: plan.name,
    executionType: input.executionType,
    status: "PENDING",
    initiatedBy: input.initiatedBy,
    startTime: now,
    options: { reverseWaveOrder: reverse },
    snapshot,
    waves,
    appliedCommandSeq: 0,
    wakeAt: now,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  if (input.comment) execution.comment = input.comment;
  if (input.pointInTime) execution.pointInTime = input.pointInTime;
  if (input.executionType === "DRILL" && input.drillTtlHours !== undefined)
    execution.drillTtlHours = input.drillTtlHours;
  if (input.executionType === "FAILBACK" && input.failbackAllowanceSeconds !== undefined)
    execution.failbackAllowanceSeconds = input.failbackAllowanceSeconds;
  const serverCount = waves.reduce((n, w) => n + w.servers.length, 0);
  return {
    execution,
    events: [
      {
        at: now,
        type: "execution.created",
        message: `${input.executionType} of plan '${plan.name}' requested by ${input.initiatedBy}: ${plural(waves.length, "wave")}, ${plural(serverCount, "server")}`,
        data: { executionType: input.executionType, waves: waves.length, servers: serverCount },
      },
    ],
  };
}
