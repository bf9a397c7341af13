import { stringify } from "yaml";
import type { OutputStream } from "./io.js";

export type OutputFormat = "table" | "json" | "yaml";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "json", "yaml"];

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** A plain-text table: a header row, columns padded to their widest cell, two spaces apart. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row))));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)].join("\n") + "\n";
}

export function cellText(value: unknown): string {
  if (value === undefined || value === null || value === "") return "-";
  if (Array.isArray(value)) return value.map(cellText).join(",");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${cellText(v)}`)
      .join(",");
  }
  return String(value).replace(/[\r\n\t]+/g, " ");
}

/** JSON with two-space indentation and a final newline: stable for scripts (`jq`). */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/**
 * Prints a command's result: the API document as JSON or YAML, or a table (or a custom text) for people.
 */
export function printResult<T>(
  out: OutputStream,
  format: OutputFormat,
  value: unknown,
  table: { rows: readonly T[]; columns: readonly Column<T>[] } | (() => string),
): void {
  if (format === "json") out.write(toJson(value));
  else if (format === "yaml") out.write(toYaml(value));
  else if (typeof table === "function") out.write(table());
  else if (table.rows.length === 0) out.write("No resources found.\n");
  else out.write(renderTable(table.rows, table.columns));
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "-";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * A time for people: local time with its zone offset ("2026-11-23 14:05:09 +01:00", or "UTC"), so that a
 * drill log read in another office is not off by hours. Machine output (-o json|yaml) keeps the API's ISO.
 */
export function formatTime(value: string | number | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = typeof value === "number" ? value : Date.parse(value);
  if (Number.isNaN(ms)) return String(value);
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const zone =
    offset === 0
      ? "UTC"
      : `${offset > 0 ? "+" : "-"}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(
    d.getMinutes(),
  )}:${pad2(d.getSeconds())} ${zone}`;
}
