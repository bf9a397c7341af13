import { normalizeWaves, validateWaveGraph } from "@drso/core";
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type PlanFile, PlanFileSchema } from "./format.js";

/** One problem in a plans file, located at a line and column of the YAML source. */
export interface FileIssue {
  file: string;
  line: number;
  col: number;
  /** Where in the document, e.g. `recoveryPlans[0].waves[1].onFailure`; empty for YAML syntax errors. */
  path: string;
  message: string;
}

export type ParseResult = { ok: true; plan: PlanFile } | { ok: false; issues: FileIssue[] };

/** `file:LINE:COL: path: message`, the format editors and CI annotations understand. */
export function formatIssue(issue: FileIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * Parses and validates a plans file: YAML syntax, the schema (derived from the API's input schemas) and the
 * references between resources (group names, wave IDs, wave dependency cycles). Every issue carries the
 * position of the YAML node it is about.
 */
export function parsePlanFile(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, version: "1.2" });
  const at = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? at(e.pos[0]);
        return { file, line: pos.line, col: pos.col, path: "", message: firstLine(e.message) };
      }),
    };
  }

  const locate = (path: readonly PropertyKey[], key?: string) => locateNode(doc, path, key, at);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = PlanFileSchema.safeParse(value ?? {});
  if (!parsed.success) {
    return { ok: false, issues: sortIssues(parsed.error.issues.flatMap((i) => zodIssue(i, file, locate))) };
  }
  const referenceIssues = checkReferences(parsed.data).map(({ path, message }) => {
    const pos = locate(path);
    return { file, line: pos.line, col: pos.col, path: formatPath(path), message };
  });
  if (referenceIssues.length > 0) return { ok: false, issues: sortIssues(referenceIssues) };
  return { ok: true, plan: parsed.data };
}

/** The yaml library's message without its own position suffix (the issue carries the position). */
function firstLine(message: string): string {
  return message
    .split("\n")[0]!
    .replace(/ at line \d+, column \d+:?$/, "")
    .trim();
}

function sortIssues(issues: FileIssue[]): FileIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

type Locate = (path: readonly PropertyKey[], key?: string) => { line: number; col: number };

function zodIssue(issue: z.core.$ZodIssue, file: string, locate: Locate): FileIssue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const pos = locate(issue.path, key);
      const hint = key === "protectionGroupIds" ? " (name the groups in protectionGroups instead)" : "";
      return {
        file,
        ...pos,
        path: formatPath([...issue.path, key]),
        message: `unknown field "${key}"${hint}`,
      };
    });
  }
  const pos = locate(issue.path);
  let message = issue.message;
  if (issue.code === "invalid_type" && issue.expected === "string" && /received number/.test(message)) {
    message += ' (quote it in YAML, e.g. accountId: "012345678901", or leading zeros are lost)';
  }
  return [{ file, ...pos, path: formatPath(issue.path), message }];
}

/**
 * The position of the node at `path` (of the key `key` of the map there when given). A path that does not
 * exist in the document (a missing required field) points at the closest node that does.
 */
function locateNode(
  doc: Document,
  path: readonly PropertyKey[],
  key: string | undefined,
  at: (offset: number) => { line: number; col: number },
): { line: number; col: number } {
  let node: unknown = doc.contents;
  let last: Node | null = (doc.contents as Node | null) ?? null;
  for (const segment of path) {
    const next = child(node, segment);
    if (next === undefined) break;
    node = next.value ?? next.key;
    last = (next.value ?? next.key) as Node;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0]);
  }
  const range = last?.range;
  return range ? at(range[0]) : { line: 1, col: 1 };
}

function child(node: unknown, segment: PropertyKey): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    if (!pair) return undefined;
    const result: { key?: Node; value?: Node } = {};
    if (pair.key) result.key = pair.key as Node;
    if (pair.value) result.value = pair.value as Node;
    return result;
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment];
    return item ? { value: item as Node } : undefined;
  }
  return undefined;
}

/** Cross-resource rules the schema cannot express: unique names, group references, the wave graph. */
export function checkReferences(plan: PlanFile): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const groupIndex = new Map<string, number>();
  (plan.protectionGroups ?? []).forEach((g, i) => {
    const key = g.name.toLowerCase();
    const first = groupIndex.get(key);
    if (first !== undefined) {
      issues.push({
        path: ["protectionGroups", i, "name"],
        message: `duplicate protection group name "${g.name}" (names are case-insensitive; first at protectionGroups[${first}])`,
      });
    } else groupIndex.set(key, i);
  });
  const planIndex = new Map<string, number>();
  (plan.recoveryPlans ?? []).forEach((p, i) => {
    const key = p.name.toLowerCase();
    const first = planIndex.get(key);
    if (first !== undefined) {
      issues.push({
        path: ["recoveryPlans", i, "name"],
        message: `duplicate recovery plan name "${p.name}" (names are case-insensitive; first at recoveryPlans[${first}])`,
      });
    } else planIndex.set(key, i);

    p.waves.forEach((w, j) => {
      w.protectionGroups.forEach((name, k) => {
        if (!groupIndex.has(name.toLowerCase())) {
          issues.push({
            path: ["recoveryPlans", i, "waves", j, "protectionGroups", k],
            message: `unknown protection group "${name}": define it under protectionGroups in this file`,
          });
        }
      });
    });
    const normalized = normalizeWaves(p.waves.map((w) => ({ ...w, protectionGroupIds: w.protectionGroups })));
    for (const issue of validateWaveGraph(normalized)) {
      const segments = issue.path.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      issues.push({ path: ["recoveryPlans", i, ...segments], message: issue.message });
    }
  });
  return issues;
}
