export { createApiClient } from "@drso/client";
export { CliError, EXIT, UsageError } from "./errors.js";
export type { CliIo } from "./io.js";
export { computeChanges } from "./plans/diff.js";
export { API_VERSION, KIND, type PlanFile, PlanFileSchema, planFileJsonSchema } from "./plans/format.js";
export { formatIssue, parsePlanFile } from "./plans/parse.js";
export { createProgram, runCli } from "./program.js";
