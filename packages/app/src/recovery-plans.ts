import {
  AWS_ONLY_ACTIONS,
  ConflictError,
  type FieldIssue,
  NotFoundError,
  normalizeWaves,
  type Page,
  type PageRequest,
  type ProtectionGroup,
  parseTagFilter,
  type RecoveryPlan,
  type RecoveryPlanInput,
  ValidationError,
  validateWaveGraph,
  type Wave,
} from "@drso/core";
import { type AppDeps, iso } from "./deps.js";
import type { Inventory } from "./inventory.js";
import { pageArray } from "./paging.js";
import type { ReadinessService } from "./readiness.js";
import { failbackAllowanceNow } from "./settings.js";

export interface RecoveryPlanListFilter {
  accountId?: string;
  name?: string;
  nameExact?: string;
  tag?: string;
  hasConflict?: boolean;
  status?: string;
}

export interface RecoveryPlanView extends RecoveryPlan {
  accounts: Array<{ accountId: string; region: string }>;
  protectionGroupCount: number;
  /** What a FAILBACK of this plan allows each wave for replication back, on top of the wave's timeout. */
  failbackAllowanceSeconds: number;
  lastExecution?: {
    executionId: string;
    status: string;
    executionType: string;
    startTime: string;
    endTime?: string;
  };
  /** The latest readiness evaluation's status (absent until the first evaluation). */
  readiness?: { status: "READY" | "WARNINGS" | "NOT_READY"; evaluatedAt: string };
}

export interface PlanValidation {
  valid: boolean;
  issues: FieldIssue[];
  warnings: FieldIssue[];
  serverCount?: number;
}

export function createRecoveryPlanService(
  deps: AppDeps,
  inventory: Inventory,
  readiness?: Pick<ReadinessService, "statusOf">,
) {
  const { store } = deps;

  /**
   * Every rule of DESIGN §3 plus reference checks. Resolving tag groups needs DRS; if DRS cannot be reached,
   * the server-overlap rule is reported as a warning rather than blocking the save.
   */
  async function validate(waves: Wave[]): Promise<PlanValidation> {
    const issues: FieldIssue[] = [...validateWaveGraph(waves)];
    const warnings: FieldIssue[] = [];
    const groupIds = [...new Set(waves.flatMap((w) => w.protectionGroupIds))];
    const groups = new Map<string, ProtectionGroup>();
    for (const id of groupIds) {
      const g = await store.protectionGroups.get(id);
      if (g) groups.set(id, g);
    }
    const usedIn = new Map<string, string>();
    waves.forEach((w, i) => {
      w.protectionGroupIds.forEach((id, j) => {
        if (!groups.has(id))
          issues.push({
            path: `waves.${i}.protectionGroupIds.${j}`,
            message: `protection group ${id} does not exist`,
          });
        const other = usedIn.get(id);
        if (other !== undefined && other !== w.waveId) {
          issues.push({
            path: `waves.${i}.protectionGroupIds.${j}`,
            message: `protection group '${groups.get(id)?.name ?? id}' is already in wave '${other}'`,
          });
        }
        usedIn.set(id, w.waveId);
      });
      [
        ...w.preActions.map((a, k) => ({ a, path: `waves.${i}.preActions.${k}` })),
        ...w.postActions.map((a, k) => ({ a, path: `waves.${i}.postActions.${k}` })),
      ].forEach(({ a, path }) => {
        if (AWS_ONLY_ACTIONS.includes(a.type) && deps.drs.mode !== "aws") {
          issues.push({
            path: `${path}.type`,
            message: `${a.type} actions need AWS Systems Manager: run with DRSO_DRS_MODE=aws (this server uses the DRS simulator)`,
          });
        }
      });
    });
    let serverCount: number | undefined;
    if (issues.length === 0) {
      try {
        const resolved = await inventory.resolveGroups([...groups.values()]);
        const seen = new Map<string, string>();
        serverCount = 0;
        waves.forEach((w, i) => {
          for (const gid of w.protectionGroupIds) {
            const g = groups.get(gid)!;
            for (const s of resolved.get(gid) ?? []) {
              serverCount! += 1;
              const key = `${g.accountId}/${g.region}/${s.sourceServerId}`;
              const other = seen.get(key);
              if (other !== undefined && other !== w.waveId) {
                issues.push({
                  path: `waves.${i}.protectionGroupIds`,
                  message: `source server ${s.sourceServerId} (${s.hostname}) is in wave '${other}' and wave '${w.waveId}'`,
                });
              } else if (other === w.waveId) {
                issues.push({
                  path: `waves.${i}.protectionGroupIds`,
                  message: `source server ${s.sourceServerId} (${s.hostname}) is selected by two protection groups of wave '${w.waveId}'`,
                });
              }
              seen.set(key, w.waveId);
            }
          }
          if (w.protectionGroupIds.every((gid) => (resolved.get(gid) ?? []).length === 0)) {
            warnings.push({
              path: `waves.${i}`,
              message: `wave '${w.waveId}' currently selects no source servers`,
            });
          }
        });
      } catch (error) {
        warnings.push({ path: "waves", message: `server overlap not checked: ${(error as Error).message}` });
      }
    }
    const result: PlanValidation = { valid: issues.length === 0, issues, warnings };
    if (serverCount !== undefined) result.serverCount = serverCount;
    return result;
  }

  async function validOrThrow(waves: Wave[]) {
    const result = await validate(waves);
    if (!result.valid) {
      const cycle = result.issues.find((i) => i.message.startsWith("dependency cycle"));
      throw new ValidationError(
        cycle ? `The plan's waves form a ${cycle.message}.` : "The recovery plan is not valid.",
        result.issues,
        cycle ? "PLAN_CYCLE" : "INVALID_PLAN",
      );
    }
    return result;
  }

  function build(
    input: RecoveryPlanInput,
    base: { planId: string; owner: string; createdAt: string; version: number },
  ): RecoveryPlan {
    const plan: RecoveryPlan = {
      planId: base.planId,
      name: input.name,
      waves: normalizeWaves(input.waves),
      owner: base.owner,
      createdAt: base.createdAt,
      updatedAt: iso(deps.clock.now()),
      version: base.version,
    };
    if (input.description !== undefined) plan.description = input.description;
    if (input.rpoSeconds !== undefined) plan.rpoSeconds = input.rpoSeconds;
    if (input.rtoSeconds !== undefined) plan.rtoSeconds = input.rtoSeconds;
    if (input.schedule !== undefined) plan.schedule = { ...input.schedule };
    return plan;
  }

  async function decorate(plans: RecoveryPlan[]): Promise<RecoveryPlanView[]> {
    // Only the groups these plans use: parsing every group for each page of plans grows with the whole
    // inventory (3,000 servers, hundreds of groups), not with the page.
    const wanted = [...new Set(plans.flatMap((p) => p.waves.flatMap((w) => w.protectionGroupIds)))];
    const found = await Promise.all(wanted.map((id) => store.protectionGroups.get(id)));
    const groups = new Map(found.filter((g) => g !== undefined).map((g) => [g.groupId, g]));
    const failbackAllowanceSeconds = await failbackAllowanceNow(store);
    return Promise.all(
      plans.map(async (p) => {
        const ids = [...new Set(p.waves.flatMap((w) => w.protectionGroupIds))];
        const targets = new Map<string, { accountId: string; region: string }>();
        for (const id of ids) {
          const g = groups.get(id);
          if (g) targets.set(`${g.accountId}/${g.region}`, { accountId: g.accountId, region: g.region });
        }
        const view: RecoveryPlanView = {
          ...p,
          accounts: [...targets.values()],
          protectionGroupCount: ids.length,
          failbackAllowanceSeconds,
        };
        const last = await store.executions.list(
          { planId: p.planId },
          { by: "startTime", order: "desc" },
          { limit: 1 },
        );
        const e = last.items[0];
        if (e) {
          view.lastExecution = {
            executionId: e.executionId,
            status: e.status,
            executionType: e.executionType,
            startTime: e.startTime,
          };
          if (e.endTime) view.lastExecution.endTime = e.endTime;
        }
        const ready = await readiness?.statusOf(p.planId);
        if (ready) view.readiness = ready;
        return view;
      }),
    );
  }

  async function activeExecutionOf(planId: string) {
    const active = await store.executions.list(
      { planId, status: ["PENDING", "RUNNING", "PAUSED", "CANCELLING"] },
      { by: "startTime", order: "desc" },
      { limit: 1 },
    );
    return active.items[0];
  }

  return {
    validate: async (input: RecoveryPlanInput) => validate(normalizeWaves(input.waves)),

    async list(filter: RecoveryPlanListFilter, page: PageRequest): Promise<Page<RecoveryPlanView>> {
      const storeFilter = {
        ...(filter.name ? { nameContains: filter.name } : {}),
        ...(filter.nameExact ? { nameExact: filter.nameExact } : {}),
      };
      const computed =
        filter.accountId !== undefined ||
        filter.tag !== undefined ||
        filter.hasConflict !== undefined ||
        filter.status !== undefined;
      if (!computed) {
        const result = await store.recoveryPlans.list(storeFilter, page);
        return { ...result, items: await decorate(result.items) };
      }
      const tag = filter.tag ? parseTagFilter(filter.tag) : undefined;
      if (filter.tag && !tag)
        throw new ValidationError("tag must be key=value", [{ path: "tag", message: "expected key=value" }]);
      const all = (await store.recoveryPlans.listAll())
        .filter(
          (p) =>
            (!filter.name || p.name.toLowerCase().includes(filter.name.toLowerCase())) &&
            (!filter.nameExact || p.name.toLowerCase() === filter.nameExact.toLowerCase()),
        )
        .sort(
          (a, b) =>
            a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.planId.localeCompare(b.planId),
        );
      let views = await decorate(all);
      if (filter.accountId)
        views = views.filter((v) => v.accounts.some((a) => a.accountId === filter.accountId));
      if (filter.status) views = views.filter((v) => v.lastExecution?.status === filter.status);
      if (tag || filter.hasConflict !== undefined) {
        const groups = await store.protectionGroups.listAll();
        const byId = new Map(groups.map((g) => [g.groupId, g]));
        let conflicts = new Map<string, Set<string>>();
        let resolved = new Map<string, Array<{ tags: Record<string, string> }>>();
        try {
          const a = await inventory.assignments(groups);
          conflicts = a.conflicts;
          resolved = a.resolved;
        } catch {
          // DRS unreachable: tag filters fall back to selection tags, conflicts are unknown (treated as none).
        }
        views = views.filter((v) => {
          const ids = v.waves.flatMap((w) => w.protectionGroupIds);
          if (
            filter.hasConflict !== undefined &&
            ids.some((id) => (conflicts.get(id)?.size ?? 0) > 0) !== filter.hasConflict
          )
            return false;
          if (tag) {
            return ids.some(
              (id) =>
                byId.get(id)?.serverSelectionTags?.[tag.key] === tag.value ||
                (resolved.get(id) ?? []).some((s) => s.tags[tag.key] === tag.value),
            );
          }
          return true;
        });
      }
      return pageArray(views, page, { ...filter });
    },

    async get(planId: string): Promise<RecoveryPlanView> {
      const plan = await store.recoveryPlans.get(planId);
      if (!plan) throw new NotFoundError("recovery plan", planId);
      const [view] = await decorate([plan]);
      return view!;
    },

    async create(
      input: RecoveryPlanInput,
      owner: string,
    ): Promise<RecoveryPlanView & { warnings: FieldIssue[] }> {
      const now = iso(deps.clock.now());
      const plan = build(input, { planId: deps.newId(), owner, createdAt: now, version: 1 });
      const { warnings } = await validOrThrow(plan.waves);
      const created = await store.recoveryPlans.create(plan);
      const [view] = await decorate([created]);
      return { ...view!, warnings };
    },

    async update(
      planId: string,
      input: RecoveryPlanInput,
      expectedVersion: number | undefined,
    ): Promise<RecoveryPlanView & { warnings: FieldIssue[] }> {
      const existing = await store.recoveryPlans.get(planId);
      if (!existing) throw new NotFoundError("recovery plan", planId);
      const version = expectedVersion ?? existing.version;
      const plan = build(input, { planId, owner: existing.owner, createdAt: existing.createdAt, version });
      const { warnings } = await validOrThrow(plan.waves);
      const updated = await store.recoveryPlans.update(plan, version);
      const [view] = await decorate([updated]);
      return { ...view!, warnings };
    },

    async delete(planId: string, expectedVersion: number | undefined): Promise<void> {
      const existing = await store.recoveryPlans.get(planId);
      if (!existing) throw new NotFoundError("recovery plan", planId);
      const active = await activeExecutionOf(planId);
      if (active) {
        throw new ConflictError(
          "EXECUTION_ACTIVE",
          `Recovery plan '${existing.name}' has an active execution (${active.executionId}); wait for it to finish or cancel it first.`,
          {
            executionId: active.executionId,
          },
        );
      }
      await store.recoveryPlans.delete(planId, expectedVersion);
    },
  };
}

export type RecoveryPlanService = ReturnType<typeof createRecoveryPlanService>;
