import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditEvent, AuditLog } from "@drso/core";
import {
  type DynamoContext,
  guarded,
  type Item,
  isConditionalCheckFailed,
  parseDoc,
  queryUntil,
} from "./dynamo-support.js";
import { auditQuery, decodeCursor, encodeCursor, pageLimit, queryHash } from "./paging.js";
import { alreadyExists } from "./store-errors.js";

const ENTITY = "audit";

/**
 * Append-only: this module only puts (conditionally on a new EventId) and queries; the IAM policy of the
 * API can grant PutItem without UpdateItem/DeleteItem on the table. Newest first means by `at`, then by
 * event ID (the TimeIndex sort key `at#eventId`).
 */
export function createDynamoAuditLog(ctx: DynamoContext): AuditLog {
  const table = ctx.tables.audit;
  return guarded<AuditLog>({
    async append(event) {
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: table,
            Item: {
              EventId: event.eventId,
              Entity: ENTITY,
              AtKey: `${event.at}#${event.eventId}`,
              At: event.at,
              ActorSub: event.actor.sub,
              ActorEmail: event.actor.email,
              Action: event.action,
              TargetType: event.targetType,
              TargetId: event.targetId,
              Outcome: event.outcome,
              Doc: JSON.stringify(event),
            },
            ConditionExpression: "attribute_not_exists(EventId)",
          }),
        );
      } catch (error) {
        if (isConditionalCheckFailed(error)) throw alreadyExists("audit-event", event.eventId);
        throw error;
      }
    },

    async list(filter, page) {
      const hash = queryHash("audit", auditQuery(filter));
      const after =
        page.nextToken === undefined ? undefined : decodeCursor(page.nextToken, hash, ["string", "string"]);
      const limit = pageLimit(page);
      // Inclusive key bounds; `to` covers every event at that instant (`#` sorts before `$`).
      const lower = filter.from;
      let upper = filter.to === undefined ? undefined : `${filter.to}$`;
      const skipKey = after ? `${after[0]}#${after[1]}` : undefined;
      if (skipKey !== undefined && (upper === undefined || skipKey < upper)) upper = skipKey;
      let condition = "Entity = :e";
      const values: Record<string, unknown> = { ":e": ENTITY };
      if (lower !== undefined && upper !== undefined) {
        if (lower > upper) return { items: [] };
        condition += " AND AtKey BETWEEN :lo AND :hi";
        values[":lo"] = lower;
        values[":hi"] = upper;
      } else if (lower !== undefined) {
        condition += " AND AtKey >= :lo";
        values[":lo"] = lower;
      } else if (upper !== undefined) {
        condition += " AND AtKey <= :hi";
        values[":hi"] = upper;
      }
      const matches = (item: Item) =>
        item.AtKey !== skipKey &&
        (filter.actor === undefined || item.ActorSub === filter.actor || item.ActorEmail === filter.actor) &&
        (filter.action === undefined || item.Action === filter.action) &&
        (filter.targetType === undefined || item.TargetType === filter.targetType) &&
        (filter.targetId === undefined || item.TargetId === filter.targetId) &&
        (filter.outcome === undefined || item.Outcome === filter.outcome);
      const found = await queryUntil(
        ctx,
        {
          TableName: table,
          IndexName: "TimeIndex",
          KeyConditionExpression: condition,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
        },
        limit + 1,
        matches,
      );
      const events = found.slice(0, limit).map((item) => parseDoc<AuditEvent>(item.Doc));
      const result: { items: AuditEvent[]; nextToken?: string } = { items: events };
      const last = events[events.length - 1];
      if (found.length > limit && last) result.nextToken = encodeCursor(hash, [last.at, last.eventId]);
      return result;
    },
  });
}
