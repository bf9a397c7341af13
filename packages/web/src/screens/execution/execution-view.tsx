import Alert from "@cloudscape-design/components/alert";
import Badge from "@cloudscape-design/components/badge";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Header from "@cloudscape-design/components/header";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import Tabs from "@cloudscape-design/components/tabs";
import type { ReactNode } from "react";
import { formatDuration, formatTime } from "../../components/format.js";
import { GanttChart, timelineRows } from "../../components/gantt-chart.js";
import { ActionStatus, ExecutionStatus, ServerStatus, WaveStatus } from "../../components/status.js";
import { type ExecutionDetail, type ExecutionEvent, isTerminal } from "../../hooks/use-execution-live.js";
import { EventLog } from "./event-log.js";
import { FailbackWaiting } from "./failback-waiting.js";

/** Failback phases in words: what the operator reads while a failback waits on the failback client or replication. */
const FAILBACK_PHASES: Record<string, string> = {
  resolve: "Finding the recovery instance",
  reverse: "Reversing replication",
  "waiting-client": "Waiting for the failback client",
  replicating: "Replicating back",
  ready: "Ready to fail back",
  launching: "Failing back",
  done: "Failed back",
  failed: "Failed",
};

export type Command =
  | { type: "pause" | "resume" | "cancel" }
  | { type: "approve" | "reject"; actionId: string }
  | { type: "retry-wave" | "skip-wave" | "abort-wave"; waveId: string; waveName: string }
  | { type: "terminate" }
  | { type: "force-end" }
  | { type: "simulate-failback-client"; serverId: string };

export interface ExecutionViewProps {
  detail: ExecutionDetail;
  events: ExecutionEvent[];
  transport: "connecting" | "sse" | "polling";
  can: (permission: string) => boolean;
  onCommand: (command: Command) => void;
  /** A command in flight (its button shows a spinner). */
  busy?: Command["type"] | undefined;
  now: number;
  jobLogs?: ReactNode;
  onOpenReport?: () => void;
  /** DRS is the simulator (sim mode): a failback waiting for its client offers to simulate it. */
  simulator?: boolean;
}

const DECISION_WORDS = { retry: "retried", skip: "skipped", abort: "aborted" } as const;

function waveCommand(
  type: "retry-wave" | "skip-wave" | "abort-wave",
  w: { waveId: string; name: string },
): Command {
  return { type, waveId: w.waveId, waveName: w.name };
}

function pauseText(d: ExecutionDetail): string {
  const p = d.pause;
  if (!p) return "The execution is paused.";
  const wave = d.waves.find((w) => w.waveId === p.waveId);
  if (p.reason === "pauseBefore")
    return `Paused before ${wave?.name ?? p.waveId}, as the plan asks. Resume to start the wave.`;
  if (p.reason === "approval") return "Waiting for an approval.";
  if (p.reason === "failure")
    return `Wave ${wave?.name ?? p.waveId} failed${wave?.error ? ` (${wave.error})` : ""}. Its plan asks a person to decide: retry its failed servers, skip past it and go on, or abort.`;
  return `Paused by ${p.by ?? "a user"}: no new wave starts until it is resumed. Running DRS jobs finish.`;
}

/** What the achieved RTO contains: the time spent waiting for people, and the RTO without it. */
export function rtoHumanText(rto: {
  achievedSeconds?: number | undefined;
  humanSeconds?: number | undefined;
  achievedWithoutHumanSeconds?: number | undefined;
}): string {
  const human = rto.humanSeconds ?? 0;
  if (human === 0) return "no human time (no pause or approval)";
  return `including ${formatDuration(human)} of human time; ${formatDuration(rto.achievedWithoutHumanSeconds ?? Math.max(0, (rto.achievedSeconds ?? 0) - human))} without human time`;
}

/** The execution's duration: its final one once ended, else counted from its start to now (ticks each second). */
export function liveDuration(
  d: Pick<ExecutionDetail, "status" | "startTime" | "endTime" | "durationSeconds">,
  now: number,
) {
  if (d.endTime) return Math.round((Date.parse(d.endTime) - Date.parse(d.startTime)) / 1000);
  if (isTerminal(d.status)) return d.durationSeconds;
  return Math.max(d.durationSeconds, Math.floor((now - Date.parse(d.startTime)) / 1000));
}

/** The live state of one execution: status, approvals, controls, Gantt timeline, servers, events, job logs. */
export function ExecutionView({
  detail: d,
  events,
  transport,
  can,
  onCommand,
  busy,
  now,
  jobLogs,
  onOpenReport,
  simulator = false,
}: ExecutionViewProps) {
  const terminal = isTerminal(d.status);
  const waiting = d.waves.flatMap((w) =>
    w.actions.filter((a) => a.status === "WAITING_APPROVAL").map((a) => ({ wave: w, action: a })),
  );
  const launched = d.counts.launched;
  const termination = d.termination && d.termination.status !== "NOT_REQUESTED" ? d.termination : undefined;
  const canTerminate =
    terminal &&
    launched > 0 &&
    (!termination || termination.status === "FAILED") &&
    d.executionType !== "FAILBACK";
  const manage = can("drs:ManageExecution");
  const failedWave =
    d.pause?.reason === "failure" ? d.waves.find((w) => w.waveId === d.pause?.waveId) : undefined;
  // A wave can be retried or skipped while the execution goes on (not once it is cancelling or aborting).
  const aborting = d.waves.some(
    (w) =>
      (w.status === "FAILED" || w.status === "TIMED_OUT") &&
      (w.decision?.decision === "abort" || (w.onFailure === "abort" && !w.decision)),
  );
  const controllable = manage && !terminal && d.status !== "CANCELLING" && !aborting;
  const waveControl = (w: ExecutionDetail["waves"][number]) => {
    if (!controllable) return null;
    if (
      (w.status === "FAILED" || w.status === "TIMED_OUT") &&
      d.executionType !== "FAILBACK" &&
      !w.awaitingDecision
    )
      return (
        <Button
          onClick={() => onCommand(waveCommand("retry-wave", w))}
          loading={busy === "retry-wave"}
          data-testid={`retry-wave-${w.waveId}`}
        >
          Retry failed servers
        </Button>
      );
    if (w.status === "PENDING" || w.status === "WAITING")
      return (
        <Button
          onClick={() => onCommand(waveCommand("skip-wave", w))}
          loading={busy === "skip-wave"}
          data-testid={`skip-wave-${w.waveId}`}
        >
          Skip wave
        </Button>
      );
    return null;
  };

  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      {manage && (d.status === "RUNNING" || d.status === "PENDING") && !d.pauseRequested ? (
        <Button
          onClick={() => onCommand({ type: "pause" })}
          loading={busy === "pause"}
          data-testid="pause-execution"
        >
          Pause
        </Button>
      ) : null}
      {manage && (d.status === "PAUSED" || d.pauseRequested) ? (
        <Button
          variant="primary"
          onClick={() => onCommand({ type: "resume" })}
          loading={busy === "resume"}
          data-testid="resume-execution"
        >
          Resume
        </Button>
      ) : null}
      {manage && !terminal && d.status !== "CANCELLING" ? (
        <Button
          onClick={() => onCommand({ type: "cancel" })}
          loading={busy === "cancel"}
          data-testid="cancel-execution"
        >
          Cancel
        </Button>
      ) : null}
      {can("drs:TerminateInstances") && canTerminate ? (
        <Button
          onClick={() => onCommand({ type: "terminate" })}
          loading={busy === "terminate"}
          data-testid="terminate-instances"
        >
          Terminate {d.executionType === "DRILL" ? "drill" : "recovery"} instances
        </Button>
      ) : null}
      {can("admin:ForceEndExecution") && !terminal ? (
        <Button onClick={() => onCommand({ type: "force-end" })} data-testid="force-end-execution">
          Force end
        </Button>
      ) : null}
      {onOpenReport ? (
        <Button iconName="file" onClick={onOpenReport} data-testid="open-report">
          Report
        </Button>
      ) : null}
    </SpaceBetween>
  );

  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        actions={actions}
        description={
          <>
            <span>{`Started by ${d.initiatedBy} · ${formatTime(d.startTime)}${d.comment ? ` · ${d.comment}` : ""} `}</span>
            {terminal ? null : (
              <span data-testid="live-indicator">
                <Badge color={transport === "sse" ? "green" : "grey"}>
                  {transport === "sse" ? "Live" : transport === "polling" ? "Polling" : "Connecting"}
                </Badge>
              </span>
            )}
          </>
        }
      >
        <SpaceBetween direction="horizontal" size="s" alignItems="center">
          <span>{`${d.executionType === "DRILL" ? "Drill" : d.executionType === "RECOVERY" ? "Recovery" : "Failback"} of ${d.planName}`}</span>
          <span data-testid="execution-status">
            <ExecutionStatus status={d.status} />
          </span>
        </SpaceBetween>
      </Header>

      <div data-testid="execution-state">
        <FailbackWaiting
          detail={d}
          simulator={simulator}
          canManage={manage}
          busy={busy === "simulate-failback-client"}
          onSimulate={(serverId) => onCommand({ type: "simulate-failback-client", serverId })}
        />
        {d.pause?.reason === "failure" && failedWave ? (
          <Alert
            type="error"
            header={`Wave ${failedWave.name} failed: waiting for a decision`}
            data-testid="failure-decision"
            action={
              manage ? (
                <SpaceBetween direction="horizontal" size="xs">
                  <Button
                    onClick={() => onCommand(waveCommand("abort-wave", failedWave))}
                    loading={busy === "abort-wave"}
                    data-testid="abort-wave"
                  >
                    Abort
                  </Button>
                  <Button
                    onClick={() => onCommand(waveCommand("skip-wave", failedWave))}
                    loading={busy === "skip-wave"}
                    data-testid="skip-wave"
                  >
                    Skip and go on
                  </Button>
                  <Button
                    variant="primary"
                    onClick={() => onCommand(waveCommand("retry-wave", failedWave))}
                    loading={busy === "retry-wave"}
                    data-testid="retry-wave"
                  >
                    Retry wave
                  </Button>
                </SpaceBetween>
              ) : undefined
            }
          >
            {pauseText(d)}
          </Alert>
        ) : null}
        {d.status === "PAUSED" && waiting.length === 0 && d.pause?.reason !== "failure" ? (
          <Alert type="warning" header="Paused">
            {pauseText(d)}
          </Alert>
        ) : null}
        {d.pauseRequested && d.status !== "PAUSED" ? (
          <Alert type="info" header="Pause requested">
            {`${d.pauseRequested.by} asked to pause: the current wave finishes, then no new wave starts until resumed.`}
          </Alert>
        ) : null}
        {waiting.map(({ wave, action }) => (
          <Alert
            key={action.actionId}
            type="warning"
            header={`Awaiting approval: ${action.name ?? "approval"} (${wave.name}, ${action.phase === "pre" ? "before launch" : "after launch"})`}
            data-testid="approval-request"
            action={
              manage ? (
                <SpaceBetween direction="horizontal" size="xs">
                  <Button
                    onClick={() => onCommand({ type: "reject", actionId: action.actionId })}
                    loading={busy === "reject"}
                    data-testid="reject-action"
                  >
                    Reject
                  </Button>
                  <Button
                    variant="primary"
                    onClick={() => onCommand({ type: "approve", actionId: action.actionId })}
                    loading={busy === "approve"}
                    data-testid="approve-action"
                  >
                    Approve
                  </Button>
                </SpaceBetween>
              ) : undefined
            }
          >
            {action.message ?? "An approval is required before the execution continues."}
            {action.deadlineAt ? ` Times out ${formatTime(action.deadlineAt)}.` : ""}
          </Alert>
        ))}
        {d.error?.code === "FORCE_ENDED" ? (
          <Alert type="warning" header="Force-ended by an administrator" data-testid="force-ended">
            {d.error.message}
          </Alert>
        ) : null}
        {d.status === "FAILED" ? (
          <Alert type="error" header="The execution failed">
            {d.error?.message ??
              d.waves
                .filter((w) => w.error)
                .map((w) => `${w.name}: ${w.error}`)
                .join("; ") ??
              "See the failed waves and servers below."}
          </Alert>
        ) : null}
        {d.status === "CANCELLED" ? (
          <Alert type="info" header="Cancelled">
            {d.cancelRequested ? `Cancelled by ${d.cancelRequested.by}.` : "The execution was cancelled."}
          </Alert>
        ) : null}
        {d.status === "COMPLETED" ? (
          <Alert type={d.rto.met === false ? "warning" : "success"} header="Completed">
            {`Every wave completed in ${formatDuration(d.rto.achievedSeconds)}`}
            {d.rto.targetSeconds !== undefined
              ? ` (RTO target ${formatDuration(d.rto.targetSeconds)}: ${d.rto.met ? "met" : "missed"}).`
              : "."}
            {d.rto.humanSeconds
              ? ` RTO achieved ${formatDuration(d.rto.achievedSeconds)}, ${rtoHumanText(d.rto)}.`
              : ""}
            {d.executionType === "DRILL" && !termination && launched > 0
              ? ` Drill instances are still running${d.instancesTerminateAt ? ` until ${formatTime(d.instancesTerminateAt)}` : ""}: terminate them when you are done.`
              : ""}
          </Alert>
        ) : null}
      </div>

      <Container header={<Header variant="h2">Summary</Header>}>
        <ColumnLayout columns={4} variant="text-grid">
          <div>
            <Box variant="awsui-key-label">Waves</Box>
            <ProgressBar
              value={d.counts.waves ? (100 * d.counts.wavesCompleted) / d.counts.waves : 0}
              additionalInfo={`${d.counts.wavesCompleted} of ${d.counts.waves} completed${d.counts.wavesFailed ? `, ${d.counts.wavesFailed} failed` : ""}`}
              ariaLabel="Waves completed"
            />
          </div>
          <div>
            <Box variant="awsui-key-label">Servers</Box>
            <ProgressBar
              value={d.counts.servers ? (100 * d.counts.launched) / d.counts.servers : 0}
              additionalInfo={`${d.counts.launched} launched, ${d.counts.inProgress} in progress, ${d.counts.failed} failed${d.counts.optionalFailed ? ` (${d.counts.optionalFailed} optional)` : ""} of ${d.counts.servers}`}
              ariaLabel="Servers launched"
              status={d.counts.failed > 0 && terminal ? "error" : "in-progress"}
            />
          </div>
          <div>
            <Box variant="awsui-key-label">Duration</Box>
            <Box variant="awsui-value-large">
              <span data-testid="execution-duration">{formatDuration(liveDuration(d, now))}</span>
            </Box>
            {d.pointInTime.mode !== "latest" ? (
              <Box color="text-body-secondary" data-testid="execution-point-in-time">
                {d.pointInTime.mode === "time"
                  ? `Point in time: ${formatTime(d.pointInTime.at)}`
                  : "Point in time: snapshots chosen per server"}
              </Box>
            ) : null}
          </div>
          <div>
            <Box variant="awsui-key-label">RTO achieved / target</Box>
            <div data-testid="rto-achieved">
              <Box variant="awsui-value-large">{formatDuration(d.rto.achievedSeconds)}</Box>
              {d.rto.achievedSeconds !== undefined ? (
                <Box color="text-body-secondary">{rtoHumanText(d.rto)}</Box>
              ) : d.rto.humanSeconds ? (
                <Box color="text-body-secondary">{`${formatDuration(d.rto.humanSeconds)} of human time so far`}</Box>
              ) : null}
            </div>
            <SpaceBetween direction="horizontal" size="xs">
              <Box color="text-body-secondary">{`target ${formatDuration(d.rto.targetSeconds)}`}</Box>
              {d.rto.met !== undefined ? (
                <StatusIndicator type={d.rto.met ? "success" : "error"}>
                  {d.rto.met ? "Met" : "Missed"}
                </StatusIndicator>
              ) : null}
            </SpaceBetween>
          </div>
        </ColumnLayout>
      </Container>

      {termination ? (
        <Container header={<Header variant="h2">Instance termination</Header>} data-testid="termination">
          <ProgressBar
            value={termination.total ? (100 * (termination.terminated ?? 0)) / termination.total : 0}
            status={
              termination.status === "COMPLETED"
                ? "success"
                : termination.status === "FAILED"
                  ? "error"
                  : "in-progress"
            }
            resultText={
              termination.status === "COMPLETED"
                ? `${termination.terminated} of ${termination.total} instances terminated`
                : "Termination failed"
            }
            additionalInfo={`${termination.terminated ?? 0} of ${termination.total ?? 0} terminated${termination.failed ? `, ${termination.failed} failed` : ""} · requested by ${termination.requestedBy ?? "?"}${termination.reason === "drill-ttl" ? " (drill time-to-live)" : ""}`}
            label="Terminating recovery instances"
          />
        </Container>
      ) : null}

      <Tabs
        ariaLabel="Execution details"
        tabs={[
          {
            id: "timeline",
            label: "Timeline",
            content: (
              <Container
                header={
                  <Header
                    variant="h2"
                    description="Each wave from start to end; the dashed line is the RTO target"
                  >
                    Wave timeline
                  </Header>
                }
              >
                <SpaceBetween size="m">
                  <GanttChart
                    ariaLabel={`Timeline of ${d.waves.length} waves`}
                    origin={d.startTime}
                    now={d.endTime ? Date.parse(d.endTime) : now}
                    targetSeconds={d.rto.targetSeconds}
                    rows={timelineRows(d.waves, d.pauses)}
                  />
                  <ExpandableSection headerText="Timeline as a table">
                    <Table
                      variant="embedded"
                      items={d.waves}
                      columnDefinitions={[
                        { id: "wave", header: "Wave", cell: (w) => w.name, isRowHeader: true },
                        { id: "status", header: "Status", cell: (w) => <WaveStatus status={w.status} /> },
                        { id: "start", header: "Started", cell: (w) => formatTime(w.startTime) },
                        { id: "end", header: "Ended", cell: (w) => formatTime(w.endTime) },
                        { id: "dur", header: "Duration", cell: (w) => formatDuration(w.durationSeconds) },
                        {
                          id: "rto",
                          header: "RTO at end",
                          cell: (w) => formatDuration(w.achievedRtoSeconds),
                        },
                      ]}
                    />
                  </ExpandableSection>
                </SpaceBetween>
              </Container>
            ),
          },
          {
            id: "servers",
            label: "Waves and servers",
            content: (
              <SpaceBetween size="m">
                {d.waves.map((w) => (
                  <Table
                    key={w.waveId}
                    data-testid={`wave-servers-${w.waveId}`}
                    header={
                      <Header
                        variant="h3"
                        counter={`(${w.servers.length})`}
                        description={[
                          w.dependsOn.length ? `after ${w.dependsOn.join(", ")}` : undefined,
                          w.pauseBefore ? "pauses before" : undefined,
                          `on failure: ${w.onFailure}`,
                          w.retries ? `retried ${w.retries}×` : undefined,
                          w.decision
                            ? `${DECISION_WORDS[w.decision.decision]} by ${w.decision.by}${w.decision.comment ? ` (${w.decision.comment})` : ""}`
                            : undefined,
                          `launch timeout ${formatDuration(w.timeoutSeconds)}${w.failbackAllowanceSeconds ? ` + ${formatDuration(w.failbackAllowanceSeconds)} for replication back` : ""}`,
                          w.phase ? `phase: ${w.phase}` : undefined,
                          w.deadlineAt ? `launch times out ${formatTime(w.deadlineAt)}` : undefined,
                          w.error,
                        ]
                          .filter(Boolean)
                          .join(" · ")}
                        actions={
                          <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                            {waveControl(w)}
                            <WaveStatus status={w.status} />
                          </SpaceBetween>
                        }
                      >
                        {w.name}
                      </Header>
                    }
                    items={w.servers}
                    trackBy="sourceServerId"
                    columnDefinitions={[
                      { id: "host", header: "Server", cell: (s) => s.hostname, isRowHeader: true },
                      {
                        id: "status",
                        header: "Launch status",
                        cell: (s) => <ServerStatus status={s.launchStatus} />,
                      },
                      {
                        id: "impact",
                        header: "Impact",
                        cell: (s) =>
                          s.impact === "OPTIONAL" ? (
                            <Badge color="grey">Optional</Badge>
                          ) : (
                            <Box variant="span" color="text-body-secondary">
                              Critical
                            </Box>
                          ),
                      },
                      ...(d.pointInTime.mode !== "latest"
                        ? [
                            {
                              id: "snapshot",
                              header: "Point in time",
                              cell: (s: (typeof w.servers)[number]) =>
                                s.snapshot
                                  ? `${formatTime(s.snapshot.takenAt)} (${s.snapshot.snapshotId})`
                                  : "latest",
                            },
                          ]
                        : []),
                      { id: "ri", header: "Recovery instance", cell: (s) => s.recoveryInstanceId ?? "—" },
                      {
                        id: "ec2",
                        header: "EC2 instance",
                        cell: (s) =>
                          s.ec2InstanceId ? `${s.ec2InstanceId}${s.ec2State ? ` (${s.ec2State})` : ""}` : "—",
                      },
                      { id: "job", header: "DRS job", cell: (s) => s.jobId ?? "—" },
                      {
                        id: "target",
                        header: "Account / region",
                        cell: (s) => `${s.accountId} / ${s.region}`,
                      },
                      ...(d.executionType === "FAILBACK"
                        ? [
                            {
                              id: "failback",
                              header: "Failback (as DRS reports it)",
                              cell: (s: (typeof w.servers)[number]) =>
                                s.failback
                                  ? `${FAILBACK_PHASES[s.failback.phase] ?? s.failback.phase}${s.failback.drsState ? ` (${s.failback.drsState})` : ""}`
                                  : "—",
                            },
                          ]
                        : []),
                      {
                        id: "error",
                        header: d.executionType === "FAILBACK" ? "Message" : "Error",
                        cell: (s) => s.error ?? "",
                      },
                    ]}
                    footer={
                      w.actions.length > 0 ? (
                        <SpaceBetween size="xxs">
                          {w.actions.map((a) => (
                            <SpaceBetween key={a.actionId} direction="horizontal" size="xs">
                              <Box variant="span">{`${a.phase === "pre" ? "Before" : "After"} launch: ${a.name ?? a.type}`}</Box>
                              <ActionStatus status={a.status} />
                              {a.decision ? (
                                <Box
                                  variant="span"
                                  color="text-body-secondary"
                                >{`${a.decision.decision}d by ${a.decision.by}`}</Box>
                              ) : null}
                              {a.error ? (
                                <Box variant="span" color="text-status-error">
                                  {a.error}
                                </Box>
                              ) : null}
                            </SpaceBetween>
                          ))}
                        </SpaceBetween>
                      ) : undefined
                    }
                  />
                ))}
              </SpaceBetween>
            ),
          },
          {
            id: "events",
            label: `Events (${events.length})`,
            content: <EventLog events={events} waves={d.waves} />,
          },
          { id: "logs", label: "DRS job logs", content: jobLogs ?? <Box>Job logs are not available.</Box> },
        ]}
      />
    </SpaceBetween>
  );
}
