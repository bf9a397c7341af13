import { plural } from "@drso/core";
import type { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { toJson, toYaml } from "../output.js";
import { computeChanges } from "../plans/diff.js";
import type { PlanFile } from "../plans/format.js";
import { planFileOf } from "../plans/model.js";
import { formatIssue, parsePlanFile } from "../plans/parse.js";
import { ApplyError, applyChanges, readServerState } from "../plans/remote.js";
import { changeSetDocument, renderChangeSet } from "../plans/render.js";
import { examples } from "./shared.js";

async function readPlanFile(
  ctx: CommandContext,
  file: string | undefined,
): Promise<{ plan: PlanFile; name: string }> {
  if (!file) throw new UsageError("give the plans file with -f FILE (or -f - for standard input)");
  const name = file === "-" ? "<stdin>" : file;
  let text: string;
  try {
    text = file === "-" ? await ctx.io.readStdin() : await ctx.io.readFile(file);
  } catch (error) {
    throw new CliError(`cannot read ${name}: ${(error as Error).message}`);
  }
  const result = parsePlanFile(text, name);
  if (!result.ok) {
    for (const issue of result.issues) ctx.io.stderr.write(`${formatIssue(issue)}\n`);
    throw new CliError(`${name}: ${result.issues.length} problem(s); nothing was changed`);
  }
  return { plan: result.plan, name };
}

export function registerPlanCommands(program: Command, ctx: CommandContext): void {
  examples(
    program
      .command("validate")
      .description(
        "Check a plans file offline: YAML, schema, names and wave references (line-numbered errors)",
      )
      .requiredOption("-f, --file <file>", "plans file (YAML or JSON; - for standard input)")
      .action(async (options: { file: string }) => {
        const { plan, name } = await readPlanFile(ctx, options.file);
        const summary = {
          file: name,
          valid: true,
          protectionGroups: plan.protectionGroups?.length ?? 0,
          recoveryPlans: plan.recoveryPlans?.length ?? 0,
        };
        if (ctx.output === "table") {
          ctx.io.stdout.write(
            `${name}: valid (${summary.protectionGroups} protection group(s), ${summary.recoveryPlans} recovery plan(s))\n`,
          );
        } else ctx.io.stdout.write(ctx.output === "json" ? toJson(summary) : toYaml(summary));
      }),
    ["drsctl validate -f plans.yaml", "cat plans.yaml | drsctl validate -f -"],
  );

  const plan = async (options: { file: string; prune?: boolean }) => {
    const { plan: file } = await readPlanFile(ctx, options.file);
    const api = await ctx.api();
    const state = await readServerState(api);
    const changeSet = computeChanges(file, state, { prune: Boolean(options.prune) });
    if (ctx.output === "table")
      ctx.io.stdout.write(renderChangeSet(changeSet, { prune: Boolean(options.prune) }));
    return { api, state, changeSet };
  };
  const printDocument = (doc: unknown) =>
    ctx.io.stdout.write(ctx.output === "json" ? toJson(doc) : toYaml(doc));
  const diffAction = async (options: { file: string; prune?: boolean }) => {
    const { changeSet } = await plan(options);
    if (ctx.output !== "table") printDocument(changeSetDocument(changeSet));
  };

  examples(
    program
      .command("diff")
      .description(
        "Show what apply would change on the server (+ create, ~ update, - delete); changes nothing",
      )
      .requiredOption("-f, --file <file>", "plans file (- for standard input)")
      .option("--prune", "also show deletes of server resources that the file does not have")
      .action(diffAction),
    ["drsctl diff -f plans.yaml", "drsctl diff -f plans.yaml --prune -o json | jq .summary"],
  );

  examples(
    program
      .command("apply")
      .description(
        "Create and update protection groups and recovery plans so the server matches the file (idempotent)",
      )
      .requiredOption("-f, --file <file>", "plans file (- for standard input)")
      .option("--prune", "delete server resources the file does not have (plans before groups)")
      .option("--dry-run", "show the changes only (same as diff)")
      .option("-y, --yes", "do not ask for confirmation on a terminal")
      .action(async (options: { file: string; prune?: boolean; dryRun?: boolean; yes?: boolean }) => {
        const { api, state, changeSet } = await plan(options);
        if (options.dryRun || changeSet.changes.length === 0) {
          if (ctx.output !== "table") printDocument({ ...changeSetDocument(changeSet), applied: [] });
          return;
        }
        if (ctx.io.interactive && !options.yes && ctx.output === "table") {
          const answer = await ctx.io.prompt("Apply these changes? Only 'yes' is accepted: ");
          if (answer.trim() !== "yes") throw new CliError("apply cancelled; nothing was changed");
        }
        const progress = ctx.output === "table" ? ctx.io.stdout : ctx.io.stderr;
        // In JSON/YAML mode stdout carries one document (the change set and what was applied), progress goes to stderr.
        try {
          const applied = await applyChanges(api, changeSet, state, (a) => {
            progress.write(`${a.change.kind} "${a.change.name}": ${pastTense(a.change.action)} (${a.id})\n`);
          });
          if (ctx.output === "table") {
            const { create, update, delete: remove } = changeSet.summary;
            ctx.io.stdout.write(`Apply complete: ${create} created, ${update} updated, ${remove} deleted.\n`);
          } else {
            printDocument({
              ...changeSetDocument(changeSet),
              applied: applied.map((a) => ({
                action: a.change.action,
                kind: a.change.kind,
                name: a.change.name,
                id: a.id,
                ...(a.version !== undefined ? { version: a.version } : {}),
              })),
            });
          }
        } catch (error) {
          if (error instanceof ApplyError) {
            const notDone = error.notAttempted.map((c) => `${c.action} ${c.kind} "${c.name}"`);
            throw new CliError(
              `${error.message}\n${plural(error.applied.length, "change")} ${error.applied.length === 1 ? "was" : "were"} applied before the failure${
                notDone.length ? `; not attempted: ${notDone.join(", ")}` : ""
              }.`,
            );
          }
          throw error;
        }
      }),
    [
      "drsctl apply -f plans.yaml",
      "drsctl apply -f plans.yaml --prune --yes",
      "drsctl apply -f plans.yaml --dry-run",
    ],
  );

  examples(
    program
      .command("export")
      .description(
        "Write the server's protection groups and recovery plans as a plans file (export → apply is a no-op)",
      )
      .option("--output-file <file>", "write to a file instead of standard output")
      .action(async (options: { outputFile?: string }) => {
        const api = await ctx.api();
        const file = planFileOf(await readServerState(api));
        const text =
          ctx.output === "json"
            ? toJson(file)
            : `# DRS Orchestrator plans as code (docs/plans-as-code.md), written by drsctl export.\n${toYaml(file)}`;
        if (options.outputFile) {
          await ctx.io.writeFile(options.outputFile, text);
          ctx.note(
            `wrote ${options.outputFile}: ${file.protectionGroups?.length ?? 0} protection group(s), ${
              file.recoveryPlans?.length ?? 0
            } recovery plan(s)`,
          );
        } else ctx.io.stdout.write(text);
      }),
    ["drsctl export > plans.yaml", "drsctl export --output-file plans.yaml --profile prod"],
  );
}

function pastTense(action: "create" | "update" | "delete"): string {
  return action === "create" ? "created" : action === "update" ? "updated" : "deleted";
}
