import { type ApiClient, allPages, unwrap } from "@drso/client";
import type { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { type Column, formatDuration, formatTime, printResult, toYaml } from "../output.js";
import { renderFrame } from "../watch/view.js";
import { examples, intOption, requireUuid, resolveGroupId, resolvePlan } from "./shared.js";

type Query = Record<string, string | number | boolean | undefined>;
interface Page<T> {
  items: T[];
  nextToken?: string;
}

interface ListSpec<T> {
  name: string;
  aliases: string[];
  description: string;
  /** Filter options: [flags, description, query parameter]. */
  filters: Array<[string, string, string]>;
  paged: boolean;
  examples: string[];
  configure?: (command: Command) => void;
  fetch: (api: ApiClient, query: Query, options: Record<string, unknown>) => Promise<Page<T>>;
  columns: Column<T>[];
}

function compact(query: Query): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | number | boolean
  >;
}

export function registerResourceCommands(program: Command, ctx: CommandContext): void {
  const list = program.command("list").description("List resources (see drsctl list --help)");
  examples(list, [
    "drsctl list protection-groups --region us-east-1",
    "drsctl list executions --status RUNNING,PAUSED -o json",
  ]);

  const addList = <T>(spec: ListSpec<T>) => {
    const command = list.command(spec.name).aliases(spec.aliases).description(spec.description);
    for (const [flags, description] of spec.filters) command.option(flags, description);
    if (spec.paged) {
      command.addOption(intOption("--limit <n>", "page size, 1-100 (default 50)", 1, 100));
      command.option("--next-token <token>", "continue from a previous page");
      command.option("--all", "follow nextToken and list every page");
    }
    spec.configure?.(command);
    examples(command, spec.examples);
    command.action(async (options: Record<string, unknown>) => {
      const api = await ctx.api();
      const query: Query = {};
      for (const [flags, , param] of spec.filters) {
        const key = camel(
          flags
            .split(/[ ,]/)
            .find((f) => f.startsWith("--"))!
            .slice(2),
        );
        const value = options[key];
        if (value !== undefined) query[param] = value as string;
      }
      let page: Page<T>;
      if (spec.paged && options.all) {
        const items = await allPages((nextToken) =>
          spec.fetch(api, { ...query, limit: 100, ...(nextToken ? { nextToken } : {}) }, options),
        );
        page = { items };
      } else {
        if (spec.paged) {
          query.limit = options.limit as number | undefined;
          query.nextToken = options.nextToken as string | undefined;
        }
        page = await spec.fetch(api, query, options);
      }
      printResult(ctx.io.stdout, ctx.output, page, { rows: page.items, columns: spec.columns });
      if (ctx.output === "table" && page.nextToken) {
        ctx.note(`more results: add --all, or --next-token ${page.nextToken}`);
      }
    });
  };

  type Group = Awaited<ReturnType<typeof listGroups>>["items"][number];
  const listGroups = async (api: ApiClient, query: Query) =>
    unwrap(api.GET("/protection-groups", { params: { query: compact(query) as never } }));
  addList<Group>({
    name: "protection-groups",
    aliases: ["groups", "pg"],
    description: "Protection groups, with the seed's filters",
    filters: [
      ["--account-id <id>", "AWS account ID", "accountId"],
      ["--region <region>", "AWS region", "region"],
      ["--name <text>", "name contains (case-insensitive)", "name"],
      ["--has-conflict <bool>", "true|false: servers claimed by another group", "hasConflict"],
      ["--tag <key=value>", "selecting or holding servers with this tag", "tag"],
    ],
    paged: true,
    examples: ["drsctl list pg", "drsctl list protection-groups --account-id 111122223333 --tag App=orders"],
    fetch: listGroups,
    columns: [
      { header: "name", value: (g) => g.name },
      { header: "account", value: (g) => g.accountId },
      { header: "region", value: (g) => g.region },
      {
        header: "selection",
        value: (g) => (g.sourceServerIds ? `${g.sourceServerIds.length} explicit` : g.serverSelectionTags),
      },
      { header: "servers", value: (g) => g.serverCount },
      { header: "conflict", value: (g) => (g.hasConflict ? "yes" : "no") },
      { header: "id", value: (g) => g.groupId },
    ],
  });

  type Plan = Awaited<ReturnType<typeof listPlans>>["items"][number];
  const listPlans = async (api: ApiClient, query: Query) =>
    unwrap(api.GET("/recovery-plans", { params: { query: compact(query) as never } }));
  addList<Plan>({
    name: "recovery-plans",
    aliases: ["plans", "rp"],
    description: "Recovery plans with their last execution",
    filters: [
      ["--account-id <id>", "plans with groups in this account", "accountId"],
      ["--name <text>", "name contains (case-insensitive)", "name"],
      ["--name-exact <name>", "exact name", "nameExact"],
      ["--tag <key=value>", "plans whose groups select this tag", "tag"],
      ["--has-conflict <bool>", "true|false", "hasConflict"],
      ["--status <status>", "status of the last execution", "status"],
    ],
    paged: true,
    examples: ["drsctl list plans", "drsctl list recovery-plans --status FAILED -o json"],
    fetch: listPlans,
    columns: [
      { header: "name", value: (p) => p.name },
      { header: "waves", value: (p) => p.waves.length },
      { header: "groups", value: (p) => p.protectionGroupCount },
      {
        header: "rto",
        value: (p) => (p.rtoSeconds !== undefined ? formatDuration(p.rtoSeconds) : undefined),
      },
      {
        header: "last execution",
        value: (p) =>
          p.lastExecution ? `${p.lastExecution.executionType} ${p.lastExecution.status}` : undefined,
      },
      { header: "id", value: (p) => p.planId },
    ],
  });

  type Execution = Awaited<ReturnType<typeof listExecutions>>["items"][number];
  const listExecutions = async (api: ApiClient, query: Query, options: Record<string, unknown> = {}) => {
    if (typeof options.plan === "string") query.planId = (await resolvePlan(api, options.plan)).planId;
    return unwrap(api.GET("/executions", { params: { query: compact(query) as never } }));
  };
  addList<Execution>({
    name: "executions",
    aliases: ["exec", "ex"],
    description: "Execution history, with the seed's filters",
    filters: [
      ["--status <list>", "status or comma-separated statuses (RUNNING,PAUSED,...)", "status"],
      ["--type <type>", "DRILL | RECOVERY | FAILBACK", "executionType"],
      ["--initiated-by <email>", "who started it", "initiatedBy"],
      ["--start-date <MM-DD-YYYY>", "started on or after (UTC)", "startDate"],
      ["--end-date <MM-DD-YYYY>", "started on or before (UTC)", "endDate"],
      ["--date-range <range>", "today|yesterday|thisWeek|lastWeek|thisMonth|lastMonth", "dateRange"],
      ["--sort-by <field>", "StartTime|EndTime|Status", "sortBy"],
      ["--sort-order <order>", "asc|desc", "sortOrder"],
    ],
    paged: true,
    configure: (c) => c.option("--plan <name-or-id>", "executions of this recovery plan"),
    examples: [
      "drsctl list executions --plan payments --type DRILL",
      "drsctl list ex --status RUNNING,PAUSED -o json",
    ],
    fetch: listExecutions,
    columns: [
      { header: "id", value: (e) => e.executionId },
      { header: "plan", value: (e) => e.planName },
      { header: "type", value: (e) => e.executionType },
      { header: "status", value: (e) => e.status },
      { header: "started", value: (e) => formatTime(e.startTime) },
      {
        header: "servers",
        value: (e) =>
          `${e.serversLaunched}/${e.serverCount}${e.serversFailed ? ` (${e.serversFailed} failed)` : ""}`,
      },
      {
        header: "rto",
        value: (e) =>
          e.achievedRtoSeconds !== undefined
            ? `${formatDuration(e.achievedRtoSeconds)}${e.targetRtoSeconds !== undefined ? `/${formatDuration(e.targetRtoSeconds)}` : ""}`
            : undefined,
      },
    ],
  });

  const serversOf = async (api: ApiClient, query: Query) =>
    unwrap(api.GET("/drs/source-servers", { params: { query: compact(query) as never } }));
  type Server = Awaited<ReturnType<typeof serversOf>>["items"][number];
  /**
   * With --region: one account and region, paged as the API pages. Without: every account and region the
   * orchestrator knows (GET /drs/accounts), all pages of each, and a note for those DRS cannot list.
   */
  const listServers = async (api: ApiClient, query: Query): Promise<Page<Server>> => {
    if (query.region) return serversOf(api, query);
    if (query.nextToken) throw new UsageError("--next-token belongs to one region: add --region");
    const targets = (await unwrap(api.GET("/drs/accounts"))).items.filter(
      (t) => !query.accountId || t.accountId === query.accountId,
    );
    if (targets.length === 0)
      throw new CliError(
        query.accountId
          ? `account ${query.accountId} is not a target account here; see drsctl list accounts`
          : "no target account or region is configured yet; add one (drsctl list accounts, or the console's Accounts page)",
      );
    const items: Server[] = [];
    for (const t of targets) {
      if (!t.initialized) {
        ctx.note(
          `${t.accountId}/${t.region}: ${t.status === "UNREACHABLE" ? `DRS cannot be reached (${t.error ?? "no detail"})` : "DRS is not initialized there"}; skipped`,
        );
        continue;
      }
      const { limit: _limit, ...filters } = query;
      items.push(
        ...(await allPages((nextToken) =>
          serversOf(api, {
            ...filters,
            accountId: t.accountId,
            region: t.region,
            limit: 100,
            ...(nextToken ? { nextToken } : {}),
          }),
        )),
      );
    }
    return { items };
  };
  addList<Server>({
    name: "source-servers",
    aliases: ["servers"],
    description:
      "DRS source servers with their protection group: of one region, or (without --region) of every target account and region",
    filters: [
      ["--region <region>", "AWS region (default: every region of the target accounts)", "region"],
      ["--account-id <id>", "AWS account ID (default: every target account)", "accountId"],
      ["--replication-status <state>", "e.g. CONTINUOUS, STALLED", "replicationStatus"],
      ["--assignment-status <status>", "assigned | unassigned", "assignmentStatus"],
      ["--tag <key=value>", "servers with this tag", "tag"],
    ],
    paged: true,
    examples: [
      "drsctl list source-servers",
      "drsctl list source-servers --region us-east-1",
      "drsctl list servers --region us-west-2 --account-id 444455556666 --assignment-status unassigned",
    ],
    fetch: listServers,
    columns: [
      { header: "id", value: (s) => s.sourceServerId },
      { header: "hostname", value: (s) => s.hostname },
      { header: "account", value: (s) => s.accountId },
      { header: "region", value: (s) => s.region },
      { header: "replication", value: (s) => s.replicationState },
      { header: "readiness", value: (s) => s.readiness },
      { header: "group", value: (s) => s.protectionGroup?.groupName },
    ],
  });

  type Account = Awaited<ReturnType<typeof listAccounts>>["items"][number];
  const listAccounts = async (api: ApiClient) => unwrap(api.GET("/accounts"));
  addList<Account>({
    name: "accounts",
    aliases: [],
    description: "Target accounts for cross-account recovery (needs drs:ManageAccounts)",
    filters: [],
    paged: false,
    examples: ["drsctl list accounts"],
    fetch: listAccounts,
    columns: [
      { header: "account", value: (a) => a.accountId },
      { header: "name", value: (a) => a.name },
      { header: "regions", value: (a) => a.regions },
      { header: "role", value: (a) => a.roleArn },
    ],
  });

  type User = Awaited<ReturnType<typeof listUsers>>["items"][number];
  const listUsers = async (api: ApiClient) => unwrap(api.GET("/users"));
  addList<User>({
    name: "users",
    aliases: [],
    description: "Users of the built-in identity (local mode; needs drs:ManageAccounts)",
    filters: [],
    paged: false,
    examples: ["drsctl list users -o yaml"],
    fetch: listUsers,
    columns: [
      { header: "email", value: (u) => u.email },
      { header: "role", value: (u) => u.role },
      { header: "disabled", value: (u) => (u.disabled ? "yes" : "no") },
      { header: "locked", value: (u) => (u.locked ? "yes" : "no") },
      { header: "last login", value: (u) => formatTime(u.lastLoginAt) },
      { header: "id", value: (u) => u.userId },
    ],
  });

  type Audit = Awaited<ReturnType<typeof listAudit>>["items"][number];
  const listAudit = async (api: ApiClient, query: Query) =>
    unwrap(api.GET("/audit", { params: { query: compact(query) as never } }));
  addList<Audit>({
    name: "audit",
    aliases: [],
    description: "The audit trail: who did what, when, from where, with which outcome",
    filters: [
      ["--actor <email>", "who", "actor"],
      ["--action <action>", "e.g. execution.start, protection-group.update", "action"],
      ["--target-type <type>", "e.g. recovery-plan", "targetType"],
      ["--target-id <id>", "the resource's ID", "targetId"],
      ["--outcome <outcome>", "success | failure | denied", "outcome"],
      ["--from <time>", "ISO time, inclusive", "from"],
      ["--to <time>", "ISO time, exclusive", "to"],
    ],
    paged: true,
    examples: ["drsctl list audit --action execution.start --all -o json"],
    fetch: listAudit,
    columns: [
      { header: "at", value: (a) => formatTime(a.at) },
      { header: "actor", value: (a) => (a.actor as { email?: string } | undefined)?.email },
      { header: "action", value: (a) => a.action },
      { header: "outcome", value: (a) => a.outcome },
      { header: "target", value: (a) => (a.targetType ? `${a.targetType}/${a.targetId ?? ""}` : undefined) },
    ],
  });

  const get = program.command("get").description("Show one resource (see drsctl get --help)");
  examples(get, ["drsctl get recovery-plan payments -o yaml", "drsctl get execution 5f76b250-…"]);
  const addGet = (
    name: string,
    aliases: string[],
    argument: string,
    description: string,
    fetch: (api: ApiClient, key: string) => Promise<unknown>,
    table: (value: never) => string,
    lines: string[],
  ) => {
    examples(
      get
        .command(name)
        .aliases(aliases)
        .argument(argument)
        .description(description)
        .action(async (key: string) => {
          const value = await fetch(await ctx.api(), key);
          printResult(ctx.io.stdout, ctx.output, value, () => table(value as never));
        }),
      lines,
    );
  };
  addGet(
    "protection-group",
    ["group", "pg"],
    "<name-or-id>",
    "A protection group with its resolved servers and conflicts",
    async (api, key) =>
      unwrap(
        api.GET("/protection-groups/{id}", { params: { path: { id: await resolveGroupId(api, key) } } }),
      ),
    (g) => toYaml(g),
    ["drsctl get protection-group payments-db", "drsctl get pg 9abaf81f-… -o json"],
  );
  addGet(
    "recovery-plan",
    ["plan", "rp"],
    "<name-or-id>",
    "A recovery plan with its waves",
    async (api, key) =>
      unwrap(
        api.GET("/recovery-plans/{id}", { params: { path: { id: (await resolvePlan(api, key)).planId } } }),
      ),
    (p) => toYaml(p),
    ["drsctl get recovery-plan payments -o yaml"],
  );
  addGet(
    "execution",
    ["exec", "ex"],
    "<execution-id>",
    "An execution: waves, servers, jobs, actions, RTO achieved vs target",
    async (api, key) =>
      unwrap(api.GET("/executions/{id}", { params: { path: { id: requireUuid(key, "the execution") } } })),
    (e) => `${renderFrame(e, [], ctx.io.now(), ctx.io.stdout.columns ?? 120).join("\n")}\n`,
    ["drsctl get execution 5f76b250-754f-4cae-92ad-468c43254766", "drsctl get ex $ID -o json | jq .status"],
  );
  addGet(
    "account",
    [],
    "<account-id>",
    "A target account",
    async (api, key) => unwrap(api.GET("/accounts/{accountId}", { params: { path: { accountId: key } } })),
    (a) => toYaml(a),
    ["drsctl get account 444455556666"],
  );
  addGet(
    "user",
    [],
    "<user-id>",
    "A user of the built-in identity",
    async (api, key) =>
      unwrap(api.GET("/users/{id}", { params: { path: { id: requireUuid(key, "the user") } } })),
    (u) => toYaml(u),
    ["drsctl get user 0b6c…"],
  );
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
