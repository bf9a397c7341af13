import { plural } from "@drso/core";
import type { Change, ChangeSet, FieldChange } from "./diff.js";
import type { GroupSpec, PlanSpec } from "./model.js";

const SYMBOL = { create: "+", update: "~", delete: "-" } as const;

/** A Terraform-like plan: `+` create, `~` update with its field changes, `-` delete, then a summary. */
export function renderChangeSet(changeSet: ChangeSet, options: { prune: boolean }): string {
  const lines: string[] = [];
  for (const change of changeSet.changes) {
    lines.push(`${SYMBOL[change.action]} ${change.kind} "${change.name}"${headline(change)}`);
    if (change.action === "update") for (const field of change.fields) lines.push(`    ${fieldLine(field)}`);
  }
  if (lines.length > 0) lines.push("");
  const { create, update, delete: remove } = changeSet.summary;
  lines.push(
    create + update + remove === 0
      ? "No changes: the server matches the file."
      : `Plan: ${create} to create, ${update} to update, ${remove} to delete.`,
  );
  if (!options.prune && changeSet.unmanaged.length > 0) {
    lines.push(
      `Not in the file and left alone (--prune deletes them): ${changeSet.unmanaged
        .map((u) => `${u.kind} "${u.name}"`)
        .join(", ")}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function headline(change: Change): string {
  if (change.action === "delete") return ` (${change.id})`;
  if (change.action === "update") return "";
  if (change.kind === "protection-group") return ` (${groupSummary(change.spec)})`;
  return ` (${planSummary(change.spec)})`;
}

function groupSummary(spec: GroupSpec): string {
  const selection = spec.sourceServerIds
    ? plural(spec.sourceServerIds.length, "server")
    : `tags ${Object.entries(spec.serverSelectionTags ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`;
  return `${spec.accountId}/${spec.region}, ${selection}`;
}

function planSummary(spec: PlanSpec): string {
  return `${plural(spec.waves.length, "wave")}: ${spec.waves.map((w) => w.waveId).join(", ")}`;
}

function fieldLine(field: FieldChange): string {
  if (!("before" in field)) return `+ ${field.path}: ${show(field.after)}`;
  if (!("after" in field)) return `- ${field.path}: ${show(field.before)}`;
  return `~ ${field.path}: ${show(field.before)} → ${show(field.after)}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** The machine-readable form of a change set (`--output json|yaml`): stable field names, no internals. */
export function changeSetDocument(changeSet: ChangeSet) {
  return {
    changes: changeSet.changes.map((c) => {
      const base = { action: c.action, kind: c.kind, name: c.name };
      if (c.action === "create") return { ...base, spec: c.spec };
      if (c.action === "update") return { ...base, id: c.id, version: c.version, fields: c.fields };
      return { ...base, id: c.id, version: c.version };
    }),
    summary: changeSet.summary,
    unmanaged: changeSet.unmanaged,
  };
}
