import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { type Schemas, unwrap } from "@drso/client";
import { useNavigate, useParams } from "react-router-dom";
import { useApi } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime, plural } from "../../components/format.js";
import { Can } from "../../components/guarded.js";
import { RouterLink } from "../../components/router-link.js";
import { Loading } from "../../components/shell.js";
import { ReplicationStatus } from "../../components/status.js";
import { useQuery } from "../../hooks/use-query.js";

/** The read-only page of one protection group: its selection, launch settings and the servers it resolves to. */
export default function ProtectionGroupDetailsPage() {
  const { id = "" } = useParams();
  const api = useApi();
  const group = useQuery(
    async () => unwrap(api.GET("/protection-groups/{id}", { params: { path: { id } } })),
    [api, id],
  );
  if (group.loading && !group.data) return <Loading />;
  if (!group.data) return <ErrorAlert error={group.error} header="Could not load the protection group" />;
  return <GroupDetails group={group.data} />;
}

const LAUNCH_LABELS: Array<[keyof Schemas["LaunchSettings"], string]> = [
  ["launchDisposition", "Instance state after launch"],
  ["targetInstanceTypeRightSizingMethod", "Instance type right-sizing"],
  ["copyPrivateIp", "Copy private IP"],
  ["copyTags", "Copy tags"],
  ["postLaunchEnabled", "Post-launch actions enabled"],
];

export function GroupDetails({ group }: { group: Schemas["ProtectionGroupView"] }) {
  const navigate = useNavigate();
  const launch = group.launchSettings ?? {};
  const launchValue = (key: keyof Schemas["LaunchSettings"]) => {
    const v = launch[key];
    return v === undefined ? "DRS default" : typeof v === "boolean" ? (v ? "Yes" : "No") : String(v);
  };
  return (
    <SpaceBetween size="l" data-testid="group-details">
      <Header
        variant="h1"
        description={group.description}
        actions={
          <Can permission="drs:UpdateProtectionGroup">
            <Button onClick={() => navigate(`/protection-groups/${group.groupId}/edit`)}>Edit</Button>
          </Can>
        }
      >
        {group.name}
      </Header>
      {group.resolutionError ? (
        <StatusIndicator type="error">{`DRS could not be read: ${group.resolutionError}`}</StatusIndicator>
      ) : null}
      <Container header={<Header variant="h2">Details</Header>}>
        <ColumnLayout columns={4} variant="text-grid">
          <div>
            <Box variant="awsui-key-label">Account / region</Box>
            <div>{`${group.accountId} / ${group.region}`}</div>
          </div>
          <div>
            <Box variant="awsui-key-label">Selection</Box>
            <div>
              {group.selectionMode === "tags"
                ? `By tags: ${Object.entries(group.serverSelectionTags ?? {})
                    .map(([k, v]) => `${k}=${v}`)
                    .join(", ")}`
                : `Explicit: ${plural(group.sourceServerIds?.length ?? 0, "source server")}`}
            </div>
          </div>
          <div>
            <Box variant="awsui-key-label">Conflicts</Box>
            <div>
              {group.hasConflict
                ? `Overlaps ${(group.conflictsWith ?? []).map((c) => c.name).join(", ")}`
                : "None"}
            </div>
          </div>
          <div>
            <Box variant="awsui-key-label">Owner / updated</Box>
            <div>{`${group.owner} · ${formatTime(group.updatedAt)}`}</div>
          </div>
        </ColumnLayout>
      </Container>
      <Container header={<Header variant="h2">Launch settings</Header>}>
        <ColumnLayout columns={3} variant="text-grid">
          {LAUNCH_LABELS.map(([key, label]) => (
            <div key={key}>
              <Box variant="awsui-key-label">{label}</Box>
              <div>{launchValue(key)}</div>
            </div>
          ))}
          <div>
            <Box variant="awsui-key-label">Bring your own OS licence</Box>
            <div>
              {launch.licensing?.osByol === undefined
                ? "DRS default"
                : launch.licensing.osByol
                  ? "Yes"
                  : "No"}
            </div>
          </div>
        </ColumnLayout>
      </Container>
      <Table
        header={
          <Header variant="h2" counter={`(${group.servers?.length ?? 0})`}>
            Source servers
          </Header>
        }
        items={group.servers ?? []}
        trackBy="sourceServerId"
        empty={<Box color="text-status-inactive">No source server matches this group now.</Box>}
        columnDefinitions={[
          { id: "hostname", header: "Hostname", cell: (s) => s.hostname, isRowHeader: true },
          { id: "id", header: "Source server ID", cell: (s) => s.sourceServerId },
          {
            id: "rep",
            header: "Replication",
            cell: (s) => <ReplicationStatus status={s.replicationState} />,
          },
          { id: "ready", header: "Launch readiness", cell: (s) => s.readiness },
          {
            id: "impact",
            header: "Impact",
            cell: (s) =>
              (group.serverImpactOverrides?.[s.sourceServerId] ?? group.serverImpact ?? "CRITICAL") ===
              "OPTIONAL"
                ? "Optional"
                : "Critical",
          },
          {
            id: "also",
            header: "Also in",
            cell: (s) =>
              s.assignedTo && s.assignedTo.groupId !== group.groupId ? (
                <RouterLink href={`/protection-groups/${s.assignedTo.groupId}`}>
                  {s.assignedTo.groupName}
                </RouterLink>
              ) : (
                "—"
              ),
          },
        ]}
      />
    </SpaceBetween>
  );
}
