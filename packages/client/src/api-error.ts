import type { components } from "./schema.js";

/** A problem+json answer as it may arrive: a proxy or load balancer in between sends fewer fields. */
export type Problem = Partial<components["schemas"]["Problem"]>;

export interface FieldError {
  path: string;
  message: string;
}

/**
 * An HTTP error answer of the API (problem+json), or a network failure (status 0). With the request known
 * (`method`, `path`), the message names it, the way drsctl prints it; without, it is the problem's own text.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly method?: string,
    readonly path?: string,
  ) {
    super(ApiError.describe(status, problem, method, path));
    this.name = "ApiError";
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }

  /** What the problem says, without the request: its detail, else its title, else the status. */
  get summary(): string {
    return summaryOf(this.status, this.problem);
  }

  /** Network failures, 5xx and throttling are worth retrying; 4xx answers are not. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  private static describe(status: number, problem: Problem, method?: string, path?: string): string {
    if (method === undefined || path === undefined) return summaryOf(status, problem);
    if (status === 0) return `cannot reach the API (${method} ${path}): ${problem.detail ?? "network error"}`;
    const head = `${method} ${path} → ${status}${problem.code ? ` ${problem.code}` : ""}`;
    const detail = problem.detail ?? problem.title ?? "";
    const fields = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join("");
    return `${head}: ${detail}${fields}`;
  }
}

function summaryOf(status: number, problem: Problem): string {
  return problem.detail ?? problem.title ?? `HTTP ${status}`;
}
