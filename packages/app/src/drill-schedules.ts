import {
  AppError,
  type DrillSchedule,
  NotFoundError,
  nextSlots,
  type RecoveryPlan,
  SCHEDULE_GRACE_MS,
  slotsBetween,
} from "@drso/core";
import type { AppDeps } from "./deps.js";

/**
 * Scheduled drills (issue 18 item 2). Each plan's schedule is on the plan (edited with it); what happened at each
 * slot is kept in the key-value store under `drill-schedule/<planId>` (the schedule it was computed for, the last
 * slot handled and the last 20 runs). `fireDue` is called every minute by the local host and by the AWS sweeper
 * Lambda on its schedule: whatever clock drives it, a slot fires once.
 */

export interface ScheduledRun {
  /** The cron slot (ISO). */
  slot: string;
  /** When it was handled (ISO). */
  at: string;
  outcome: "started" | "refused" | "missed";
  executionId?: string;
  /** Why it was refused (the API's error code and words), or how many slots were missed. */
  code?: string;
  reason?: string;
  /** The drill started after its slot, because the slot passed unseen and the policy is run-once. */
  late?: boolean;
  /** Slots that passed unseen before this one (not run). */
  missedBefore?: number;
}

interface ScheduleState {
  /** `cron|timezone` the state was computed for: a changed schedule starts again from the change. */
  key: string;
  /** Slots at or before this time never fire (the schedule was set or changed then). */
  since: number;
  lastSlot?: number;
  runs: ScheduledRun[];
}

export interface DrillScheduleView {
  planId: string;
  schedule?: DrillSchedule;
  enabled: boolean;
  nextRuns: string[];
  lastRun?: ScheduledRun;
  runs: ScheduledRun[];
}

type StartDrill = (
  planId: string,
  request: { executionType: "DRILL"; comment: string; drillTtlHours?: number },
  initiatedBy: string,
) => Promise<{ executionId: string }>;

type ReadinessOf = (planId: string) => Promise<{ status: string; reasons?: string[] } | undefined>;

const KEEP_RUNS = 20;
export const SCHEDULER_ACTOR = "scheduler";

export function createDrillScheduler(
  deps: Pick<AppDeps, "store" | "clock" | "newId" | "notifier">,
  startDrill: StartDrill,
  readinessOf?: ReadinessOf,
) {
  const { store } = deps;
  const key = (planId: string) => `drill-schedule/${planId}`;
  const scheduleKey = (s: DrillSchedule) => `${s.cron}|${s.timezone}`;
  const iso = (t: number) => new Date(t).toISOString();
  const log = (message: string, error: unknown) =>
    console.error(`[schedules] ${message}: ${error instanceof Error ? error.message : String(error)}`);

  async function read(planId: string): Promise<ScheduleState | undefined> {
    const raw = await store.kv.get(key(planId));
    return raw ? (JSON.parse(raw) as ScheduleState) : undefined;
  }
  const write = (planId: string, state: ScheduleState) => store.kv.put(key(planId), JSON.stringify(state));

  async function record(plan: RecoveryPlan, run: ScheduledRun) {
    const outcome =
      run.outcome === "started"
        ? `started DRILL ${run.executionId}${run.late ? " (late: the slot passed while nothing was watching)" : ""}`
        : run.outcome === "missed"
          ? `missed ${run.reason}`
          : `could not start: ${run.reason}`;
    try {
      await store.audit.append({
        eventId: deps.newId(),
        at: run.at,
        actor: { sub: "system", email: SCHEDULER_ACTOR },
        action: "recovery-plan.scheduled-drill",
        targetType: "recovery-plan",
        targetId: plan.planId,
        targetName: plan.name,
        outcome: run.outcome === "started" ? "success" : "failure",
        detail: { ...run },
      });
    } catch (error) {
      log(`audit of plan ${plan.planId}`, error);
    }
    if (run.outcome === "started" || !deps.notifier) return;
    // A drill that did not happen is what a compliance owner must hear about.
    const seq = Date.parse(run.at);
    deps.notifier
      .publish({
        executionId: run.executionId ?? "",
        seq,
        at: seq,
        type: run.outcome === "missed" ? "schedule.missed" : "schedule.refused",
        message: `Scheduled drill of plan '${plan.name}' at ${run.slot}: ${outcome}`,
        data: { ...run },
        planId: plan.planId,
        planName: plan.name,
        executionType: "DRILL",
        eventId: `schedule:${plan.planId}:${run.slot}`,
        notificationSeq: seq,
      })
      .catch((error: unknown) => log(`notification for plan ${plan.planId}`, error));
  }

  async function start(
    plan: RecoveryPlan,
    schedule: DrillSchedule,
    slot: number,
    late: boolean,
    missedBefore: number,
  ) {
    const now = deps.clock.now();
    const base = {
      slot: iso(slot),
      at: iso(now),
      ...(late ? { late: true } : {}),
      ...(missedBefore > 0 ? { missedBefore } : {}),
    };
    const readiness = await readinessOf?.(plan.planId).catch(() => undefined);
    if (readiness?.status === "NOT_READY")
      return {
        ...base,
        outcome: "refused" as const,
        code: "PLAN_NOT_READY",
        reason: `the plan is NOT_READY${readiness.reasons?.length ? `: ${readiness.reasons.slice(0, 3).join("; ")}` : ""}`,
      };
    try {
      const started = await startDrill(
        plan.planId,
        {
          executionType: "DRILL",
          comment: `Scheduled drill (${schedule.cron}, ${schedule.timezone})${late ? ", started late" : ""}`,
          ...(schedule.drillTtlHours !== undefined ? { drillTtlHours: schedule.drillTtlHours } : {}),
        },
        SCHEDULER_ACTOR,
      );
      return { ...base, outcome: "started" as const, executionId: started.executionId };
    } catch (error) {
      const e = error instanceof AppError ? error : undefined;
      return {
        ...base,
        outcome: "refused" as const,
        code: e?.code ?? "START_FAILED",
        reason: (error as Error).message,
      };
    }
  }

  /** One plan: the slot due now, if any, handled once (the state is written before the drill starts). */
  async function fire(plan: RecoveryPlan): Promise<ScheduledRun | undefined> {
    const schedule = plan.schedule;
    if (!schedule || schedule.enabled === false) return undefined;
    const now = deps.clock.now();
    const state = await read(plan.planId);
    let current = state;
    if (!current || current.key !== scheduleKey(schedule)) {
      // A new or changed schedule counts from when it was saved with the plan: earlier slots never fire.
      const saved = Date.parse(plan.updatedAt);
      current = {
        key: scheduleKey(schedule),
        since: Number.isNaN(saved) ? now : saved,
        runs: state?.runs ?? [],
      };
      await write(plan.planId, current);
    }
    const from = Math.max(current.since, current.lastSlot ?? current.since);
    const slots = slotsBetween(schedule, from, now, 1000);
    const latest = slots.at(-1);
    if (latest === undefined) return undefined;
    current.lastSlot = latest;
    await write(plan.planId, current);
    const missedBefore = slots.length - 1;
    const onTime = now - latest <= SCHEDULE_GRACE_MS;
    let run: ScheduledRun;
    if (onTime || schedule.missedRunPolicy === "run-once")
      run = await start(plan, schedule, latest, !onTime, missedBefore);
    else
      run = {
        slot: iso(latest),
        at: iso(now),
        outcome: "missed",
        reason: `${slots.length === 1 ? "this slot" : `${slots.length} slots`} passed while nothing was watching (missed-run policy: skip)`,
        missedBefore,
      };
    current.runs = [...current.runs, run].slice(-KEEP_RUNS);
    await write(plan.planId, current);
    await record(plan, run);
    return run;
  }

  return {
    /** Every plan with an enabled schedule: the slot that came due, handled once. Returns what happened. */
    async fireDue(): Promise<Array<ScheduledRun & { planId: string }>> {
      const out: Array<ScheduledRun & { planId: string }> = [];
      for (const plan of await store.recoveryPlans.listAll()) {
        try {
          const run = await fire(plan);
          if (run) out.push({ planId: plan.planId, ...run });
        } catch (error) {
          log(`schedule of plan ${plan.planId}`, error);
        }
      }
      return out;
    },

    async view(planId: string): Promise<DrillScheduleView> {
      const plan = await store.recoveryPlans.get(planId);
      if (!plan) throw new NotFoundError("recovery plan", planId);
      const state = await read(planId);
      const schedule = plan.schedule;
      const enabled = schedule !== undefined && schedule.enabled !== false;
      const runs = state?.runs ?? [];
      const lastRun = runs.at(-1);
      return {
        planId,
        ...(schedule ? { schedule } : {}),
        enabled,
        nextRuns: enabled ? nextSlots(schedule!, deps.clock.now(), 3).map(iso) : [],
        ...(lastRun ? { lastRun } : {}),
        runs: [...runs].reverse(),
      };
    },
  };
}

export type DrillScheduler = ReturnType<typeof createDrillScheduler>;
