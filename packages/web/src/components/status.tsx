import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";

const EXECUTION: Record<string, StatusIndicatorProps.Type> = {
  PENDING: "pending",
  RUNNING: "in-progress",
  PAUSED: "stopped",
  CANCELLING: "loading",
  COMPLETED: "success",
  FAILED: "error",
  CANCELLED: "stopped",
};
const WAVE: Record<string, StatusIndicatorProps.Type> = {
  PENDING: "pending",
  WAITING: "stopped",
  RUNNING: "in-progress",
  COMPLETED: "success",
  FAILED: "error",
  TIMED_OUT: "error",
  CANCELLED: "stopped",
  SKIPPED: "not-started",
};
const SERVER: Record<string, StatusIndicatorProps.Type> = {
  NOT_STARTED: "not-started",
  PENDING: "pending",
  IN_PROGRESS: "in-progress",
  LAUNCHED: "success",
  FAILED: "error",
  TERMINATED: "stopped",
  CANCELLED: "stopped",
  SKIPPED: "not-started",
};
const ACTION: Record<string, StatusIndicatorProps.Type> = {
  PENDING: "pending",
  RUNNING: "in-progress",
  WAITING_APPROVAL: "warning",
  SUCCEEDED: "success",
  FAILED: "error",
  SKIPPED: "not-started",
  CANCELLED: "stopped",
};
const REPLICATION: Record<string, StatusIndicatorProps.Type> = {
  CONTINUOUS: "success",
  INITIAL_SYNC: "in-progress",
  INITIATING: "pending",
  BACKLOG: "warning",
  CREATING_SNAPSHOT: "in-progress",
  RESCAN: "in-progress",
  STALLED: "error",
  PAUSED: "stopped",
  STOPPED: "stopped",
  DISCONNECTED: "error",
};

const label = (s: string) =>
  s
    .replace(/_/g, " ")
    .toLowerCase()
    .replace(/^\w/, (c) => c.toUpperCase());

function StatusLabel({
  map,
  status,
}: {
  map: Record<string, StatusIndicatorProps.Type>;
  status: string | undefined;
}) {
  const s = status ?? "UNKNOWN";
  return (
    <StatusIndicator type={map[s] ?? "info"}>
      {s === "WAITING_APPROVAL" ? "Awaiting approval" : label(s)}
    </StatusIndicator>
  );
}

type Props = { status: string | undefined };
export const ExecutionStatus = ({ status }: Props) => <StatusLabel map={EXECUTION} status={status} />;
export const WaveStatus = ({ status }: Props) => <StatusLabel map={WAVE} status={status} />;
export const ServerStatus = ({ status }: Props) => <StatusLabel map={SERVER} status={status} />;
export const ActionStatus = ({ status }: Props) => <StatusLabel map={ACTION} status={status} />;
export const ReplicationStatus = ({ status }: Props) => <StatusLabel map={REPLICATION} status={status} />;

const READINESS: Record<string, { type: StatusIndicatorProps.Type; text: string }> = {
  READY: { type: "success", text: "Ready" },
  WARNINGS: { type: "warning", text: "Warnings" },
  NOT_READY: { type: "error", text: "Not ready" },
};
/** A plan's readiness (GET /recovery-plans/{id}/readiness); "Not evaluated" before the first evaluation. */
export function ReadinessStatus({ status }: Props) {
  const r = status ? READINESS[status] : undefined;
  return (
    <span data-testid="readiness-badge" data-status={status ?? "NONE"}>
      <StatusIndicator type={r?.type ?? "pending"}>{r?.text ?? "Not evaluated"}</StatusIndicator>
    </span>
  );
}

/** The colour of a status in the SVG charts (Cloudscape palette, readable in light and dark mode). */
export function statusColor(status: string): string {
  switch (status) {
    case "COMPLETED":
    case "LAUNCHED":
    case "SUCCEEDED":
      return "#2e8540";
    case "FAILED":
    case "TIMED_OUT":
      return "#d13212";
    case "RUNNING":
    case "IN_PROGRESS":
      return "#0972d3";
    case "WAITING":
    case "PAUSED":
    case "WAITING_APPROVAL":
      return "#b7740a";
    case "CANCELLED":
    case "SKIPPED":
      return "#7d8998";
    default:
      return "#9ba7b6";
  }
}
