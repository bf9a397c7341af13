import {
  ACTIVE_STATUSES,
  type CreateOptions,
  type Execution,
  type ExecutionCommand,
  type ExecutionEvent,
  type ExecutionRepository,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionType,
  type ExecutionUsage,
  grownKeys,
  type JobLogItem,
  type NewExecutionEvent,
  othersUsage,
  quotaExceededError,
  quotaExcess,
  type SaveOptions,
  serverConflict,
  serverConflictError,
  serverKeysOf,
  summarize,
  sumUsage,
  usageOf,
} from "@drso/core";
import {
  decodeCursor,
  encodeCursor,
  executionSortDirs,
  executionSortKey,
  executionSortShape,
  normalizeExecutionQuery,
  pageLimit,
  queryHash,
  rowLimit,
} from "../paging.js";
import { alreadyExists, notFound, versionMismatch } from "../store-errors.js";
import { asyncify, type Db, keysetCondition, orderBy, parseJson, statementCache } from "./database.js";

const SORT_COLUMNS = {
  startTime: ["start_time", "execution_id"],
  endTime: ["(end_time IS NULL)", "COALESCE(end_time, 0)", "execution_id"],
  status: ["status", "start_time", "execution_id"],
} as const;

type JobLogEntry = JobLogItem & { jobId: string; index: number };

/**
 * Executions are one JSON document per row plus the columns that filters, sorting, the driver's due
 * queue and quota accounting need. Listings read only the precomputed `summary` column; `listActive` only
 * `usage` and `server_keys`. The lease lives in columns outside the document, so `save` never touches it.
 */
export function createSqliteExecutions(db: Db): ExecutionRepository {
  const s = {
    get: db.prepare("SELECT data FROM executions WHERE execution_id = ?").pluck(),
    summary: db.prepare("SELECT summary FROM executions WHERE execution_id = ?").pluck(),
    version: db.prepare("SELECT version FROM executions WHERE execution_id = ?").pluck(),
    usage: db.prepare("SELECT usage FROM executions WHERE execution_id = ?").pluck(),
    insert: db.prepare(
      `INSERT INTO executions (execution_id, plan_id, execution_type, status, initiated_by, start_time, end_time,
         wake_at, applied_command_seq, version, summary, usage, server_keys, data)
       VALUES (@executionId, @planId, @executionType, @status, @initiatedBy, @startTime, @endTime,
         @wakeAt, @appliedCommandSeq, @version, @summary, @usage, @serverKeys, @data)`,
    ),
    update: db.prepare(
      `UPDATE executions SET plan_id = @planId, execution_type = @executionType, status = @status,
         initiated_by = @initiatedBy, start_time = @startTime, end_time = @endTime, wake_at = @wakeAt,
         applied_command_seq = @appliedCommandSeq, version = @version, summary = @summary, usage = @usage,
         server_keys = @serverKeys, data = @data
       WHERE execution_id = @executionId`,
    ),
    lastEventSeq: db
      .prepare("SELECT COALESCE(MAX(seq), 0) FROM execution_events WHERE execution_id = ?")
      .pluck(),
    insertEvent: db.prepare("INSERT INTO execution_events (execution_id, seq, data) VALUES (?, ?, ?)"),
    events: db
      .prepare("SELECT data FROM execution_events WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?")
      .pluck(),
    lastCommandSeq: db
      .prepare("SELECT COALESCE(MAX(seq), 0) FROM execution_commands WHERE execution_id = ?")
      .pluck(),
    insertCommand: db.prepare("INSERT INTO execution_commands (execution_id, seq, data) VALUES (?, ?, ?)"),
    markCommand: db.prepare("UPDATE executions SET last_command_seq = ? WHERE execution_id = ?"),
    commandsAfter: db
      .prepare("SELECT data FROM execution_commands WHERE execution_id = ? AND seq > ? ORDER BY seq")
      .pluck(),
    insertJobLog: db.prepare(
      `INSERT INTO execution_job_logs (execution_id, job_id, item_index, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (execution_id, job_id, item_index) DO NOTHING`,
    ),
    deleteEvents: db.prepare("DELETE FROM execution_events WHERE execution_id = ?"),
    deleteCommands: db.prepare("DELETE FROM execution_commands WHERE execution_id = ?"),
    deleteJobLogs: db.prepare("DELETE FROM execution_job_logs WHERE execution_id = ?"),
    delete: db.prepare("DELETE FROM executions WHERE execution_id = ?"),
    // Two disjoint branches, each on its own index, rather than an OR the planner may answer with a full scan.
    active: db.prepare(
      `SELECT execution_id AS executionId, execution_type AS executionType, status, usage,
         server_keys AS serverKeys, start_time AS startTime
       FROM executions WHERE status IN (${ACTIVE_STATUSES.map(() => "?").join(", ")})
       UNION ALL
       SELECT execution_id, execution_type, status, usage, server_keys, start_time
       FROM executions WHERE wake_at IS NOT NULL AND status NOT IN (${ACTIVE_STATUSES.map(() => "?").join(", ")})`,
    ),
    activeUsage: db
      .prepare(
        `SELECT usage FROM executions WHERE status IN (${ACTIVE_STATUSES.map(() => "?").join(", ")})
         UNION ALL
         SELECT usage FROM executions
         WHERE wake_at IS NOT NULL AND status NOT IN (${ACTIVE_STATUSES.map(() => "?").join(", ")})`,
      )
      .pluck(),
    // Due time: wakeAt, or "now" (at the latest) when a command is waiting to be applied. Two branches so that
    // each one reads its own partial index instead of scanning the whole history.
    due: db
      .prepare(
        `SELECT execution_id FROM (
           SELECT execution_id, wake_at AS due FROM executions
           WHERE wake_at <= @now AND last_command_seq <= applied_command_seq
             AND (lease_owner IS NULL OR lease_until <= @now)
           UNION ALL
           SELECT execution_id, MIN(COALESCE(wake_at, @now), @now) AS due FROM executions
           WHERE last_command_seq > applied_command_seq
             AND (lease_owner IS NULL OR lease_until <= @now)
         )
         ORDER BY due, execution_id
         LIMIT @limit`,
      )
      .pluck(),
    nextWake: db
      .prepare(
        `SELECT MIN(CASE WHEN lease_owner IS NULL THEN wake_at ELSE MAX(wake_at, lease_until) END)
         FROM executions WHERE wake_at IS NOT NULL`,
      )
      .pluck(),
    acquire: db.prepare(
      `UPDATE executions SET lease_owner = @owner, lease_until = @until
       WHERE execution_id = @executionId
         AND (lease_owner IS NULL OR lease_owner = @owner OR lease_until <= @now)`,
    ),
    release: db.prepare(
      "UPDATE executions SET lease_owner = NULL, lease_until = NULL WHERE execution_id = ? AND lease_owner = ?",
    ),
  };
  const query = statementCache(db);

  const columns = (execution: Execution, version: number) => ({
    executionId: execution.executionId,
    planId: execution.planId,
    executionType: execution.executionType,
    status: execution.status,
    initiatedBy: execution.initiatedBy,
    startTime: execution.startTime,
    endTime: execution.endTime ?? null,
    wakeAt: execution.wakeAt ?? null,
    appliedCommandSeq: execution.appliedCommandSeq,
    version,
    summary: JSON.stringify(summarize(execution)),
    usage: JSON.stringify(usageOf(execution)),
    serverKeys: JSON.stringify(serverKeysOf(execution)),
    data: JSON.stringify({ ...execution, version } satisfies Execution),
  });

  const appendEvents = (executionId: string, events: readonly NewExecutionEvent[] | undefined) => {
    if (!events || events.length === 0) return;
    let seq = s.lastEventSeq.get(executionId) as number;
    for (const event of events) {
      seq += 1;
      const stored: ExecutionEvent = { ...event, executionId, seq };
      s.insertEvent.run(executionId, seq, JSON.stringify(stored));
    }
  };

  function activeRows() {
    const rows = s.active.all(...ACTIVE_STATUSES, ...ACTIVE_STATUSES) as Array<{
      executionId: string;
      executionType: ExecutionType;
      status: ExecutionStatus;
      usage: string;
      serverKeys: string;
      startTime: number;
    }>;
    rows.sort(
      (a, b) =>
        a.startTime - b.startTime ||
        (a.executionId < b.executionId ? -1 : a.executionId > b.executionId ? 1 : 0),
    );
    return rows.map((r) => ({
      executionId: r.executionId,
      executionType: r.executionType,
      status: r.status,
      usage: parseJson<ExecutionUsage>(r.usage),
      serverKeys: parseJson<string[]>(r.serverKeys),
    }));
  }

  /** What the active executions hold, summed per account/region (over `keys` when given). */
  const activeUsage = (keys?: readonly string[]) =>
    sumUsage(
      (s.activeUsage.all(...ACTIVE_STATUSES, ...ACTIVE_STATUSES) as string[]).map((u) =>
        parseJson<ExecutionUsage>(u),
      ),
      keys,
    );

  const create = db.transaction((execution: Execution, options: CreateOptions | undefined) => {
    const events = options?.events;
    if (s.version.get(execution.executionId) !== undefined) {
      throw alreadyExists("execution", execution.executionId);
    }
    // Inside the (IMMEDIATE) transaction: a racing create waits for this one, then sees it.
    if (options?.exclusiveServers) {
      const found = serverConflict(
        { executionType: execution.executionType, serverKeys: serverKeysOf(execution) },
        activeRows(),
      );
      if (found) throw serverConflictError(found);
    }
    const row = columns(execution, 1);
    s.insert.run(row);
    appendEvents(execution.executionId, events);
    return parseJson<Execution>(row.data);
  });

  const save = db.transaction(
    (execution: Execution, expectedVersion: number, options: SaveOptions | undefined) => {
      const current = s.version.get(execution.executionId) as number | undefined;
      if (current === undefined) throw notFound("execution", execution.executionId);
      if (current !== expectedVersion) {
        throw versionMismatch("execution", execution.executionId, expectedVersion, current);
      }
      const row = columns(execution, expectedVersion + 1);
      // Inside the (IMMEDIATE) transaction: a racing save of another execution waits for this one, then sees it.
      if (options?.quotas) {
        const before = parseJson<ExecutionUsage>(s.usage.get(execution.executionId) as string);
        const after = parseJson<ExecutionUsage>(row.usage);
        // Only where the usage grows is anything else read: most saves (polls) grow nothing.
        const grown = grownKeys(before, after);
        if (grown.length > 0) {
          // This execution's stored usage is in the total; the active rows include ended executions still
          // terminating, whose termination jobs count too.
          const excess = quotaExcess(
            before,
            after,
            [othersUsage(activeUsage(grown), before)],
            options.quotas,
          );
          if (excess) throw quotaExceededError(excess);
        }
      }
      s.update.run(row);
      appendEvents(execution.executionId, options?.events);
      return parseJson<Execution>(row.data);
    },
  );

  const remove = db.transaction((executionIds: string[]) => {
    let count = 0;
    for (const id of new Set(executionIds)) {
      s.deleteEvents.run(id);
      s.deleteCommands.run(id);
      s.deleteJobLogs.run(id);
      count += s.delete.run(id).changes;
    }
    return count;
  });

  const appendCommand = db.transaction((executionId: string, command: object) => {
    if (s.version.get(executionId) === undefined) throw notFound("execution", executionId);
    const seq = (s.lastCommandSeq.get(executionId) as number) + 1;
    s.insertCommand.run(executionId, seq, JSON.stringify({ ...command, seq }));
    s.markCommand.run(seq, executionId);
    return seq;
  });

  const appendJobLog = db.transaction(
    (executionId: string, jobId: string, items: Array<JobLogItem & { index: number }>) => {
      if (s.version.get(executionId) === undefined) throw notFound("execution", executionId);
      for (const item of items) {
        const stored: JobLogEntry = { ...item, jobId };
        s.insertJobLog.run(executionId, jobId, item.index, JSON.stringify(stored));
      }
    },
  );

  return asyncify<ExecutionRepository>({
    create(execution, options) {
      return create.immediate(execution, options);
    },
    get(executionId) {
      const data = s.get.get(executionId);
      return data === undefined ? undefined : parseJson<Execution>(data);
    },
    getSummary(executionId) {
      const data = s.summary.get(executionId);
      return data === undefined ? undefined : parseJson<ExecutionSummary>(data);
    },
    save(execution, expectedVersion, options) {
      return save.immediate(execution, expectedVersion, options);
    },
    list(filter, sort, page) {
      const normalized = normalizeExecutionQuery(filter, sort);
      const f = normalized.filter;
      const { by, order } = normalized.sort;
      // Only a cursor needs the query's hash; the plan list asks for each plan's last execution (no cursor).
      const hash = () => queryHash("executions", normalized);
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (f.planId !== undefined) {
        where.push("plan_id = ?");
        params.push(f.planId);
      }
      if (f.status !== undefined) {
        where.push(`status IN (${f.status.map(() => "?").join(", ")})`);
        params.push(...f.status);
      }
      if (f.executionType !== undefined) {
        where.push("execution_type = ?");
        params.push(f.executionType);
      }
      if (f.initiatedBy !== undefined) {
        where.push("initiated_by = ?");
        params.push(f.initiatedBy);
      }
      if (f.startFrom !== undefined) {
        where.push("start_time >= ?");
        params.push(f.startFrom);
      }
      if (f.startTo !== undefined) {
        where.push("start_time <= ?");
        params.push(f.startTo);
      }
      const sortColumns = SORT_COLUMNS[by];
      const dirs = executionSortDirs(by, order);
      if (page.nextToken !== undefined) {
        const after = decodeCursor(page.nextToken, hash(), executionSortShape(by));
        const keyset = keysetCondition(sortColumns, dirs, after);
        where.push(keyset.sql);
        params.push(...keyset.params);
      }
      const limit = pageLimit(page);
      const rows = query(
        `SELECT summary, execution_id AS executionId, status, start_time AS startTime, end_time AS endTime
         FROM executions ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY ${orderBy(sortColumns, dirs)} LIMIT ?`,
      ).all(...params, limit + 1) as Array<{
        summary: string;
        executionId: string;
        status: string;
        startTime: number;
        endTime: number | null;
      }>;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const result: { items: ExecutionSummary[]; nextToken?: string } = {
        items: items.map((r) => parseJson<ExecutionSummary>(r.summary)),
      };
      if (rows.length > limit && last) {
        result.nextToken = encodeCursor(
          hash(),
          executionSortKey({ ...last, endTime: last.endTime ?? undefined }, by),
        );
      }
      return result;
    },
    delete(executionIds) {
      return remove.immediate(executionIds);
    },
    usageIn(keys) {
      return activeUsage(keys);
    },
    listActive() {
      return activeRows();
    },
    listDue(now, limit) {
      return s.due.all({ now, limit: rowLimit(limit) }) as string[];
    },
    nextWakeAt() {
      const at = s.nextWake.get() as number | null;
      return at ?? undefined;
    },
    acquireLease(executionId, owner, now, ttlMs) {
      return s.acquire.run({ executionId, owner, now, until: now + ttlMs }).changes > 0;
    },
    releaseLease(executionId, owner) {
      s.release.run(executionId, owner);
    },
    appendCommand(executionId, command) {
      return appendCommand.immediate(executionId, command);
    },
    commandsAfter(executionId, afterSeq) {
      return (s.commandsAfter.all(executionId, afterSeq) as string[]).map((d) =>
        parseJson<ExecutionCommand>(d),
      );
    },
    events(executionId, afterSeq, limit) {
      return (s.events.all(executionId, afterSeq, rowLimit(limit)) as string[]).map((d) =>
        parseJson<ExecutionEvent>(d),
      );
    },
    appendJobLog(executionId, jobId, items) {
      appendJobLog.immediate(executionId, jobId, items);
    },
    jobLog(executionId, q) {
      const where = ["execution_id = ?"];
      const params: Array<string | number> = [executionId];
      if (q.jobId !== undefined) {
        where.push("job_id = ?");
        params.push(q.jobId);
      }
      if (q.afterJobId !== undefined) {
        where.push("(job_id > ? OR (job_id = ? AND item_index > ?))");
        params.push(q.afterJobId, q.afterJobId, q.afterIndex ?? -1);
      } else if (q.afterIndex !== undefined) {
        where.push("item_index > ?");
        params.push(q.afterIndex);
      }
      const sql = `SELECT data FROM execution_job_logs WHERE ${where.join(" AND ")} ORDER BY job_id, item_index LIMIT ?`;
      return (
        query(sql)
          .pluck()
          .all(...params, rowLimit(q.limit)) as string[]
      ).map((d) => parseJson<JobLogEntry>(d));
    },
  });
}
