import type { AuditEvent, AuditLog } from "@drso/core";
import { auditQuery, decodeCursor, encodeCursor, pageLimit, queryHash } from "../paging.js";
import { alreadyExists } from "../store-errors.js";
import {
  asyncify,
  type Db,
  isUniqueViolation,
  keysetCondition,
  parseJson,
  statementCache,
} from "./database.js";

/**
 * Append-only: this module issues INSERT and SELECT only, and triggers in the schema refuse UPDATE and
 * DELETE on the table. Newest first means by `at`, then by arrival order.
 */
export function createSqliteAuditLog(db: Db): AuditLog {
  const insert = db.prepare(
    `INSERT INTO audit_events (event_id, at, actor_sub, actor_email, action, target_type, target_id, outcome, data)
     VALUES (@eventId, @at, @actorSub, @actorEmail, @action, @targetType, @targetId, @outcome, @data)`,
  );
  const query = statementCache(db);

  return asyncify<AuditLog>({
    append(event) {
      try {
        insert.run({
          eventId: event.eventId,
          at: event.at,
          actorSub: event.actor.sub,
          actorEmail: event.actor.email ?? null,
          action: event.action,
          targetType: event.targetType ?? null,
          targetId: event.targetId ?? null,
          outcome: event.outcome,
          data: JSON.stringify(event),
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists("audit-event", event.eventId);
        throw error;
      }
    },
    list(filter, page) {
      const hash = queryHash("audit", auditQuery(filter));
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (filter.actor !== undefined) {
        where.push("(actor_sub = ? OR actor_email = ?)");
        params.push(filter.actor, filter.actor);
      }
      const exact = [
        ["action", filter.action],
        ["target_type", filter.targetType],
        ["target_id", filter.targetId],
        ["outcome", filter.outcome],
      ] as const;
      for (const [column, value] of exact) {
        if (value !== undefined) {
          where.push(`${column} = ?`);
          params.push(value);
        }
      }
      if (filter.from !== undefined) {
        where.push("at >= ?");
        params.push(filter.from);
      }
      if (filter.to !== undefined) {
        where.push("at <= ?");
        params.push(filter.to);
      }
      if (page.nextToken !== undefined) {
        const after = decodeCursor(page.nextToken, hash, ["string", "number"]);
        const keyset = keysetCondition(["at", "seq"], ["desc", "desc"], after);
        where.push(keyset.sql);
        params.push(...keyset.params);
      }
      const limit = pageLimit(page);
      const rows = query(
        `SELECT data, at, seq FROM audit_events ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY at DESC, seq DESC LIMIT ?`,
      ).all(...params, limit + 1) as Array<{ data: string; at: string; seq: number }>;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const result: { items: AuditEvent[]; nextToken?: string } = {
        items: items.map((r) => parseJson<AuditEvent>(r.data)),
      };
      if (rows.length > limit && last) result.nextToken = encodeCursor(hash, [last.at, last.seq]);
      return result;
    },
  });
}
