import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Pagination from "@cloudscape-design/components/pagination";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { unwrap } from "@drso/client";
import { useState } from "react";
import { useApi, useSession } from "../../app-context.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime } from "../../components/format.js";
import { useQuery } from "../../hooks/use-query.js";

/** The append-only audit log (admins and auditors): who did what, when, with what outcome. */
export default function AuditPage() {
  const api = useApi();
  const { can } = useSession();
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [outcome, setOutcome] = useState("");
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState(0);
  const allowed = can("audit:ReadAuditLog");
  const events = useQuery(
    async () => {
      const result = await unwrap(
        api.GET("/audit", {
          params: {
            query: {
              limit: 50,
              ...(actor.trim() ? { actor: actor.trim() } : {}),
              ...(action.trim() ? { action: action.trim() } : {}),
              ...(outcome ? { outcome: outcome as "success" | "failure" | "denied" } : {}),
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
    [api, actor, action, outcome, page],
    { enabled: allowed },
  );
  if (!allowed) return <Alert type="info">The audit log is for administrators and auditors.</Alert>;
  const reset = () => {
    setTokens([undefined]);
    setPage(0);
  };
  return (
    <SpaceBetween size="l">
      <ErrorAlert error={events.error} />
      <Table
        data-testid="audit"
        variant="full-page"
        wrapLines
        items={events.data ?? []}
        trackBy="eventId"
        loading={events.loading && !events.data}
        loadingText="Loading the audit log"
        header={
          <Header variant="h1" description="Every change and every denied request, newest first">
            Audit log
          </Header>
        }
        filter={
          <SpaceBetween direction="horizontal" size="xs">
            <Input
              type="search"
              value={actor}
              placeholder="Actor email"
              onChange={(e) => {
                setActor(e.detail.value);
                reset();
              }}
              ariaLabel="Filter by actor"
            />
            <Input
              type="search"
              value={action}
              placeholder="Action (e.g. execution.start)"
              onChange={(e) => {
                setAction(e.detail.value);
                reset();
              }}
              ariaLabel="Filter by action"
            />
            <Select
              selectedOption={{ value: outcome, label: outcome || "Any outcome" }}
              options={["", "success", "failure", "denied"].map((o) => ({
                value: o,
                label: o || "Any outcome",
              }))}
              onChange={(e) => {
                setOutcome(e.detail.selectedOption.value ?? "");
                reset();
              }}
              ariaLabel="Filter by outcome"
            />
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
        empty={<EmptyState title="No audit events" />}
        columnDefinitions={[
          { id: "at", header: "Time", cell: (e) => formatTime(e.at) },
          {
            id: "actor",
            header: "Actor",
            cell: (e) => `${e.actor.email ?? e.actor.sub}${e.actor.role ? ` (${e.actor.role})` : ""}`,
          },
          { id: "action", header: "Action", cell: (e) => e.action, isRowHeader: true },
          {
            id: "target",
            header: "Target",
            // The name people know the target by, then its id (groups and plans since issue 12).
            cell: (e) =>
              e.targetType
                ? `${e.targetType} ${e.targetName ? `${e.targetName} (${e.targetId ?? ""})` : (e.targetId ?? "")}`
                : "—",
          },
          {
            id: "outcome",
            header: "Outcome",
            cell: (e) => (
              <StatusIndicator
                type={e.outcome === "success" ? "success" : e.outcome === "denied" ? "warning" : "error"}
              >
                {`${e.outcome}${e.status ? ` (${e.status})` : ""}`}
              </StatusIndicator>
            ),
          },
          { id: "source", header: "Source", cell: (e) => <Box variant="small">{e.sourceIp ?? ""}</Box> },
        ]}
      />
    </SpaceBetween>
  );
}
