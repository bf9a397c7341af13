import {
  type Account,
  DrsError,
  type DrsTarget,
  type ProtectionGroup,
  type SourceServer,
  selectServers,
  targetKey,
  UpstreamError,
  ValidationError,
} from "@drso/core";
import type { AppDeps } from "./deps.js";

export interface Assignment {
  groupId: string;
  groupName: string;
}

/**
 * Source servers discovered through DRS, cached per account and region for a short time (the seed caches
 * discovery for minutes; DR engineers expect to see a state change within seconds, so the default is 15 s).
 */
export function createInventory(deps: Pick<AppDeps, "drs" | "clock" | "inventoryTtlSeconds">) {
  const ttlMs = (deps.inventoryTtlSeconds ?? 15) * 1000;
  const cache = new Map<string, { at: number; servers: Promise<SourceServer[]> }>();

  async function servers(target: DrsTarget, options: { refresh?: boolean } = {}): Promise<SourceServer[]> {
    const key = targetKey(target);
    const hit = cache.get(key);
    const now = deps.clock.now();
    if (hit && !options.refresh && now - hit.at < ttlMs) return hit.servers;
    const loading = deps.drs
      .forTarget(target)
      .describeSourceServers()
      .catch((error: unknown) => {
        cache.delete(key);
        throw asUpstream(error, target);
      });
    cache.set(key, { at: now, servers: loading });
    return loading;
  }

  function invalidate(target?: DrsTarget) {
    if (target) cache.delete(targetKey(target));
    else cache.clear();
  }

  /**
   * selectServers is pure: its result for a group version and an inventory snapshot (the cached array,
   * replaced on every refresh) never changes. Every list and read of groups resolves all groups to find
   * conflicts, so remembering it turns that from groups × servers tag matching into lookups.
   */
  const selections = new WeakMap<readonly SourceServer[], Map<string, SourceServer[]>>();
  function selectCached(group: ProtectionGroup, inventory: readonly SourceServer[]): SourceServer[] {
    let byGroup = selections.get(inventory);
    if (!byGroup) {
      byGroup = new Map();
      selections.set(inventory, byGroup);
    }
    const key = `${group.groupId}@${group.version}`;
    let selected = byGroup.get(key);
    if (!selected) {
      selected = selectServers(group, inventory);
      byGroup.set(key, selected);
    }
    return [...selected];
  }

  /** Servers each group selects now (tag groups evaluated against the live inventory). */
  async function resolveGroups(groups: readonly ProtectionGroup[], options: { refresh?: boolean } = {}) {
    const targets = uniqueTargets(groups);
    const inventories = new Map<string, SourceServer[]>();
    await Promise.all(
      targets.map(async (t) => {
        inventories.set(targetKey(t), await servers(t, options));
      }),
    );
    return new Map(groups.map((g) => [g.groupId, selectCached(g, inventories.get(targetKey(g)) ?? [])]));
  }

  /**
   * Which group holds each server (`account/region/server` key), and which groups conflict: a server
   * selected by more than one group. Explicit groups win the assignment over tag groups.
   */
  async function assignments(groups: readonly ProtectionGroup[], options: { refresh?: boolean } = {}) {
    const resolved = await resolveGroups(groups, options);
    const holders = new Map<string, ProtectionGroup[]>();
    for (const g of groups) {
      for (const s of resolved.get(g.groupId) ?? []) {
        const key = `${g.accountId}/${g.region}/${s.sourceServerId}`;
        const list = holders.get(key) ?? [];
        list.push(g);
        holders.set(key, list);
      }
    }
    const assignment = new Map<string, Assignment>();
    const conflicts = new Map<string, Set<string>>();
    for (const [key, list] of holders) {
      const ordered = [...list].sort(
        (a, b) => Number(b.selectionMode === "explicit") - Number(a.selectionMode === "explicit"),
      );
      const owner = ordered[0]!;
      assignment.set(key, { groupId: owner.groupId, groupName: owner.name });
      if (list.length > 1) {
        for (const g of list) {
          const set = conflicts.get(g.groupId) ?? new Set<string>();
          for (const other of list) if (other.groupId !== g.groupId) set.add(other.groupId);
          conflicts.set(g.groupId, set);
        }
      }
    }
    return { resolved, assignment, conflicts };
  }

  return { servers, invalidate, resolveGroups, assignments };
}

export type Inventory = ReturnType<typeof createInventory>;

export function uniqueTargets(items: readonly DrsTarget[]): DrsTarget[] {
  const seen = new Map<string, DrsTarget>();
  for (const i of items) seen.set(targetKey(i), { accountId: i.accountId, region: i.region });
  return [...seen.values()];
}

/** Accounts configured for a region (discovery without accountId covers all of them). */
export function targetsForRegion(
  accounts: readonly Account[],
  region: string,
  accountId?: string,
): DrsTarget[] {
  const matching = accounts.filter(
    (a) => (accountId ? a.accountId === accountId : true) && a.regions.includes(region),
  );
  if (accountId && matching.length === 0) {
    const known = accounts.find((a) => a.accountId === accountId);
    throw new ValidationError(
      known
        ? `Account ${accountId} is not configured for region ${region}.`
        : `Account ${accountId} is not configured.`,
      [
        {
          path: known ? "region" : "accountId",
          message: known ? `not one of ${known.regions.join(", ")}` : "unknown account",
        },
      ],
      known ? "REGION_NOT_CONFIGURED" : "ACCOUNT_NOT_CONFIGURED",
    );
  }
  return matching.map((a) => ({ accountId: a.accountId, region }));
}

export function asUpstream(error: unknown, target: DrsTarget): Error {
  if (error instanceof DrsError) {
    const where = `account ${target.accountId} in ${target.region}`;
    switch (error.kind) {
      case "uninitialized":
        return new UpstreamError("DRS_NOT_INITIALIZED", `DRS is not initialized in ${where}.`, 409, {
          ...target,
        });
      case "access-denied":
        return new UpstreamError(
          "DRS_ACCESS_DENIED",
          `Access to DRS was denied in ${where}: ${error.message}`,
          502,
          { ...target },
        );
      case "throttled":
        return new UpstreamError(
          "DRS_THROTTLED",
          `DRS is throttling requests in ${where}; try again shortly.`,
          503,
          { ...target, retryAfterSeconds: 2 },
        );
      default:
        return new UpstreamError("DRS_UNAVAILABLE", `DRS request failed in ${where}: ${error.message}`, 502, {
          ...target,
        });
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}
