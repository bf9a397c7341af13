import { type ApiClient, unwrap } from "@drso/client";
import { plural } from "@drso/core";
import type { Command } from "commander";
import type { CommandContext } from "../context.js";
import { EXIT, UsageError } from "../errors.js";
import { formatTime, printResult, toJson, toYaml } from "../output.js";
import { isTerminal } from "../watch/view.js";
import { validateInterval, watchExecution } from "../watch/watch.js";
import { examples, requireUuid, resolvePlan } from "./shared.js";

export interface ExitState {
  code: number;
}

export function registerExecutionCommands(program: Command, ctx: CommandContext, exit: ExitState): void {
  const follow = async (api: ApiClient, executionId: string, intervalSeconds: number) => {
    const live = ctx.output === "table" && Boolean(ctx.io.stderr.isTTY);
    const result = await watchExecution(api, ctx.io, executionId, {
      intervalSeconds,
      live,
      // Table mode: the lines are the result, on stdout; JSON/YAML: stdout carries only the final document.
      progress: ctx.output === "table" && !live ? ctx.io.stdout : ctx.io.stderr,
    });
    if (result.kind === "detached") {
      ctx.note(`detached; the execution goes on: drsctl watch ${executionId}`);
      exit.code = EXIT.INTERRUPTED;
      return;
    }
    if (ctx.output === "json") ctx.io.stdout.write(toJson(result.detail));
    else if (ctx.output === "yaml") ctx.io.stdout.write(toYaml(result.detail));
    const reminder = drillReminder(result.detail);
    if (reminder) ctx.note(reminder);
    exit.code = result.exitCode;
  };

  examples(
    program
      .command("run")
      .argument("<plan>", "recovery plan name or ID")
      .description("Start a drill, recovery or failback of a plan; --wait follows it to the end")
      .option("--drill", "DRILL: launch drill instances, production stays untouched")
      .option("--recovery", "RECOVERY: a real failover (needs --confirm with the plan's name)")
      .option("--failback", "FAILBACK: return recovered servers to their origin")
      .option("--confirm <plan-name>", "RECOVERY: the plan's name, typed out")
      .option("--reverse", "FAILBACK: run the waves in reverse order")
      .option("--comment <text>", "recorded with the execution and in the audit trail")
      .option(
        "--point-in-time <time>",
        "DRILL/RECOVERY: recover each server from its newest snapshot at or before this ISO time (default: latest)",
      )
      .option("--wait", "follow the execution until it ends (exit 0 COMPLETED, 3 FAILED/CANCELLED)")
      .option("--interval <seconds>", "poll interval with --wait", validateInterval, 2)
      .action(
        async (
          planRef: string,
          options: {
            drill?: boolean;
            recovery?: boolean;
            failback?: boolean;
            confirm?: string;
            reverse?: boolean;
            comment?: string;
            pointInTime?: string;
            wait?: boolean;
            interval: number;
          },
        ) => {
          const types = [
            options.drill ? "DRILL" : undefined,
            options.recovery ? "RECOVERY" : undefined,
            options.failback ? "FAILBACK" : undefined,
          ].filter((t): t is "DRILL" | "RECOVERY" | "FAILBACK" => t !== undefined);
          if (types.length !== 1) throw new UsageError("give exactly one of --drill, --recovery, --failback");
          const executionType = types[0]!;
          if (
            options.pointInTime !== undefined &&
            options.pointInTime !== "latest" &&
            Number.isNaN(Date.parse(options.pointInTime))
          )
            throw new UsageError(
              `--point-in-time must be an ISO time such as 2026-03-01T09:30:00Z, or latest (got '${options.pointInTime}')`,
            );
          if (options.reverse && executionType !== "FAILBACK")
            throw new UsageError("--reverse applies to --failback only");
          const api = await ctx.api();
          const plan = await resolvePlan(api, planRef);
          let confirm = options.confirm;
          if (executionType === "RECOVERY" && confirm === undefined) {
            if (!ctx.io.interactive) {
              throw new UsageError(`a RECOVERY needs --confirm "${plan.name}" (the plan's name)`);
            }
            confirm = (
              await ctx.io.prompt(
                `RECOVERY is a real failover of "${plan.name}". Type the plan's name to go on: `,
              )
            ).trim();
          }
          if (executionType === "RECOVERY" && confirm !== plan.name) {
            throw new UsageError(`the confirmation "${confirm}" is not the plan's name "${plan.name}"`);
          }
          const started = await unwrap(
            api.POST("/recovery-plans/{id}/execute", {
              params: { path: { id: plan.planId } },
              body: {
                executionType,
                ...(confirm !== undefined && executionType === "RECOVERY" ? { confirm } : {}),
                ...(options.reverse ? { reverseWaveOrder: true } : {}),
                ...(options.comment ? { comment: options.comment } : {}),
                ...(options.pointInTime
                  ? {
                      pointInTime:
                        options.pointInTime === "latest"
                          ? "latest"
                          : new Date(Date.parse(options.pointInTime)).toISOString(),
                    }
                  : {}),
              },
            }),
          );
          if (!options.wait) {
            printResult(
              ctx.io.stdout,
              ctx.output,
              started,
              () =>
                `Started ${started.executionType} ${started.executionId} of "${plan.name}" (${plural(started.waves, "wave")}, ${plural(started.servers, "server")}).\nFollow it: drsctl watch ${started.executionId}\n`,
            );
            return;
          }
          if (ctx.output === "table") {
            ctx.io.stdout.write(
              `Started ${started.executionType} ${started.executionId} of "${plan.name}".\n`,
            );
          }
          await follow(api, started.executionId, options.interval);
        },
      ),
    [
      "drsctl run payments --drill --wait",
      'drsctl run payments --recovery --confirm "payments" --comment "INC-1234" --wait',
      "drsctl run payments --failback --reverse",
      "drsctl run payments --drill --wait -o json > drill.json   # exit 3 when the drill fails",
    ],
  );

  examples(
    program
      .command("watch")
      .argument("<execution-id>")
      .description(
        "Follow an execution until it ends (exit 0 COMPLETED, 3 FAILED/CANCELLED); Ctrl-C detaches",
      )
      .option("--interval <seconds>", "poll interval", validateInterval, 2)
      .action(async (id: string, options: { interval: number }) => {
        await follow(await ctx.api(), requireUuid(id, "the execution"), options.interval);
      }),
    ["drsctl watch 5f76b250-754f-4cae-92ad-468c43254766", "drsctl watch $ID | tee drill.log"],
  );

  const accepted: Record<"pause" | "resume" | "cancel", (id: string) => string> = {
    pause: (id) =>
      `Pausing execution ${id}: no new wave starts; running DRS jobs finish. Resume with: drsctl resume ${id}`,
    resume: (id) => `Resumed execution ${id}. Follow it: drsctl watch ${id}`,
    cancel: (id) =>
      `Cancelling execution ${id}: nothing new starts; running DRS jobs are followed to their end, the rest is cancelled.`,
  };
  const command = (name: "pause" | "resume" | "cancel", description: string) =>
    examples(
      program
        .command(name)
        .argument("<execution-id>")
        .description(description)
        .action(async (id: string) => {
          const api = await ctx.api();
          const executionId = requireUuid(id, "the execution");
          const result = await unwrap(
            api.POST(`/executions/{id}/${name}`, { params: { path: { id: executionId } } }),
          );
          printResult(ctx.io.stdout, ctx.output, result, () => `${accepted[name](executionId)}\n`);
        }),
      [`drsctl ${name} 5f76b250-754f-4cae-92ad-468c43254766`],
    );
  command("pause", "Pause between waves: no new wave starts, running DRS jobs finish");
  command("resume", "Resume a paused execution (also releases a pause-before-wave)");
  command("cancel", "Cancel: nothing new starts, running jobs are followed to their end");

  for (const decision of ["approve", "reject"] as const) {
    examples(
      program
        .command(decision)
        .argument("<execution-id>")
        .description(
          decision === "approve" ? "Approve a waiting approval action" : "Reject a waiting approval action",
        )
        .option("--action <action-id>", "which approval (when several are waiting)")
        .option("--comment <text>", "recorded with the decision")
        .action(async (id: string, options: { action?: string; comment?: string }) => {
          const api = await ctx.api();
          const executionId = requireUuid(id, "the execution");
          const result = await unwrap(
            api.POST(`/executions/{id}/${decision}`, {
              params: { path: { id: executionId } },
              body: {
                ...(options.action ? { actionId: options.action } : {}),
                ...(options.comment ? { comment: options.comment } : {}),
              },
            }),
          );
          const actionId = (result as { actionId?: string }).actionId;
          printResult(
            ctx.io.stdout,
            ctx.output,
            result,
            () =>
              `${decision === "approve" ? "Approved" : "Rejected"} ${actionId ? `${actionId} of ` : ""}execution ${executionId}${
                options.comment ? ` (comment recorded)` : ""
              }.\n`,
          );
        }),
      [
        `drsctl ${decision} $ID`,
        `drsctl ${decision} $ID --action wave-2-pre-0 --comment "checked by J. Doe"`,
      ],
    );
  }

  const waveDecisions = {
    retry: {
      description: "Retry a failed wave: only its servers that did not launch launch again",
      done: (wave: string, id: string) =>
        `Retrying wave ${wave} of execution ${id}. Follow it: drsctl watch ${id}`,
    },
    skip: {
      description:
        "Skip a wave that has not started (its dependants may start), or go on past a failure waiting for a decision",
      done: (wave: string, id: string) =>
        `Skipping wave ${wave} of execution ${id}. Follow it: drsctl watch ${id}`,
    },
    abort: {
      description: "After a wave failed under onFailure pause: abort (the execution ends FAILED)",
      done: (wave: string, id: string) => `Aborting execution ${id} after wave ${wave} failed.`,
    },
  } as const;
  for (const decision of ["retry", "skip", "abort"] as const) {
    examples(
      program
        .command(`${decision}-wave`)
        .argument("<execution-id>")
        .argument("<wave>", "the wave's id (wave-2) or name")
        .description(waveDecisions[decision].description)
        .option("--comment <text>", "why; recorded in the execution's events and the audit log")
        .action(async (id: string, wave: string, options: { comment?: string }) => {
          const api = await ctx.api();
          const executionId = requireUuid(id, "the execution");
          const detail = await unwrap(api.GET("/executions/{id}", { params: { path: { id: executionId } } }));
          const match =
            detail.waves.find((w) => w.waveId === wave) ??
            detail.waves.find((w) => w.name.toLowerCase() === wave.toLowerCase());
          if (!match)
            throw new UsageError(
              `execution ${executionId} has no wave '${wave}' (its waves: ${detail.waves.map((w) => `${w.waveId} '${w.name}'`).join(", ")})`,
            );
          const result = await unwrap(
            api.POST(`/executions/{id}/waves/{waveId}/${decision}`, {
              params: { path: { id: executionId, waveId: match.waveId } },
              body: options.comment ? { comment: options.comment } : {},
            }),
          );
          printResult(
            ctx.io.stdout,
            ctx.output,
            result,
            () => `${waveDecisions[decision].done(`'${match.name}' (${match.waveId})`, executionId)}\n`,
          );
        }),
      [`drsctl ${decision}-wave $ID wave-2`, `drsctl ${decision}-wave $ID Databases --comment "DBA on it"`],
    );
  }

  examples(
    program
      .command("terminate-instances")
      .argument("<execution-id>")
      .description("Terminate the recovery instances an execution launched (a RECOVERY needs --confirm)")
      .option("--confirm <plan-name>", "RECOVERY executions: the plan's name, typed out")
      .action(async (id: string, options: { confirm?: string }) => {
        const api = await ctx.api();
        const executionId = requireUuid(id, "the execution");
        let confirm = options.confirm;
        if (confirm === undefined) {
          const execution = await unwrap(
            api.GET("/executions/{id}", { params: { path: { id: executionId } } }),
          );
          if (execution.executionType === "RECOVERY") {
            if (!ctx.io.interactive) {
              throw new UsageError(
                `terminating a RECOVERY's instances needs --confirm "${execution.planName}"`,
              );
            }
            confirm = (
              await ctx.io.prompt(
                `These are the instances of a real RECOVERY of "${execution.planName}". Type the plan's name to terminate them: `,
              )
            ).trim();
          }
        }
        const result = await unwrap(
          api.POST("/executions/{id}/terminate-instances", {
            params: { path: { id: executionId } },
            body: confirm !== undefined ? { confirm } : {},
          }),
        );
        const instances = (result as { instances?: number }).instances;
        printResult(
          ctx.io.stdout,
          ctx.output,
          result,
          () =>
            `Terminating ${instances === undefined ? "the recovery instances" : plural(instances, "recovery instance")} of execution ${executionId}. Progress: drsctl get execution ${executionId}\n`,
        );
      }),
    ["drsctl terminate-instances $DRILL_ID", 'drsctl terminate-instances $ID --confirm "payments"'],
  );

  examples(
    program
      .command("force-end")
      .argument("<execution-id>")
      .description(
        "Administrators: end a stuck execution (CANCELLED, error FORCE_ENDED) once DRS has no running job of it",
      )
      .option("--reason <text>", "why (required; recorded in the execution's events and the audit log)")
      .option(
        "--skip-unreachable-targets",
        "go on when DRS cannot be asked in an account/region of the execution (one that is gone); recorded",
      )
      .action(async (id: string, options: { reason?: string; skipUnreachableTargets?: boolean }) => {
        const executionId = requireUuid(id, "the execution");
        const reason = options.reason?.trim();
        if (!reason) throw new UsageError('say why: drsctl force-end <execution-id> --reason "…"');
        const api = await ctx.api();
        const result = await unwrap(
          api.POST("/executions/{id}/force-end", {
            params: { path: { id: executionId } },
            body: { reason, ...(options.skipUnreachableTargets ? { skipUnreachableTargets: true } : {}) },
          }),
        );
        printResult(ctx.io.stdout, ctx.output, result, () => {
          const jobs = result.jobsChecked.length;
          const lines = [
            `Force-ended execution ${executionId} (was ${result.previousStatus}, now ${result.status}).`,
            `DRS was checked first: ${jobs === 0 ? "no job of this execution" : `${plural(jobs, "job")}, none running`}.`,
          ];
          if (result.unreachableTargets.length > 0)
            lines.push(
              `Not checked (skipped): ${result.unreachableTargets.map((t) => `${t.accountId}/${t.region}`).join(", ")}.`,
            );
          if (result.instancesKept > 0)
            lines.push(
              `${plural(result.instancesKept, "recovery instance")} it launched ${result.instancesKept === 1 ? "is" : "are"} kept; terminate them with: drsctl terminate-instances ${executionId}`,
            );
          return `${lines.join("\n")}\n`;
        });
      }),
    ['drsctl force-end $ID --reason "INC-4711: stuck in CANCELLING after the engine was restarted"'],
  );

  examples(
    program
      .command("simulate-failback-client")
      .argument("<execution-id>")
      .description(
        "DRS simulator only: connect the failback client(s) a FAILBACK waits for, as booting the DRS Failback Client would",
      )
      .option(
        "--server <source-server-id>",
        "only this source server of the execution (default: every one waiting)",
      )
      .action(async (id: string, options: { server?: string }) => {
        const executionId = requireUuid(id, "the execution");
        const api = await ctx.api();
        const result = await unwrap(
          api.POST("/executions/{id}/simulate-failback-client", {
            params: { path: { id: executionId } },
            body: options.server ? { serverId: options.server } : {},
          }),
        );
        printResult(ctx.io.stdout, ctx.output, result, () => {
          const lines = [`Connected ${plural(result.connected.length, "failback client")}:`];
          for (const c of result.connected)
            lines.push(
              `  ${c.hostname} (${c.sourceServerId}, wave ${c.waveName}) from ${c.recoveryInstanceId}`,
            );
          lines.push(`Follow the failback: drsctl watch ${executionId}`);
          return `${lines.join("\n")}\n`;
        });
      }),
    [
      "drsctl simulate-failback-client $FAILBACK_ID",
      "drsctl simulate-failback-client $ID --server s-1234567890abcdef0",
    ],
  );

  examples(
    program
      .command("logs")
      .argument("<execution-id>")
      .description("DRS job log items of an execution's jobs (--follow until the execution ends)")
      .option("--job <job-id>", "only this DRS job")
      .option("--follow", "keep printing new items until the execution ends")
      .option("--interval <seconds>", "poll interval with --follow", validateInterval, 2)
      .action(async (id: string, options: { job?: string; follow?: boolean; interval: number }) => {
        const api = await ctx.api();
        const executionId = requireUuid(id, "the execution");
        const seen = new Map<string, number>();
        const printItems = (items: LogItem[]) => {
          for (const item of [...items].sort((a, b) => a.at.localeCompare(b.at) || a.index - b.index)) {
            if ((seen.get(item.jobId) ?? -1) >= item.index) continue;
            seen.set(item.jobId, item.index);
            if (ctx.output === "table") ctx.io.stdout.write(`${logLine(item)}\n`);
            else if (options.follow) ctx.io.stdout.write(`${JSON.stringify(item)}\n`);
          }
        };
        const fetchLogs = async (query: { jobId?: string; afterIndex?: number }) =>
          (await unwrap(
            api.GET("/executions/{id}/job-logs", {
              params: { path: { id: executionId }, query: { ...query, limit: 5000 } },
            }),
          )) as unknown as { jobs: Array<{ jobId: string }>; items: LogItem[] };

        const first = await fetchLogs(options.job ? { jobId: options.job } : {});
        if (!options.follow) {
          if (ctx.output !== "table") {
            ctx.io.stdout.write(ctx.output === "json" ? toJson(first) : toYaml(first));
            return;
          }
          printItems(first.items);
          if (first.items.length === 0) ctx.note("no job log items yet");
          return;
        }
        printItems(first.items);
        for (;;) {
          const execution = await unwrap(
            api.GET("/executions/{id}", { params: { path: { id: executionId } } }),
          );
          const jobs = options.job
            ? [options.job]
            : (await fetchLogs({ afterIndex: 1_000_000_000 })).jobs.map((j) => j.jobId);
          for (const jobId of jobs) {
            printItems((await fetchLogs({ jobId, afterIndex: seen.get(jobId) ?? -1 })).items);
          }
          if (isTerminal(execution.status)) return;
          await ctx.io.sleep(options.interval * 1000);
        }
      }),
    ["drsctl logs $ID", "drsctl logs $ID --follow", "drsctl logs $ID --job drsjob-0123456789abcdef0 -o json"],
  );

  examples(
    program
      .command("report")
      .argument("<execution-id>")
      .description("The drill/recovery report (Markdown or JSON): RTO achieved vs target, waves, servers")
      .option("--format <format>", "markdown | json (default: markdown, or json with -o json)")
      .option("--output-file <file>", "write the report to a file")
      .action(async (id: string, options: { format?: string; outputFile?: string }) => {
        const format = options.format ?? (ctx.output === "json" ? "json" : "markdown");
        if (format !== "markdown" && format !== "json")
          throw new UsageError("--format must be markdown or json");
        const api = await ctx.api();
        const executionId = requireUuid(id, "the execution");
        let text: string;
        if (format === "markdown") {
          const result = await api.GET("/executions/{id}/report", {
            params: { path: { id: executionId }, query: { format: "markdown" } },
            parseAs: "text",
          });
          text = String(result.data ?? "");
          if (!text.endsWith("\n")) text += "\n";
        } else {
          text = toJson(
            await unwrap(
              api.GET("/executions/{id}/report", {
                params: { path: { id: executionId }, query: { format: "json" } },
              }),
            ),
          );
        }
        if (options.outputFile) {
          await ctx.io.writeFile(options.outputFile, text);
          ctx.note(`wrote ${options.outputFile}`);
        } else ctx.io.stdout.write(text);
      }),
    ["drsctl report $ID > drill-report.md", "drsctl report $ID --format json --output-file report.json"],
  );
}

/** After a drill: its instances run (and cost) until terminated; say how, with the exact command. */
export function drillReminder(detail: {
  executionId: string;
  executionType: string;
  counts: Record<string, unknown>;
  instancesTerminateAt?: string;
  termination?: unknown;
}): string | undefined {
  const launched = Number(detail.counts.launched ?? 0);
  if (detail.executionType !== "DRILL" || launched === 0 || detail.termination) return undefined;
  const automatic = detail.instancesTerminateAt
    ? ` (otherwise they are terminated automatically at ${formatTime(detail.instancesTerminateAt)})`
    : "";
  return `Reminder: ${plural(launched, "drill instance")} ${launched === 1 ? "keeps" : "keep"} running, and cost money, until terminated${automatic}. When you are done with them: drsctl terminate-instances ${detail.executionId}`;
}

interface LogItem {
  at: string;
  event: string;
  index: number;
  jobId: string;
  [key: string]: unknown;
}

function logLine(item: LogItem): string {
  const { at, event, index: _index, jobId, ...rest } = item;
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${formatTime(at)}  ${jobId}  ${event.padEnd(24)} ${extra}`.trimEnd();
}
