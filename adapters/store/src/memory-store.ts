import type {
  Account,
  AccountRepository,
  AuditEvent,
  AuditLog,
  KeyValueStore,
  ProtectionGroup,
  ProtectionGroupRepository,
  RecoveryPlan,
  RecoveryPlanRepository,
  RefreshTokenRecord,
  RefreshTokenRepository,
  Settings,
  SettingsRepository,
  Store,
  UserRecord,
  UserRepository,
} from "@drso/core";
import { createMemoryExecutions } from "./memory-executions.js";
import { auditQuery, paginate } from "./paging.js";
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
  const executions = createMemoryExecutions();
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
