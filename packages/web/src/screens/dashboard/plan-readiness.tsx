import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Table from "@cloudscape-design/components/table";
import { unwrap } from "@drso/client";
import { useApi } from "../../app-context.js";
import { formatTime } from "../../components/format.js";
import { RouterLink } from "../../components/router-link.js";
import { ReadinessStatus } from "../../components/status.js";
import { useQuery } from "../../hooks/use-query.js";

const ORDER: Record<string, number> = { NOT_READY: 0, WARNINGS: 1, READY: 2 };

/** Every plan's readiness, the worst first (the plan list's stored status: no DRS calls from here). */
export function PlanReadiness() {
  const api = useApi();
  const plans = useQuery(
    async () => (await unwrap(api.GET("/recovery-plans", { params: { query: { limit: 100 } } }))).items,
    [api],
    { intervalMs: 30000 },
  );
  const items = [...(plans.data ?? [])].sort(
    (a, b) =>
      (ORDER[a.readiness?.status ?? ""] ?? 3) - (ORDER[b.readiness?.status ?? ""] ?? 3) ||
      a.name.localeCompare(b.name),
  );
  const notReady = items.filter((p) => p.readiness?.status === "NOT_READY").length;
  return (
    <Table
      data-testid="plan-readiness"
      loading={plans.loading && !plans.data}
      loadingText="Loading plans"
      header={
        <Header
          variant="h2"
          counter={plans.data ? `(${notReady} not ready)` : undefined}
          description="Evaluated every 15 minutes (settings) and after every change; open a plan for the reasons"
        >
          Plan readiness
        </Header>
      }
      items={items}
      empty={<Box color="text-status-inactive">No recovery plans yet.</Box>}
      columnDefinitions={[
        {
          id: "name",
          header: "Plan",
          isRowHeader: true,
          cell: (p) => <RouterLink href={`/recovery-plans/${p.planId}`}>{p.name}</RouterLink>,
        },
        {
          id: "readiness",
          header: "Readiness",
          cell: (p) => <ReadinessStatus status={p.readiness?.status} />,
        },
        {
          id: "at",
          header: "Evaluated",
          cell: (p) => (p.readiness ? formatTime(p.readiness.evaluatedAt) : "—"),
        },
      ]}
    />
  );
}
