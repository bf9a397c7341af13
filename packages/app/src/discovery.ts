import {
  DrsError,
  type PageRequest,
  parseTagFilter,
  SUPPORTED_DRS_REGIONS,
  ValidationError,
} from "@drso/core";
import type { AppDeps } from "./deps.js";
import { asUpstream, type Inventory, targetsForRegion } from "./inventory.js";
import { pageArray } from "./paging.js";
import type { SettingsService } from "./settings.js";

export interface SourceServerQuery {
  region: string;
  accountId?: string;
  replicationStatus?: string;
  assignmentStatus?: "assigned" | "unassigned";
  tag?: string;
  refresh?: boolean;
}

/** Published DRS quotas (shared/specs/drs-api.md §8); the concurrency ones come from settings. */
const REPLICATING_SERVERS_PER_ACCOUNT = 300;

export function createDiscoveryService(deps: AppDeps, inventory: Inventory, settings: SettingsService) {
  const { store } = deps;

  return {
    async sourceServers(query: SourceServerQuery, page: PageRequest) {
      const tag = query.tag ? parseTagFilter(query.tag) : undefined;
      if (query.tag && !tag)
        throw new ValidationError("tag must be key=value", [{ path: "tag", message: "expected key=value" }]);
      const targets = targetsForRegion(await store.accounts.list(), query.region, query.accountId);
      const groups = await store.protectionGroups.listAll();
      const { assignment } = await inventory.assignments(
        groups.filter((g) => g.region === query.region),
        { refresh: query.refresh ?? false },
      );
      const lists = await Promise.all(
        targets.map((t) => inventory.servers(t, { refresh: query.refresh ?? false })),
      );
      const items = lists
        .flat()
        .map((s) => {
          const assigned = assignment.get(`${s.accountId}/${s.region}/${s.sourceServerId}`);
          return {
            ...s,
            assignmentStatus: assigned ? ("assigned" as const) : ("unassigned" as const),
            ...(assigned ? { protectionGroup: assigned } : {}),
          };
        })
        .filter(
          (s) =>
            (!query.replicationStatus ||
              s.replicationState === query.replicationStatus ||
              s.readiness === query.replicationStatus) &&
            (!query.assignmentStatus || s.assignmentStatus === query.assignmentStatus) &&
            (!tag || s.tags[tag.key] === tag.value),
        )
        .sort(
          (a, b) => a.hostname.localeCompare(b.hostname) || a.sourceServerId.localeCompare(b.sourceServerId),
        );
      const { refresh: _refresh, ...filterKey } = query;
      return { ...pageArray(items, page, filterKey), count: items.length };
    },

    /** Per account and region: quota limits and what is in use now, read from DRS itself. */
    async quotas(filter: { accountId?: string; region?: string }) {
      const { settings: current } = await settings.current();
      const accounts = (await store.accounts.list()).filter(
        (a) => !filter.accountId || a.accountId === filter.accountId,
      );
      const targets = accounts.flatMap((a) =>
        a.regions
          .filter((r) => !filter.region || r === filter.region)
          .map((region) => ({ accountId: a.accountId, region })),
      );
      const since = new Date(deps.clock.now() - 7 * 86400_000).toISOString();
      return Promise.all(
        targets.map(async (t) => {
          const base = {
            ...t,
            limits: {
              serversPerJob: current.quotas.serversPerJob,
              concurrentJobs: current.quotas.concurrentJobs,
              serversInAllJobs: current.quotas.serversInAllJobs,
              replicatingServers: REPLICATING_SERVERS_PER_ACCOUNT,
            },
            source: deps.drs.mode === "aws" ? "settings (Service Quotas on AWS deployments)" : "settings",
          };
          try {
            const gateway = deps.drs.forTarget(t);
            const [jobs, servers] = await Promise.all([
              gateway.describeJobs({ fromDate: since }),
              inventory.servers(t),
            ]);
            const active = jobs.filter((j) => j.status !== "COMPLETED");
            return {
              ...base,
              usage: {
                activeJobs: active.length,
                serversInActiveJobs: active.reduce((n, j) => n + j.participants.length, 0),
                replicatingServers: servers.filter(
                  (s) => s.replicationState !== "STOPPED" && s.replicationState !== "DISCONNECTED",
                ).length,
                sourceServers: servers.length,
              },
            };
          } catch (error) {
            return { ...base, error: asUpstream(error, t).message };
          }
        }),
      );
    },

    /** DRS initialization status of every configured account and region. */
    async accountsStatus() {
      const accounts = await store.accounts.list();
      return Promise.all(
        accounts.flatMap((a) =>
          a.regions.map(async (region) => {
            const t = { accountId: a.accountId, region };
            try {
              const initialized = await deps.drs.forTarget(t).checkInitialized();
              return {
                ...t,
                accountName: a.name,
                initialized,
                status: initialized ? "INITIALIZED" : "UNINITIALIZED",
              };
            } catch (error) {
              return {
                ...t,
                accountName: a.name,
                initialized: false,
                status: "UNREACHABLE",
                error: error instanceof DrsError ? error.message : (error as Error).message,
              };
            }
          }),
        ),
      );
    },

    regions() {
      return [...SUPPORTED_DRS_REGIONS];
    },
  };
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
