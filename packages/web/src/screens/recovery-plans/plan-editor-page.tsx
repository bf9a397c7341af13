import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import ButtonDropdown from "@cloudscape-design/components/button-dropdown";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { ApiError, etagOf, type Schemas, unwrap } from "@drso/client";
import { useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { errorMessage } from "../../api/error-message.js";
import { useApi, useSession } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime } from "../../components/format.js";
import { Can } from "../../components/guarded.js";
import { useNotify } from "../../components/notifications.js";
import { Loading } from "../../components/shell.js";
import { fetchAllGroups } from "../../hooks/use-inventory.js";
import { useQuery } from "../../hooks/use-query.js";
import { ExecuteDialog } from "../execute/execute-dialog.js";
import { PlanEditor } from "./plan-editor.js";
import {
  draftFromPlan,
  emptyPlan,
  exportDocument,
  importDocument,
  mergeProblems,
  type PlanDraft,
  planInputOf,
  validatePlan,
} from "./plan-model.js";
import { ReadinessPanel } from "./readiness-panel.js";

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fileName = (name: string) =>
  name
    .trim()
    .replace(/[^a-zA-Z0-9._-]+/g, "-")
    .toLowerCase() || "recovery-plan";

type ActiveExecution = Pick<Schemas["ExecutionSummary"], "executionId" | "executionType" | "startTime">;

/** What saving means for executions of the plan that are still running. */
function frozenText(running: readonly ActiveExecution[]): string {
  const one = running.length === 1;
  const kind = (e: ActiveExecution) =>
    e.executionType === "DRILL" ? "drill" : e.executionType === "FAILBACK" ? "failback" : "recovery";
  return one
    ? `The running ${kind(running[0]!)} (started ${formatTime(running[0]!.startTime)}) keeps using the version of the plan frozen when it started; your changes apply to the next execution.`
    : `The ${running.length} running executions keep using the version of the plan frozen when each started; your changes apply to the next execution.`;
}

/** Create or edit a recovery plan; import/export YAML or JSON; execute it. */
export default function PlanEditorPage() {
  const { id } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const notify = useNotify();
  const { can } = useSession();
  const plan = useQuery(
    async () => (id ? unwrap(api.GET("/recovery-plans/{id}", { params: { path: { id } } })) : undefined),
    [api, id],
  );
  const groups = useQuery(() => fetchAllGroups(api), [api]);
  // Executions of this plan still running: they use the plan frozen at their start, not what is saved now.
  const activeOf = async (planId: string | undefined) =>
    planId
      ? (
          await unwrap(
            api.GET("/executions", {
              params: { query: { planId, status: "PENDING,RUNNING,PAUSED,CANCELLING", limit: 10 } },
            }),
          )
        ).items
      : [];
  const active = useQuery(() => activeOf(id), [api, id]);
  const [draft, setDraft] = useState<PlanDraft>(emptyPlan);
  const [serverIssues, setServerIssues] = useState<Array<{ path: string; message: string }>>([]);
  const [warnings, setWarnings] = useState<Array<{ path: string; message: string }>>([]);
  const [showProblems, setShowProblems] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [executing, setExecuting] = useState(false);
  const [dirty, setDirty] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (plan.data) {
      setDraft(draftFromPlan(plan.data));
      setWarnings(plan.data.warnings ?? []);
      setDirty(false);
    }
  }, [plan.data]);

  const groupRefs = groups.data ?? [];
  const clientProblems = useMemo(() => validatePlan(draft, groups.data), [draft, groups.data]);
  const problems = useMemo(() => mergeProblems(clientProblems, serverIssues), [clientProblems, serverIssues]);
  const readOnly = id ? !can("drs:UpdateRecoveryPlan") : !can("drs:CreateRecoveryPlan");

  const change = (next: PlanDraft) => {
    setDraft(next);
    setServerIssues([]);
    setDirty(true);
  };

  const validateRemote = async () => {
    setShowProblems(true);
    if (clientProblems.size > 0) return false;
    const result = await unwrap(api.POST("/recovery-plans/validate", { body: planInputOf(draft) }));
    setServerIssues(result.issues);
    setWarnings(result.warnings);
    return result.valid;
  };

  const save = async () => {
    setSaveError(undefined);
    setShowProblems(true);
    if (clientProblems.size > 0) return;
    setSaving(true);
    try {
      const body = planInputOf(draft);
      const saved = id
        ? await unwrap(
            api.PUT("/recovery-plans/{id}", {
              params: { path: { id } },
              headers: { "if-match": etagOf(plan.data?.version ?? 0) },
              body,
            }),
          )
        : await unwrap(api.POST("/recovery-plans", { body }));
      const running = id ? await activeOf(id).catch(() => active.data ?? []) : [];
      void active.reload();
      notify({
        type: "success",
        content:
          running.length > 0
            ? `Recovery plan ${saved.name} saved. ${frozenText(running)}`
            : `Recovery plan ${saved.name} saved.`,
      });
      setDirty(false);
      setWarnings(saved.warnings ?? []);
      if (!id) navigate(`/recovery-plans/${saved.planId}`, { replace: true });
      else await plan.reload();
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length > 0) setServerIssues(e.fieldErrors);
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const exportAs = async (format: "yaml" | "json") => {
    const doc = exportDocument(draft, groupRefs);
    if (format === "json")
      download(`${fileName(draft.name)}.json`, "application/json", `${JSON.stringify(doc, null, 2)}\n`);
    else {
      const { stringify } = await import("yaml");
      download(`${fileName(draft.name)}.yaml`, "application/yaml", stringify(doc));
    }
  };

  const importFile = async (file: File) => {
    try {
      const text = await file.text();
      const { parse } = await import("yaml");
      const imported = importDocument(parse(text), groupRefs);
      change(id ? { ...imported, name: imported.name || draft.name } : imported);
      setShowProblems(true);
      notify({ type: "info", content: `Imported ${file.name}: review the waves, then save.` });
    } catch (e) {
      notify({ type: "error", header: `Could not import ${file.name}`, content: errorMessage(e) });
    }
  };

  if ((id && plan.loading && !plan.data) || (groups.loading && !groups.data)) return <Loading />;
  if (plan.error) return <ErrorAlert error={plan.error} header="Could not load the plan" />;

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={
            id
              ? "Waves, dependencies, actions and targets of this plan"
              : "Order protection groups into waves"
          }
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <ButtonDropdown
                items={[
                  { id: "yaml", text: "Export YAML" },
                  { id: "json", text: "Export JSON" },
                  ...(readOnly ? [] : [{ id: "import", text: "Import YAML or JSON…" }]),
                ]}
                onItemClick={(e) => {
                  if (e.detail.id === "import") fileInput.current?.click();
                  else void exportAs(e.detail.id as "yaml" | "json");
                }}
              >
                {readOnly ? "Export" : "Import / export"}
              </ButtonDropdown>
              {readOnly ? null : (
                <Button
                  onClick={() => void validateRemote().catch((e) => setSaveError(e))}
                  data-testid="validate-plan"
                >
                  Validate
                </Button>
              )}
              {readOnly ? null : (
                <Button
                  variant={id ? "normal" : "primary"}
                  loading={saving}
                  onClick={() => void save()}
                  data-testid="save-plan"
                >
                  {id ? "Save" : "Create plan"}
                </Button>
              )}
              {id && plan.data ? (
                <Can permission="drs:ExecuteRecovery">
                  <Button
                    variant="primary"
                    disabled={dirty}
                    disabledReason="Save your changes before running the plan."
                    onClick={() => setExecuting(true)}
                    data-testid="execute-plan"
                  >
                    Execute
                  </Button>
                </Can>
              ) : null}
            </SpaceBetween>
          }
        >
          {id ? (plan.data?.name ?? "Recovery plan") : "Create recovery plan"}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <input
          ref={fileInput}
          type="file"
          accept=".yaml,.yml,.json,application/json,application/yaml"
          style={{ display: "none" }}
          aria-label="Import a plan file"
          data-testid="import-plan-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importFile(file);
            e.target.value = "";
          }}
        />
        {readOnly ? <Alert type="info">Your role can view this plan but not change it.</Alert> : null}
        {!readOnly && active.data && active.data.length > 0 ? (
          <Alert
            type="info"
            header={`This plan has ${active.data.length === 1 ? "a running execution" : `${active.data.length} running executions`}`}
            data-testid="running-execution-notice"
            action={
              <Button onClick={() => navigate(`/executions/${active.data![0]!.executionId}`)}>
                Open execution
              </Button>
            }
          >
            {frozenText(active.data)}
          </Alert>
        ) : null}
        {groupRefs.length === 0 && !readOnly ? (
          <Alert
            type="info"
            header="No protection groups yet"
            action={
              <Button onClick={() => navigate("/protection-groups/new")}>Create protection group</Button>
            }
          >
            A wave recovers protection groups: create one first.
          </Alert>
        ) : null}
        {showProblems && problems.size > 0 ? (
          <Alert
            type="error"
            header={`The plan has ${[...problems.values()].flat().length} problem(s)`}
            data-testid="plan-problems"
          >
            Each problem is shown at the field it concerns and on the wave graph.
          </Alert>
        ) : null}
        <ErrorAlert error={saveError} header="Could not save the plan" />
        {id ? <ReadinessPanel planId={id} /> : null}
        <PlanEditor
          draft={draft}
          onChange={change}
          groups={groupRefs as Schemas["ProtectionGroupView"][]}
          problems={problems}
          showProblems={showProblems}
          readOnly={readOnly}
          warnings={warnings}
          {...(plan.data ? { failbackAllowanceSeconds: plan.data.failbackAllowanceSeconds } : {})}
        />
      </SpaceBetween>
      {executing && plan.data ? (
        <ExecuteDialog
          plan={plan.data}
          onDismiss={() => setExecuting(false)}
          onStarted={(executionId) => navigate(`/executions/${executionId}`)}
        />
      ) : null}
    </ContentLayout>
  );
}
