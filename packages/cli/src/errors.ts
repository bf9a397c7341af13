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
