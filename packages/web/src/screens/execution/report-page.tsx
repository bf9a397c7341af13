import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { unwrap } from "@drso/client";
import { useNavigate, useParams } from "react-router-dom";
import { useApi } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDuration, formatTime } from "../../components/format.js";
import { GanttChart, timelineRows } from "../../components/gantt-chart.js";
import { Loading } from "../../components/shell.js";
import { ExecutionStatus, WaveStatus } from "../../components/status.js";
import { useQuery } from "../../hooks/use-query.js";
import { rtoHumanText } from "./execution-view.js";

const PRINT_CSS = `
@media print {
  .drso-no-print { display: none !important; }
  body { background: #fff !important; }
  @page { margin: 14mm; }
}
`;

/** The printable drill report: plan, who, when, per-wave timings, RTO achieved vs target, failures. */
export default function ReportPage() {
  const { id = "" } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const report = useQuery(async () => {
    const data = await unwrap(
      api.GET("/executions/{id}/report", { params: { path: { id }, query: { format: "json" } } }),
    );
    if (typeof data === "string") throw new Error("The API answered Markdown where JSON was asked for.");
    return data;
  }, [api, id]);
  const r = report.data;
  if (!r)
    return report.error ? (
      <ErrorAlert error={report.error} header="Could not load the report" />
    ) : (
      <Loading />
    );
  const o = r.objectives;
  return (
    <main style={{ maxWidth: 1000, margin: "0 auto", padding: 24 }} data-testid="drill-report">
      <style>{PRINT_CSS}</style>
      <SpaceBetween size="l">
        <div className="drso-no-print">
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="arrow-left" onClick={() => navigate(`/executions/${id}`)}>
              Back to the execution
            </Button>
            <Button
              variant="primary"
              iconName="download"
              onClick={() => window.print()}
              data-testid="print-report"
            >
              Print or save as PDF
            </Button>
          </SpaceBetween>
        </div>
        <Header variant="h1" description={`Generated ${formatTime(r.generatedAt)} by DRS Orchestrator`}>
          {r.title}
        </Header>
        <Container header={<Header variant="h2">Execution</Header>}>
          <ColumnLayout columns={4} variant="text-grid">
            <div>
              <Box variant="awsui-key-label">Plan</Box>
              <div>{`${r.plan.name} (version ${r.plan.version})`}</div>
            </div>
            <div>
              <Box variant="awsui-key-label">Type / status</Box>
              <SpaceBetween direction="horizontal" size="xs">
                <span>{r.execution.executionType}</span>
                <ExecutionStatus status={r.execution.status} />
              </SpaceBetween>
            </div>
            <div>
              <Box variant="awsui-key-label">Initiated by</Box>
              <div>{r.execution.initiatedBy}</div>
            </div>
            <div>
              <Box variant="awsui-key-label">When</Box>
              <div>{`${formatTime(r.execution.startTime)} → ${formatTime(r.execution.endTime)}`}</div>
            </div>
            <div>
              <Box variant="awsui-key-label">RTO achieved / target</Box>
              <Box variant="awsui-value-large">{formatDuration(o.rtoAchievedSeconds)}</Box>
              <Box color="text-body-secondary" data-testid="report-rto-human">
                {rtoHumanText({
                  achievedSeconds: o.rtoAchievedSeconds,
                  humanSeconds: o.humanSeconds,
                  achievedWithoutHumanSeconds: o.rtoAchievedWithoutHumanSeconds,
                })}
              </Box>
              <Box color="text-body-secondary">{`target ${formatDuration(o.rtoTargetSeconds)}`}</Box>
              {o.rtoMet !== undefined ? (
                <StatusIndicator type={o.rtoMet ? "success" : "error"}>
                  {o.rtoMet ? "RTO met" : "RTO missed"}
                </StatusIndicator>
              ) : null}
            </div>
            <div>
              <Box variant="awsui-key-label">RPO target</Box>
              <div>{formatDuration(o.rpoTargetSeconds)}</div>
            </div>
            <div>
              <Box variant="awsui-key-label">Servers</Box>
              <div>{`${r.outcome.launched} launched, ${r.outcome.failed} failed, ${r.outcome.notLaunched} not launched (of ${r.plan.servers})`}</div>
            </div>
            <div>
              <Box variant="awsui-key-label">Cleanup</Box>
              <div>
                {r.cleanup
                  ? `${r.cleanup.terminated}/${r.cleanup.total} instances terminated (${r.cleanup.status.toLowerCase()})`
                  : "Not requested"}
              </div>
            </div>
          </ColumnLayout>
          {r.execution.comment ? <Box margin={{ top: "s" }}>{`Comment: ${r.execution.comment}`}</Box> : null}
        </Container>
        <Container header={<Header variant="h2">Wave timeline</Header>}>
          <GanttChart
            ariaLabel="Wave timeline"
            origin={r.execution.startTime}
            now={r.execution.endTime ? Date.parse(r.execution.endTime) : Date.parse(r.generatedAt)}
            targetSeconds={o.rtoTargetSeconds}
            rows={timelineRows(r.waves, r.pauses)}
          />
        </Container>
        <Table
          header={<Header variant="h2">Waves</Header>}
          items={r.waves}
          columnDefinitions={[
            { id: "name", header: "Wave", cell: (w) => w.name, isRowHeader: true },
            { id: "status", header: "Status", cell: (w) => <WaveStatus status={w.status} /> },
            { id: "start", header: "Started", cell: (w) => formatTime(w.startTime) },
            { id: "dur", header: "Duration", cell: (w) => formatDuration(w.durationSeconds) },
            { id: "rto", header: "RTO at end of wave", cell: (w) => formatDuration(w.achievedRtoSeconds) },
            { id: "servers", header: "Launched", cell: (w) => `${w.launched}/${w.servers}` },
            { id: "failed", header: "Failed", cell: (w) => w.failed },
          ]}
        />
        <Table
          header={
            <Header variant="h2" counter={`(${r.failures.length})`}>
              Failures
            </Header>
          }
          items={r.failures}
          empty={<Box textAlign="center">No server failed.</Box>}
          columnDefinitions={[
            {
              id: "host",
              header: "Server",
              cell: (f) => `${f.hostname} (${f.sourceServerId})`,
              isRowHeader: true,
            },
            { id: "target", header: "Account / region", cell: (f) => `${f.accountId}/${f.region}` },
            { id: "job", header: "Job", cell: (f) => f.jobId ?? "—" },
            { id: "error", header: "Error", cell: (f) => f.error },
          ]}
        />
        <Table
          data-testid="report-servers"
          header={
            <Header variant="h2" counter={`(${r.servers.length})`}>
              Servers
            </Header>
          }
          items={r.servers}
          wrapLines
          empty={<Box textAlign="center">No server in this execution.</Box>}
          columnDefinitions={[
            {
              id: "host",
              header: "Server",
              cell: (s) => `${s.hostname} (${s.sourceServerId})`,
              isRowHeader: true,
            },
            { id: "wave", header: "Wave", cell: (s) => s.wave },
            { id: "target", header: "Account / region", cell: (s) => `${s.accountId}/${s.region}` },
            {
              id: "instance",
              header: "Recovery instance",
              cell: (s) =>
                s.recoveryInstanceId
                  ? `${s.recoveryInstanceId}${s.ec2InstanceId && s.ec2InstanceId !== s.recoveryInstanceId ? ` (EC2 ${s.ec2InstanceId})` : ""}`
                  : "—",
            },
            { id: "start", header: "Launch started", cell: (s) => formatTime(s.startTime) },
            { id: "end", header: "Launch ended", cell: (s) => formatTime(s.endTime) },
            {
              id: "outcome",
              header: "Outcome",
              cell: (s) => `${s.outcome.toLowerCase().replace(/_/g, " ")}${s.error ? `: ${s.error}` : ""}`,
            },
          ]}
        />
        <Table
          data-testid="report-human-actions"
          header={
            <Header
              variant="h2"
              counter={`(${r.humanActions.length})`}
              description="Who started, paused, resumed, approved, rejected or cancelled the execution"
            >
              Human actions
            </Header>
          }
          items={r.humanActions}
          wrapLines
          empty={<Box textAlign="center">No human action.</Box>}
          columnDefinitions={[
            { id: "at", header: "At", cell: (a) => formatTime(a.at) },
            { id: "by", header: "Who", cell: (a) => a.by, isRowHeader: true },
            { id: "action", header: "Action", cell: (a) => a.action },
            { id: "subject", header: "On", cell: (a) => a.subject ?? "" },
            { id: "comment", header: "Comment", cell: (a) => a.comment ?? "" },
          ]}
        />
      </SpaceBetween>
    </main>
  );
}
