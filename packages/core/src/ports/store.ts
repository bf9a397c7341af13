import type { Account } from "../domain/account.js";
import type { AuditEvent } from "../domain/audit.js";
import type { JobLogItem } from "../domain/drs.js";
import type {
  Execution,
  ExecutionCommand,
  ExecutionEvent,
  ExecutionStatus,
  ExecutionSummary,
  ExecutionType,
  ExecutionUsage,
  NewExecutionCommand,
  NewExecutionEvent,
} from "../domain/execution.js";
import type { ProtectionGroup } from "../domain/protection-group.js";
import type { QuotaLimits } from "../domain/quota.js";
import type { RecoveryPlan } from "../domain/recovery-plan.js";
import type { Settings } from "../domain/settings.js";
import type { RefreshTokenRecord, UserRecord } from "../domain/user.js";

/**
 * The store port (DESIGN §5). Every implementation passes the shared contract suite
 * (adapters/store/src/store.contract.ts). Errors are the core's own: ConflictError (409, codes
 * NAME_ALREADY_EXISTS / SERVER_ALREADY_ASSIGNED / ALREADY_EXISTS), PreconditionFailedError (412,
 * VERSION_MISMATCH), NotFoundError (404). Adapters never leak driver errors.
 *
 * Versioning: `create` stores version 1; `update`/`save` require the caller's expected version, store
 * version + 1 and return the stored record; `updatedAt` is set by the caller.
 */
export interface PageRequest {
  /** 1-100, default 50. */
  limit?: number;
  /** Opaque cursor from a previous page; a cursor used with different filters is rejected (ValidationError). */
  nextToken?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface ProtectionGroupFilter {
  accountId?: string;
  region?: string;
  /** Case-insensitive substring of the name. */
  nameContains?: string;
}

export interface ProtectionGroupRepository {
  get(groupId: string): Promise<ProtectionGroup | undefined>;
  /** Case-insensitive exact match. */
  findByName(name: string): Promise<ProtectionGroup | undefined>;
  /** Ordered by name (case-insensitive), then ID. */
  list(filter: ProtectionGroupFilter, page: PageRequest): Promise<Page<ProtectionGroup>>;
  listAll(): Promise<ProtectionGroup[]>;
  /**
   * Fails with ConflictError NAME_ALREADY_EXISTS (extra.conflictingId) or, for explicit groups, with
   * SERVER_ALREADY_ASSIGNED (extra: {sourceServerId, groupId, groupName}) when another explicit group in the
   * same account and region already holds one of its servers.
   */
  create(group: ProtectionGroup): Promise<ProtectionGroup>;
  update(group: ProtectionGroup, expectedVersion: number): Promise<ProtectionGroup>;
  delete(groupId: string, expectedVersion?: number): Promise<void>;
}

export interface RecoveryPlanFilter {
  nameContains?: string;
  nameExact?: string;
  /** Plans whose waves reference this protection group. */
  protectionGroupId?: string;
}

export interface RecoveryPlanRepository {
  get(planId: string): Promise<RecoveryPlan | undefined>;
  findByName(name: string): Promise<RecoveryPlan | undefined>;
  list(filter: RecoveryPlanFilter, page: PageRequest): Promise<Page<RecoveryPlan>>;
  listAll(): Promise<RecoveryPlan[]>;
  create(plan: RecoveryPlan): Promise<RecoveryPlan>;
  update(plan: RecoveryPlan, expectedVersion: number): Promise<RecoveryPlan>;
  delete(planId: string, expectedVersion?: number): Promise<void>;
}

export interface ExecutionFilter {
  planId?: string;
  /** Any of these statuses; an empty list is no status filter. */
  status?: ExecutionStatus[];
  executionType?: ExecutionType;
  initiatedBy?: string;
  /** Inclusive bounds on startTime, epoch ms. */
  startFrom?: number;
  startTo?: number;
}

/** Executions without an endTime sort last for `endTime` in both orders; ties keep a stable order. */
export interface ExecutionSort {
  by: "startTime" | "endTime" | "status";
  order: "asc" | "desc";
}

export interface SaveOptions {
  /** Appended atomically with the save; sequence numbers are assigned by the store (1, 2, … per execution). */
  events?: NewExecutionEvent[];
  /**
   * Enforce the DRS limits across executions (`quotaExcess`) atomically with the save: ConflictError
   * QUOTA_EXCEEDED when the save grows this execution's usage in an account/region beyond what the other active
   * executions leave, even against a racing save of another execution.
   */
  quotas?: QuotaLimits;
}

export interface CreateOptions extends SaveOptions {
  /**
   * Enforce one active execution per server (`serverConflict`) atomically with the create: ConflictError
   * SERVER_IN_ACTIVE_EXECUTION when an active execution holds one of its servers, even against a racing create.
   */
  exclusiveServers?: boolean;
}

export interface ExecutionRepository {
  /** Fails with ConflictError ALREADY_EXISTS if the ID exists. Events are appended atomically. */
  create(execution: Execution, options?: CreateOptions): Promise<Execution>;
  get(executionId: string): Promise<Execution | undefined>;
  getSummary(executionId: string): Promise<ExecutionSummary | undefined>;
  /** Optimistic save; PreconditionFailedError when the stored version differs. */
  save(execution: Execution, expectedVersion: number, options?: SaveOptions): Promise<Execution>;
  list(filter: ExecutionFilter, sort: ExecutionSort, page: PageRequest): Promise<Page<ExecutionSummary>>;
  /** Deletes executions with their events, commands and job logs; returns how many existed. */
  delete(executionIds: string[]): Promise<number>;
  /** Non-terminal executions plus terminal ones that still have a wakeAt (e.g. drill cleanup). */
  listActive(): Promise<
    Array<{
      executionId: string;
      executionType: ExecutionType;
      status: ExecutionStatus;
      usage: ExecutionUsage;
      serverKeys: string[];
    }>
  >;
  /**
   * The DRS work all executions hold now in these account/regions (`account/region` keys; a key nobody uses is
   * absent), read consistently: what quota checks across executions count. Costs O(keys) or O(active
   * executions), never O(servers).
   */
  usageIn(keys: readonly string[]): Promise<ExecutionUsage>;
  /**
   * IDs of executions that need a step now: `wakeAt <= now`, or a command newer than `appliedCommandSeq`,
   * and no live lease held by someone else. Oldest wakeAt first.
   * (There is no owner argument, so any unexpired lease excludes an execution, the caller's own included; a
   * lease is expired when `leaseUntil <= now`. An execution due only to a command counts as due at
   * `min(wakeAt, now)`.)
   */
  listDue(now: number, limit: number): Promise<string[]>;
  /**
   * Earliest wakeAt among executions not leased by others (for the driver's sleep), if any.
   * (Without a `now` argument, a leased execution counts from `max(wakeAt, leaseUntil)`: the earliest time
   * it can become due.)
   */
  nextWakeAt(): Promise<number | undefined>;
  /**
   * Atomically takes or renews the lease if it is free, expired or already `owner`'s. False for an unknown
   * execution. `save` never changes the lease.
   */
  acquireLease(executionId: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(executionId: string, owner: string): Promise<void>;
  /** Appends a command and returns its sequence number (1, 2, … per execution). NotFoundError if no execution. */
  appendCommand(executionId: string, command: NewExecutionCommand): Promise<number>;
  commandsAfter(executionId: string, afterSeq: number): Promise<ExecutionCommand[]>;
  /** Events in sequence order after `afterSeq`. */
  events(executionId: string, afterSeq: number, limit: number): Promise<ExecutionEvent[]>;
  /** Idempotent per (executionId, jobId, index): the first item stored wins. NotFoundError if no execution. */
  appendJobLog(
    executionId: string,
    jobId: string,
    items: Array<JobLogItem & { index: number }>,
  ): Promise<void>;
  /** Ordered by jobId, then index. */
  /**
   * Job log items in (jobId, index) order. `jobId` keeps one job's; `afterIndex` alone skips each job's items up to
   * that index (paging within one job); with `afterJobId` the two are a cursor over all jobs: the items after
   * (afterJobId, afterIndex ?? -1) in that order, so paging across jobs skips nothing.
   */
  jobLog(
    executionId: string,
    query: { jobId?: string; afterJobId?: string; afterIndex?: number; limit: number },
  ): Promise<Array<JobLogItem & { jobId: string; index: number }>>;
}

export interface AccountRepository {
  get(accountId: string): Promise<Account | undefined>;
  list(): Promise<Account[]>;
  /** ConflictError ALREADY_EXISTS when the account ID exists. */
  create(account: Account): Promise<Account>;
  update(account: Account, expectedVersion: number): Promise<Account>;
  delete(accountId: string, expectedVersion?: number): Promise<void>;
}

export interface SettingsRepository {
  /** The stored settings with their version, or undefined before the first put. */
  get(): Promise<{ settings: Settings; version: number } | undefined>;
  /** expectedVersion 0 means "none stored yet". */
  put(settings: Settings, expectedVersion: number): Promise<{ settings: Settings; version: number }>;
}

export interface UserRepository {
  get(userId: string): Promise<UserRecord | undefined>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  count(): Promise<number>;
  /** ConflictError ALREADY_EXISTS on a duplicate email (case-insensitive). */
  create(user: UserRecord): Promise<UserRecord>;
  update(user: UserRecord, expectedVersion: number): Promise<UserRecord>;
  /** NotFoundError if there is no such user. */
  delete(userId: string): Promise<void>;
}

export interface RefreshTokenRepository {
  /** Inserts or replaces the record; a revoked token stays revoked (its `revokedAt` is kept). */
  put(record: RefreshTokenRecord): Promise<void>;
  get(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks it revoked; returns false if it did not exist or was already revoked (replay detection). */
  revoke(tokenHash: string, at: string): Promise<boolean>;
  revokeAllForUser(userId: string, at: string): Promise<number>;
  /** Removes records that expired before `now` (ISO). */
  purgeExpired(now: string): Promise<number>;
}

export interface AuditFilter {
  /** Matches `actor.sub` or `actor.email`. */
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditEvent["outcome"];
  /** Inclusive bounds on `at`, ISO strings. */
  from?: string;
  to?: string;
}

export interface AuditLog {
  /** Append-only: there is no update or delete. ConflictError ALREADY_EXISTS on a duplicate eventId. */
  append(event: AuditEvent): Promise<void>;
  /** Newest first. */
  list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>>;
}

/** Small named secrets and values (e.g. the local identity's signing key). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Sets the value only if the key is absent; returns the value that is stored afterwards. */
  putIfAbsent(key: string, value: string): Promise<string>;
  /** Sets the value, whatever was stored (a cursor only its single writer moves, e.g. the notification outbox). */
  put(key: string, value: string): Promise<void>;
}

export interface Store {
  protectionGroups: ProtectionGroupRepository;
  recoveryPlans: RecoveryPlanRepository;
  executions: ExecutionRepository;
  accounts: AccountRepository;
  settings: SettingsRepository;
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  audit: AuditLog;
  kv: KeyValueStore;
  /** Cheap liveness check (e.g. a trivial query). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 100;
