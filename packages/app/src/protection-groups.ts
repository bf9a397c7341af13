import {
  ConflictError,
  type FieldIssue,
  NotFoundError,
  type Page,
  type PageRequest,
  type ProtectionGroup,
  type ProtectionGroupInput,
  parseTagFilter,
  plural,
  type SourceServer,
  selectionModeOf,
  selectServers,
  targetKey,
  ValidationError,
} from "@drso/core";
import { type AppDeps, iso } from "./deps.js";
import type { Inventory } from "./inventory.js";
import { pageArray } from "./paging.js";

export interface ResolvedServer {
  sourceServerId: string;
  hostname: string;
  replicationState: string;
  readiness: string;
  tags: Record<string, string>;
  assignedTo?: { groupId: string; groupName: string };
}

export interface ProtectionGroupView extends ProtectionGroup {
  serverCount?: number;
  hasConflict?: boolean;
  conflictsWith?: Array<{ groupId: string; name: string }>;
  servers?: ResolvedServer[];
  /** Set when the live DRS inventory could not be read; conflicts and servers are then unknown. */
  resolutionError?: string;
}

export interface ProtectionGroupListFilter {
  accountId?: string;
  region?: string;
  name?: string;
  hasConflict?: boolean;
  tag?: string;
}

export interface ResolveRequest {
  accountId: string;
  region: string;
  serverSelectionTags?: Record<string, string>;
  sourceServerIds?: string[];
  /** Ignore this group when computing conflicts (editing an existing group). */
  excludeGroupId?: string;
}

function toServer(s: SourceServer, assignedTo?: { groupId: string; groupName: string }): ResolvedServer {
  const out: ResolvedServer = {
    sourceServerId: s.sourceServerId,
    hostname: s.hostname,
    replicationState: s.replicationState,
    readiness: s.readiness,
    tags: s.tags,
  };
  if (assignedTo) out.assignedTo = assignedTo;
  return out;
}

export function createProtectionGroupService(deps: AppDeps, inventory: Inventory) {
  const { store } = deps;

  async function requireAccountRegion(accountId: string, region: string) {
    const account = await store.accounts.get(accountId);
    if (!account) {
      throw new ValidationError(
        `Account ${accountId} is not configured; add it under Accounts first.`,
        [{ path: "accountId", message: "unknown account" }],
        "ACCOUNT_NOT_CONFIGURED",
      );
    }
    if (!account.regions.includes(region)) {
      throw new ValidationError(
        `Account ${accountId} is not configured for region ${region}.`,
        [{ path: "region", message: `not one of ${account.regions.join(", ")}` }],
        "REGION_NOT_CONFIGURED",
      );
    }
  }

  /** Explicit server IDs must exist in DRS; an explicit server must not be selected by another (tag) group. */
  async function checkSelection(input: ProtectionGroupInput, selfId: string | undefined) {
    const target = { accountId: input.accountId, region: input.region };
    if (!input.sourceServerIds) return;
    const live = await inventory.servers(target, { refresh: true });
    const known = new Set(live.map((s) => s.sourceServerId));
    const issues: FieldIssue[] = [];
    input.sourceServerIds.forEach((id, i) => {
      if (!known.has(id))
        issues.push({
          path: `sourceServerIds.${i}`,
          message: `source server ${id} does not exist in account ${input.accountId} ${input.region}`,
        });
    });
    if (issues.length > 0)
      throw new ValidationError(
        `${plural(issues.length, "source server")} ${issues.length === 1 ? "was" : "were"} not found in DRS.`,
        issues,
        "UNKNOWN_SOURCE_SERVERS",
      );
    const others = (await store.protectionGroups.listAll()).filter(
      (g) => g.groupId !== selfId && g.selectionMode === "tags" && targetKey(g) === targetKey(target),
    );
    const wanted = new Set(input.sourceServerIds);
    for (const g of others) {
      const clash = selectServers(g, live).find((s) => wanted.has(s.sourceServerId));
      if (clash) {
        throw new ConflictError(
          "SERVER_ALREADY_ASSIGNED",
          `Source server ${clash.sourceServerId} (${clash.hostname}) already belongs to protection group '${g.name}' through its tag selection.`,
          { sourceServerId: clash.sourceServerId, groupId: g.groupId, groupName: g.name },
        );
      }
    }
  }

  function build(
    input: ProtectionGroupInput,
    base: { groupId: string; owner: string; createdAt: string; version: number },
  ): ProtectionGroup {
    const group: ProtectionGroup = {
      groupId: base.groupId,
      name: input.name,
      accountId: input.accountId,
      region: input.region,
      selectionMode: selectionModeOf(input),
      owner: base.owner,
      createdAt: base.createdAt,
      updatedAt: iso(deps.clock.now()),
      version: base.version,
    };
    if (input.description !== undefined) group.description = input.description;
    if (input.sourceServerIds) group.sourceServerIds = [...input.sourceServerIds];
    if (input.serverSelectionTags) group.serverSelectionTags = { ...input.serverSelectionTags };
    if (input.launchSettings) group.launchSettings = input.launchSettings;
    if (input.serverImpact) group.serverImpact = input.serverImpact;
    if (input.serverImpactOverrides && Object.keys(input.serverImpactOverrides).length > 0)
      group.serverImpactOverrides = { ...input.serverImpactOverrides };
    return group;
  }

  /** Adds live resolution (servers, conflicts) to groups; tolerates an unreachable DRS. */
  async function decorate(
    groups: ProtectionGroup[],
    options: { withServers?: boolean; refresh?: boolean } = {},
  ): Promise<ProtectionGroupView[]> {
    if (groups.length === 0) return [];
    const all = await store.protectionGroups.listAll();
    try {
      const { resolved, assignment, conflicts } = await inventory.assignments(all, options);
      const names = new Map(all.map((g) => [g.groupId, g.name]));
      return groups.map((g) => {
        const servers = resolved.get(g.groupId) ?? [];
        const conflictIds = [...(conflicts.get(g.groupId) ?? [])];
        const view: ProtectionGroupView = {
          ...g,
          serverCount: servers.length,
          hasConflict: conflictIds.length > 0,
          conflictsWith: conflictIds.map((id) => ({ groupId: id, name: names.get(id) ?? id })),
        };
        if (options.withServers) {
          view.servers = servers.map((s) =>
            toServer(s, assignment.get(`${g.accountId}/${g.region}/${s.sourceServerId}`)),
          );
        }
        return view;
      });
    } catch (error) {
      const message = (error as Error).message;
      return groups.map((g) => ({ ...g, resolutionError: message }));
    }
  }

  return {
    async list(filter: ProtectionGroupListFilter, page: PageRequest): Promise<Page<ProtectionGroupView>> {
      const storeFilter = {
        ...(filter.accountId ? { accountId: filter.accountId } : {}),
        ...(filter.region ? { region: filter.region } : {}),
        ...(filter.name ? { nameContains: filter.name } : {}),
      };
      if (filter.hasConflict === undefined && filter.tag === undefined) {
        const result = await store.protectionGroups.list(storeFilter, page);
        return { ...result, items: await decorate(result.items) };
      }
      const tag = filter.tag ? parseTagFilter(filter.tag) : undefined;
      if (filter.tag && !tag)
        throw new ValidationError("tag must be key=value", [{ path: "tag", message: "expected key=value" }]);
      const all = (await store.protectionGroups.listAll()).filter(
        (g) =>
          (!filter.accountId || g.accountId === filter.accountId) &&
          (!filter.region || g.region === filter.region) &&
          (!filter.name || g.name.toLowerCase().includes(filter.name.toLowerCase())),
      );
      all.sort(
        (a, b) =>
          a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.groupId.localeCompare(b.groupId),
      );
      const views = await decorate(all, { withServers: tag !== undefined });
      let filtered = views;
      if (filter.hasConflict !== undefined)
        filtered = filtered.filter((v) => v.hasConflict === filter.hasConflict);
      if (tag) {
        filtered = filtered.filter(
          (v) =>
            v.serverSelectionTags?.[tag.key] === tag.value ||
            (v.servers ?? []).some((s) => s.tags[tag.key] === tag.value),
        );
        filtered = filtered.map(({ servers: _servers, ...rest }) => rest);
      }
      return pageArray(filtered, page, { ...filter });
    },

    async get(groupId: string, options: { refresh?: boolean } = {}): Promise<ProtectionGroupView> {
      const group = await store.protectionGroups.get(groupId);
      if (!group) throw new NotFoundError("protection group", groupId);
      const [view] = await decorate([group], { withServers: true, ...options });
      return view!;
    },

    async create(input: ProtectionGroupInput, owner: string): Promise<ProtectionGroupView> {
      await requireAccountRegion(input.accountId, input.region);
      await checkSelection(input, undefined);
      const now = iso(deps.clock.now());
      const created = await store.protectionGroups.create(
        build(input, { groupId: deps.newId(), owner, createdAt: now, version: 1 }),
      );
      const [view] = await decorate([created], { withServers: true });
      return view!;
    },

    async update(
      groupId: string,
      input: ProtectionGroupInput,
      expectedVersion: number | undefined,
    ): Promise<ProtectionGroupView> {
      const existing = await store.protectionGroups.get(groupId);
      if (!existing) throw new NotFoundError("protection group", groupId);
      await requireAccountRegion(input.accountId, input.region);
      await checkSelection(input, groupId);
      const version = expectedVersion ?? existing.version;
      const updated = await store.protectionGroups.update(
        build(input, { groupId, owner: existing.owner, createdAt: existing.createdAt, version }),
        version,
      );
      const [view] = await decorate([updated], { withServers: true });
      return view!;
    },

    async delete(groupId: string, expectedVersion: number | undefined): Promise<void> {
      const existing = await store.protectionGroups.get(groupId);
      if (!existing) throw new NotFoundError("protection group", groupId);
      const plans = await store.recoveryPlans.list({ protectionGroupId: groupId }, { limit: 100 });
      if (plans.items.length > 0) {
        const names = plans.items.map((p) => `'${p.name}'`).join(", ");
        throw new ConflictError(
          "RESOURCE_IN_USE",
          `Protection group '${existing.name}' is used by recovery ${plans.items.length === 1 ? "plan" : "plans"} ${names}; remove it from ${plans.items.length === 1 ? "it" : "them"} first.`,
          {
            plans: plans.items.map((p) => ({ planId: p.planId, name: p.name })),
          },
        );
      }
      await store.protectionGroups.delete(groupId, expectedVersion);
    },

    /** Live preview of a selection: the servers it matches now, and which of them other groups hold. */
    async resolve(request: ResolveRequest) {
      await requireAccountRegion(request.accountId, request.region);
      const target = { accountId: request.accountId, region: request.region };
      const live = await inventory.servers(target, { refresh: true });
      const selection = request.sourceServerIds
        ? { sourceServerIds: request.sourceServerIds }
        : { serverSelectionTags: request.serverSelectionTags ?? {} };
      const matched = selectServers(selection, live);
      const others = (await store.protectionGroups.listAll()).filter(
        (g) => g.groupId !== request.excludeGroupId && targetKey(g) === targetKey(target),
      );
      const holders = new Map<string, { groupId: string; groupName: string }>();
      for (const g of others)
        for (const s of selectServers(g, live))
          if (!holders.has(s.sourceServerId))
            holders.set(s.sourceServerId, { groupId: g.groupId, groupName: g.name });
      const servers = matched.map((s) => toServer(s, holders.get(s.sourceServerId)));
      const missing =
        request.sourceServerIds?.filter((id) => !live.some((s) => s.sourceServerId === id)) ?? [];
      return {
        accountId: request.accountId,
        region: request.region,
        count: servers.length,
        servers,
        conflicts: servers
          .filter((s) => s.assignedTo)
          .map((s) => ({ sourceServerId: s.sourceServerId, hostname: s.hostname, ...s.assignedTo! })),
        notFound: missing,
      };
    },
  };
}

export type ProtectionGroupService = ReturnType<typeof createProtectionGroupService>;
