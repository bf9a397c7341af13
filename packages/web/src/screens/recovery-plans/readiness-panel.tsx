import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { type Schemas, unwrap } from "@drso/client";
import { useState } from "react";
import { useApi } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime } from "../../components/format.js";
import { ReadinessStatus } from "../../components/status.js";
import { useQuery } from "../../hooks/use-query.js";

type Readiness = Schemas["PlanReadiness"];

/** The plan page's readiness: the badge, every finding with its wave, server and fix, and "Check now". */
export function ReadinessPanel({ planId }: { planId: string }) {
  const api = useApi();
  const [checked, setChecked] = useState<Readiness | undefined>(undefined);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<unknown>(undefined);
  const latest = useQuery(
    () => unwrap(api.GET("/recovery-plans/{id}/readiness", { params: { path: { id: planId } } })),
    [api, planId],
  );
  const r = checked ?? latest.data;

  const checkNow = async () => {
    setChecking(true);
    setCheckError(undefined);
    try {
      setChecked(
        await unwrap(api.POST("/recovery-plans/{id}/readiness", { params: { path: { id: planId } } })),
      );
    } catch (e) {
      setCheckError(e);
    } finally {
      setChecking(false);
    }
  };

  return (
    <Container
      data-testid="readiness-panel"
      header={
        <Header
          variant="h2"
          description={
            r
              ? `${r.serverCount} servers, evaluated ${formatTime(r.evaluatedAt) ?? r.evaluatedAt} (${r.trigger})`
              : "Replication, snapshots, launch settings, quotas, accounts and drills"
          }
          actions={
            <Button onClick={() => void checkNow()} loading={checking} data-testid="readiness-check-now">
              Check now
            </Button>
          }
        >
          <SpaceBetween direction="horizontal" size="xs">
            <span>Readiness</span>
            {r ? <ReadinessStatus status={r.status} /> : null}
          </SpaceBetween>
        </Header>
      }
    >
      <SpaceBetween size="s">
        <ErrorAlert error={latest.error ?? checkError} header="Could not evaluate readiness" />
        {r && r.checks.length === 0 ? (
          <StatusIndicator type="success">Every check passed.</StatusIndicator>
        ) : null}
        {r && r.checks.length > 0 ? (
          <Table
            variant="embedded"
            data-testid="readiness-findings"
            items={r.checks}
            columnDefinitions={[
              {
                id: "severity",
                header: "Severity",
                cell: (c) => (
                  <StatusIndicator type={c.severity === "error" ? "error" : "warning"}>
                    {c.severity === "error" ? "Error" : "Warning"}
                  </StatusIndicator>
                ),
              },
              { id: "check", header: "Check", cell: (c) => c.check },
              { id: "wave", header: "Wave", cell: (c) => c.waveName ?? "—" },
              {
                id: "server",
                header: "Server / account",
                cell: (c) =>
                  c.hostname ?? c.sourceServerId ?? (c.accountId ? `${c.accountId}/${c.region}` : "—"),
              },
              { id: "message", header: "Problem", cell: (c) => c.message },
              { id: "fix", header: "Fix", cell: (c) => c.fix },
            ]}
            wrapLines
          />
        ) : null}
        {r?.findingsOmitted ? (
          <Box color="text-body-secondary">{r.findingsOmitted} more findings not shown.</Box>
        ) : null}
        {r?.notApplicable.map((n) => (
          <Box key={n.check} color="text-body-secondary">
            Not checked: {n.check} — {n.reason}
          </Box>
        ))}
      </SpaceBetween>
    </Container>
  );
}
