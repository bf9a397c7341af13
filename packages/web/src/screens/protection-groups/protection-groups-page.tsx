import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Pagination from "@cloudscape-design/components/pagination";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { type Schemas, unwrap } from "@drso/client";
import { useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { useApi, useSession } from "../../app-context.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime } from "../../components/format.js";
import { Can } from "../../components/guarded.js";
import { useNotify } from "../../components/notifications.js";
import { RouterLink } from "../../components/router-link.js";
import { useTargets } from "../../hooks/use-inventory.js";
import { useQuery } from "../../hooks/use-query.js";

type Group = Schemas["ProtectionGroupView"];
const ANY = { value: "", label: "Any" };

/** Protection groups with the seed's filters (account, region, name, conflict, tag). */
export default function ProtectionGroupsPage() {
  const api = useApi();
  const navigate = useNavigate();
  const notify = useNotify();
  const { can } = useSession();
  const [params] = useSearchParams();
  const targets = useTargets();
  const [accountId, setAccountId] = useState("");
  const [region, setRegion] = useState("");
  const [name, setName] = useState("");
  const [tag, setTag] = useState("");
  const [conflict, setConflict] = useState(params.get("conflict") ?? "");
  const [deleting, setDeleting] = useState<Group>();
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();

  const groups = useQuery(async () => {
    const all: Group[] = [];
    let nextToken: string | undefined;
    do {
      const page = await unwrap(
        api.GET("/protection-groups", {
          params: {
            query: {
              limit: 100,
              ...(accountId ? { accountId } : {}),
              ...(region ? { region } : {}),
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(/^[^=]+=.*$/.test(tag.trim()) ? { tag: tag.trim() } : {}),
              ...(conflict === "true" || conflict === "false" ? { hasConflict: conflict } : {}),
              ...(nextToken ? { nextToken } : {}),
            },
          },
        }),
      );
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }, [api, accountId, region, name, tag, conflict]);

  const { items, collectionProps, paginationProps } = useCollection(groups.data ?? [], {
    pagination: { pageSize: 20 },
    sorting: { defaultState: { sortingColumn: { sortingField: "name" } } },
  });
  const accounts = [...new Set((targets.data ?? []).map((t) => t.accountId))];
  const regions = [...new Set((targets.data ?? []).map((t) => t.region))];
  const filtered = Boolean(accountId || region || name || tag || conflict);

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    setDeleteError(undefined);
    try {
      await unwrap(api.DELETE("/protection-groups/{id}", { params: { path: { id: deleting.groupId } } }));
      notify({ type: "success", content: `Deleted protection group ${deleting.name}.` });
      setDeleting(undefined);
      await groups.reload();
    } catch (e) {
      setDeleteError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <SpaceBetween size="l">
      <ErrorAlert error={groups.error} />
      <Table
        {...collectionProps}
        data-testid="protection-groups"
        variant="full-page"
        wrapLines
        items={items}
        trackBy="groupId"
        loading={groups.loading && !groups.data}
        loadingText="Loading protection groups"
        header={
          <Header
            variant="h1"
            counter={groups.data ? `(${groups.data.length})` : undefined}
            description="Sets of source servers that recover together, selected by tags or explicitly"
            actions={
              <Can permission="drs:CreateProtectionGroup">
                <Button
                  variant="primary"
                  onClick={() => navigate("/protection-groups/new")}
                  data-testid="create-group"
                >
                  Create protection group
                </Button>
              </Can>
            }
          >
            Protection groups
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
            <Select
              selectedOption={
                accountId ? { value: accountId, label: accountId } : { ...ANY, label: "Any account" }
              }
              options={[{ ...ANY, label: "Any account" }, ...accounts.map((a) => ({ value: a, label: a }))]}
              onChange={(e) => setAccountId(e.detail.selectedOption.value ?? "")}
              ariaLabel="Filter by account"
            />
            <Select
              selectedOption={region ? { value: region, label: region } : { ...ANY, label: "Any region" }}
              options={[{ ...ANY, label: "Any region" }, ...regions.map((r) => ({ value: r, label: r }))]}
              onChange={(e) => setRegion(e.detail.selectedOption.value ?? "")}
              ariaLabel="Filter by region"
            />
            <Select
              selectedOption={
                conflict === "true"
                  ? { value: "true", label: "With conflicts" }
                  : conflict === "false"
                    ? { value: "false", label: "Without conflicts" }
                    : { value: "", label: "Any conflict status" }
              }
              options={[
                { value: "", label: "Any conflict status" },
                { value: "true", label: "With conflicts" },
                { value: "false", label: "Without conflicts" },
              ]}
              onChange={(e) => setConflict(e.detail.selectedOption.value ?? "")}
              ariaLabel="Filter by conflict status"
            />
            <Input
              type="search"
              value={tag}
              onChange={(e) => setTag(e.detail.value)}
              placeholder="Tag key=value"
              ariaLabel="Filter by tag"
            />
          </SpaceBetween>
        }
        pagination={<Pagination {...paginationProps} />}
        empty={
          filtered ? (
            <EmptyState title="No matches" subtitle="No protection group matches these filters." />
          ) : (
            <EmptyState
              title="No protection groups yet"
              subtitle="A protection group selects the source servers that recover together. Create one, then add it to a recovery plan."
              action={
                can("drs:CreateProtectionGroup") ? (
                  <Button onClick={() => navigate("/protection-groups/new")}>Create protection group</Button>
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
            cell: (g) => <RouterLink href={`/protection-groups/${g.groupId}`}>{g.name}</RouterLink>,
          },
          { id: "target", header: "Account / region", cell: (g) => `${g.accountId} / ${g.region}` },
          {
            id: "selection",
            header: "Selection",
            cell: (g) =>
              g.selectionMode === "tags"
                ? Object.entries(g.serverSelectionTags ?? {})
                    .map(([k, v]) => `${k}=${v}`)
                    .join(", ")
                : `${g.sourceServerIds?.length ?? 0} explicit`,
          },
          {
            id: "servers",
            header: "Servers",
            cell: (g) => g.serverCount ?? "—",
            sortingField: "serverCount",
          },
          {
            id: "conflict",
            header: "Conflicts",
            cell: (g) =>
              g.hasConflict ? (
                <StatusIndicator type="warning">
                  {`Overlaps ${(g.conflictsWith ?? []).map((c) => c.name).join(", ") || "another group"}`}
                </StatusIndicator>
              ) : g.resolutionError ? (
                <StatusIndicator type="error">{g.resolutionError}</StatusIndicator>
              ) : (
                <StatusIndicator type="success">None</StatusIndicator>
              ),
          },
          {
            id: "updated",
            header: "Updated",
            cell: (g) => formatTime(g.updatedAt),
            sortingField: "updatedAt",
          },
          {
            id: "actions",
            header: "Actions",
            cell: (g) => (
              <SpaceBetween direction="horizontal" size="xs">
                <Can permission="drs:UpdateProtectionGroup">
                  <Button
                    variant="inline-link"
                    onClick={() => navigate(`/protection-groups/${g.groupId}/edit`)}
                    ariaLabel={`Edit ${g.name}`}
                  >
                    Edit
                  </Button>
                </Can>
                <Can permission="drs:DeleteProtectionGroup">
                  <Button variant="inline-link" onClick={() => setDeleting(g)} ariaLabel={`Delete ${g.name}`}>
                    Delete
                  </Button>
                </Can>
              </SpaceBetween>
            ),
          },
        ]}
      />
      <Modal
        visible={deleting !== undefined}
        onDismiss={() => setDeleting(undefined)}
        header="Delete protection group"
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setDeleting(undefined)}>
                Cancel
              </Button>
              <Button variant="primary" loading={busy} onClick={() => void remove()}>
                Delete
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="s">
          <Box>
            Delete <b>{deleting?.name}</b>? Plans that use it must be changed first; the servers themselves
            are not affected.
          </Box>
          <ErrorAlert error={deleteError} header="Could not delete" />
        </SpaceBetween>
      </Modal>
    </SpaceBetween>
  );
}
