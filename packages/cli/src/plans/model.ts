import type { DrillSchedule } from "@drso/core";
import { DEFAULT_WAVE_TIMEOUT_SECONDS, normalizeWaves, type WaveAction } from "@drso/core";
import type { PlanFile, PlanFileProtectionGroup, PlanFileRecoveryPlan, PlanFileWave } from "./format.js";

/**
 * Resources in "name space": what the file says and what the server has, in one comparable shape.
 * Protection groups are the API's input fields; recovery plans have their waves normalized the way the server
 * normalizes them (default wave IDs, empty lists, `abort`, the default timeout) and name their groups.
 */
export type GroupSpec = PlanFileProtectionGroup;

export interface WaveSpec {
  waveId: string;
  name: string;
  description?: string;
  protectionGroups: string[];
  dependsOn: string[];
  pauseBefore: boolean;
  preActions: WaveAction[];
  postActions: WaveAction[];
  onFailure: "abort" | "continue" | "pause";
  timeoutSeconds: number;
}

export interface PlanSpec {
  name: string;
  description?: string;
  rpoSeconds?: number;
  rtoSeconds?: number;
  schedule?: DrillSchedule;
  waves: WaveSpec[];
}

/** The parts of the API's views that the comparison needs (ProtectionGroupView, RecoveryPlanView). */
export interface ServerGroup extends GroupSpec {
  groupId: string;
  version: number;
}

export interface ServerPlan {
  planId: string;
  name: string;
  description?: string;
  rpoSeconds?: number;
  rtoSeconds?: number;
  schedule?: DrillSchedule;
  waves: Array<{
    waveId: string;
    name: string;
    description?: string;
    protectionGroupIds: string[];
    dependsOn: string[];
    pauseBefore: boolean;
    preActions: WaveAction[];
    postActions: WaveAction[];
    onFailure: "abort" | "continue" | "pause";
    timeoutSeconds: number;
  }>;
  version: number;
}

export interface ServerState {
  groups: ServerGroup[];
  plans: ServerPlan[];
}

const GROUP_FIELDS = [
  "name",
  "description",
  "accountId",
  "region",
  "sourceServerIds",
  "serverSelectionTags",
  "launchSettings",
  "serverImpact",
  "serverImpactOverrides",
] as const;

export function groupSpecOf(group: GroupSpec): GroupSpec {
  const spec: Record<string, unknown> = {};
  for (const field of GROUP_FIELDS) if (group[field] !== undefined) spec[field] = group[field];
  return spec as GroupSpec;
}

export function planSpecOfFile(
  plan: PlanFileRecoveryPlan,
  canonicalGroup: (name: string) => string,
): PlanSpec {
  const waves = normalizeWaves(
    plan.waves.map((w: PlanFileWave) => {
      const { protectionGroups, ...rest } = w;
      return { ...rest, protectionGroupIds: protectionGroups.map(canonicalGroup) };
    }),
  );
  return withPlanFields(plan, waves.map(waveSpec));
}

export function planSpecOfServer(plan: ServerPlan, groupName: (groupId: string) => string): PlanSpec {
  return withPlanFields(
    plan,
    plan.waves.map((w) => waveSpec({ ...w, protectionGroupIds: w.protectionGroupIds.map(groupName) })),
  );
}

type Loose<T> = { [K in keyof T]: T[K] | undefined };

function withPlanFields(
  source: Pick<PlanSpec, "name"> &
    Partial<Loose<Pick<PlanSpec, "description" | "rpoSeconds" | "rtoSeconds" | "schedule">>>,
  waves: WaveSpec[],
): PlanSpec {
  const spec = { name: source.name } as PlanSpec;
  if (source.description !== undefined) spec.description = source.description;
  if (source.rpoSeconds !== undefined) spec.rpoSeconds = source.rpoSeconds;
  if (source.rtoSeconds !== undefined) spec.rtoSeconds = source.rtoSeconds;
  if (source.schedule !== undefined) spec.schedule = source.schedule;
  spec.waves = waves;
  return spec;
}

function waveSpec(
  w: Omit<ServerPlan["waves"][number], "description"> & { description?: string | undefined },
): WaveSpec {
  const spec: WaveSpec = {
    waveId: w.waveId,
    name: w.name,
    protectionGroups: [...w.protectionGroupIds],
    dependsOn: [...w.dependsOn],
    pauseBefore: w.pauseBefore,
    preActions: w.preActions,
    postActions: w.postActions,
    onFailure: w.onFailure,
    timeoutSeconds: w.timeoutSeconds,
  };
  if (w.description !== undefined) spec.description = w.description;
  return spec;
}

/** The file form of a server's state: what `drsctl export` writes. Defaults are left out, wave IDs kept. */
export function planFileOf(state: ServerState): PlanFile {
  const byId = new Map(state.groups.map((g) => [g.groupId, g.name]));
  const groupName = (id: string) => {
    const name = byId.get(id);
    if (name === undefined) {
      throw new Error(`a recovery plan refers to protection group ${id}, which the server did not list`);
    }
    return name;
  };
  const byName = <T extends { name: string }>(a: T, b: T) =>
    a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.name.localeCompare(b.name);
  const file: PlanFile = { apiVersion: "drs-orchestrator/v1", kind: "DrPlanSet" };
  file.protectionGroups = [...state.groups].sort(byName).map(groupSpecOf);
  file.recoveryPlans = [...state.plans].sort(byName).map((p) => {
    const spec = planSpecOfServer(p, groupName);
    const plan = { name: spec.name } as PlanFileRecoveryPlan;
    if (spec.description !== undefined) plan.description = spec.description;
    if (spec.rpoSeconds !== undefined) plan.rpoSeconds = spec.rpoSeconds;
    if (spec.rtoSeconds !== undefined) plan.rtoSeconds = spec.rtoSeconds;
    plan.waves = spec.waves.map((w) => {
      const wave = { waveId: w.waveId, name: w.name } as PlanFileWave;
      if (w.description !== undefined) wave.description = w.description;
      wave.protectionGroups = w.protectionGroups;
      if (w.dependsOn.length > 0) wave.dependsOn = w.dependsOn;
      if (w.pauseBefore) wave.pauseBefore = true;
      if (w.preActions.length > 0) wave.preActions = w.preActions;
      if (w.postActions.length > 0) wave.postActions = w.postActions;
      if (w.onFailure !== "abort") wave.onFailure = w.onFailure;
      if (w.timeoutSeconds !== DEFAULT_WAVE_TIMEOUT_SECONDS) wave.timeoutSeconds = w.timeoutSeconds;
      return wave;
    });
    return plan;
  });
  return file;
}
