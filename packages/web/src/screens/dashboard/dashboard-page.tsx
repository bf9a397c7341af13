import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { unwrap } from "@drso/client";
import { useNavigate } from "react-router-dom";
import { useApi, useSession } from "../../app-context.js";
import { DrsCredentialsAlert } from "../../components/drs-credentials-alert.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDuration, formatTime } from "../../components/format.js";
import { RouterLink } from "../../components/router-link.js";
import { ExecutionStatus, ReplicationStatus } from "../../components/status.js";
import { useDrsSetup } from "../../hooks/use-drs-setup.js";
import { fetchAllGroups, fetchAllSourceServers } from "../../hooks/use-inventory.js";
import { useQuery } from "../../hooks/use-query.js";
import { PlanReadiness } from "./plan-readiness.js";

function GettingStarted({ groups, plans, drills }: { groups: number; plans: number; drills: number }) {
  const navigate = useNavigate();
  const { can } = useSession();
  const steps = [
    {
      done: groups > 0,
      title: "Create a protection group",
      text: "Group source servers by tags (for example App=billing) or pick them explicitly.",
      href: "/protection-groups/new",
      permission: "drs:CreateProtectionGroup",
    },
    {
      done: plans > 0,
      title: "Build a recovery plan",
      text: "Order protection groups into waves, add dependencies, approvals and checks.",
      href: "/recovery-plans/new",
      permission: "drs:CreateRecoveryPlan",
    },
    {
      done: drills > 0,
      title: "Run a drill",
      text: "Launch drill instances in isolation, watch every wave, then terminate them.",
      href: "/recovery-plans",
      permission: "drs:ExecuteRecovery",
    },
  ];
  const next = steps.find((s) => !s.done);
  if (!next) return null;
  return (
    <Container
      header={
        <Header variant="h2" description="Three steps to your first drill">
          Get started
        </Header>
      }
      data-testid="getting-started"
    >
      <ColumnLayout columns={3} variant="text-grid">
        {steps.map((s, i) => (
          <SpaceBetween size="xs" key={s.title}>
            <Box variant="h3">
              {s.done ? (
                <StatusIndicator type="success">{`${i + 1}. ${s.title}`}</StatusIndicator>
              ) : (
                `${i + 1}. ${s.title}`
              )}
            </Box>
            <Box color="text-body-secondary">{s.text}</Box>
            {s === next ? (
              can(s.permission) ? (
                <Button variant="primary" onClick={() => navigate(s.href)}>
                  {s.title}
                </Button>
              ) : (
                <Box color="text-status-inactive">Ask an operator or administrator to do this step.</Box>
              )
            ) : null}
          </SpaceBetween>
        ))}
      </ColumnLayout>
    </Container>
  );
}

export default function DashboardPage() {
  const api = useApi();
  const setup = useDrsSetup();
  const active = useQuery(
    async () =>
      (
        await unwrap(
          api.GET("/executions", {
            params: { query: { status: "PENDING,RUNNING,PAUSED,CANCELLING", limit: 20 } },
          }),
        )
      ).items,
    [api],
    { intervalMs: 3000 },
  );
  const drills = useQuery(
    async () =>
      (
        await unwrap(
          api.GET("/executions", {
            params: { query: { executionType: "DRILL", status: "COMPLETED,FAILED,CANCELLED", limit: 5 } },
          }),
        )
      ).items,
    [api],
    { intervalMs: 15000 },
  );
  const health = useQuery(
    async () => {
      const targets = (await unwrap(api.GET("/drs/accounts"))).items;
      const [servers, groups, plans, anyDrill] = await Promise.all([
        fetchAllSourceServers(
          api,
          targets.filter((t) => t.initialized),
        ),
        fetchAllGroups(api),
        unwrap(api.GET("/recovery-plans", { params: { query: { limit: 1 } } })),
        // Any drill in any state: a drill that just ended has left "active" before "recent drills" polls.
        unwrap(api.GET("/executions", { params: { query: { executionType: "DRILL", limit: 1 } } })),
      ]);
      const byState = new Map<string, number>();
      for (const s of servers) byState.set(s.replicationState, (byState.get(s.replicationState) ?? 0) + 1);
      return {
        total: servers.length,
        byState: [...byState.entries()].sort((a, b) => b[1] - a[1]),
        unassigned: servers.filter((s) => s.assignmentStatus === "unassigned").length,
        groups: groups.length,
        conflicted: groups.filter((g) => g.hasConflict),
        plans: plans.items.length,
        drills: anyDrill.items.length,
      };
    },
    [api],
    { intervalMs: 30000 },
  );
  const quotas = useQuery(async () => (await unwrap(api.GET("/drs/quotas"))).items, [api], {
    intervalMs: 30000,
  });

  // Nothing is placed until every panel has its first answer (data or error): panels that filled in one by one
  // pushed the others down as rows and the getting-started steps arrived (layout shift).
  const settled = (q: { data?: unknown; error?: unknown }) => q.data !== undefined || q.error !== undefined;
  const ready =
    settled(active) &&
    settled(drills) &&
    settled(health) &&
    settled(quotas) &&
    (setup.loaded || setup.failed);
  if (!ready)
    return (
      <ContentLayout
        header={
          <Header
            variant="h1"
            description="What is running, how recent drills went, and how well the fleet is protected"
          >
            Dashboard
          </Header>
        }
      >
        <Box padding="xxl" textAlign="center" data-testid="dashboard-loading">
          <StatusIndicator type="loading">Loading the dashboard</StatusIndicator>
        </Box>
      </ContentLayout>
    );

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="What is running, how recent drills went, and how well the fleet is protected"
        >
          Dashboard
        </Header>
      }
    >
      <SpaceBetween size="l">
        <DrsCredentialsAlert detail={setup.credentialsMissing} />
        {health.data ? (
          <GettingStarted
            groups={health.data.groups}
            plans={health.data.plans}
            drills={health.data.drills + (drills.data ?? []).length + (active.data ?? []).length}
          />
        ) : null}
        <Table
          data-testid="active-executions"
          header={
            <Header
              variant="h2"
              counter={active.data ? `(${active.data.length})` : undefined}
              description="Live: refreshes every few seconds"
            >
              Active executions
            </Header>
          }
          loading={active.loading && !active.data}
          loadingText="Loading executions"
          items={active.data ?? []}
          trackBy="executionId"
          variant="container"
          empty={
            <EmptyState
              title="Nothing is running"
              subtitle="Drills and recoveries in progress appear here."
            />
          }
          columnDefinitions={[
            {
              id: "plan",
              header: "Plan",
              cell: (e) => <RouterLink href={`/executions/${e.executionId}`}>{e.planName}</RouterLink>,
            },
            { id: "type", header: "Type", cell: (e) => e.executionType },
            { id: "status", header: "Status", cell: (e) => <ExecutionStatus status={e.status} /> },
            {
              id: "waves",
              header: "Waves",
              cell: (e) => (
                <ProgressBar
                  value={e.waveCount ? (100 * e.wavesCompleted) / e.waveCount : 0}
                  additionalInfo={`${e.wavesCompleted} of ${e.waveCount} waves`}
                  ariaLabel={`${e.planName} waves completed`}
                />
              ),
            },
            {
              id: "servers",
              header: "Servers launched",
              cell: (e) =>
                `${e.serversLaunched} / ${e.serverCount}${e.serversFailed ? ` (${e.serversFailed} failed)` : ""}`,
            },
            { id: "by", header: "Started by", cell: (e) => e.initiatedBy },
            { id: "start", header: "Started", cell: (e) => formatTime(e.startTime) },
          ]}
        />
        <ErrorAlert error={active.error} />
        <Table
          data-testid="recent-drills"
          header={
            <Header variant="h2" description="Achieved recovery time against each plan's target">
              Recent drills
            </Header>
          }
          loading={drills.loading && !drills.data}
          loadingText="Loading drills"
          items={drills.data ?? []}
          trackBy="executionId"
          variant="container"
          empty={
            <EmptyState
              title="No drills yet"
              subtitle="Run a drill from a recovery plan to measure your recovery time."
            />
          }
          columnDefinitions={[
            {
              id: "plan",
              header: "Plan",
              cell: (e) => <RouterLink href={`/executions/${e.executionId}`}>{e.planName}</RouterLink>,
            },
            { id: "status", header: "Status", cell: (e) => <ExecutionStatus status={e.status} /> },
            { id: "target", header: "Target RTO", cell: (e) => formatDuration(e.targetRtoSeconds) },
            { id: "achieved", header: "Achieved RTO", cell: (e) => formatDuration(e.achievedRtoSeconds) },
            {
              id: "met",
              header: "RTO",
              cell: (e) =>
                e.targetRtoSeconds === undefined || e.achievedRtoSeconds === undefined ? (
                  "—"
                ) : e.status === "COMPLETED" && e.achievedRtoSeconds <= e.targetRtoSeconds ? (
                  <StatusIndicator type="success">Met</StatusIndicator>
                ) : (
                  <StatusIndicator type="error">Missed</StatusIndicator>
                ),
            },
            { id: "end", header: "Finished", cell: (e) => formatTime(e.endTime) },
          ]}
        />
        <ColumnLayout columns={2}>
          <Container
            header={
              <Header variant="h2" description="Across every account and region">
                Protection health
              </Header>
            }
            data-testid="protection-health"
          >
            {health.error ? <ErrorAlert error={health.error} /> : null}
            {health.data ? (
              <SpaceBetween size="m">
                <ColumnLayout columns={3} variant="text-grid">
                  <div>
                    <Box variant="awsui-key-label">Source servers</Box>
                    <Box variant="awsui-value-large">{health.data.total}</Box>
                  </div>
                  <div>
                    <Box variant="awsui-key-label">Not in any group</Box>
                    <Box variant="awsui-value-large">
                      <RouterLink href="/source-servers?assignment=unassigned" fontSize="display-l">
                        {String(health.data.unassigned)}
                      </RouterLink>
                    </Box>
                  </div>
                  <div>
                    <Box variant="awsui-key-label">Groups with conflicts</Box>
                    <Box variant="awsui-value-large">
                      {health.data.conflicted.length === 0 ? (
                        "0"
                      ) : (
                        <RouterLink href="/protection-groups?conflict=true" fontSize="display-l">
                          {String(health.data.conflicted.length)}
                        </RouterLink>
                      )}
                    </Box>
                  </div>
                </ColumnLayout>
                <SpaceBetween size="xxs">
                  <Box variant="awsui-key-label">Servers by replication state</Box>
                  {health.data.byState.map(([state, count]) => (
                    <ProgressBar
                      key={state}
                      value={health.data ? (100 * count) / Math.max(1, health.data.total) : 0}
                      label={<ReplicationStatus status={state} />}
                      additionalInfo={`${count} server${count === 1 ? "" : "s"}`}
                      ariaLabel={`${state}: ${count} servers`}
                    />
                  ))}
                </SpaceBetween>
              </SpaceBetween>
            ) : (
              <StatusIndicator type="loading">Discovering servers</StatusIndicator>
            )}
          </Container>
          <Table
            data-testid="quotas"
            variant="container"
            header={
              <Header variant="h2" description="DRS service quotas per account and region">
                Quota usage
              </Header>
            }
            loading={quotas.loading && !quotas.data}
            loadingText="Loading quotas"
            items={quotas.data ?? []}
            empty={<EmptyState title="No targets" subtitle="Add an account to see its DRS quotas." />}
            columnDefinitions={[
              { id: "target", header: "Account / region", cell: (q) => `${q.accountId} / ${q.region}` },
              {
                id: "replicating",
                header: "Replicating servers",
                cell: (q) =>
                  q.usage ? (
                    <ProgressBar
                      value={(100 * q.usage.replicatingServers) / Math.max(1, q.limits.replicatingServers)}
                      additionalInfo={`${q.usage.replicatingServers} / ${q.limits.replicatingServers}`}
                      ariaLabel={`Replicating servers in ${q.accountId} ${q.region}`}
                    />
                  ) : (
                    <StatusIndicator type="warning">{q.error ?? "unavailable"}</StatusIndicator>
                  ),
              },
              {
                id: "jobs",
                header: "Jobs (servers)",
                cell: (q) =>
                  q.usage
                    ? `${q.usage.activeJobs} / ${q.limits.concurrentJobs} (${q.usage.serversInActiveJobs} / ${q.limits.serversInAllJobs})`
                    : "—",
              },
            ]}
          />
        </ColumnLayout>
        <PlanReadiness />
      </SpaceBetween>
    </ContentLayout>
  );
}
