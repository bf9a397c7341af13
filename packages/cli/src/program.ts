import { ApiError } from "@drso/client";
import { Command, CommanderError, Option } from "commander";
import { registerAuthCommands } from "./commands/auth.js";
import { CHECK_EXIT, registerCheckCommand } from "./commands/check.js";
import { registerCompletionCommand } from "./commands/completion.js";
import { type ExitState, registerExecutionCommands } from "./commands/executions.js";
import { registerPlanCommands } from "./commands/plans.js";
import { registerResourceCommands } from "./commands/resources.js";
import { examples } from "./commands/shared.js";
import { CommandContext, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import type { CliIo } from "./io.js";
import { OUTPUT_FORMATS, printResult } from "./output.js";
import { VERSION } from "./version.js";

/** The whole command tree; `io` is the outside world (process streams in the binary, fakes in tests). */
export function createProgram(io: CliIo, exit: ExitState = { code: EXIT.OK }): Command {
  const program = new Command("drsctl");
  const ctx = new CommandContext(io, () => program.opts<GlobalOptions>());
  program
    .description(
      "Command line for DRS Orchestrator: plans as code (validate, diff, apply, export), drills and recoveries from pipelines and terminals.",
    )
    .addOption(
      new Option(
        "-p, --profile <name>",
        "profile to use (default: DRSCTL_PROFILE, then the current profile)",
      ),
    )
    .addOption(new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("table"))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      `
Environment:
  DRSCTL_URL, DRSCTL_EMAIL, DRSCTL_PASSWORD   deployment and credentials (pipelines: no login step needed)
  DRSCTL_PROFILE                              profile to use
  DRSCTL_CONFIG                               configuration file (default: $XDG_CONFIG_HOME/drsctl/config.yaml)

Exit codes: 0 ok, 1 failure, 2 usage error, 3 an execution ended FAILED or CANCELLED.
  drsctl check: 0 READY, 1 WARNINGS, 2 NOT_READY, 4 usage error, 5 could not check.

Examples:
  drsctl login --url http://127.0.0.1:8080 --email admin@example.com
  drsctl apply -f plans.yaml
  drsctl run payments --drill --wait
`,
    );

  registerAuthCommands(program, ctx);
  registerPlanCommands(program, ctx);
  registerResourceCommands(program, ctx);
  registerExecutionCommands(program, ctx, exit);
  registerCheckCommand(program, ctx, exit);
  registerCompletionCommand(program, ctx);

  examples(
    program
      .command("version")
      .description("Print the drsctl version, and the server's when a profile is configured")
      .action(async () => {
        const result: { client: string; server?: string; url?: string } = { client: VERSION };
        try {
          const { api, profile } = await ctx.connect();
          const health = await api.GET("/health");
          if (health.data) {
            result.server = health.data.version;
            result.url = profile.profile.url;
          }
        } catch {
          // not configured or not reachable: the client version is still an answer
        }
        printResult(
          io.stdout,
          ctx.output,
          result,
          () => `drsctl ${VERSION}${result.server ? `\nserver ${result.server} (${result.url})` : ""}\n`,
        );
      }),
    ["drsctl version", "drsctl version -o json"],
  );

  // Every command, however deep, shows the global options in its help too.
  const inheritHelp = (command: Command) => {
    command.showHelpAfterError("(add --help for usage and examples)");
    for (const sub of command.commands) inheritHelp(sub);
  };
  inheritHelp(program);
  return program;
}

/** Runs drsctl with `argv` (without node and script), returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const exit: ExitState = { code: EXIT.OK };
  const program = createProgram(io, exit);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.OK;
      if (error.code === "commander.help") return EXIT.OK;
      if (error.code === "commander.executeSubCommandAsync") return EXIT.FAILURE;
      if (error.exitCode === 0) return EXIT.OK;
      // check's 1 and 2 mean WARNINGS and NOT_READY: its usage errors have a code of their own.
      return argv[0] === "check" ? CHECK_EXIT.USAGE : EXIT.USAGE;
    }
    if (error instanceof CliError || error instanceof ApiError) {
      io.stderr.write(`error: ${error.message}\n`);
      if (error instanceof ApiError && error.status === 401) {
        io.stderr.write("hint: sign in again with drsctl login\n");
      }
      return error instanceof CliError ? error.exitCode : EXIT.FAILURE;
    }
    io.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.FAILURE;
  }
}
