import Alert from "@cloudscape-design/components/alert";
import AttributeEditor from "@cloudscape-design/components/attribute-editor";
import Autosuggest from "@cloudscape-design/components/autosuggest";
import Box from "@cloudscape-design/components/box";
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Multiselect from "@cloudscape-design/components/multiselect";
import RadioGroup from "@cloudscape-design/components/radio-group";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import Textarea from "@cloudscape-design/components/textarea";
import Wizard from "@cloudscape-design/components/wizard";
import { ApiError, etagOf, type Schemas, unwrap } from "@drso/client";
import { useEffect, useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useApi, useSession } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { plural } from "../../components/format.js";
import { useNotify } from "../../components/notifications.js";
import { Loading } from "../../components/shell.js";
import { ReplicationStatus } from "../../components/status.js";
import { fetchAllSourceServers, useTargets } from "../../hooks/use-inventory.js";
import { useQuery } from "../../hooks/use-query.js";
import { GroupDetails } from "./protection-group-details.js";
import { useResolvePreview } from "./use-resolve-preview.js";

type LaunchSettings = Schemas["LaunchSettings"];
interface TagRow {
  key: string;
  value: string;
}

interface Draft {
  name: string;
  description: string;
  target: string;
  mode: "tags" | "explicit";
  tags: TagRow[];
  serverIds: string[];
  launch: LaunchSettings;
  /** The group's server impact, and the servers that have the other one. */
  impact: "CRITICAL" | "OPTIONAL";
  impactExceptions: string[];
}

const EMPTY: Draft = {
  name: "",
  description: "",
  target: "",
  mode: "tags",
  tags: [{ key: "", value: "" }],
  serverIds: [],
  launch: {},
  impact: "CRITICAL",
  impactExceptions: [],
};

function tagsOf(rows: TagRow[]): Record<string, string> {
  return Object.fromEntries(rows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value.trim()]));
}

/** Create/edit a protection group: details, servers (tags or explicit, with a live preview), launch settings. */
export default function ProtectionGroupEditor() {
  const { id } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const notify = useNotify();
  const { can } = useSession();
  const targets = useTargets();
  const existing = useQuery(
    async () => (id ? unwrap(api.GET("/protection-groups/{id}", { params: { path: { id } } })) : undefined),
    [api, id],
  );
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [step, setStep] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [showErrors, setShowErrors] = useState(false);
  const [serverFilter, setServerFilter] = useState("");
  // Next pressed while the account list is still loading: go on once a target is chosen, instead of flagging
  // "Choose an account and region" for a field the user could not fill yet.
  const [nextWhenTargetLoads, setNextWhenTargetLoads] = useState(false);

  useEffect(() => {
    const g = existing.data;
    if (!g) return;
    setDraft({
      name: g.name,
      description: g.description ?? "",
      target: `${g.accountId}/${g.region}`,
      mode: g.selectionMode,
      tags: Object.entries(g.serverSelectionTags ?? {}).map(([key, value]) => ({ key, value })),
      serverIds: g.sourceServerIds ?? [],
      launch: g.launchSettings ?? {},
      impact: g.serverImpact ?? "CRITICAL",
      impactExceptions: Object.entries(g.serverImpactOverrides ?? {})
        .filter(([, impact]) => impact !== (g.serverImpact ?? "CRITICAL"))
        .map(([serverId]) => serverId),
    });
  }, [existing.data]);

  useEffect(() => {
    if (!id && !draft.target && targets.data?.[0]) {
      // The first target where DRS answered as initialized; failing that (DRS unreachable for a moment when
      // the page loaded), the first target, so the preview runs and says what is wrong instead of nothing.
      const first = targets.data.find((t) => t.initialized) ?? targets.data[0];
      if (first) setDraft((d) => ({ ...d, target: `${first.accountId}/${first.region}` }));
    }
  }, [id, draft.target, targets.data]);

  const [accountId = "", region = ""] = draft.target.split("/");
  useEffect(() => {
    if (!nextWhenTargetLoads || targets.loading) return;
    // The first target is chosen by the effect above, one render after the list arrives.
    if (!accountId && (targets.data?.length ?? 0) > 0) return;
    setNextWhenTargetLoads(false);
    if (accountId && draft.name.trim()) setStep((s) => (s === 0 ? 1 : s));
    else setShowErrors(true);
  }, [nextWhenTargetLoads, targets.loading, accountId, draft.name, targets.data?.length]);
  const tags = tagsOf(draft.tags);
  const tagsKey = JSON.stringify(tags);
  const previewRequest = useMemo(() => {
    const selection = JSON.parse(tagsKey) as Record<string, string>;
    if (!accountId || !region) return undefined;
    if (draft.mode === "tags" && Object.keys(selection).length === 0) return undefined;
    if (draft.mode === "explicit" && draft.serverIds.length === 0) return undefined;
    return {
      accountId,
      region,
      ...(draft.mode === "tags" ? { serverSelectionTags: selection } : { sourceServerIds: draft.serverIds }),
      ...(id ? { excludeGroupId: id } : {}),
    };
  }, [accountId, region, draft.mode, tagsKey, draft.serverIds, id]);
  const preview = useResolvePreview(previewRequest);
  const servers = useQuery(
    () => fetchAllSourceServers(api, [{ accountId, region }]),
    [api, accountId, region],
    // Both modes: explicit mode lists them, tag mode suggests their tag keys and values.
    { enabled: Boolean(accountId) },
  );
  const tagSuggestions = useMemo(() => {
    const values = new Map<string, Set<string>>();
    for (const s of servers.data ?? [])
      for (const [k, v] of Object.entries(s.tags ?? {})) {
        if (!values.has(k)) values.set(k, new Set());
        values.get(k)?.add(v);
      }
    return values;
  }, [servers.data]);
  const keyOptions = [...tagSuggestions.keys()].sort().map((k) => ({ value: k }));
  const valueOptions = (key: string) =>
    [...(tagSuggestions.get(key.trim()) ?? [])].sort().map((v) => ({ value: v }));

  if (id && existing.loading && !existing.data) return <Loading />;
  const readOnly = id ? !can("drs:UpdateProtectionGroup") : !can("drs:CreateProtectionGroup");

  const fieldErrors = new Map<string, string>();
  if (saveError instanceof ApiError)
    for (const f of saveError.fieldErrors) fieldErrors.set(f.path, f.message);
  const nameError = showErrors && !draft.name.trim() ? "A name is required." : fieldErrors.get("name");
  const selectionError =
    showErrors && draft.mode === "tags" && Object.keys(tags).length === 0
      ? "Add at least one tag."
      : showErrors && draft.mode === "explicit" && draft.serverIds.length === 0
        ? "Select at least one server."
        : (fieldErrors.get("serverSelectionTags") ?? fieldErrors.get("sourceServerIds"));
  const conflicts = preview.result?.conflicts ?? [];

  const submit = async () => {
    setShowErrors(true);
    if (!draft.name.trim() || !accountId) return setStep(0);
    if (
      selectionError ||
      (draft.mode === "tags" ? Object.keys(tags).length === 0 : draft.serverIds.length === 0)
    )
      return setStep(1);
    setSubmitting(true);
    setSaveError(undefined);
    const body: Schemas["ProtectionGroupInput"] = {
      name: draft.name.trim(),
      ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
      accountId,
      region,
      ...(draft.mode === "tags" ? { serverSelectionTags: tags } : { sourceServerIds: draft.serverIds }),
      ...(Object.keys(draft.launch).length ? { launchSettings: draft.launch } : {}),
      ...(draft.impact === "OPTIONAL" ? { serverImpact: "OPTIONAL" as const } : {}),
      ...(draft.impactExceptions.length
        ? {
            serverImpactOverrides: Object.fromEntries(
              draft.impactExceptions.map((serverId) => [
                serverId,
                draft.impact === "OPTIONAL" ? ("CRITICAL" as const) : ("OPTIONAL" as const),
              ]),
            ),
          }
        : {}),
    };
    try {
      const saved = id
        ? await unwrap(
            api.PUT("/protection-groups/{id}", {
              params: { path: { id } },
              headers: { "if-match": etagOf(existing.data?.version ?? 0) },
              body,
            }),
          )
        : await unwrap(api.POST("/protection-groups", { body }));
      notify({
        type: "success",
        content: `Protection group ${saved.name} ${id ? "saved" : "created"} (${plural(saved.serverCount ?? 0, "server")}).`,
      });
      navigate(id ? `/protection-groups/${id}` : "/protection-groups");
    } catch (e) {
      setSaveError(e);
      setSubmitting(false);
    }
  };

  const targetOptions = (targets.data ?? []).map((t) => ({
    value: `${t.accountId}/${t.region}`,
    label: `${t.accountId} / ${t.region}`,
    description: t.accountName,
    disabled: !t.initialized,
  }));

  const previewTable = (
    <Table
      data-testid="resolve-preview"
      variant="embedded"
      header={
        <Header
          variant="h3"
          counter={preview.result ? `(${preview.result.count})` : undefined}
          description="Live: the servers this selection resolves to right now"
        >
          Preview
        </Header>
      }
      loading={preview.loading && !preview.result}
      loadingText="Resolving"
      items={previewRequest ? (preview.result?.servers ?? []) : []}
      empty={
        <Box color="text-status-inactive">
          {previewRequest
            ? "No server matches this selection."
            : !accountId
              ? "Choose an account and region (step 1) to preview matching servers."
              : draft.mode === "explicit"
                ? "Choose servers above to preview them."
                : "Add a tag to preview matching servers."}
        </Box>
      }
      columnDefinitions={[
        { id: "hostname", header: "Hostname", cell: (s) => s.hostname, isRowHeader: true },
        { id: "id", header: "Source server ID", cell: (s) => s.sourceServerId },
        { id: "rep", header: "Replication", cell: (s) => <ReplicationStatus status={s.replicationState} /> },
        {
          id: "conflict",
          header: "Conflict",
          cell: (s) =>
            s.assignedTo ? (
              <StatusIndicator type="warning">{`Also in ${s.assignedTo.groupName}`}</StatusIndicator>
            ) : (
              "—"
            ),
        },
      ]}
    />
  );

  if (readOnly)
    return existing.data ? (
      <GroupDetails group={existing.data} />
    ) : (
      <Alert type="info" header="Read-only access">
        {id
          ? "Your role cannot edit protection groups. Ask an operator or administrator."
          : "Your role cannot create protection groups. Ask an operator or administrator."}
      </Alert>
    );

  return (
    <Wizard
      data-testid="group-wizard"
      activeStepIndex={step}
      onNavigate={(e) => {
        const to = e.detail.requestedStepIndex;
        // Step 1 is checked before leaving it: the name and the target are flagged where they are typed.
        if (step === 0 && to > 0 && (!draft.name.trim() || !accountId)) {
          if (draft.name.trim() && !accountId && targets.loading && !targets.data) {
            setNextWhenTargetLoads(true);
            return;
          }
          setShowErrors(true);
          return;
        }
        setStep(to);
      }}
      onCancel={() => navigate(id ? `/protection-groups/${id}` : "/protection-groups")}
      onSubmit={() => void submit()}
      isLoadingNextStep={submitting || nextWhenTargetLoads}
      allowSkipTo
      submitButtonText={id ? "Save changes" : "Create protection group"}
      i18nStrings={{
        stepNumberLabel: (n) => `Step ${n}`,
        collapsedStepsLabel: (n, total) => `Step ${n} of ${total}`,
        skipToButtonLabel: (s) => `Skip to ${s.title}`,
        navigationAriaLabel: "Steps",
        cancelButton: "Cancel",
        previousButton: "Previous",
        nextButton: "Next",
        optional: "optional",
      }}
      steps={[
        {
          title: id ? `Edit ${existing.data?.name ?? ""}` : "Group details",
          description: "A name and the account and region its servers replicate to.",
          content: (
            <SpaceBetween size="l">
              {readOnly ? <Alert type="info">Your role can view this group but not change it.</Alert> : null}
              <ErrorAlert error={existing.error ?? targets.error} />
              <Container header={<Header variant="h2">Details</Header>}>
                <SpaceBetween size="l">
                  <FormField
                    label="Name"
                    errorText={nameError}
                    constraintText="Up to 128 characters; unique."
                  >
                    <Input
                      value={draft.name}
                      onChange={(e) => setDraft((d) => ({ ...d, name: e.detail.value }))}
                      disabled={readOnly}
                      placeholder="billing-app"
                      data-testid="group-name"
                    />
                  </FormField>
                  <FormField label="Description" errorText={fieldErrors.get("description")}>
                    <Textarea
                      value={draft.description}
                      rows={2}
                      disabled={readOnly}
                      onChange={(e) => setDraft((d) => ({ ...d, description: e.detail.value }))}
                    />
                  </FormField>
                  <FormField
                    label="Account and region"
                    errorText={
                      showErrors && !accountId
                        ? "Choose an account and region."
                        : (fieldErrors.get("accountId") ?? fieldErrors.get("region"))
                    }
                  >
                    <Select
                      selectedOption={targetOptions.find((o) => o.value === draft.target) ?? null}
                      options={targetOptions}
                      disabled={readOnly || Boolean(id)}
                      placeholder="Choose where the servers replicate"
                      statusType={targets.loading && !targets.data ? "loading" : "finished"}
                      loadingText="Loading accounts and regions"
                      onChange={(e) =>
                        setDraft((d) => ({
                          ...d,
                          target: e.detail.selectedOption.value ?? "",
                          serverIds: [],
                        }))
                      }
                      data-testid="group-target"
                    />
                  </FormField>
                </SpaceBetween>
              </Container>
            </SpaceBetween>
          ),
        },
        {
          title: "Servers",
          description:
            "Select servers by tags (new servers with the tags join automatically) or pick them explicitly.",
          content: (
            <SpaceBetween size="l">
              <Container header={<Header variant="h2">Server selection</Header>}>
                <SpaceBetween size="l">
                  <RadioGroup
                    value={draft.mode}
                    onChange={(e) => setDraft((d) => ({ ...d, mode: e.detail.value as Draft["mode"] }))}
                    ariaLabel="Selection mode"
                    items={[
                      {
                        value: "tags",
                        label: "By tags",
                        description: "Every server whose tags all match.",
                        disabled: readOnly,
                      },
                      {
                        value: "explicit",
                        label: "Explicit servers",
                        description: "A fixed list of source servers.",
                        disabled: readOnly,
                      },
                    ]}
                  />
                  {draft.mode === "tags" ? (
                    <FormField
                      label="Tags"
                      errorText={selectionError}
                      description="A server matches when it has every tag."
                    >
                      <AttributeEditor
                        items={draft.tags}
                        addButtonText="Add tag"
                        removeButtonText="Remove"
                        disableAddButton={readOnly}
                        onAddButtonClick={() =>
                          setDraft((d) => ({ ...d, tags: [...d.tags, { key: "", value: "" }] }))
                        }
                        onRemoveButtonClick={(e) =>
                          setDraft((d) => ({ ...d, tags: d.tags.filter((_, i) => i !== e.detail.itemIndex) }))
                        }
                        empty="No tags"
                        definition={[
                          {
                            label: "Key",
                            control: (row, i) => (
                              <Autosuggest
                                value={row.key}
                                options={keyOptions}
                                enteredTextLabel={(v) => `Use "${v}"`}
                                empty="No tag keys in this account and region"
                                disabled={readOnly}
                                placeholder="App"
                                ariaLabel={`Tag ${i + 1} key`}
                                data-testid={`tag-key-${i}`}
                                onChange={(e) =>
                                  setDraft((d) => ({
                                    ...d,
                                    tags: d.tags.map((t, j) => (j === i ? { ...t, key: e.detail.value } : t)),
                                  }))
                                }
                              />
                            ),
                          },
                          {
                            label: "Value",
                            control: (row, i) => (
                              <Autosuggest
                                value={row.value}
                                options={valueOptions(row.key)}
                                enteredTextLabel={(v) => `Use "${v}"`}
                                empty={
                                  row.key.trim()
                                    ? `No server has tag ${row.key.trim()}`
                                    : "Choose a key first"
                                }
                                disabled={readOnly}
                                placeholder="billing"
                                ariaLabel={`Tag ${i + 1} value`}
                                data-testid={`tag-value-${i}`}
                                onChange={(e) =>
                                  setDraft((d) => ({
                                    ...d,
                                    tags: d.tags.map((t, j) =>
                                      j === i ? { ...t, value: e.detail.value } : t,
                                    ),
                                  }))
                                }
                              />
                            ),
                          },
                        ]}
                      />
                    </FormField>
                  ) : (
                    <FormField label="Source servers" errorText={selectionError} stretch>
                      <Table
                        variant="embedded"
                        selectionType="multi"
                        trackBy="sourceServerId"
                        loading={servers.loading && !servers.data}
                        loadingText="Loading servers"
                        items={(servers.data ?? []).filter(
                          (s) =>
                            !serverFilter ||
                            s.hostname.includes(serverFilter) ||
                            s.sourceServerId.includes(serverFilter),
                        )}
                        selectedItems={(servers.data ?? []).filter((s) =>
                          draft.serverIds.includes(s.sourceServerId),
                        )}
                        onSelectionChange={(e) =>
                          !readOnly &&
                          setDraft((d) => ({
                            ...d,
                            serverIds: e.detail.selectedItems.map((s) => s.sourceServerId),
                          }))
                        }
                        ariaLabels={{
                          selectionGroupLabel: "Servers",
                          itemSelectionLabel: (_, s) => s.hostname,
                          allItemsSelectionLabel: () => "Select all",
                        }}
                        filter={
                          <TextFilter
                            filteringText={serverFilter}
                            onChange={(e) => setServerFilter(e.detail.filteringText)}
                            filteringPlaceholder="Find servers"
                          />
                        }
                        columnDefinitions={[
                          { id: "hostname", header: "Hostname", cell: (s) => s.hostname, isRowHeader: true },
                          { id: "id", header: "Source server ID", cell: (s) => s.sourceServerId },
                          {
                            id: "rep",
                            header: "Replication",
                            cell: (s) => <ReplicationStatus status={s.replicationState} />,
                          },
                          {
                            id: "group",
                            header: "Current group",
                            cell: (s) => s.protectionGroup?.groupName ?? "—",
                          },
                        ]}
                      />
                    </FormField>
                  )}
                </SpaceBetween>
              </Container>
              {conflicts.length > 0 ? (
                <Alert
                  type="warning"
                  header={`${plural(conflicts.length, "server")} already ${conflicts.length === 1 ? "belongs" : "belong"} to another protection group`}
                  data-testid="resolve-conflicts"
                >
                  {conflicts.map((c) => `${c.hostname} (${c.groupName})`).join(", ")}. A server can be in one
                  group only: remove it from the other group or narrow this selection.
                </Alert>
              ) : null}
              {preview.result && preview.result.notFound.length > 0 ? (
                <Alert type="warning" header="Servers not found">
                  {preview.result.notFound.join(", ")}
                </Alert>
              ) : null}
              <ErrorAlert error={preview.error} header="Preview failed" />
              <Container>{previewTable}</Container>
            </SpaceBetween>
          ),
        },
        {
          title: "Launch settings",
          description: "Applied to each server's DRS launch configuration before it is launched.",
          isOptional: true,
          content: (
            <SpaceBetween size="l">
              <Container header={<Header variant="h2">Launch settings</Header>}>
                <ColumnLayout columns={2}>
                  <FormField label="Instance state after launch">
                    <Select
                      disabled={readOnly}
                      selectedOption={{
                        value: draft.launch.launchDisposition ?? "",
                        label: draft.launch.launchDisposition ?? "DRS default",
                      }}
                      options={[
                        { value: "", label: "DRS default" },
                        { value: "STARTED", label: "STARTED" },
                        { value: "STOPPED", label: "STOPPED" },
                      ]}
                      onChange={(e) => {
                        const v = e.detail.selectedOption.value;
                        setDraft((d) => {
                          const { launchDisposition: _, ...rest } = d.launch;
                          return {
                            ...d,
                            launch: v ? { ...rest, launchDisposition: v as "STARTED" | "STOPPED" } : rest,
                          };
                        });
                      }}
                    />
                  </FormField>
                  <FormField label="Instance type right-sizing">
                    <Select
                      disabled={readOnly}
                      selectedOption={{
                        value: draft.launch.targetInstanceTypeRightSizingMethod ?? "",
                        label: draft.launch.targetInstanceTypeRightSizingMethod ?? "DRS default",
                      }}
                      options={[
                        { value: "", label: "DRS default" },
                        { value: "NONE", label: "NONE" },
                        { value: "BASIC", label: "BASIC" },
                        { value: "IN_AWS", label: "IN_AWS" },
                      ]}
                      onChange={(e) => {
                        const v = e.detail.selectedOption.value;
                        setDraft((d) => {
                          const { targetInstanceTypeRightSizingMethod: _, ...rest } = d.launch;
                          return {
                            ...d,
                            launch: v
                              ? {
                                  ...rest,
                                  targetInstanceTypeRightSizingMethod: v as "NONE" | "BASIC" | "IN_AWS",
                                }
                              : rest,
                          };
                        });
                      }}
                    />
                  </FormField>
                  {(["copyPrivateIp", "copyTags", "postLaunchEnabled"] as const).map((key) => (
                    <Checkbox
                      key={key}
                      disabled={readOnly}
                      checked={draft.launch[key] === true}
                      onChange={(e) =>
                        setDraft((d) => ({ ...d, launch: { ...d.launch, [key]: e.detail.checked } }))
                      }
                    >
                      {key === "copyPrivateIp"
                        ? "Copy private IP"
                        : key === "copyTags"
                          ? "Copy tags"
                          : "Post-launch actions enabled"}
                    </Checkbox>
                  ))}
                  <Checkbox
                    disabled={readOnly}
                    checked={draft.launch.licensing?.osByol === true}
                    onChange={(e) =>
                      setDraft((d) => ({
                        ...d,
                        launch: { ...d.launch, licensing: { osByol: e.detail.checked } },
                      }))
                    }
                  >
                    Bring your own OS licence
                  </Checkbox>
                </ColumnLayout>
              </Container>
              <Container
                header={
                  <Header
                    variant="h2"
                    description="A critical server that fails to launch fails its wave; an optional one is reported and the wave goes on."
                  >
                    Server impact
                  </Header>
                }
              >
                <ColumnLayout columns={2}>
                  <FormField label="Servers of this group are">
                    <Select
                      disabled={readOnly}
                      data-testid="group-impact"
                      selectedOption={{
                        value: draft.impact,
                        label: draft.impact === "OPTIONAL" ? "Optional" : "Critical (default)",
                      }}
                      options={[
                        { value: "CRITICAL", label: "Critical (default)" },
                        { value: "OPTIONAL", label: "Optional" },
                      ]}
                      onChange={(e) =>
                        setDraft((d) => ({
                          ...d,
                          impact: e.detail.selectedOption.value as "CRITICAL" | "OPTIONAL",
                        }))
                      }
                    />
                  </FormField>
                  <FormField
                    label={draft.impact === "OPTIONAL" ? "Critical servers" : "Optional servers"}
                    description="Exceptions to the group's impact."
                  >
                    <Multiselect
                      disabled={readOnly}
                      data-testid="impact-exceptions"
                      placeholder="Choose servers"
                      selectedOptions={draft.impactExceptions.map((serverId) => ({
                        value: serverId,
                        label:
                          preview.result?.servers.find((s) => s.sourceServerId === serverId)?.hostname ??
                          serverId,
                      }))}
                      options={(preview.result?.servers ?? []).map((s) => ({
                        value: s.sourceServerId,
                        label: s.hostname,
                        description: s.sourceServerId,
                      }))}
                      onChange={(e) =>
                        setDraft((d) => ({
                          ...d,
                          impactExceptions: e.detail.selectedOptions.map((o) => o.value!),
                        }))
                      }
                    />
                  </FormField>
                </ColumnLayout>
              </Container>
              <ErrorAlert error={saveError} header="Could not save the protection group" />
            </SpaceBetween>
          ),
        },
      ]}
    />
  );
}
