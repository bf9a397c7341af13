import {
  dueIds,
  type Execution,
  type ExecutionCommand,
  type ExecutionEvent,
  type ExecutionRepository,
  type ExecutionSummary,
  type ExecutionUsage,
  earliestWake,
  grownKeys,
  isActiveExecution,
  type JobLogItem,
  quotaExceededError,
  quotaExcess,
  type ScheduleRow,
  serverConflict,
  serverConflictError,
  serverKeysOf,
  summarize,
  sumUsage,
  usageOf,
} from "@drso/core";
import {
  executionSortDirs,
  executionSortKey,
  executionSortShape,
  normalizeExecutionQuery,
  paginate,
  rowLimit,
} from "./paging.js";
import { alreadyExists, notFound, versionMismatch } from "./store-errors.js";

const clone = <T>(value: T): T => structuredClone(value);

type StoredJobLogItem = JobLogItem & { jobId: string; index: number };

interface ExecutionEntry {
  execution: Execution;
  summary: ExecutionSummary;
  usage: ExecutionUsage;
  serverKeys: string[];
  lease?: { owner: string; until: number };
  events: ExecutionEvent[];
  commands: ExecutionCommand[];
  jobLogs: Map<string, StoredJobLogItem>;
}

/**
 * The in-memory executions (part of `createMemoryStore`): documents, events, commands, job logs, leases and the
 * cross-execution rules (one execution per server, DRS quotas), each check and write in one synchronous stretch.
 */
export function createMemoryExecutions(): ExecutionRepository {
  const entries = new Map<string, ExecutionEntry>();

  const derived = (execution: Execution) => ({
    summary: summarize(execution),
    usage: usageOf(execution),
    serverKeys: serverKeysOf(execution),
  });
  const lastCommandSeq = (entry: ExecutionEntry) => entry.commands[entry.commands.length - 1]?.seq ?? 0;
  const scheduleRow = (entry: ExecutionEntry): ScheduleRow => ({
    executionId: entry.execution.executionId,
    status: entry.execution.status,
    wakeAt: entry.execution.wakeAt,
    lastCommandSeq: lastCommandSeq(entry),
    appliedCommandSeq: entry.execution.appliedCommandSeq,
    lease: entry.lease,
  });

  return {
    async create(execution, options) {
      if (entries.has(execution.executionId)) throw alreadyExists("execution", execution.executionId);
      // Checked and inserted in one synchronous stretch: no other create can interleave.
      if (options?.exclusiveServers) {
        const found = serverConflict(
          { executionType: execution.executionType, serverKeys: serverKeysOf(execution) },
          [...entries.values()].map((e) => ({
            executionId: e.execution.executionId,
            executionType: e.execution.executionType,
            status: e.execution.status,
            serverKeys: e.serverKeys,
          })),
        );
        if (found) throw serverConflictError(found);
      }
      const stored = clone({ ...execution, version: 1 });
      const events = (options?.events ?? []).map((e, i) =>
        clone({ ...e, executionId: execution.executionId, seq: i + 1 }),
      );
      entries.set(execution.executionId, {
        execution: stored,
        ...derived(stored),
        events,
        commands: [],
        jobLogs: new Map(),
      });
      return clone(stored);
    },
    async get(executionId) {
      const entry = entries.get(executionId);
      return entry && clone(entry.execution);
    },
    async getSummary(executionId) {
      const entry = entries.get(executionId);
      return entry && clone(entry.summary);
    },
    async save(execution, expectedVersion, options) {
      const entry = entries.get(execution.executionId);
      if (!entry) throw notFound("execution", execution.executionId);
      if (entry.execution.version !== expectedVersion) {
        throw versionMismatch("execution", execution.executionId, expectedVersion, entry.execution.version);
      }
      const stored = clone({ ...execution, version: expectedVersion + 1 });
      const next = derived(stored);
      // Checked and written in one synchronous stretch, like the exclusive create.
      // Only a save that grows its usage looks at the others (most saves, the polls, grow nothing).
      if (options?.quotas && grownKeys(entry.usage, next.usage).length > 0) {
        // Every other execution's jobs count, an ended one's termination jobs too (its usage is empty otherwise).
        const others = [...entries.values()].filter((e) => e !== entry).map((e) => e.usage);
        const excess = quotaExcess(entry.usage, next.usage, others, options.quotas);
        if (excess) throw quotaExceededError(excess);
      }
      const firstSeq = (entry.events[entry.events.length - 1]?.seq ?? 0) + 1;
      const events = (options?.events ?? []).map((e, i) =>
        clone({ ...e, executionId: execution.executionId, seq: firstSeq + i }),
      );
      Object.assign(entry, { execution: stored, ...next });
      entry.events.push(...events);
      return clone(stored);
    },
    async list(filter, sort, page) {
      const query = normalizeExecutionQuery(filter, sort);
      const f = query.filter;
      const matches = [...entries.values()].filter(({ execution: e }) => {
        if (f.planId !== undefined && e.planId !== f.planId) return false;
        if (f.status !== undefined && !f.status.includes(e.status)) return false;
        if (f.executionType !== undefined && e.executionType !== f.executionType) return false;
        if (f.initiatedBy !== undefined && e.initiatedBy !== f.initiatedBy) return false;
        if (f.startFrom !== undefined && e.startTime < f.startFrom) return false;
        if (f.startTo !== undefined && e.startTime > f.startTo) return false;
        return true;
      });
      return paginate(matches, {
        scope: "executions",
        query,
        page,
        keyOf: (entry) => executionSortKey(entry.execution, query.sort.by),
        dirs: executionSortDirs(query.sort.by, query.sort.order),
        shape: executionSortShape(query.sort.by),
        map: (entry) => clone(entry.summary),
      });
    },
    async delete(executionIds) {
      let count = 0;
      for (const id of new Set(executionIds)) if (entries.delete(id)) count += 1;
      return count;
    },
    async listActive() {
      return [...entries.values()]
        .filter((e) => isActiveExecution(e.execution))
        .sort(
          (a, b) =>
            a.execution.startTime - b.execution.startTime ||
            (a.execution.executionId < b.execution.executionId ? -1 : 1),
        )
        .map((e) => ({
          executionId: e.execution.executionId,
          executionType: e.execution.executionType,
          status: e.execution.status,
          usage: clone(e.usage),
          serverKeys: [...e.serverKeys],
        }));
    },
    async usageIn(keys) {
      // Every stored usage (an ended execution's is empty unless it still terminates), as DynamoDB's counters sum.
      return sumUsage(
        [...entries.values()].map((e) => e.usage),
        keys,
      );
    },
    async listDue(now, limit) {
      return dueIds([...entries.values()].map(scheduleRow), now, rowLimit(limit));
    },
    async nextWakeAt() {
      return earliestWake([...entries.values()].map(scheduleRow));
    },
    async acquireLease(executionId, owner, now, ttlMs) {
      const entry = entries.get(executionId);
      if (!entry) return false;
      if (entry.lease && entry.lease.owner !== owner && entry.lease.until > now) return false;
      entry.lease = { owner, until: now + ttlMs };
      return true;
    },
    async releaseLease(executionId, owner) {
      const entry = entries.get(executionId);
      if (entry?.lease?.owner === owner) delete entry.lease;
    },
    async appendCommand(executionId, command) {
      const entry = entries.get(executionId);
      if (!entry) throw notFound("execution", executionId);
      const seq = lastCommandSeq(entry) + 1;
      entry.commands.push(clone({ ...command, seq }) as ExecutionCommand);
      return seq;
    },
    async commandsAfter(executionId, afterSeq) {
      const entry = entries.get(executionId);
      return (entry?.commands ?? []).filter((c) => c.seq > afterSeq).map(clone);
    },
    async events(executionId, afterSeq, limit) {
      const entry = entries.get(executionId);
      return (entry?.events ?? [])
        .filter((e) => e.seq > afterSeq)
        .slice(0, rowLimit(limit))
        .map(clone);
    },
    async appendJobLog(executionId, jobId, items) {
      const entry = entries.get(executionId);
      if (!entry) throw notFound("execution", executionId);
      const copies = items.map((item) => clone({ ...item, jobId }));
      for (const item of copies) {
        const key = `${jobId}\u0000${item.index}`;
        if (!entry.jobLogs.has(key)) entry.jobLogs.set(key, item);
      }
    },
    async jobLog(executionId, query) {
      const entry = entries.get(executionId);
      if (!entry) return [];
      return [...entry.jobLogs.values()]
        .filter(
          (item) =>
            (query.jobId === undefined || item.jobId === query.jobId) &&
            (query.afterJobId !== undefined
              ? item.jobId > query.afterJobId ||
                (item.jobId === query.afterJobId && item.index > (query.afterIndex ?? -1))
              : query.afterIndex === undefined || item.index > query.afterIndex),
        )
        .sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : a.index - b.index))
        .slice(0, rowLimit(query.limit))
        .map(clone);
    },
  };
}
