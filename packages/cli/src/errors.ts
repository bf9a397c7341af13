/** Exit codes scripts can rely on (docs/cli.md). */
export const EXIT = {
  OK: 0,
  /** The command failed: API or network error, invalid file, server refused a change. */
  FAILURE: 1,
  /** Bad command line: unknown command or option, missing argument, missing confirmation. */
  USAGE: 2,
  /** An execution the command waited for ended FAILED or CANCELLED. */
  EXECUTION_FAILED: 3,
  /** Ctrl-C at a prompt (128 + SIGINT, as shells report it). */
  INTERRUPTED: 130,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
    this.name = "UsageError";
  }
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
  [key: string]: unknown;
}

/** An HTTP error answer of the API (problem+json), or a network failure (status 0). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly method: string,
    readonly path: string,
  ) {
    super(ApiError.describe(status, problem, method, path), EXIT.FAILURE);
    this.name = "ApiError";
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** Network failures, 5xx and throttling are worth retrying; 4xx answers are not. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  private static describe(status: number, problem: Problem, method: string, path: string): string {
    if (status === 0) return `cannot reach the API (${method} ${path}): ${problem.detail ?? "network error"}`;
    const head = `${method} ${path} → ${status}${problem.code ? ` ${problem.code}` : ""}`;
    const detail = problem.detail ?? problem.title ?? "";
    const fields = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join("");
    return `${head}: ${detail}${fields}`;
  }
}
