import { ApiError, type components, unwrap } from "@drso/client";
import { type Command, Option } from "commander";
import type { CommandContext } from "../context.js";
import { CliError } from "../errors.js";
import { printResult, renderTable } from "../output.js";
import type { ExitState } from "./executions.js";
import { examples, resolvePlan } from "./shared.js";

/**
 * Exit codes of `drsctl check` (docs/cli.md): the plan's readiness for pipelines, and codes of their own for a
 * check that could not be made, so that a pipeline never mistakes "could not ask" for WARNINGS or NOT_READY.
 */
export const CHECK_EXIT = {
  READY: 0,
  WARNINGS: 1,
  NOT_READY: 2,
  /** Bad command line or no such plan. */
  USAGE: 4,
  /** Could not check: not signed in, no permission, network or server error. */
  UNAVAILABLE: 5,
} as const;

export function registerCheckCommand(program: Command, ctx: CommandContext, exit: ExitState): void {
  examples(
    program
      .command("check")
      .argument("[plan]", "recovery plan name or ID")
      .description(
        "Check a recovery plan's readiness (replication, snapshots, launch settings, quotas, accounts, drills); exit 0 READY, 1 WARNINGS, 2 NOT_READY, 4 usage, 5 could not check",
      )
      .addOption(new Option("--cached", "show the latest stored evaluation instead of evaluating now"))
      .action(async (planRef: string | undefined, options: { cached?: boolean }) => {
        if (!planRef) throw new CliError("give the plan's name or ID: drsctl check PLAN", CHECK_EXIT.USAGE);
        let result: components["schemas"]["PlanReadiness"];
        try {
          const api = await ctx.api();
          const plan = await resolvePlan(api, planRef);
          const params = { params: { path: { id: plan.planId } } };
          result = await unwrap(
            options.cached
              ? api.GET("/recovery-plans/{id}/readiness", params)
              : api.POST("/recovery-plans/{id}/readiness", params),
          );
        } catch (error) {
          const notFound =
            (error instanceof ApiError && error.status === 404) ||
            (error instanceof CliError && error.message.startsWith("no recovery plan named"));
          throw new CliError(
            error instanceof Error ? error.message : String(error),
            notFound ? CHECK_EXIT.USAGE : CHECK_EXIT.UNAVAILABLE,
          );
        }
        const r = result;
        printResult(ctx.io.stdout, ctx.output, r, () => {
          const head = `${planRef}: ${r.status} (${r.serverCount} servers, evaluated ${r.evaluatedAt})\n`;
          const rows = r.checks.map((c) => ({
            ...c,
            where: [c.waveName && `wave ${c.waveName}`, c.hostname ?? c.sourceServerId ?? c.accountId]
              .filter(Boolean)
              .join(" / "),
          }));
          const table =
            rows.length === 0
              ? ""
              : renderTable(rows, [
                  { header: "severity", value: (c) => c.severity },
                  { header: "check", value: (c) => c.check },
                  { header: "where", value: (c) => c.where || "plan" },
                  { header: "problem", value: (c) => c.message },
                ]) + rows.map((c, i) => `fix ${i + 1} (${c.check}): ${c.fix}\n`).join("");
          const skipped = r.notApplicable.map((n) => `not checked: ${n.check} (${n.reason})\n`).join("");
          return head + table + skipped;
        });
        exit.code = CHECK_EXIT[r.status];
      }),
    ["drsctl check payments", "drsctl check payments -o json", "drsctl check payments --cached"],
  );
}
