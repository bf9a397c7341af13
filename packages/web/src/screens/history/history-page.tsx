import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import DatePicker from "@cloudscape-design/components/date-picker";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Multiselect from "@cloudscape-design/components/multiselect";
import Pagination from "@cloudscape-design/components/pagination";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { type Schemas, unwrap } from "@drso/client";
import { useState } from "react";
import { useApi, useSession } from "../../app-context.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDuration, formatTime, plural } from "../../components/format.js";
import { useNotify } from "../../components/notifications.js";
import { RouterLink } from "../../components/router-link.js";
import { ExecutionStatus } from "../../components/status.js";
import { useQuery } from "../../hooks/use-query.js";
import { fetchAllPlans, isTerminalStatus } from "./history-model.js";

type Summary = Schemas["ExecutionSummary"];
const STATUSES = ["PENDING", "RUNNING", "PAUSED", "CANCELLING", "COMPLETED", "FAILED", "CANCELLED"];
const RANGES = ["", "today", "yesterday", "thisWeek", "lastWeek", "thisMonth", "lastMonth"] as const;
type Range = Exclude<(typeof RANGES)[number], "">;

/** YYYY-MM-DD (date picker) → MM-DD-YYYY (the seed's query format). */
const seedDate = (iso: string) => (iso ? `${iso.slice(5, 7)}-${iso.slice(8, 10)}-${iso.slice(0, 4)}` : "");

/** Execution history with every seed filter, server-side paging, and deletion of finished executions. */
export default function HistoryPage() {
  const api = useApi();
  const notify = useNotify();
  const { can } = useSession();
  const [planId, setPlanId] = useState("");
  const [statuses, setStatuses] = useState<string[]>([]);
  const [type, setType] = useState("");
  const [initiatedBy, setInitiatedBy] = useState("");
  const [startDate, setStartDate] = useState("");
  const [endDate, setEndDate] = useState("");
  const [range, setRange] = useState("");
  const [sortBy, setSortBy] = useState<"StartTime" | "EndTime" | "Status">("StartTime");
  const [sortOrder, setSortOrder] = useState<"asc" | "desc">("desc");
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<Summary[]>([]);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();
  const plans = useQuery(() => fetchAllPlans(api), [api]);
  const filterKey = JSON.stringify([
    planId,
    statuses,
    type,
    initiatedBy,
    startDate,
    endDate,
    range,
    sortBy,
    sortOrder,
  ]);
  const executions = useQuery(
    async () => {
      const result = await unwrap(
        api.GET("/executions", {
          params: {
            query: {
              limit: 25,
              sortBy,
              sortOrder,
              ...(planId ? { planId } : {}),
              ...(statuses.length ? { status: statuses.join(",") } : {}),
              ...(type ? { executionType: type as "DRILL" | "RECOVERY" | "FAILBACK" } : {}),
              ...(initiatedBy.trim() ? { initiatedBy: initiatedBy.trim() } : {}),
              ...(startDate ? { startDate: seedDate(startDate) } : {}),
              ...(endDate ? { endDate: seedDate(endDate) } : {}),
              ...(range ? { dateRange: range as Range } : {}),
              ...(tokens[page] ? { nextToken: tokens[page] } : {}),
            },
          },
        }),
      );
      setTokens((t) => {
        const next = t.slice(0, page + 1);
        if (result.nextToken) next.push(result.nextToken);
        return next;
      });
      return result.items;
    },
    [api, filterKey, page],
    { intervalMs: 10000 },
  );
  const resetPaging = () => {
    setTokens([undefined]);
    setPage(0);
  };
  const filtered = filterKey !== JSON.stringify(["", [], "", "", "", "", "", "StartTime", "desc"]);

  const removeSelected = async () => {
    setDeleteError(undefined);
    try {
      const result = await unwrap(
        api.POST("/executions/delete", { body: { executionIds: selected.map((s) => s.executionId) } }),
      );
      notify({ type: "success", content: `Deleted ${plural(result.deleted, "execution")}.` });
      setSelected([]);
      setDeleting(false);
      await executions.reload();
    } catch (e) {
      setDeleteError(e);
    }
  };

  return (
    <SpaceBetween size="l">
      <ErrorAlert error={executions.error} />
      <Table
        data-testid="history"
        variant="full-page"
        wrapLines
        items={executions.data ?? []}
        trackBy="executionId"
        loading={executions.loading && !executions.data}
        loadingText="Loading executions"
        {...(can("drs:ManageExecution") ? { selectionType: "multi" as const } : {})}
        selectedItems={selected}
        isItemDisabled={(e) => !isTerminalStatus(e.status)}
        onSelectionChange={(e) => setSelected(e.detail.selectedItems)}
        ariaLabels={{
          itemSelectionLabel: (_, e) => `${e.planName} ${e.startTime}`,
          allItemsSelectionLabel: () => "Select all",
          selectionGroupLabel: "Executions",
        }}
        sortingColumn={{ sortingField: sortBy }}
        sortingDescending={sortOrder === "desc"}
        onSortingChange={(e) => {
          setSortBy((e.detail.sortingColumn.sortingField as typeof sortBy) ?? "StartTime");
          setSortOrder(e.detail.isDescending ? "desc" : "asc");
          resetPaging();
        }}
        header={
          <Header
            variant="h1"
            description="Every drill, recovery and failback, newest first"
            actions={
              can("drs:ManageExecution") ? (
                <Button
                  disabled={selected.length === 0}
                  disabledReason="Select finished executions to delete."
                  onClick={() => setDeleting(true)}
                >
                  Delete selected
                </Button>
              ) : undefined
            }
          >
            Execution history
          </Header>
        }
        filter={
          <SpaceBetween direction="horizontal" size="xs">
            <FormField label="Plan">
              <Select
                selectedOption={{
                  value: planId,
                  label: plans.data?.find((p) => p.planId === planId)?.name ?? "Any plan",
                }}
                options={[
                  { value: "", label: "Any plan" },
                  ...(plans.data ?? []).map((p) => ({ value: p.planId, label: p.name })),
                ]}
                onChange={(e) => {
                  setPlanId(e.detail.selectedOption.value ?? "");
                  resetPaging();
                }}
              />
            </FormField>
            <FormField label="Status">
              <Multiselect
                selectedOptions={statuses.map((s) => ({ value: s, label: s }))}
                options={STATUSES.map((s) => ({ value: s, label: s }))}
                placeholder="Any status"
                onChange={(e) => {
                  setStatuses(e.detail.selectedOptions.map((o) => o.value!));
                  resetPaging();
                }}
              />
            </FormField>
            <FormField label="Type">
              <Select
                selectedOption={{ value: type, label: type || "Any type" }}
                options={["", "DRILL", "RECOVERY", "FAILBACK"].map((t) => ({
                  value: t,
                  label: t || "Any type",
                }))}
                onChange={(e) => {
                  setType(e.detail.selectedOption.value ?? "");
                  resetPaging();
                }}
              />
            </FormField>
            <FormField label="Initiated by">
              <Input
                type="search"
                value={initiatedBy}
                placeholder="email"
                onChange={(e) => {
                  setInitiatedBy(e.detail.value);
                  resetPaging();
                }}
              />
            </FormField>
            <FormField label="Quick range">
              <Select
                selectedOption={{ value: range, label: range || "Any time" }}
                options={RANGES.map((r) => ({ value: r, label: r || "Any time" }))}
                onChange={(e) => {
                  setRange(e.detail.selectedOption.value ?? "");
                  resetPaging();
                }}
              />
            </FormField>
            <FormField label="From">
              <DatePicker
                value={startDate}
                placeholder="YYYY/MM/DD"
                onChange={(e) => {
                  setStartDate(e.detail.value);
                  resetPaging();
                }}
                openCalendarAriaLabel={() => "Choose start date"}
              />
            </FormField>
            <FormField label="To">
              <DatePicker
                value={endDate}
                placeholder="YYYY/MM/DD"
                onChange={(e) => {
                  setEndDate(e.detail.value);
                  resetPaging();
                }}
                openCalendarAriaLabel={() => "Choose end date"}
              />
            </FormField>
          </SpaceBetween>
        }
        pagination={
          <Pagination
            currentPageIndex={page + 1}
            pagesCount={tokens.length}
            openEnd={tokens.length > page + 1}
            onChange={(e) => setPage(e.detail.currentPageIndex - 1)}
          />
        }
        empty={
          filtered ? (
            <EmptyState title="No matches" subtitle="No execution matches these filters." />
          ) : (
            <EmptyState
              title="No executions yet"
              subtitle={
                <>
                  Run a drill from a <RouterLink href="/recovery-plans">recovery plan</RouterLink> to see it
                  here.
                </>
              }
            />
          )
        }
        columnDefinitions={[
          {
            id: "plan",
            header: "Plan",
            isRowHeader: true,
            cell: (e) => <RouterLink href={`/executions/${e.executionId}`}>{e.planName}</RouterLink>,
          },
          { id: "type", header: "Type", cell: (e) => e.executionType },
          {
            id: "Status",
            sortingField: "Status",
            header: "Status",
            cell: (e) => <ExecutionStatus status={e.status} />,
          },
          { id: "by", header: "Initiated by", cell: (e) => e.initiatedBy },
          {
            id: "StartTime",
            sortingField: "StartTime",
            header: "Started",
            cell: (e) => formatTime(e.startTime),
          },
          { id: "EndTime", sortingField: "EndTime", header: "Ended", cell: (e) => formatTime(e.endTime) },
          { id: "waves", header: "Waves", cell: (e) => `${e.wavesCompleted}/${e.waveCount}` },
          {
            id: "servers",
            header: "Servers",
            cell: (e) =>
              `${e.serversLaunched}/${e.serverCount}${e.serversFailed ? ` (${e.serversFailed} failed)` : ""}`,
          },
          {
            id: "rto",
            header: "RTO achieved / target",
            cell: (e) =>
              e.achievedRtoSeconds === undefined ? (
                "—"
              ) : (
                <StatusIndicator
                  type={
                    e.targetRtoSeconds === undefined
                      ? "info"
                      : e.status === "COMPLETED" && e.achievedRtoSeconds <= e.targetRtoSeconds
                        ? "success"
                        : "error"
                  }
                >
                  {`${formatDuration(e.achievedRtoSeconds)} / ${formatDuration(e.targetRtoSeconds)}`}
                </StatusIndicator>
              ),
          },
          {
            id: "cleanup",
            header: "Instances",
            cell: (e) =>
              e.instancesTerminated
                ? "Terminated"
                : e.executionType === "DRILL" && e.serversLaunched > 0
                  ? "Running"
                  : "—",
          },
        ]}
      />
      <Modal
        visible={deleting}
        onDismiss={() => setDeleting(false)}
        header="Delete executions"
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setDeleting(false)}>
                Cancel
              </Button>
              <Button variant="primary" onClick={() => void removeSelected()}>
                Delete
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="s">
          <Box>{`Delete ${plural(selected.length, "finished execution")} and their events? Reports of them will no longer be available.`}</Box>
          <ErrorAlert error={deleteError} />
        </SpaceBetween>
      </Modal>
    </SpaceBetween>
  );
}
