import type { FieldProblem } from "../model/drs-error.js";
import { isIsoDateTime } from "../model/time-format.js";

/**
 * A small schema language for the request constraints of the DRS model (spec §3, §4; botocore
 * `service-2.json`). The SDK validates nothing, so this is the only validator between a client and the model.
 */
export type Schema =
  | { type: "string"; min?: number; max?: number; pattern?: RegExp; enum?: readonly string[] }
  | { type: "dateTime" }
  | { type: "integer"; min?: number; max?: number }
  | { type: "long"; min?: number; max?: number }
  | { type: "boolean" }
  | { type: "list"; member: Schema; min?: number; max?: number }
  | { type: "map"; key: Schema; value: Schema; maxEntries?: number }
  | { type: "structure"; members: Record<string, Schema>; required?: readonly string[] };

const MAX_PROBLEMS = 20;

/** Returns the constraint violations of `value` (empty when valid). Unknown members are ignored. */
export function validate(value: unknown, schema: Schema, path = ""): FieldProblem[] {
  const problems: FieldProblem[] = [];
  check(value, schema, path, problems);
  return problems;
}

function add(problems: FieldProblem[], name: string, message: string): void {
  if (problems.length < MAX_PROBLEMS) problems.push({ name: name || "body", message });
}

function join(path: string, member: string | number): string {
  return path ? `${path}.${member}` : String(member);
}

function check(value: unknown, schema: Schema, path: string, problems: FieldProblem[]): void {
  if (problems.length >= MAX_PROBLEMS) return;
  switch (schema.type) {
    case "string": {
      if (typeof value !== "string") {
        add(problems, path, "Expected a string");
        return;
      }
      if (schema.min !== undefined && value.length < schema.min) {
        add(problems, path, `Must be at least ${schema.min} characters long`);
        return;
      }
      if (schema.max !== undefined && value.length > schema.max) {
        add(problems, path, `Must be at most ${schema.max} characters long`);
        return;
      }
      if (schema.enum && !schema.enum.includes(value)) {
        add(problems, path, `Must be one of: ${schema.enum.join(", ")}`);
        return;
      }
      if (schema.pattern && !schema.pattern.test(value)) {
        add(problems, path, `Must match pattern ${schema.pattern.source}`);
        return;
      }
      return;
    }
    case "dateTime":
      if (typeof value !== "string" || !isIsoDateTime(value))
        add(problems, path, "Must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z");
      return;
    case "integer":
    case "long": {
      if (typeof value !== "number" || !Number.isSafeInteger(value)) {
        add(problems, path, "Expected an integer");
        return;
      }
      if (schema.min !== undefined && value < schema.min) {
        add(problems, path, `Must be at least ${schema.min}`);
        return;
      }
      if (schema.max !== undefined && value > schema.max) {
        add(problems, path, `Must be at most ${schema.max}`);
        return;
      }
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") add(problems, path, "Expected a boolean");
      return;
    case "list": {
      if (!Array.isArray(value)) {
        add(problems, path, "Expected a list");
        return;
      }
      if (schema.min !== undefined && value.length < schema.min) {
        add(problems, path, `Must contain at least ${schema.min} item(s)`);
        return;
      }
      if (schema.max !== undefined && value.length > schema.max) {
        add(problems, path, `Must contain at most ${schema.max} item(s)`);
        return;
      }
      value.forEach((item, i) => {
        check(item, schema.member, join(path, i), problems);
      });
      return;
    }
    case "map": {
      if (!isPlainObject(value)) {
        add(problems, path, "Expected a map");
        return;
      }
      const entries = Object.entries(value);
      if (schema.maxEntries !== undefined && entries.length > schema.maxEntries) {
        add(problems, path, `Must contain at most ${schema.maxEntries} entries`);
        return;
      }
      for (const [key, item] of entries) {
        check(key, schema.key, join(path, key), problems);
        check(item, schema.value, join(path, key), problems);
      }
      return;
    }
    case "structure": {
      if (!isPlainObject(value)) {
        add(problems, path, "Expected an object");
        return;
      }
      for (const name of schema.required ?? []) {
        if (value[name] === undefined || value[name] === null) add(problems, join(path, name), "Required");
      }
      for (const [name, member] of Object.entries(schema.members)) {
        const item = value[name];
        if (item === undefined || item === null) continue;
        check(item, member, join(path, name), problems);
      }
      return;
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
