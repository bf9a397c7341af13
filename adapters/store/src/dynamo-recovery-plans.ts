import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { RecoveryPlan, RecoveryPlanRepository } from "@drso/core";
import { claimKey, claimOwner, moveClaim } from "./dynamo-claims.js";
import {
  byNameThenId,
  type DynamoContext,
  guarded,
  type Item,
  optimistic,
  parseDoc,
  putNextVersion,
  queryUntil,
  scanDocs,
  str,
} from "./dynamo-support.js";
import { decodeCursor, encodeCursor, pageLimit, queryHash } from "./paging.js";
import { alreadyExists, nameTaken, notFound, versionMismatch } from "./store-errors.js";

const ENTITY = "recovery-plan";

export function createDynamoRecoveryPlans(ctx: DynamoContext): RecoveryPlanRepository {
  const table = ctx.tables.recoveryPlans;

  const toItem = (plan: RecoveryPlan, version: number): Item => ({
    PlanId: plan.planId,
    Entity: ENTITY,
    NameLower: plan.name.toLowerCase(),
    PlanName: plan.name,
    Owner: plan.owner,
    GroupIds: [...new Set(plan.waves.flatMap((w) => w.protectionGroupIds))],
    Version: version,
    Doc: JSON.stringify({ ...plan, version } satisfies RecoveryPlan),
  });

  async function get(planId: string): Promise<RecoveryPlan | undefined> {
    const out = await ctx.doc.send(
      new GetCommand({ TableName: table, Key: { PlanId: planId }, ConsistentRead: true }),
    );
    return out.Item ? parseDoc<RecoveryPlan>(out.Item.Doc) : undefined;
  }

  async function checkName(plan: RecoveryPlan): Promise<void> {
    const owner = await claimOwner(ctx, claimKey("plan-name", plan.name));
    if (owner !== undefined && owner !== plan.planId) throw nameTaken("recovery-plan", plan.name, owner);
  }

  const repository: RecoveryPlanRepository = {
    get,

    async findByName(name) {
      const owner = await claimOwner(ctx, claimKey("plan-name", name));
      if (owner === undefined) return undefined;
      const plan = await get(owner);
      return plan && plan.name.toLowerCase() === name.toLowerCase() ? plan : undefined;
    },

    async list(filter, page) {
      const contains = filter.nameContains?.toLowerCase();
      const exact = filter.nameExact?.toLowerCase();
      const hash = queryHash("recovery-plans", {
        nameContains: contains,
        nameExact: exact,
        protectionGroupId: filter.protectionGroupId,
      });
      const after =
        page.nextToken === undefined ? undefined : decodeCursor(page.nextToken, hash, ["string", "string"]);
      const limit = pageLimit(page);
      const items = await queryUntil(
        ctx,
        {
          TableName: table,
          IndexName: "NameIndex",
          KeyConditionExpression: after ? "Entity = :e AND NameLower > :after" : "Entity = :e",
          ExpressionAttributeValues: { ":e": ENTITY, ...(after ? { ":after": after[0] } : {}) },
        },
        limit + 1,
        (item) => {
          const name = str(item, "NameLower") ?? "";
          if (contains !== undefined && !name.includes(contains)) return false;
          if (exact !== undefined && name !== exact) return false;
          if (filter.protectionGroupId !== undefined) {
            const groups = Array.isArray(item.GroupIds) ? (item.GroupIds as unknown[]) : [];
            if (!groups.includes(filter.protectionGroupId)) return false;
          }
          return true;
        },
      );
      const plans = items.slice(0, limit).map((item) => parseDoc<RecoveryPlan>(item.Doc));
      const result: { items: RecoveryPlan[]; nextToken?: string } = { items: plans };
      const last = plans[plans.length - 1];
      if (items.length > limit && last)
        result.nextToken = encodeCursor(hash, [last.name.toLowerCase(), last.planId]);
      return result;
    },

    async listAll() {
      return (await scanDocs<RecoveryPlan>(ctx, table)).sort(byNameThenId((x) => x.planId));
    },

    create(plan) {
      return optimistic(ctx, async (retry) => {
        if (retry) {
          if (await get(plan.planId)) throw alreadyExists("recovery-plan", plan.planId);
          await checkName(plan);
        }
        const item = toItem(plan, 1);
        return {
          items: [
            { Put: { TableName: table, Item: item, ConditionExpression: "attribute_not_exists(PlanId)" } },
            ...moveClaim(ctx, "plan-name", plan.planId, undefined, plan.name),
          ],
          result: () => parseDoc<RecoveryPlan>(item.Doc),
        };
      });
    },

    update(plan, expectedVersion) {
      return optimistic(ctx, async (retry) => {
        const current = await get(plan.planId);
        if (!current) throw notFound("recovery-plan", plan.planId);
        if (current.version !== expectedVersion) {
          throw versionMismatch("recovery-plan", plan.planId, expectedVersion, current.version);
        }
        if (retry) await checkName(plan);
        const item = toItem(plan, expectedVersion + 1);
        return {
          items: [
            putNextVersion(table, item, expectedVersion),
            ...moveClaim(ctx, "plan-name", plan.planId, current.name, plan.name),
          ],
          result: () => parseDoc<RecoveryPlan>(item.Doc),
        };
      });
    },

    delete(planId, expectedVersion) {
      return optimistic(ctx, async () => {
        const current = await get(planId);
        if (!current) throw notFound("recovery-plan", planId);
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw versionMismatch("recovery-plan", planId, expectedVersion, current.version);
        }
        return {
          items: [
            {
              Delete: {
                TableName: table,
                Key: { PlanId: planId },
                ConditionExpression: "Version = :current",
                ExpressionAttributeValues: { ":current": current.version },
              },
            },
            ...moveClaim(ctx, "plan-name", planId, current.name, undefined),
          ],
          result: () => undefined,
        };
      });
    },
  };
  return guarded(repository);
}
