import { type ApiClient, ApiError, allPages, type components, etagOf, unwrap } from "@drso/client";
import { CliError } from "../errors.js";
import type { Change, ChangeSet } from "./diff.js";
import type { GroupSpec, PlanSpec, ServerGroup, ServerPlan, ServerState } from "./model.js";

/** Every protection group and recovery plan on the server (all pages). */
export async function readServerState(api: ApiClient): Promise<ServerState> {
  const groups = await allPages((nextToken) =>
    unwrap(
      api.GET("/protection-groups", {
        params: { query: { limit: 100, ...(nextToken ? { nextToken } : {}) } },
      }),
    ),
  );
  const plans = await allPages((nextToken) =>
    unwrap(
      api.GET("/recovery-plans", { params: { query: { limit: 100, ...(nextToken ? { nextToken } : {}) } } }),
    ),
  );
  return {
    groups: groups.map((g) => {
      const group: ServerGroup = {
        groupId: g.groupId,
        version: g.version,
        name: g.name,
        accountId: g.accountId,
        region: g.region,
      };
      if (g.description !== undefined) group.description = g.description;
      if (g.sourceServerIds !== undefined) group.sourceServerIds = g.sourceServerIds;
      if (g.serverSelectionTags !== undefined) group.serverSelectionTags = g.serverSelectionTags;
      if (g.launchSettings !== undefined)
        group.launchSettings = g.launchSettings as GroupSpec["launchSettings"];
      return group;
    }),
    plans: plans.map((p) => {
      const plan: ServerPlan = {
        planId: p.planId,
        version: p.version,
        name: p.name,
        waves: p.waves as ServerPlan["waves"],
      };
      if (p.description !== undefined) plan.description = p.description;
      if (p.rpoSeconds !== undefined) plan.rpoSeconds = p.rpoSeconds;
      if (p.rtoSeconds !== undefined) plan.rtoSeconds = p.rtoSeconds;
      return plan;
    }),
  };
}

export interface AppliedChange {
  change: Change;
  id: string;
  /** The resource's version after the call (absent for deletes). */
  version?: number;
}

export class ApplyError extends CliError {
  constructor(
    readonly failed: Change,
    readonly reason: unknown,
    readonly applied: AppliedChange[],
    readonly notAttempted: Change[],
  ) {
    super(
      `${failed.action} of ${failed.kind} "${failed.name}" failed: ${
        reason instanceof Error ? reason.message : String(reason)
      }${
        reason instanceof ApiError && reason.status === 412
          ? `\n  The ${failed.kind} changed on the server after drsctl read it; run drsctl diff again.`
          : ""
      }`,
    );
    this.name = "ApplyError";
  }
}

/**
 * Performs the change set's calls in order, each update and delete with `If-Match` set to the version the
 * change was computed from (a concurrent edit fails with 412 instead of being overwritten). Stops at the
 * first failure: nothing after it is attempted.
 */
export async function applyChanges(
  api: ApiClient,
  changeSet: ChangeSet,
  state: ServerState,
  onApplied: (applied: AppliedChange) => void = () => {},
): Promise<AppliedChange[]> {
  const groupIds = new Map(state.groups.map((g) => [g.name.toLowerCase(), g.groupId]));
  const groupId = (name: string) => {
    const id = groupIds.get(name.toLowerCase());
    if (!id) throw new CliError(`protection group "${name}" does not exist on the server`);
    return id;
  };
  const applied: AppliedChange[] = [];
  for (const [index, change] of changeSet.changes.entries()) {
    try {
      const result = await applyOne(api, change, groupId);
      if (change.kind === "protection-group" && change.action === "create") {
        groupIds.set(change.name.toLowerCase(), result.id);
      }
      applied.push(result);
      onApplied(result);
    } catch (error) {
      throw new ApplyError(change, error, applied, changeSet.changes.slice(index + 1));
    }
  }
  return applied;
}

async function applyOne(
  api: ApiClient,
  change: Change,
  groupId: (name: string) => string,
): Promise<AppliedChange> {
  const ifMatch = (version: number) => ({ "If-Match": etagOf(version) });
  if (change.kind === "protection-group") {
    switch (change.action) {
      case "create": {
        const created = await unwrap(api.POST("/protection-groups", { body: groupInput(change.spec) }));
        return { change, id: created.groupId, version: created.version };
      }
      case "update": {
        const updated = await unwrap(
          api.PUT("/protection-groups/{id}", {
            params: { path: { id: change.id } },
            headers: ifMatch(change.version),
            body: groupInput(change.spec),
          }),
        );
        return { change, id: updated.groupId, version: updated.version };
      }
      case "delete":
        await api.DELETE("/protection-groups/{id}", {
          params: { path: { id: change.id } },
          headers: ifMatch(change.version),
        });
        return { change, id: change.id };
    }
  }
  switch (change.action) {
    case "create": {
      const created = await unwrap(api.POST("/recovery-plans", { body: planInput(change.spec, groupId) }));
      return { change, id: created.planId, version: created.version };
    }
    case "update": {
      const updated = await unwrap(
        api.PUT("/recovery-plans/{id}", {
          params: { path: { id: change.id } },
          headers: ifMatch(change.version),
          body: planInput(change.spec as PlanSpec, groupId),
        }),
      );
      return { change, id: updated.planId, version: updated.version };
    }
    case "delete":
      await api.DELETE("/recovery-plans/{id}", {
        params: { path: { id: change.id } },
        headers: ifMatch(change.version),
      });
      return { change, id: change.id };
  }
}

type ProtectionGroupInput = components["schemas"]["ProtectionGroupInput"];
type RecoveryPlanInput = components["schemas"]["RecoveryPlanInput"];
type ActionsInput = NonNullable<RecoveryPlanInput["waves"][number]["preActions"]>;

/** The spec holds only defined fields (groupSpecOf), so it is the API input as is. */
function groupInput(spec: GroupSpec): ProtectionGroupInput {
  return spec as ProtectionGroupInput;
}

function planInput(spec: PlanSpec, groupId: (name: string) => string): RecoveryPlanInput {
  return {
    name: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.rpoSeconds !== undefined ? { rpoSeconds: spec.rpoSeconds } : {}),
    ...(spec.rtoSeconds !== undefined ? { rtoSeconds: spec.rtoSeconds } : {}),
    waves: spec.waves.map((w) => ({
      waveId: w.waveId,
      name: w.name,
      ...(w.description !== undefined ? { description: w.description } : {}),
      protectionGroupIds: w.protectionGroups.map(groupId),
      dependsOn: w.dependsOn,
      pauseBefore: w.pauseBefore,
      preActions: w.preActions as ActionsInput,
      postActions: w.postActions as ActionsInput,
      onFailure: w.onFailure,
      timeoutSeconds: w.timeoutSeconds,
    })),
  };
}
