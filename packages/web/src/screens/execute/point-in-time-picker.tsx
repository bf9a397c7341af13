import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import DatePicker from "@cloudscape-design/components/date-picker";
import FormField from "@cloudscape-design/components/form-field";
import RadioGroup from "@cloudscape-design/components/radio-group";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import TimeInput from "@cloudscape-design/components/time-input";
import { unwrap } from "@drso/client";
import { useEffect } from "react";
import { useApi } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDuration, formatTime, plural } from "../../components/format.js";
import { useQuery } from "../../hooks/use-query.js";

export interface PointInTimeChoice {
  mode: "latest" | "time";
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** HH:mm:ss (UTC). */
  time: string;
}

/** The ISO time a choice stands for, or undefined while it is incomplete (or "latest"). */
export function pointInTimeOf(choice: PointInTimeChoice): string | undefined {
  if (
    choice.mode !== "time" ||
    !/^\d{4}-\d{2}-\d{2}$/.test(choice.date) ||
    !/^\d{2}:\d{2}(:\d{2})?$/.test(choice.time)
  )
    return undefined;
  const t = Date.parse(`${choice.date}T${choice.time.length === 5 ? `${choice.time}:00` : choice.time}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * The execute dialog's point-in-time choice: latest data, or a date and time (UTC) with a preview of the snapshot
 * each server would recover from and its age. `onReady` says whether the choice can start (every server has a
 * snapshot at or before the time).
 */
export function PointInTimePicker({
  planId,
  choice,
  onChange,
  onBlocked,
}: {
  planId: string;
  choice: PointInTimeChoice;
  onChange: (choice: PointInTimeChoice) => void;
  /** Whether a start would be refused (an incomplete time, or servers without a snapshot at that time). */
  onBlocked: (why: string | undefined) => void;
}) {
  const api = useApi();
  const at = pointInTimeOf(choice);
  const preview = useQuery(
    () =>
      unwrap(
        api.GET("/recovery-plans/{id}/point-in-time", {
          params: { path: { id: planId }, query: at ? { at } : {} },
        }),
      ),
    [api, planId, at, choice.mode],
    { enabled: choice.mode === "time" && at !== undefined },
  );
  const missing = preview.data?.missing.length ?? 0;
  const blocked =
    choice.mode !== "time"
      ? undefined
      : !at
        ? "Choose the date and time to recover to."
        : !preview.data
          ? "Looking up the snapshots at that time."
          : missing > 0
            ? `${plural(missing, "server")} ${missing === 1 ? "has" : "have"} no snapshot at or before that time.`
            : undefined;
  useEffect(() => onBlocked(blocked), [blocked, onBlocked]);
  return (
    <SpaceBetween size="s">
      <FormField label="Point in time" description="Which data the servers recover with.">
        <RadioGroup
          value={choice.mode}
          onChange={(e) => onChange({ ...choice, mode: e.detail.value as "latest" | "time" })}
          items={[
            { value: "latest", label: "Latest data", description: "What DRS has replicated up to now." },
            {
              value: "time",
              label: "A point in time",
              description:
                "Each server recovers from its newest snapshot taken at or before the time (for example before corruption or ransomware).",
            },
          ]}
          ariaLabel="Point in time"
        />
      </FormField>
      {choice.mode === "time" ? (
        <SpaceBetween size="s">
          <SpaceBetween direction="horizontal" size="s">
            <FormField label="Date (UTC)">
              <DatePicker
                value={choice.date}
                onChange={(e) => onChange({ ...choice, date: e.detail.value })}
                placeholder="YYYY/MM/DD"
                openCalendarAriaLabel={(selected) =>
                  `Choose the date${selected ? `, selected ${selected}` : ""}`
                }
                isDateEnabled={(d) => d.getTime() <= Date.now()}
                data-testid="pit-date"
              />
            </FormField>
            <FormField label="Time (UTC)">
              <TimeInput
                value={choice.time}
                onChange={(e) => onChange({ ...choice, time: e.detail.value })}
                format="hh:mm:ss"
                placeholder="hh:mm:ss"
                data-testid="pit-time"
              />
            </FormField>
          </SpaceBetween>
          <ErrorAlert error={preview.error} header="Could not look up the snapshots" />
          {at && preview.data ? (
            <SpaceBetween size="s">
              {missing > 0 ? (
                <Alert
                  type="error"
                  header={`${plural(missing, "server")} without a snapshot at that time`}
                  data-testid="pit-missing"
                >
                  Choose a later time, or latest data: a start would be refused.
                </Alert>
              ) : (
                <StatusIndicator type="success">{`Every server has a snapshot at or before ${formatTime(at)}.`}</StatusIndicator>
              )}
              <Table
                variant="embedded"
                data-testid="pit-preview"
                items={preview.data.servers}
                trackBy="sourceServerId"
                columnDefinitions={[
                  { id: "host", header: "Server", cell: (s) => s.hostname, isRowHeader: true },
                  { id: "wave", header: "Wave", cell: (s) => s.wave },
                  {
                    id: "snapshot",
                    header: "Snapshot",
                    cell: (s) =>
                      s.snapshotId ? (
                        s.snapshotId
                      ) : (
                        <StatusIndicator type="error">None at or before the time</StatusIndicator>
                      ),
                  },
                  { id: "taken", header: "Taken", cell: (s) => (s.takenAt ? formatTime(s.takenAt) : "—") },
                  {
                    id: "age",
                    header: "Age",
                    cell: (s) => (s.ageSeconds !== undefined ? formatDuration(s.ageSeconds) : "—"),
                  },
                ]}
              />
            </SpaceBetween>
          ) : preview.loading ? (
            <StatusIndicator type="loading">Looking up snapshots</StatusIndicator>
          ) : (
            <Box color="text-body-secondary">Choose a date and time to see the snapshot of each server.</Box>
          )}
        </SpaceBetween>
      ) : null}
    </SpaceBetween>
  );
}
