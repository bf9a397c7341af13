import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Pagination from "@cloudscape-design/components/pagination";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { type Schemas, unwrap } from "@drso/client";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { useApi, useSession } from "../../app-context.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDuration, formatTime } from "../../components/format.js";
import { Can } from "../../components/guarded.js";
import { useNotify } from "../../components/notifications.js";
import { RouterLink } from "../../components/router-link.js";
import { ExecutionStatus, ReadinessStatus } from "../../components/status.js";
import { useQuery } from "../../hooks/use-query.js";
import { ExecuteDialog } from "../execute/execute-dialog.js";

type Plan = Schemas["RecoveryPlanView"];
const STATUSES = ["", "RUNNING", "PAUSED", "COMPLETED", "FAILED", "CANCELLED"];

/** Recovery plans with the seed's filters (account, name, tag, conflict, last execution status). */
export default function RecoveryPlansPage() {
  const api = useApi();
  const navigate = useNavigate();
  const notify = useNotify();
  const { can } = useSession();
  const [name, setName] = useState("");
  const [accountId, setAccountId] = useState("");
  const [tag, setTag] = useState("");
  const [status, setStatus] = useState("");
  const [executing, setExecuting] = useState<Plan>();
  const [deleting, setDeleting] = useState<Plan>();
  const [deleteError, setDeleteError] = useState<unknown>();
  const plans = useQuery(
    async () => {
      const all: Plan[] = [];
      let nextToken: string | undefined;
      do {
        const page = await unwrap(
          api.GET("/recovery-plans", {
            params: {
              query: {
                limit: 100,
                ...(name.trim() ? { name: name.trim() } : {}),
                ...(/^\d{12}$/.test(accountId) ? { accountId } : {}),
                ...(/^[^=]+=.*$/.test(tag.trim()) ? { tag: tag.trim() } : {}),
                ...(status ? { status } : {}),
                ...(nextToken ? { nextToken } : {}),
              },
            },
          }),
        );
        all.push(...page.items);
        nextToken = page.nextToken;
      } while (nextToken);
      return all;
    },
    [api, name, accountId, tag, status],
    { intervalMs: 15000 },
  );
  const { items, collectionProps, paginationProps } = useCollection(plans.data ?? [], {
    pagination: { pageSize: 20 },
    sorting: { defaultState: { sortingColumn: { sortingField: "name" } } },
  });
  const filtered = Boolean(name || accountId || tag || status);

  const remove = async () => {
    if (!deleting) return;
    try {
      await unwrap(api.DELETE("/recovery-plans/{id}", { params: { path: { id: deleting.planId } } }));
      notify({ type: "success", content: `Deleted ${deleting.name}.` });
      setDeleting(undefined);
      await plans.reload();
    } catch (e) {
      setDeleteError(e);
    }
  };

  return (
    <SpaceBetween size="l">
      <ErrorAlert error={plans.error} />
      <Table
        {...collectionProps}
        data-testid="recovery-plans"
        variant="full-page"
        items={items}
        trackBy="planId"
        loading={plans.loading && !plans.data}
        loadingText="Loading recovery plans"
        header={
          <Header
            variant="h1"
            counter={plans.data ? `(${plans.data.length})` : undefined}
            description="Waves of protection groups, run as drills, recoveries or failbacks"
            actions={
              <Can permission="drs:CreateRecoveryPlan">
                <Button
                  variant="primary"
                  onClick={() => navigate("/recovery-plans/new")}
                  data-testid="create-plan"
                >
                  Create recovery plan
                </Button>
              </Can>
            }
          >
            Recovery plans
          </Header>
        }
        filter={
          <SpaceBetween direction="horizontal" size="xs">
            <Input
              type="search"
              value={name}
              onChange={(e) => setName(e.detail.value)}
              placeholder="Name contains"
              ariaLabel="Filter by name"
            />
            <Input
              type="search"
              value={accountId}
              onChange={(e) => setAccountId(e.detail.value)}
              placeholder="Account ID"
              ariaLabel="Filter by account"
            />
            <Input
              type="search"
              value={tag}
              onChange={(e) => setTag(e.detail.value)}
              placeholder="Tag key=value"
              ariaLabel="Filter by tag"
            />
            <Select
              selectedOption={{ value: status, label: status || "Any last status" }}
              options={STATUSES.map((s) => ({ value: s, label: s || "Any last status" }))}
              onChange={(e) => setStatus(e.detail.selectedOption.value ?? "")}
              ariaLabel="Filter by last execution status"
            />
          </SpaceBetween>
        }
        pagination={<Pagination {...paginationProps} />}
        empty={
          filtered ? (
            <EmptyState title="No matches" subtitle="No plan matches these filters." />
          ) : (
            <EmptyState
              title="No recovery plans yet"
              subtitle="A plan orders protection groups into waves with dependencies, approvals and checks. Create one, then run a drill."
              action={
                can("drs:CreateRecoveryPlan") ? (
                  <Button onClick={() => navigate("/recovery-plans/new")}>Create recovery plan</Button>
                ) : (
                  <Box color="text-status-inactive">Ask an operator to create one.</Box>
                )
              }
            />
          )
        }
        columnDefinitions={[
          {
            id: "name",
            header: "Name",
            sortingField: "name",
            isRowHeader: true,
            cell: (p) => <RouterLink href={`/recovery-plans/${p.planId}`}>{p.name}</RouterLink>,
          },
          {
            id: "readiness",
            header: "Readiness",
            cell: (p) => <ReadinessStatus status={p.readiness?.status} />,
          },
          { id: "waves", header: "Waves", cell: (p) => p.waves.length },
          { id: "groups", header: "Protection groups", cell: (p) => p.protectionGroupCount },
          {
            id: "targets",
            header: "Accounts / regions",
            cell: (p) => p.accounts.map((a) => `${a.accountId}/${a.region}`).join(", ") || "—",
          },
          { id: "rto", header: "RTO target", cell: (p) => formatDuration(p.rtoSeconds) },
          {
            id: "last",
            header: "Last execution",
            cell: (p) =>
              p.lastExecution ? (
                <SpaceBetween direction="horizontal" size="xs">
                  <RouterLink href={`/executions/${p.lastExecution.executionId}`}>
                    {p.lastExecution.executionType}
                  </RouterLink>
                  <ExecutionStatus status={p.lastExecution.status} />
                  <Box color="text-body-secondary">{formatTime(p.lastExecution.startTime)}</Box>
                </SpaceBetween>
              ) : (
                "Never run"
              ),
          },
          {
            id: "actions",
            header: "Actions",
            cell: (p) => (
              <SpaceBetween direction="horizontal" size="xs">
                <Can permission="drs:ExecuteRecovery">
                  <Button
                    variant="inline-link"
                    onClick={() => setExecuting(p)}
                    ariaLabel={`Execute ${p.name}`}
                    data-testid="execute-row"
                  >
                    Execute
                  </Button>
                </Can>
                <Can permission="drs:DeleteRecoveryPlan">
                  <Button variant="inline-link" onClick={() => setDeleting(p)} ariaLabel={`Delete ${p.name}`}>
                    Delete
                  </Button>
                </Can>
              </SpaceBetween>
            ),
          },
        ]}
      />
      {executing ? (
        <ExecuteDialog
          plan={executing}
          onDismiss={() => setExecuting(undefined)}
          onStarted={(id) => navigate(`/executions/${id}`)}
        />
      ) : null}
      <Modal
        visible={deleting !== undefined}
        onDismiss={() => setDeleting(undefined)}
        header="Delete recovery plan"
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setDeleting(undefined)}>
                Cancel
              </Button>
              <Button variant="primary" onClick={() => void remove()}>
                Delete
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="s">
          <Box>
            Delete <b>{deleting?.name}</b>? Its execution history stays.
          </Box>
          <ErrorAlert error={deleteError} header="Could not delete" />
        </SpaceBetween>
      </Modal>
    </SpaceBetween>
  );
}
