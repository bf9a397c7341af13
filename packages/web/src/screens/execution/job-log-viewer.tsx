import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { unwrap } from "@drso/client";
import { useState } from "react";
import { useApi } from "../../app-context.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime } from "../../components/format.js";
import { useQuery } from "../../hooks/use-query.js";

/** DRS job log items of the execution's jobs, filtered by job, event and server. */
export function JobLogViewer({ executionId, live }: { executionId: string; live: boolean }) {
  const api = useApi();
  const [jobId, setJobId] = useState("");
  const [event, setEvent] = useState("");
  const [text, setText] = useState("");
  const logs = useQuery(
    () =>
      unwrap(
        api.GET("/executions/{id}/job-logs", {
          params: { path: { id: executionId }, query: { limit: 5000, ...(jobId ? { jobId } : {}) } },
        }),
      ),
    [api, executionId, jobId],
    { intervalMs: live ? 5000 : 0 },
  );
  const items = (logs.data?.items ?? []).filter(
    (i) =>
      (!event || i.event === event) &&
      (!text ||
        [i.sourceServerId, i.hostname, i.targetInstanceId, i.rawError, i.conversionServerId].some((v) =>
          v?.includes(text),
        )),
  );
  const events = [...new Set((logs.data?.items ?? []).map((i) => i.event))].sort();
  return (
    <SpaceBetween size="s">
      <ErrorAlert error={logs.error} />
      <Table
        data-testid="job-logs"
        items={items}
        loading={logs.loading && !logs.data}
        loadingText="Loading job logs"
        header={
          <Header
            variant="h2"
            counter={`(${items.length})`}
            actions={
              <Button iconName="refresh" ariaLabel="Refresh job logs" onClick={() => void logs.reload()} />
            }
          >
            DRS job logs
          </Header>
        }
        filter={
          <SpaceBetween direction="horizontal" size="xs">
            <Select
              selectedOption={{ value: jobId, label: jobId || "All jobs" }}
              options={[
                { value: "", label: "All jobs" },
                ...(logs.data?.jobs ?? []).map((j) => ({
                  value: j.jobId,
                  label: j.jobId,
                  description: `${j.accountId}/${j.region} · ${j.status}`,
                })),
              ]}
              onChange={(e) => setJobId(e.detail.selectedOption.value ?? "")}
              ariaLabel="Job"
            />
            <Select
              selectedOption={{ value: event, label: event || "All events" }}
              options={[{ value: "", label: "All events" }, ...events.map((e) => ({ value: e, label: e }))]}
              onChange={(e) => setEvent(e.detail.selectedOption.value ?? "")}
              ariaLabel="Event"
            />
            <TextFilter
              filteringText={text}
              onChange={(e) => setText(e.detail.filteringText)}
              filteringPlaceholder="Server, instance or error"
            />
          </SpaceBetween>
        }
        empty={
          <EmptyState
            title="No job log items"
            subtitle="Items appear once the engine has fetched the DRS job logs."
          />
        }
        columnDefinitions={[
          { id: "at", header: "Time", cell: (i) => formatTime(i.at) },
          { id: "job", header: "Job", cell: (i) => i.jobId },
          { id: "event", header: "Event", cell: (i) => i.event },
          {
            id: "server",
            header: "Source server",
            cell: (i) =>
              i.sourceServerId
                ? i.hostname
                  ? `${i.hostname} (${i.sourceServerId})`
                  : i.sourceServerId
                : "—",
          },
          { id: "target", header: "Target instance", cell: (i) => i.targetInstanceId ?? "—" },
          {
            id: "error",
            header: "Error",
            cell: (i) => (i.rawError ? <Box color="text-status-error">{i.rawError}</Box> : ""),
          },
        ]}
      />
    </SpaceBetween>
  );
}
