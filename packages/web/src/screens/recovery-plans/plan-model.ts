import type { Schemas } from "@drso/client";

export type WaveAction = Schemas["WaveAction"];
export type PlanInput = Schemas["RecoveryPlanInput"];
export type GroupRef = Pick<Schemas["ProtectionGroupView"], "groupId" | "name" | "accountId" | "region"> & {
  serverCount?: number | undefined;
};

export interface WaveDraft {
  /** Stable React key, independent of the editable wave ID. */
  key: string;
  waveId: string;
  name: string;
  description: string;
  protectionGroupIds: string[];
  dependsOn: string[];
  pauseBefore: boolean;
  onFailure: "abort" | "continue" | "pause";
  timeoutSeconds: string;
  preActions: WaveAction[];
  postActions: WaveAction[];
}

export interface PlanDraft {
  name: string;
  description: string;
  rpoSeconds: string;
  rtoSeconds: string;
  waves: WaveDraft[];
}

/** Field path → messages; paths are `name`, `rtoSeconds`, `waves`, `waves.<i>.<field>`. */
export type PlanProblems = Map<string, string[]>;

let keySeq = 0;
export const newKey = () => `w${++keySeq}`;

export const DEFAULT_TIMEOUT_SECONDS = 3600;
const WAVE_ID = /^[a-z0-9-]{1,64}$/;

export function newWave(index: number, existing: WaveDraft[]): WaveDraft {
  let n = index + 1;
  while (existing.some((w) => w.waveId === `wave-${n}`)) n++;
  return {
    key: newKey(),
    waveId: `wave-${n}`,
    name: `Wave ${n}`,
    description: "",
    protectionGroupIds: [],
    dependsOn: [],
    pauseBefore: false,
    onFailure: "abort",
    timeoutSeconds: String(DEFAULT_TIMEOUT_SECONDS),
    preActions: [],
    postActions: [],
  };
}

export function emptyPlan(): PlanDraft {
  return { name: "", description: "", rpoSeconds: "", rtoSeconds: "3600", waves: [newWave(0, [])] };
}

type WaveLike = Partial<Schemas["WaveInput"]> & { waveId?: string };

export function draftFromPlan(plan: {
  name?: string;
  description?: string;
  rpoSeconds?: number;
  rtoSeconds?: number;
  waves?: WaveLike[];
}): PlanDraft {
  return {
    name: plan.name ?? "",
    description: plan.description ?? "",
    rpoSeconds: plan.rpoSeconds === undefined ? "" : String(plan.rpoSeconds),
    rtoSeconds: plan.rtoSeconds === undefined ? "" : String(plan.rtoSeconds),
    waves: (plan.waves ?? []).map((w, i) => ({
      key: newKey(),
      waveId: w.waveId ?? `wave-${i + 1}`,
      name: w.name ?? `Wave ${i + 1}`,
      description: w.description ?? "",
      protectionGroupIds: [...(w.protectionGroupIds ?? [])],
      dependsOn: [...(w.dependsOn ?? [])],
      pauseBefore: w.pauseBefore ?? false,
      onFailure: w.onFailure ?? "abort",
      timeoutSeconds: String(w.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      preActions: [...(w.preActions ?? [])],
      postActions: [...(w.postActions ?? [])],
    })),
  };
}

const intOrUndefined = (s: string) => (s.trim() === "" ? undefined : Number(s));

/** The API body of a draft (assumes `validatePlan` found no problem). */
export function planInputOf(draft: PlanDraft): PlanInput {
  const rpo = intOrUndefined(draft.rpoSeconds);
  const rto = intOrUndefined(draft.rtoSeconds);
  return {
    name: draft.name.trim(),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    ...(rpo !== undefined ? { rpoSeconds: rpo } : {}),
    ...(rto !== undefined ? { rtoSeconds: rto } : {}),
    waves: draft.waves.map((w) => ({
      waveId: w.waveId,
      name: w.name.trim(),
      ...(w.description.trim() ? { description: w.description.trim() } : {}),
      protectionGroupIds: w.protectionGroupIds,
      dependsOn: w.dependsOn,
      pauseBefore: w.pauseBefore,
      preActions: w.preActions,
      postActions: w.postActions,
      onFailure: w.onFailure,
      timeoutSeconds: Number(w.timeoutSeconds) || DEFAULT_TIMEOUT_SECONDS,
    })),
  };
}

function add(problems: PlanProblems, path: string, message: string) {
  const list = problems.get(path) ?? [];
  if (!list.includes(message)) list.push(message);
  problems.set(path, list);
}

function findCycle(waves: WaveDraft[]): string[] | undefined {
  const deps = new Map(waves.map((w) => [w.waveId, w.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === "done") return undefined;
    if (s === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep) || dep === id) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const w of waves) {
    const found = visit(w.waveId);
    if (found) return found;
  }
  return undefined;
}

const isInt = (s: string) => /^\d+$/.test(s.trim());

/**
 * Client-side validation, placed at the field that is wrong (the same rules and paths as the API's, so the
 * server's answers land in the same places): unknown or self dependencies, cycles (on every wave of the
 * cycle), a protection group in two waves, unknown groups, bad IDs, timeouts and targets.
 */
export function validatePlan(draft: PlanDraft, groups: readonly GroupRef[] | undefined): PlanProblems {
  const problems: PlanProblems = new Map();
  if (!draft.name.trim()) add(problems, "name", "A plan needs a name.");
  if (draft.rtoSeconds.trim() && (!isInt(draft.rtoSeconds) || Number(draft.rtoSeconds) < 1))
    add(problems, "rtoSeconds", "The RTO target is a whole number of seconds, at least 1.");
  if (draft.rpoSeconds.trim() && !isInt(draft.rpoSeconds))
    add(problems, "rpoSeconds", "The RPO target is a whole number of seconds.");
  if (draft.waves.length === 0) add(problems, "waves", "A plan needs at least one wave.");
  const ids = new Map<string, number>();
  draft.waves.forEach((w, i) => {
    if (!WAVE_ID.test(w.waveId))
      add(problems, `waves.${i}.waveId`, "Lower-case letters, digits and dashes, up to 64 characters.");
    else if (ids.has(w.waveId)) add(problems, `waves.${i}.waveId`, `Duplicate wave ID '${w.waveId}'.`);
    else ids.set(w.waveId, i);
    if (!w.name.trim()) add(problems, `waves.${i}.name`, "A wave needs a name.");
    if (!isInt(w.timeoutSeconds) || Number(w.timeoutSeconds) < 60 || Number(w.timeoutSeconds) > 604800)
      add(problems, `waves.${i}.timeoutSeconds`, "Between 60 seconds and 7 days (604800 seconds).");
  });
  const groupById = new Map((groups ?? []).map((g) => [g.groupId, g]));
  const usedIn = new Map<string, string>();
  draft.waves.forEach((w, i) => {
    if (w.protectionGroupIds.length === 0)
      add(problems, `waves.${i}.protectionGroupIds`, "Choose at least one protection group.");
    for (const id of w.protectionGroupIds) {
      const name = groupById.get(id)?.name ?? id;
      if (groups && !groupById.has(id))
        add(problems, `waves.${i}.protectionGroupIds`, `Unknown protection group '${id}'.`);
      const other = usedIn.get(id);
      if (other !== undefined && other !== w.waveId)
        add(
          problems,
          `waves.${i}.protectionGroupIds`,
          `Protection group '${name}' is already in wave '${other}'.`,
        );
      else usedIn.set(id, w.waveId);
    }
    for (const dep of w.dependsOn) {
      if (dep === w.waveId) add(problems, `waves.${i}.dependsOn`, "A wave cannot depend on itself.");
      else if (!ids.has(dep)) add(problems, `waves.${i}.dependsOn`, `Unknown wave '${dep}'.`);
    }
  });
  const cycle = findCycle(draft.waves);
  if (cycle) {
    const message = `Dependency cycle: ${cycle.join(" → ")}.`;
    for (const id of new Set(cycle)) {
      const i = ids.get(id);
      if (i !== undefined) add(problems, `waves.${i}.dependsOn`, message);
    }
  }
  return problems;
}

/** The editor's field path of an API issue path (`waves.1.dependsOn.0` → `waves.1.dependsOn`). */
export function fieldPathOf(apiPath: string): string {
  const parts = apiPath.split(".");
  if (parts[0] === "waves" && parts.length >= 3) {
    const field = parts[2] === "preActions" || parts[2] === "postActions" ? parts[2] : parts[2];
    return `waves.${parts[1]}.${field}`;
  }
  if (parts[0] === "waves" && parts.length === 2) return `waves.${parts[1]}.name`;
  return parts[0] ?? apiPath;
}

export function mergeProblems(
  into: PlanProblems,
  issues: Array<{ path: string; message: string }>,
): PlanProblems {
  const merged: PlanProblems = new Map([...into].map(([k, v]) => [k, [...v]]));
  for (const issue of issues) add(merged, fieldPathOf(issue.path), issue.message);
  return merged;
}

/** Problems by wave ID, for the graph. */
export function problemsByWave(draft: PlanDraft, problems: PlanProblems): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [path, messages] of problems) {
    const m = /^waves\.(\d+)\./.exec(path);
    const wave = m ? draft.waves[Number(m[1])] : undefined;
    if (wave) out.set(wave.waveId, [...(out.get(wave.waveId) ?? []), ...messages]);
  }
  return out;
}

/** The exported document: the API's plan input, groups also named for people reading the file. */
export function exportDocument(draft: PlanDraft, groups: readonly GroupRef[]) {
  const input = planInputOf(draft);
  const names = new Map(groups.map((g) => [g.groupId, g.name]));
  return {
    kind: "drs-orchestrator/recovery-plan",
    version: 1,
    ...input,
    waves: input.waves.map((w) => ({
      ...w,
      protectionGroupNames: w.protectionGroupIds.map((id) => names.get(id) ?? id),
    })),
  };
}

/**
 * A plan document (YAML or JSON, as exported) into a draft. Protection groups may be given by ID or, when
 * the IDs are from another installation, by name (`protectionGroupNames`).
 */
export function importDocument(value: unknown, groups: readonly GroupRef[]): PlanDraft {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("The file is not a recovery plan document (expected an object with name and waves).");
  const doc = value as Record<string, unknown>;
  if (!Array.isArray(doc.waves)) throw new Error("The document has no waves list.");
  const byId = new Set(groups.map((g) => g.groupId));
  const byName = new Map(groups.map((g) => [g.name, g.groupId]));
  const waves = (doc.waves as Array<Record<string, unknown>>).map((w) => {
    const ids = Array.isArray(w.protectionGroupIds) ? (w.protectionGroupIds as string[]) : [];
    const names = Array.isArray(w.protectionGroupNames) ? (w.protectionGroupNames as string[]) : [];
    const resolved = ids.map((id, i) =>
      byId.has(id) ? id : (byName.get(names[i] ?? "") ?? byName.get(id) ?? id),
    );
    if (ids.length === 0) resolved.push(...names.map((n) => byName.get(n) ?? n));
    const { protectionGroupNames: _, ...rest } = w;
    return { ...(rest as WaveLike), protectionGroupIds: resolved };
  });
  return draftFromPlan({
    ...(typeof doc.name === "string" ? { name: doc.name } : {}),
    ...(typeof doc.description === "string" ? { description: doc.description } : {}),
    ...(typeof doc.rpoSeconds === "number" ? { rpoSeconds: doc.rpoSeconds } : {}),
    ...(typeof doc.rtoSeconds === "number" ? { rtoSeconds: doc.rtoSeconds } : {}),
    waves,
  });
}

/** Each wave's effective predecessors: sequential (the previous wave) while no wave has `dependsOn`, else its own. */
function effectiveAfter(draft: PlanDraft): Map<string, string[]> {
  const dag = draft.waves.some((w) => w.dependsOn.length > 0);
  return new Map(
    draft.waves.map((w, i) => [w.waveId, dag ? w.dependsOn : i > 0 ? [draft.waves[i - 1]!.waveId] : []]),
  );
}

/**
 * The waves (other than the one edited) that waited for another wave before an edit and start immediately
 * after it: a first `dependsOn` anywhere turns the plan from sequential into an explicit graph, and every
 * wave without its own dependencies then starts with the execution.
 */
export function newlyImmediate(before: PlanDraft, after: PlanDraft, editedWaveId?: string): string[] {
  const was = effectiveAfter(before);
  const now = effectiveAfter(after);
  return after.waves
    .filter(
      (w) =>
        w.waveId !== editedWaveId &&
        (was.get(w.waveId)?.length ?? 0) > 0 &&
        (now.get(w.waveId)?.length ?? 0) === 0,
    )
    .map((w) => w.waveId);
}

/**
 * The reverse: the waves (other than the one edited) that started immediately before an edit and wait for the
 * previous wave after it (the last `dependsOn` went: the plan runs in list order again).
 */
export function newlyOrdered(before: PlanDraft, after: PlanDraft, editedWaveId?: string): string[] {
  const was = effectiveAfter(before);
  const now = effectiveAfter(after);
  return after.waves
    .filter(
      (w) =>
        w.waveId !== editedWaveId &&
        (was.get(w.waveId)?.length ?? 0) === 0 &&
        (now.get(w.waveId)?.length ?? 0) > 0,
    )
    .map((w) => w.waveId);
}

/** Of the given waves, those that wait for the previous wave in a plan that runs in list order. */
export function stillOrdered(draft: PlanDraft, waveIds: readonly string[]): WaveDraft[] {
  if (draft.waves.some((w) => w.dependsOn.length > 0)) return [];
  return draft.waves.filter((w, i) => i > 0 && waveIds.includes(w.waveId));
}

/** Of the given waves, those that still start immediately in a plan with explicit dependencies. */
export function stillImmediate(draft: PlanDraft, waveIds: readonly string[]): WaveDraft[] {
  const now = effectiveAfter(draft);
  if (!draft.waves.some((w) => w.dependsOn.length > 0)) return [];
  return draft.waves.filter((w) => waveIds.includes(w.waveId) && (now.get(w.waveId)?.length ?? 0) === 0);
}

/** Problems shown while editing, before Save or Validate: the plan's structure (dependencies, empty waves). */
export function liveProblems(problems: PlanProblems): PlanProblems {
  return new Map([...problems].filter(([path]) => /\.(dependsOn|protectionGroupIds)$/.test(path)));
}
