import type { PlanFile } from "./format.js";
import {
  type GroupSpec,
  groupSpecOf,
  type PlanSpec,
  planSpecOfFile,
  planSpecOfServer,
  type ServerState,
} from "./model.js";

export type ResourceKind = "protection-group" | "recovery-plan";

export interface FieldChange {
  path: string;
  /** Absent when the field is added. */
  before?: unknown;
  /** Absent when the field is removed. */
  after?: unknown;
}

export type Change =
  | { action: "create"; kind: "protection-group"; name: string; spec: GroupSpec }
  | { action: "create"; kind: "recovery-plan"; name: string; spec: PlanSpec }
  | {
      action: "update";
      kind: "protection-group";
      name: string;
      id: string;
      version: number;
      fields: FieldChange[];
      spec: GroupSpec;
    }
  | {
      action: "update";
      kind: "recovery-plan";
      name: string;
      id: string;
      version: number;
      fields: FieldChange[];
      spec: PlanSpec;
    }
  | { action: "delete"; kind: ResourceKind; name: string; id: string; version: number };

export interface ChangeSet {
  /** In the order apply performs them. */
  changes: Change[];
  /** Server resources the file does not have, left alone because --prune was not given. */
  unmanaged: Array<{ kind: ResourceKind; name: string; id: string }>;
  summary: { create: number; update: number; delete: number };
}

/**
 * What it takes to make the server match the file. Resources match by name (case-insensitively, as the
 * server's uniqueness rule). Order: group updates (they may free servers), group creates, plan updates and
 * creates (they need the groups), then with `prune` plan deletes before group deletes (a plan holds its
 * groups).
 */
export function computeChanges(file: PlanFile, state: ServerState, options: { prune: boolean }): ChangeSet {
  const fileGroups = file.protectionGroups ?? [];
  const filePlans = file.recoveryPlans ?? [];
  const serverGroupByName = new Map(state.groups.map((g) => [g.name.toLowerCase(), g]));
  const serverPlanByName = new Map(state.plans.map((p) => [p.name.toLowerCase(), p]));
  const fileGroupByName = new Map(fileGroups.map((g) => [g.name.toLowerCase(), g]));
  const filePlanNames = new Set(filePlans.map((p) => p.name.toLowerCase()));

  // Group references compare by identity: both sides use the file's spelling of a group's name.
  const canonical = (name: string) => fileGroupByName.get(name.toLowerCase())?.name ?? name;
  const serverGroupNameById = new Map(state.groups.map((g) => [g.groupId, canonical(g.name)]));
  const groupNameOf = (id: string) => serverGroupNameById.get(id) ?? `<unknown group ${id}>`;

  const groupUpdates: Change[] = [];
  const groupCreates: Change[] = [];
  for (const group of fileGroups) {
    const spec = groupSpecOf(group);
    const current = serverGroupByName.get(group.name.toLowerCase());
    if (!current) {
      groupCreates.push({ action: "create", kind: "protection-group", name: group.name, spec });
      continue;
    }
    const fields = diffValues(groupSpecOf(current), spec);
    if (fields.length > 0) {
      groupUpdates.push({
        action: "update",
        kind: "protection-group",
        name: group.name,
        id: current.groupId,
        version: current.version,
        fields,
        spec,
      });
    }
  }

  const planChanges: Change[] = [];
  for (const plan of filePlans) {
    const spec = planSpecOfFile(plan, canonical);
    const current = serverPlanByName.get(plan.name.toLowerCase());
    if (!current) {
      planChanges.push({ action: "create", kind: "recovery-plan", name: plan.name, spec });
      continue;
    }
    const fields = diffValues(planSpecOfServer(current, groupNameOf), spec);
    if (fields.length > 0) {
      planChanges.push({
        action: "update",
        kind: "recovery-plan",
        name: plan.name,
        id: current.planId,
        version: current.version,
        fields,
        spec,
      });
    }
  }

  const deletes: Change[] = [];
  const unmanaged: ChangeSet["unmanaged"] = [];
  const absentPlans = state.plans.filter((p) => !filePlanNames.has(p.name.toLowerCase()));
  const absentGroups = state.groups.filter((g) => !fileGroupByName.has(g.name.toLowerCase()));
  for (const p of absentPlans) {
    if (options.prune) {
      deletes.push({
        action: "delete",
        kind: "recovery-plan",
        name: p.name,
        id: p.planId,
        version: p.version,
      });
    } else unmanaged.push({ kind: "recovery-plan", name: p.name, id: p.planId });
  }
  for (const g of absentGroups) {
    if (options.prune) {
      deletes.push({
        action: "delete",
        kind: "protection-group",
        name: g.name,
        id: g.groupId,
        version: g.version,
      });
    } else unmanaged.push({ kind: "protection-group", name: g.name, id: g.groupId });
  }

  const changes = [...groupUpdates, ...groupCreates, ...planChanges, ...deletes];
  return {
    changes,
    unmanaged,
    summary: {
      create: changes.filter((c) => c.action === "create").length,
      update: changes.filter((c) => c.action === "update").length,
      delete: changes.filter((c) => c.action === "delete").length,
    },
  };
}

/** Field-level differences; objects recurse by key, lists of objects by index, other lists as a whole. */
export function diffValues(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (deepEqual(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
    return keys.flatMap((k) => diffValues(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    [...before, ...after].every(isPlainObject) &&
    before.length > 0 &&
    after.length > 0
  ) {
    const changes: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      changes.push(...diffValues(before[i], after[i], `${path}[${i}]`));
    }
    return changes;
  }
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  return [change];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Structural equality where key order does not matter and an undefined property equals an absent one. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}
