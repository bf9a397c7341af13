import {
  type Account,
  type AccountRepository,
  type AuditEvent,
  type AuditLog,
  dueIds,
  type Execution,
  type ExecutionCommand,
  type ExecutionEvent,
  type ExecutionRepository,
  type ExecutionSummary,
  type ExecutionUsage,
  earliestWake,
  isActiveExecution,
  type JobLogItem,
  type KeyValueStore,
  type ProtectionGroup,
  type ProtectionGroupRepository,
  quotaExceededError,
  quotaExcess,
  type RecoveryPlan,
  type RecoveryPlanRepository,
  type RefreshTokenRecord,
  type RefreshTokenRepository,
  type ScheduleRow,
  type Settings,
  type SettingsRepository,
  type Store,
  serverConflict,
  serverConflictError,
  serverKeysOf,
  summarize,
  sumUsage,
  type UserRecord,
  type UserRepository,
  usageOf,
} from "@drso/core";
import {
  auditQuery,
  executionSortDirs,
  executionSortKey,
  executionSortShape,
  normalizeExecutionQuery,
  paginate,
  rowLimit,
} from "./paging.js";
import {
  alreadyExists,
  claimedServers,
  nameTaken,
  notFound,
  serverAssigned,
  versionMismatch,
} from "./store-errors.js";

/**
 * The in-memory Store: a behaving fake for fast tests across the project. Passes the same contract suite as
 * the SQLite adapter. Everything that goes in or comes out is deep-copied, and every write checks all of
 * its rules before it changes anything, so a rejected write leaves no trace.
 */
export function createMemoryStore(): Store {
  const executions = createExecutions();
  return {
    protectionGroups: createProtectionGroups(),
    recoveryPlans: createRecoveryPlans(),
    executions,
    accounts: createAccounts(),
    settings: createSettings(),
    users: createUsers(),
    refreshTokens: createRefreshTokens(),
    audit: createAuditLog(),
    kv: createKeyValueStore(),
    async ping() {},
    async close() {},
  };
}

const clone = <T>(value: T): T => structuredClone(value);
const lower = (text: string) => text.toLowerCase();

function createProtectionGroups(): ProtectionGroupRepository {
  const groups = new Map<string, ProtectionGroup>();

  const byName = (name: string) => {
    const wanted = lower(name);
    for (const g of groups.values()) if (lower(g.name) === wanted) return g;
    return undefined;
  };

  const checkUnique = (group: ProtectionGroup) => {
    const sameName = byName(group.name);
    if (sameName && sameName.groupId !== group.groupId)
      throw nameTaken("protection-group", group.name, sameName.groupId);
    const wanted = claimedServers(group);
    if (wanted.length === 0) return;
    const holders = new Map<string, ProtectionGroup>();
    for (const other of groups.values()) {
      if (other.groupId === group.groupId) continue;
      if (other.accountId !== group.accountId || other.region !== group.region) continue;
      for (const id of claimedServers(other)) holders.set(id, other);
    }
    for (const id of wanted) {
      const holder = holders.get(id);
      if (holder) throw serverAssigned(id, holder.groupId, holder.name);
    }
  };

  return {
    async get(groupId) {
      const g = groups.get(groupId);
      return g && clone(g);
    },
    async findByName(name) {
      const g = byName(name);
      return g && clone(g);
    },
    async list(filter, page) {
      const needle = filter.nameContains === undefined ? undefined : lower(filter.nameContains);
      const matches = [...groups.values()].filter(
        (g) =>
          (filter.accountId === undefined || g.accountId === filter.accountId) &&
          (filter.region === undefined || g.region === filter.region) &&
          (needle === undefined || lower(g.name).includes(needle)),
      );
      return paginate(matches, {
        scope: "protection-groups",
        query: { accountId: filter.accountId, region: filter.region, nameContains: needle },
        page,
        keyOf: (g) => [lower(g.name), g.groupId],
        dirs: ["asc", "asc"],
        shape: ["string", "string"],
        map: clone,
      });
    },
    async listAll() {
      return [...groups.values()].map(clone);
    },
    async create(group) {
      if (groups.has(group.groupId)) throw alreadyExists("protection-group", group.groupId);
      checkUnique(group);
      const stored = clone({ ...group, version: 1 });
      groups.set(group.groupId, stored);
      return clone(stored);
    },
    async update(group, expectedVersion) {
      const current = groups.get(group.groupId);
      if (!current) throw notFound("protection-group", group.groupId);
      if (current.version !== expectedVersion) {
        throw versionMismatch("protection-group", group.groupId, expectedVersion, current.version);
      }
      checkUnique(group);
      const stored = clone({ ...group, version: expectedVersion + 1 });
      groups.set(group.groupId, stored);
      return clone(stored);
    },
    async delete(groupId, expectedVersion) {
      const current = groups.get(groupId);
      if (!current) throw notFound("protection-group", groupId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw versionMismatch("protection-group", groupId, expectedVersion, current.version);
      }
      groups.delete(groupId);
    },
  };
}

function createRecoveryPlans(): RecoveryPlanRepository {
  const plans = new Map<string, RecoveryPlan>();

  const byName = (name: string) => {
    const wanted = lower(name);
    for (const p of plans.values()) if (lower(p.name) === wanted) return p;
    return undefined;
  };
  const checkName = (plan: RecoveryPlan) => {
    const sameName = byName(plan.name);
    if (sameName && sameName.planId !== plan.planId)
      throw nameTaken("recovery-plan", plan.name, sameName.planId);
  };

  return {
    async get(planId) {
      const p = plans.get(planId);
      return p && clone(p);
    },
    async findByName(name) {
      const p = byName(name);
      return p && clone(p);
    },
    async list(filter, page) {
      const contains = filter.nameContains === undefined ? undefined : lower(filter.nameContains);
      const exact = filter.nameExact === undefined ? undefined : lower(filter.nameExact);
      const matches = [...plans.values()].filter(
        (p) =>
          (contains === undefined || lower(p.name).includes(contains)) &&
          (exact === undefined || lower(p.name) === exact) &&
          (filter.protectionGroupId === undefined ||
            p.waves.some((w) => w.protectionGroupIds.includes(filter.protectionGroupId as string))),
      );
      return paginate(matches, {
        scope: "recovery-plans",
        query: { nameContains: contains, nameExact: exact, protectionGroupId: filter.protectionGroupId },
        page,
        keyOf: (p) => [lower(p.name), p.planId],
        dirs: ["asc", "asc"],
        shape: ["string", "string"],
        map: clone,
      });
    },
    async listAll() {
      return [...plans.values()].map(clone);
    },
    async create(plan) {
      if (plans.has(plan.planId)) throw alreadyExists("recovery-plan", plan.planId);
      checkName(plan);
      const stored = clone({ ...plan, version: 1 });
      plans.set(plan.planId, stored);
      return clone(stored);
    },
    async update(plan, expectedVersion) {
      const current = plans.get(plan.planId);
      if (!current) throw notFound("recovery-plan", plan.planId);
      if (current.version !== expectedVersion) {
        throw versionMismatch("recovery-plan", plan.planId, expectedVersion, current.version);
      }
      checkName(plan);
      const stored = clone({ ...plan, version: expectedVersion + 1 });
      plans.set(plan.planId, stored);
      return clone(stored);
    },
    async delete(planId, expectedVersion) {
      const current = plans.get(planId);
      if (!current) throw notFound("recovery-plan", planId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw versionMismatch("recovery-plan", planId, expectedVersion, current.version);
      }
      plans.delete(planId);
    },
  };
}

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

function createExecutions(): ExecutionRepository {
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
      if (options?.quotas) {
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

function createAccounts(): AccountRepository {
  const accounts = new Map<string, Account>();
  return {
    async get(accountId) {
      const a = accounts.get(accountId);
      return a && clone(a);
    },
    async list() {
      return [...accounts.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1)).map(clone);
    },
    async create(account) {
      if (accounts.has(account.accountId)) throw alreadyExists("account", account.accountId);
      const stored = clone({ ...account, version: 1 });
      accounts.set(account.accountId, stored);
      return clone(stored);
    },
    async update(account, expectedVersion) {
      const current = accounts.get(account.accountId);
      if (!current) throw notFound("account", account.accountId);
      if (current.version !== expectedVersion) {
        throw versionMismatch("account", account.accountId, expectedVersion, current.version);
      }
      const stored = clone({ ...account, version: expectedVersion + 1 });
      accounts.set(account.accountId, stored);
      return clone(stored);
    },
    async delete(accountId, expectedVersion) {
      const current = accounts.get(accountId);
      if (!current) throw notFound("account", accountId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw versionMismatch("account", accountId, expectedVersion, current.version);
      }
      accounts.delete(accountId);
    },
  };
}

function createSettings(): SettingsRepository {
  let current: { settings: Settings; version: number } | undefined;
  return {
    async get() {
      return current && clone(current);
    },
    async put(settings, expectedVersion) {
      const version = current?.version ?? 0;
      if (version !== expectedVersion)
        throw versionMismatch("settings", "settings", expectedVersion, version);
      current = { settings: clone(settings), version: version + 1 };
      return clone(current);
    },
  };
}

function createUsers(): UserRepository {
  const users = new Map<string, UserRecord>();
  const byEmail = (email: string) => {
    const wanted = lower(email);
    for (const u of users.values()) if (lower(u.email) === wanted) return u;
    return undefined;
  };
  const checkEmail = (user: UserRecord) => {
    const other = byEmail(user.email);
    if (other && other.userId !== user.userId) throw alreadyExists("user", user.userId, user.email);
  };
  return {
    async get(userId) {
      const u = users.get(userId);
      return u && clone(u);
    },
    async findByEmail(email) {
      const u = byEmail(email);
      return u && clone(u);
    },
    async list() {
      return [...users.values()]
        .sort((a, b) => {
          const x = lower(a.email);
          const y = lower(b.email);
          return x < y ? -1 : x > y ? 1 : a.userId < b.userId ? -1 : 1;
        })
        .map(clone);
    },
    async count() {
      return users.size;
    },
    async create(user) {
      if (users.has(user.userId)) throw alreadyExists("user", user.userId);
      checkEmail(user);
      const stored = clone({ ...user, version: 1 });
      users.set(user.userId, stored);
      return clone(stored);
    },
    async update(user, expectedVersion) {
      const current = users.get(user.userId);
      if (!current) throw notFound("user", user.userId);
      if (current.version !== expectedVersion) {
        throw versionMismatch("user", user.userId, expectedVersion, current.version);
      }
      checkEmail(user);
      const stored = clone({ ...user, version: expectedVersion + 1 });
      users.set(user.userId, stored);
      return clone(stored);
    },
    async delete(userId) {
      if (!users.delete(userId)) throw notFound("user", userId);
    },
  };
}

function createRefreshTokens(): RefreshTokenRepository {
  const tokens = new Map<string, RefreshTokenRecord>();
  return {
    async put(record) {
      const revokedAt = tokens.get(record.tokenHash)?.revokedAt ?? record.revokedAt;
      tokens.set(record.tokenHash, clone(revokedAt === undefined ? record : { ...record, revokedAt }));
    },
    async get(tokenHash) {
      const t = tokens.get(tokenHash);
      return t && clone(t);
    },
    async revoke(tokenHash, at) {
      const t = tokens.get(tokenHash);
      if (!t || t.revokedAt !== undefined) return false;
      t.revokedAt = at;
      return true;
    },
    async revokeAllForUser(userId, at) {
      let count = 0;
      for (const t of tokens.values()) {
        if (t.userId === userId && t.revokedAt === undefined) {
          t.revokedAt = at;
          count += 1;
        }
      }
      return count;
    },
    async purgeExpired(now) {
      let count = 0;
      for (const [hash, t] of tokens) {
        if (t.expiresAt < now) {
          tokens.delete(hash);
          count += 1;
        }
      }
      return count;
    },
  };
}

function createAuditLog(): AuditLog {
  const events: Array<{ seq: number; event: AuditEvent }> = [];
  const ids = new Set<string>();
  return {
    async append(event) {
      if (ids.has(event.eventId)) throw alreadyExists("audit-event", event.eventId);
      const copy = clone(event);
      ids.add(event.eventId);
      events.push({ seq: events.length + 1, event: copy });
    },
    async list(filter, page) {
      const matches = events.filter(({ event: e }) => {
        if (filter.actor !== undefined && e.actor.sub !== filter.actor && e.actor.email !== filter.actor) {
          return false;
        }
        if (filter.action !== undefined && e.action !== filter.action) return false;
        if (filter.targetType !== undefined && e.targetType !== filter.targetType) return false;
        if (filter.targetId !== undefined && e.targetId !== filter.targetId) return false;
        if (filter.outcome !== undefined && e.outcome !== filter.outcome) return false;
        if (filter.from !== undefined && e.at < filter.from) return false;
        if (filter.to !== undefined && e.at > filter.to) return false;
        return true;
      });
      return paginate(matches, {
        scope: "audit",
        query: auditQuery(filter),
        page,
        keyOf: (e) => [e.event.at, e.seq],
        dirs: ["desc", "desc"],
        shape: ["string", "number"],
        map: (e) => clone(e.event),
      });
    },
  };
}

function createKeyValueStore(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    async get(key) {
      return values.get(key);
    },
    async put(key, value) {
      values.set(key, value);
    },
    async putIfAbsent(key, value) {
      const existing = values.get(key);
      if (existing !== undefined) return existing;
      values.set(key, value);
      return value;
    },
  };
}
