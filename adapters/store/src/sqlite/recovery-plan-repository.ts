import type { RecoveryPlan, RecoveryPlanRepository } from "@drso/core";
import { decodeCursor, encodeCursor, pageLimit, queryHash } from "../paging.js";
import { alreadyExists, nameTaken, notFound, versionMismatch } from "../store-errors.js";
import { asyncify, type Db, keysetCondition, parseJson, statementCache } from "./database.js";

export function createSqliteRecoveryPlans(db: Db): RecoveryPlanRepository {
  const s = {
    get: db.prepare("SELECT data FROM recovery_plans WHERE plan_id = ?").pluck(),
    byName: db.prepare("SELECT data FROM recovery_plans WHERE name_lower = ?").pluck(),
    version: db.prepare("SELECT version FROM recovery_plans WHERE plan_id = ?").pluck(),
    idByName: db.prepare("SELECT plan_id FROM recovery_plans WHERE name_lower = ?").pluck(),
    all: db.prepare("SELECT data FROM recovery_plans ORDER BY name_lower, plan_id").pluck(),
    insert: db.prepare(
      `INSERT INTO recovery_plans (plan_id, name_lower, version, data)
       VALUES (@planId, @nameLower, @version, @data)`,
    ),
    update: db.prepare(
      "UPDATE recovery_plans SET name_lower = @nameLower, version = @version, data = @data WHERE plan_id = @planId",
    ),
    delete: db.prepare("DELETE FROM recovery_plans WHERE plan_id = ?"),
    unlinkGroups: db.prepare("DELETE FROM recovery_plan_groups WHERE plan_id = ?"),
    linkGroups: db.prepare(
      `INSERT INTO recovery_plan_groups (group_id, plan_id)
       SELECT DISTINCT j.value, @planId FROM json_each(@groupIds) AS j`,
    ),
  };
  const query = statementCache(db);

  const checkName = (plan: RecoveryPlan) => {
    const sameName = s.idByName.get(plan.name.toLowerCase()) as string | undefined;
    if (sameName !== undefined && sameName !== plan.planId)
      throw nameTaken("recovery-plan", plan.name, sameName);
  };

  const write = (plan: RecoveryPlan, version: number, statement: "insert" | "update"): RecoveryPlan => {
    const data = JSON.stringify({ ...plan, version } satisfies RecoveryPlan);
    s[statement].run({ planId: plan.planId, nameLower: plan.name.toLowerCase(), version, data });
    s.unlinkGroups.run(plan.planId);
    s.linkGroups.run({
      planId: plan.planId,
      groupIds: JSON.stringify(plan.waves.flatMap((w) => w.protectionGroupIds)),
    });
    return parseJson<RecoveryPlan>(data);
  };

  const create = db.transaction((plan: RecoveryPlan) => {
    if (s.version.get(plan.planId) !== undefined) throw alreadyExists("recovery-plan", plan.planId);
    checkName(plan);
    return write(plan, 1, "insert");
  });

  const update = db.transaction((plan: RecoveryPlan, expectedVersion: number) => {
    const current = s.version.get(plan.planId) as number | undefined;
    if (current === undefined) throw notFound("recovery-plan", plan.planId);
    if (current !== expectedVersion)
      throw versionMismatch("recovery-plan", plan.planId, expectedVersion, current);
    checkName(plan);
    return write(plan, expectedVersion + 1, "update");
  });

  const remove = db.transaction((planId: string, expectedVersion: number | undefined) => {
    const current = s.version.get(planId) as number | undefined;
    if (current === undefined) throw notFound("recovery-plan", planId);
    if (expectedVersion !== undefined && current !== expectedVersion) {
      throw versionMismatch("recovery-plan", planId, expectedVersion, current);
    }
    s.unlinkGroups.run(planId);
    s.delete.run(planId);
  });

  return asyncify<RecoveryPlanRepository>({
    get(planId) {
      const data = s.get.get(planId);
      return data === undefined ? undefined : parseJson<RecoveryPlan>(data);
    },
    findByName(name) {
      const data = s.byName.get(name.toLowerCase());
      return data === undefined ? undefined : parseJson<RecoveryPlan>(data);
    },
    list(filter, page) {
      const contains = filter.nameContains?.toLowerCase();
      const exact = filter.nameExact?.toLowerCase();
      const hash = queryHash("recovery-plans", {
        nameContains: contains,
        nameExact: exact,
        protectionGroupId: filter.protectionGroupId,
      });
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (contains !== undefined) {
        where.push("instr(name_lower, ?) > 0");
        params.push(contains);
      }
      if (exact !== undefined) {
        where.push("name_lower = ?");
        params.push(exact);
      }
      if (filter.protectionGroupId !== undefined) {
        where.push("plan_id IN (SELECT plan_id FROM recovery_plan_groups WHERE group_id = ?)");
        params.push(filter.protectionGroupId);
      }
      if (page.nextToken !== undefined) {
        const after = decodeCursor(page.nextToken, hash, ["string", "string"]);
        const keyset = keysetCondition(["name_lower", "plan_id"], ["asc", "asc"], after);
        where.push(keyset.sql);
        params.push(...keyset.params);
      }
      const limit = pageLimit(page);
      const rows = query(
        `SELECT data, name_lower AS nameLower, plan_id AS planId FROM recovery_plans
         ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY name_lower, plan_id LIMIT ?`,
      ).all(...params, limit + 1) as Array<{ data: string; nameLower: string; planId: string }>;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const result: { items: RecoveryPlan[]; nextToken?: string } = {
        items: items.map((r) => parseJson<RecoveryPlan>(r.data)),
      };
      if (rows.length > limit && last) result.nextToken = encodeCursor(hash, [last.nameLower, last.planId]);
      return result;
    },
    listAll() {
      return (s.all.all() as string[]).map((d) => parseJson<RecoveryPlan>(d));
    },
    create(plan) {
      return create.immediate(plan);
    },
    update(plan, expectedVersion) {
      return update.immediate(plan, expectedVersion);
    },
    delete(planId, expectedVersion) {
      remove.immediate(planId, expectedVersion);
    },
  });
}
