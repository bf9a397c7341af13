import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import PropertyFilter, { type PropertyFilterProps } from "@cloudscape-design/components/property-filter";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useApi } from "../../app-context.js";
import { propertyFilterI18n } from "../../components/collection-i18n.js";
import { DrsCredentialsAlert } from "../../components/drs-credentials-alert.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDuration } from "../../components/format.js";
import { RouterLink } from "../../components/router-link.js";
import { ReplicationStatus } from "../../components/status.js";
import { useDrsSetup } from "../../hooks/use-drs-setup.js";
import { fetchAllSourceServers, useTargets } from "../../hooks/use-inventory.js";
import { useQuery } from "../../hooks/use-query.js";

const ALL = "all";

function lag(iso: string | undefined): string {
  const m = iso ? /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(iso) : null;
  if (!m) return "—";
  return formatDuration(Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0));
}

const FILTERING_PROPERTIES: PropertyFilterProps.FilteringProperty[] = [
  {
    key: "hostname",
    propertyLabel: "Hostname",
    groupValuesLabel: "Hostnames",
    operators: [":", "!:", "=", "!="],
  },
  {
    key: "replicationState",
    propertyLabel: "Replication state",
    groupValuesLabel: "States",
    operators: ["=", "!="],
  },
  {
    key: "assignmentStatus",
    propertyLabel: "Assignment",
    groupValuesLabel: "Assignments",
    operators: ["=", "!="],
  },
  {
    key: "group",
    propertyLabel: "Protection group",
    groupValuesLabel: "Groups",
    operators: ["=", "!=", ":"],
  },
  { key: "readiness", propertyLabel: "Readiness", groupValuesLabel: "Readiness", operators: ["=", "!="] },
  { key: "tagPairs", propertyLabel: "Tag", groupValuesLabel: "Tags (key=value)", operators: [":", "!:"] },
  { key: "accountId", propertyLabel: "Account", groupValuesLabel: "Accounts", operators: ["=", "!="] },
  { key: "region", propertyLabel: "Region", groupValuesLabel: "Regions", operators: ["=", "!="] },
  {
    key: "os",
    propertyLabel: "Operating system",
    groupValuesLabel: "Operating systems",
    operators: [":", "!:"],
  },
];

/** Discovery across accounts and regions, filtered and paged with Cloudscape's collection hooks. */
export default function SourceServersPage() {
  const api = useApi();
  const [params] = useSearchParams();
  const targets = useTargets();
  const setup = useDrsSetup();
  const [target, setTarget] = useState<string>(ALL);
  const selected = useMemo(
    () =>
      (targets.data ?? []).filter(
        (t) => t.initialized && (target === ALL || `${t.accountId}/${t.region}` === target),
      ),
    [targets.data, target],
  );
  const servers = useQuery(() => fetchAllSourceServers(api, selected), [api, selected], {
    enabled: targets.data !== undefined,
  });
  const rows = useMemo(
    () =>
      (servers.data ?? []).map((s) => ({
        ...s,
        id: `${s.accountId}/${s.region}/${s.sourceServerId}`,
        group: s.protectionGroup?.groupName ?? "",
        tagPairs: Object.entries(s.tags)
          .map(([k, v]) => `${k}=${v}`)
          .join(" "),
      })),
    [servers.data],
  );
  const initialTokens: PropertyFilterProps.Token[] = [];
  const assignment = params.get("assignment");
  if (assignment) initialTokens.push({ propertyKey: "assignmentStatus", operator: "=", value: assignment });
  const { items, collectionProps, propertyFilterProps, paginationProps, filteredItemsCount, actions } =
    useCollection(rows, {
      propertyFiltering: {
        filteringProperties: FILTERING_PROPERTIES,
        defaultQuery: { operation: "and", tokens: initialTokens },
        // Say the step that is missing: credentials first, then a target, and only then agents.
        empty: setup.credentialsMissing ? (
          <EmptyState
            title="No source servers: DRS cannot be reached"
            subtitle="The server has no AWS credentials. Configure them for the user that runs it, then reload this page."
          />
        ) : targets.data?.length === 0 ? (
          <EmptyState
            title="No source servers"
            subtitle={
              <>
                No account and region to look in yet: add one on the{" "}
                <RouterLink href="/accounts">Accounts</RouterLink> page.
              </>
            }
          />
        ) : (
          <EmptyState
            title="No source servers"
            subtitle="DRS has no source server in these accounts and regions: install the AWS Replication Agent on the servers to protect."
          />
        ),
        noMatch: (
          <EmptyState
            title="No matches"
            subtitle="No server matches these filters."
            action={
              <Button onClick={() => actions.setPropertyFiltering({ tokens: [], operation: "and" })}>
                Clear filters
              </Button>
            }
          />
        ),
      },
      pagination: { pageSize: 20 },
      sorting: { defaultState: { sortingColumn: { sortingField: "hostname" } } },
    });

  return (
    <SpaceBetween size="l">
      <DrsCredentialsAlert detail={setup.credentialsMissing} />
      <ErrorAlert error={targets.error ?? servers.error} />
      <Table
        {...collectionProps}
        data-testid="source-servers"
        variant="full-page"
        wrapLines
        stickyHeader
        loading={servers.loading && !servers.data}
        loadingText="Discovering source servers"
        items={items}
        trackBy="id"
        header={
          <Header
            variant="h1"
            counter={servers.data ? `(${servers.data.length})` : undefined}
            description="DRS source servers in every configured account and region"
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Select
                  selectedOption={{
                    value: target,
                    label: target === ALL ? "All accounts and regions" : target,
                  }}
                  options={[
                    { value: ALL, label: "All accounts and regions" },
                    ...(targets.data ?? []).map((t) => ({
                      value: `${t.accountId}/${t.region}`,
                      label: `${t.accountId}/${t.region}`,
                      description: t.accountName,
                      disabled: !t.initialized,
                    })),
                  ]}
                  onChange={(e) => setTarget(e.detail.selectedOption.value ?? ALL)}
                  ariaLabel="Account and region"
                />
                <Button iconName="refresh" ariaLabel="Refresh" onClick={() => void servers.reload()} />
              </SpaceBetween>
            }
          >
            Source servers
          </Header>
        }
        filter={
          <PropertyFilter
            {...propertyFilterProps}
            i18nStrings={propertyFilterI18n}
            countText={`${filteredItemsCount ?? 0} matches`}
            expandToViewport
          />
        }
        pagination={
          <Pagination
            {...paginationProps}
            ariaLabels={{
              nextPageLabel: "Next page",
              previousPageLabel: "Previous page",
              pageLabel: (n) => `Page ${n}`,
            }}
          />
        }
        columnDefinitions={[
          {
            id: "hostname",
            header: "Hostname",
            cell: (s) => s.hostname,
            sortingField: "hostname",
            isRowHeader: true,
          },
          { id: "id", header: "Source server ID", cell: (s) => <Box variant="code">{s.sourceServerId}</Box> },
          {
            id: "target",
            header: "Account / region",
            cell: (s) => `${s.accountId} / ${s.region}`,
            sortingField: "accountId",
          },
          {
            id: "replication",
            header: "Replication",
            cell: (s) => <ReplicationStatus status={s.replicationState} />,
            sortingField: "replicationState",
          },
          { id: "lag", header: "Lag", cell: (s) => lag(s.lagDuration) },
          {
            id: "group",
            header: "Protection group",
            cell: (s) =>
              s.protectionGroup ? (
                <RouterLink href={`/protection-groups/${s.protectionGroup.groupId}`}>
                  {s.protectionGroup.groupName}
                </RouterLink>
              ) : (
                <Box color="text-status-inactive">Not assigned</Box>
              ),
            sortingField: "group",
          },
          {
            id: "tags",
            header: "Tags",
            cell: (s) =>
              Object.entries(s.tags)
                .filter(([k]) => k !== "Owner")
                .map(([k, v]) => `${k}=${v}`)
                .join(", "),
          },
          { id: "os", header: "OS", cell: (s) => s.os ?? "—" },
        ]}
      />
    </SpaceBetween>
  );
}
