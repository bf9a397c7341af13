import {
  AWS_ONLY_ACTIONS,
  DrsError,
  type DrsTarget,
  evaluateReadiness,
  NotFoundError,
  type ProtectionGroup,
  type ReadinessInputs,
  type ReadinessResult,
  type ReadinessServer,
  type ReadinessStatus,
  type RecoveryPlan,
  type SourceServer,
  selectServers,
  serverKeysOf,
  targetKey,
} from "@drso/core";
import { type AppDeps, iso } from "./deps.js";
import { mapLimit } from "./engine/effect-runner.js";
import { createInventory, type Inventory } from "./inventory.js";
import { createSettingsService, type SettingsService } from "./settings.js";

/** One change of a plan's readiness status. */
export interface ReadinessChange {
  seq: number;
  at: string;
  previous: ReadinessStatus | null;
  status: ReadinessStatus;
  errors: number;
  warnings: number;
  /** What triggered the evaluation (schedule, change, on-demand). */
  trigger: string;
  /** The first findings, for the history view. */
  reasons: string[];
}

/** What the key-value store keeps per plan (`readiness/<planId>`): the latest result and the last changes. */
interface ReadinessRecord {
  latest: ReadinessResult;
  history: ReadinessChange[];
  seq: number;
}

/** DynamoDB items stay far below 400 KB: a plan of thousands of failing servers keeps its first findings. */
export const MAX_STORED_FINDINGS = 300;
export const MAX_HISTORY = 50;
const PER_SERVER_CONCURRENCY = 8;
/**
 * Changes to plans, groups, accounts or settings are evaluated once they paused this long. 30 s, not 2: an
 * evaluation whose store write met another connection's write lock in the same process hung the process
 * (tests/chaos/sqlite.test.ts; root cause not found), and edits rarely come alone.
 */
export const CHANGE_QUIET_MS = 30_000;

export type ReadinessView = ReadinessResult & { findingsOmitted?: number; trigger: string };

function accessProblem(error: unknown, t: DrsTarget, mode: "sim" | "aws"): { problem: string; fix: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof DrsError && error.kind === "access-denied")
    return {
      problem: `access denied (${message})`,
      fix:
        mode === "aws"
          ? `Check that the orchestrator can assume the account's role (DRSOrchestrationRole, ExternalId) in ${t.accountId} and that it allows DRS in ${t.region}; POST /accounts/${t.accountId}/validate shows the error.`
          : `Check the simulator credentials of account ${t.accountId} (POST /accounts/${t.accountId}/validate).`,
    };
  if (error instanceof DrsError && error.kind === "uninitialized")
    return {
      problem: "DRS is not initialized",
      fix: `Initialize Elastic Disaster Recovery in ${t.accountId} (${t.region}) from the DRS console.`,
    };
  return { problem: message, fix: "Check connectivity to DRS in that account and region, then check again." };
}

/** What readiness needs of the composition root (the AWS sweeper has no user directory). */
export type ReadinessDeps = Pick<
  AppDeps,
  "store" | "drs" | "clock" | "newId" | "notifier" | "actions" | "inventoryTtlSeconds"
>;

export function createReadinessService(
  deps: ReadinessDeps,
  inventory: Inventory,
  settings: Pick<SettingsService, "current">,
) {
  const { store } = deps;
  const key = (planId: string) => `readiness/${planId}`;
  const running = new Map<string, Promise<ReadinessView>>();
  const log = (message: string, error: unknown) =>
    console.error(`[readiness] ${message}: ${error instanceof Error ? error.message : String(error)}`);

  async function read(planId: string): Promise<ReadinessRecord | undefined> {
    const raw = await store.kv.get(key(planId));
    return raw ? (JSON.parse(raw) as ReadinessRecord) : undefined;
  }

  async function groupsOf(plan: RecoveryPlan): Promise<Map<string, ProtectionGroup>> {
    const ids = [...new Set(plan.waves.flatMap((w) => w.protectionGroupIds))];
    const found = await Promise.all(ids.map((id) => store.protectionGroups.get(id)));
    return new Map(found.filter((g) => g !== undefined).map((g) => [g.groupId, g]));
  }

  /** Servers of each wave (wave ID, group, server) against the given inventories. */
  function serversByWave(
    plan: RecoveryPlan,
    groups: Map<string, ProtectionGroup>,
    inventories: Map<string, SourceServer[]>,
  ) {
    const out: Array<{ waveId: string; group: ProtectionGroup; server: SourceServer }> = [];
    for (const w of plan.waves)
      for (const gid of w.protectionGroupIds) {
        const g = groups.get(gid);
        const inv = g ? inventories.get(targetKey(g)) : undefined;
        if (!g || !inv) continue;
        for (const s of selectServers(g, inv)) out.push({ waveId: w.waveId, group: g, server: s });
      }
    return out;
  }

  async function gather(plan: RecoveryPlan): Promise<ReadinessInputs> {
    const now = deps.clock.now();
    const { settings: current } = await settings.current();
    const groups = await groupsOf(plan);
    const targets = new Map<string, DrsTarget>();
    for (const g of groups.values()) targets.set(targetKey(g), { accountId: g.accountId, region: g.region });
    const inventories = new Map<string, SourceServer[]>();
    const access: ReadinessInputs["targets"] = await Promise.all(
      [...targets.values()].map(async (t) => {
        try {
          const gateway = deps.drs.forTarget(t);
          if (!(await gateway.checkInitialized()))
            return {
              ...t,
              access: {
                ok: false as const,
                ...accessProblem(
                  new DrsError("CheckInitialized", "uninitialized", "not initialized"),
                  t,
                  deps.drs.mode,
                ),
              },
            };
          inventories.set(targetKey(t), await gateway.describeSourceServers());
          return { ...t, access: { ok: true as const } };
        } catch (error) {
          return { ...t, access: { ok: false as const, ...accessProblem(error, t, deps.drs.mode) } };
        }
      }),
    );
    const rpoMs = (plan.rpoSeconds ?? 86_400) * 1000;
    const selected = serversByWave(plan, groups, inventories);
    const servers: ReadinessServer[] = await mapLimit(
      selected,
      PER_SERVER_CONCURRENCY,
      async ({ waveId, group, server: s }) => {
        const gateway = deps.drs.forTarget(group);
        const r: ReadinessServer = {
          waveId,
          accountId: group.accountId,
          region: group.region,
          sourceServerId: s.sourceServerId,
          hostname: s.hostname,
          replicationState: s.replicationState,
          readiness: s.readiness,
          ...(s.replicationError ? { replicationError: s.replicationError } : {}),
          ...(s.lagDuration ? { lagDuration: s.lagDuration } : {}),
        };
        try {
          // The window the RPO cares about first; only a server with none there costs a second, unbounded read.
          let snapshots = await gateway.describeRecoverySnapshots(s.sourceServerId, {
            from: iso(now - rpoMs),
          });
          if (snapshots.length === 0) snapshots = await gateway.describeRecoverySnapshots(s.sourceServerId);
          const newest = snapshots[0];
          r.latestSnapshotAt = newest ? Date.parse(newest.timestamp ?? newest.expectedTimestamp) : null;
        } catch (error) {
          log(`snapshots of ${s.sourceServerId}`, error);
        }
        try {
          const lc = await gateway.getLaunchConfiguration(s.sourceServerId);
          r.launchConfiguration = lc.ec2LaunchTemplateId
            ? { state: "ok" }
            : { state: "invalid", problem: "it names no EC2 launch template" };
        } catch (error) {
          r.launchConfiguration =
            error instanceof DrsError && error.kind === "not-found"
              ? { state: "missing" }
              : { state: "unreadable", problem: error instanceof Error ? error.message : String(error) };
        }
        return r;
      },
    );

    const otherPlans: ReadinessInputs["otherPlans"] = [];
    for (const other of await store.recoveryPlans.listAll()) {
      if (other.planId === plan.planId) continue;
      try {
        const og = await groupsOf(other);
        const resolved = await inventory.resolveGroups([...og.values()]);
        const waveTarget = new Map<string, number>();
        const serverKeys: string[] = [];
        for (const w of other.waves)
          for (const gid of w.protectionGroupIds) {
            const g = og.get(gid);
            if (!g) continue;
            for (const s of resolved.get(gid) ?? []) {
              serverKeys.push(`${g.accountId}/${g.region}/${s.sourceServerId}`);
              const k = `${w.waveId}|${targetKey(g)}`;
              waveTarget.set(k, (waveTarget.get(k) ?? 0) + 1);
            }
          }
        const largestWaveByTarget: Record<string, number> = {};
        for (const [k, n] of waveTarget) {
          const t = k.split("|")[1]!;
          largestWaveByTarget[t] = Math.max(largestWaveByTarget[t] ?? 0, n);
        }
        otherPlans.push({ planId: other.planId, name: other.name, serverKeys, largestWaveByTarget });
      } catch (error) {
        log(`servers of plan ${other.planId}`, error);
      }
    }

    const drills = await store.executions.list(
      { planId: plan.planId, status: ["COMPLETED"], executionType: "DRILL" },
      { by: "endTime", order: "desc" },
      { limit: 1 },
    );
    const lastDrill = drills.items[0] ? await store.executions.get(drills.items[0].executionId) : undefined;

    const documents = plan.waves.flatMap((w) =>
      [...w.preActions, ...w.postActions]
        .filter((a) => AWS_ONLY_ACTIONS.includes(a.type))
        .map((a) => ({ waveId: w.waveId, documentName: (a as { documentName: string }).documentName })),
    );
    let ssmDocuments: ReadinessInputs["ssmDocuments"];
    if (deps.drs.mode !== "aws")
      ssmDocuments = {
        mode: "not-applicable",
        reason:
          "The orchestrator runs against the DRS simulator, where SSM actions cannot run (DRSO_DRS_MODE=aws).",
      };
    else {
      // Checked where the wave's servers live (its first protection group's account and region).
      const targetOfWave = (waveId: string) => {
        const gid = plan.waves.find((w) => w.waveId === waveId)?.protectionGroupIds[0];
        const g = gid ? groups.get(gid) : undefined;
        return g ? { accountId: g.accountId, region: g.region } : undefined;
      };
      ssmDocuments = {
        mode: "checked",
        documents: await Promise.all(
          documents.map(async (d) => {
            const exists = deps.actions?.documentExists?.bind(deps.actions);
            const target = targetOfWave(d.waveId);
            if (!exists || !target)
              return {
                ...d,
                exists: "unknown" as const,
                problem: "this deployment cannot look documents up",
              };
            try {
              return { ...d, exists: await exists(d.documentName, target) };
            } catch (error) {
              return { ...d, exists: "unknown" as const, problem: (error as Error).message };
            }
          }),
        ),
      };
    }

    return {
      now,
      plan: {
        planId: plan.planId,
        name: plan.name,
        ...(plan.rpoSeconds !== undefined ? { rpoSeconds: plan.rpoSeconds } : {}),
        waves: plan.waves.map((w) => ({ waveId: w.waveId, name: w.name, dependsOn: w.dependsOn })),
      },
      quotas: current.quotas,
      maxDrillAgeDays: current.readinessMaxDrillAgeDays,
      targets: access,
      servers,
      otherPlans,
      ...(lastDrill
        ? {
            lastSuccessfulDrill: {
              executionId: lastDrill.executionId,
              endedAt: lastDrill.endTime ?? lastDrill.startTime,
              serverKeys: serverKeysOf(lastDrill),
            },
          }
        : {}),
      ssmDocuments,
    };
  }

  async function evaluateNow(planId: string, trigger: string): Promise<ReadinessView> {
    const plan = await store.recoveryPlans.get(planId);
    if (!plan) throw new NotFoundError("recovery plan", planId);
    const result = evaluateReadiness(await gather(plan));
    const record = await read(planId);
    const previous = record?.latest.status ?? null;
    const stored: ReadinessResult & { findingsOmitted?: number; trigger: string } = {
      ...result,
      checks: result.checks.slice(0, MAX_STORED_FINDINGS),
      trigger,
    };
    if (result.checks.length > MAX_STORED_FINDINGS)
      stored.findingsOmitted = result.checks.length - MAX_STORED_FINDINGS;
    let history = record?.history ?? [];
    let seq = record?.seq ?? 0;
    const changed = previous !== result.status;
    if (changed) {
      seq += 1;
      const change: ReadinessChange = {
        seq,
        at: result.evaluatedAt,
        previous,
        status: result.status,
        errors: result.checks.filter((c) => c.severity === "error").length,
        warnings: result.checks.filter((c) => c.severity === "warning").length,
        trigger,
        reasons: result.checks.slice(0, 5).map((c) => c.message),
      };
      history = [change, ...history].slice(0, MAX_HISTORY);
      await store.kv.put(
        key(planId),
        JSON.stringify({ latest: stored, history, seq } satisfies ReadinessRecord),
      );
      if (previous !== null) await announce(plan, change);
    } else {
      await store.kv.put(
        key(planId),
        JSON.stringify({ latest: stored, history, seq } satisfies ReadinessRecord),
      );
    }
    return stored;
  }

  /** A status change (not the first evaluation) is audited and notified (`plan.readiness-changed`). */
  async function announce(plan: RecoveryPlan, change: ReadinessChange) {
    const at = Date.parse(change.at);
    const message = `Plan '${plan.name}' readiness changed from ${change.previous} to ${change.status} (${change.errors} errors, ${change.warnings} warnings)`;
    try {
      await store.audit.append({
        eventId: deps.newId(),
        at: change.at,
        actor: { sub: "system", email: "readiness-evaluator" },
        action: "recovery-plan.readiness-changed",
        targetType: "recovery-plan",
        targetId: plan.planId,
        targetName: plan.name,
        outcome: "success",
        detail: {
          previous: change.previous,
          status: change.status,
          trigger: change.trigger,
          reasons: change.reasons,
        },
      });
    } catch (error) {
      log(`audit of plan ${plan.planId}`, error);
    }
    if (!deps.notifier) return;
    // Fire-and-forget: readiness is evaluated again within minutes, so a lost notification is not retried.
    deps.notifier
      .publish({
        executionId: "",
        seq: change.seq,
        at,
        type: "plan.readiness-changed",
        message,
        data: {
          previous: change.previous,
          status: change.status,
          errors: change.errors,
          warnings: change.warnings,
          reasons: change.reasons,
        },
        planId: plan.planId,
        planName: plan.name,
        executionType: "",
        eventId: `readiness:${plan.planId}:${change.seq}`,
        notificationSeq: change.seq,
      })
      .catch((error: unknown) => log(`notification for plan ${plan.planId}`, error));
  }

  /**
   * One evaluation per plan at a time in this process. A sweep joins one that is running; an on-demand check
   * (`fresh`) waits for it and then reads DRS again, so that it sees what changed since that one started.
   */
  function evaluate(
    planId: string,
    trigger: string,
    options: { fresh?: boolean } = {},
  ): Promise<ReadinessView> {
    const inFlight = running.get(planId);
    if (inFlight && !options.fresh) return inFlight;
    const run = (inFlight ? inFlight.catch(() => undefined) : Promise.resolve())
      .then(() => evaluateNow(planId, trigger))
      .finally(() => {
        if (running.get(planId) === run) running.delete(planId);
      });
    running.set(planId, run);
    return run;
  }

  let sweep: Promise<void> | undefined;
  let again: string | undefined;
  /**
   * Every plan, the longest unevaluated first, one after the other (bounded: never two sweeps at once; a request
   * during one runs once after). With `untilMs` (a Lambda's time budget) it stops starting plans at that time:
   * the next sweep begins with the ones it left.
   */
  function evaluateAll(trigger: string, options: { untilMs?: number } = {}): Promise<void> {
    if (sweep) {
      again = trigger;
      return sweep;
    }
    sweep = (async () => {
      try {
        const plans = await Promise.all(
          (await store.recoveryPlans.listAll()).map(async (p) => ({
            planId: p.planId,
            at: (await read(p.planId))?.latest.evaluatedAt ?? "",
          })),
        );
        plans.sort((a, b) => a.at.localeCompare(b.at));
        for (const p of plans) {
          if (options.untilMs !== undefined && deps.clock.now() >= options.untilMs) break;
          try {
            await evaluate(p.planId, trigger);
          } catch (error) {
            if (!(error instanceof NotFoundError)) log(`plan ${p.planId}`, error);
          }
        }
      } catch (error) {
        log("sweep", error);
      }
    })().finally(() => {
      sweep = undefined;
      if (again !== undefined) {
        const next = again;
        again = undefined;
        void evaluateAll(next);
      }
    });
    return sweep;
  }

  const SWEEP_KEY = "readiness-sweep/last";
  /** How long close() waits for evaluations in flight. */
  const CLOSE_WAIT_MS = 10_000;
  let closed = false;
  let cancelPending: (() => void) | undefined;
  const changes = new Set<string>();
  return {
    evaluate,
    evaluateAll,
    /**
     * The periodic evaluation: every plan when the last sweep is `readinessIntervalMinutes` old (the local host
     * asks every minute, the AWS sweeper Lambda on its schedule). True when it swept.
     */
    async sweepIfDue(options: { untilMs?: number } = {}): Promise<boolean> {
      const { settings: current } = await settings.current();
      const last = Number((await store.kv.get(SWEEP_KEY)) ?? 0);
      const now = deps.clock.now();
      if (now - last < current.readinessIntervalMinutes * 60_000) return false;
      await store.kv.put(SWEEP_KEY, String(now));
      await evaluateAll("schedule", options);
      return true;
    },
    /**
     * After a change of a plan, group, account or settings: every plan (conflicts and quotas span plans), once the
     * changes have paused for CHANGE_QUIET_MS, so a burst of edits costs one sweep and the requests right after a
     * change (the list the console opens next) do not compete with DRS reads.
     */
    changed(what: string) {
      if (closed) return;
      changes.add(what);
      cancelPending?.();
      cancelPending = deps.clock.schedule(deps.clock.now() + CHANGE_QUIET_MS, () => {
        cancelPending = undefined;
        const what = [...changes].join(", ");
        changes.clear();
        if (!closed) void evaluateAll(`change: ${what}`);
      });
    },
    /** The latest result, evaluating the plan when it has none yet. */
    async latest(planId: string): Promise<ReadinessView> {
      const record = await read(planId);
      if (record && (await store.recoveryPlans.get(planId))) return record.latest as ReadinessView;
      return evaluate(planId, "first read");
    },
    /** The stored status only (for plan lists: no DRS calls). */
    async statusOf(planId: string): Promise<{ status: ReadinessStatus; evaluatedAt: string } | undefined> {
      const record = await read(planId);
      return record ? { status: record.latest.status, evaluatedAt: record.latest.evaluatedAt } : undefined;
    },
    async history(planId: string): Promise<{ planId: string; items: ReadinessChange[] }> {
      if (!(await store.recoveryPlans.get(planId))) throw new NotFoundError("recovery plan", planId);
      return { planId, items: (await read(planId))?.history ?? [] };
    },
    /** Idle until the sweeps and evaluations running now end (tests, shutdown). */
    async settled() {
      // Bounded: an evaluation stuck on an unreachable DRS or a locked store must not hold a shutdown forever.
      const deadline = Date.now() + CLOSE_WAIT_MS;
      while ((sweep || running.size > 0) && Date.now() < deadline) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.allSettled([sweep, ...running.values()]),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          }),
        ]);
        clearTimeout(timer);
      }
    },
    /** Shutdown: no evaluation after changes any more; waits for the running ones. */
    async close() {
      closed = true;
      cancelPending?.();
      cancelPending = undefined;
      // Bounded: an evaluation stuck on an unreachable DRS or a locked store must not hold a shutdown forever.
      const deadline = Date.now() + CLOSE_WAIT_MS;
      while ((sweep || running.size > 0) && Date.now() < deadline) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.allSettled([sweep, ...running.values()]),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          }),
        ]);
        clearTimeout(timer);
      }
    },
  };
}

export type ReadinessService = ReturnType<typeof createReadinessService>;

/** Readiness on its own, for a composition root without the other use cases (the AWS sweeper Lambda). */
export function createStandaloneReadiness(deps: ReadinessDeps): ReadinessService {
  return createReadinessService(deps, createInventory(deps), createSettingsService(deps));
}
