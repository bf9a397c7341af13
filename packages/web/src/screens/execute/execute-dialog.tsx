import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import Tiles from "@cloudscape-design/components/tiles";
import { type Schemas, unwrap } from "@drso/client";
import { useCallback, useState } from "react";
import { useApi } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDuration, plural } from "../../components/format.js";
import { useNotify } from "../../components/notifications.js";
import { RouterLink } from "../../components/router-link.js";
import { ReadinessStatus } from "../../components/status.js";
import { useQuery } from "../../hooks/use-query.js";
import { type PointInTimeChoice, PointInTimePicker, pointInTimeOf } from "./point-in-time-picker.js";

type ExecutionType = "DRILL" | "RECOVERY" | "FAILBACK";

/**
 * Choose DRILL / RECOVERY / FAILBACK with a pre-flight summary (servers, accounts, existing recovery instances,
 * readiness problems). A RECOVERY needs the plan's name typed, so nobody starts one by accident.
 */
export function ExecuteDialog({
  plan,
  onDismiss,
  onStarted,
}: {
  plan: Pick<Schemas["RecoveryPlanView"], "planId" | "name" | "waves" | "rtoSeconds" | "readiness">;
  onDismiss: () => void;
  onStarted: (executionId: string) => void;
}) {
  const api = useApi();
  const notify = useNotify();
  const [type, setType] = useState<ExecutionType>("DRILL");
  const [confirm, setConfirm] = useState("");
  const [reverse, setReverse] = useState(true);
  const [comment, setComment] = useState("");
  const [starting, setStarting] = useState(false);
  const [pit, setPit] = useState<PointInTimeChoice>(() => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    return { mode: "latest", date: hourAgo.slice(0, 10), time: hourAgo.slice(11, 19) };
  });
  const [pitBlocked, setPitBlocked] = useState<string>();
  const onPitBlocked = useCallback((why: string | undefined) => setPitBlocked(why), []);
  const pointInTime = type === "FAILBACK" ? undefined : pointInTimeOf(pit);
  const [error, setError] = useState<unknown>();
  const preflight = useQuery(
    () =>
      unwrap(
        api.GET("/recovery-plans/{id}/check-existing-instances", { params: { path: { id: plan.planId } } }),
      ),
    [api, plan.planId],
  );
  const confirmed = type !== "RECOVERY" || confirm === plan.name;
  const blockedBy = !confirmed
    ? "Type the plan's name to confirm a recovery."
    : type !== "FAILBACK"
      ? pitBlocked
      : undefined;

  const start = async () => {
    setStarting(true);
    setError(undefined);
    try {
      const started = await unwrap(
        api.POST("/recovery-plans/{id}/execute", {
          params: { path: { id: plan.planId } },
          body: {
            executionType: type,
            ...(type === "RECOVERY" ? { confirm } : {}),
            ...(type === "FAILBACK" ? { reverseWaveOrder: reverse } : {}),
            ...(comment.trim() ? { comment: comment.trim() } : {}),
            ...(pointInTime ? { pointInTime } : {}),
          },
        }),
      );
      notify({
        type: "success",
        content: `${type} of ${plan.name} started: ${started.servers} servers in ${started.waves} waves.`,
      });
      onStarted(started.executionId);
    } catch (e) {
      setError(e);
      setStarting(false);
    }
  };

  const p = preflight.data;
  return (
    <Modal
      visible
      size="large"
      onDismiss={onDismiss}
      header={`Execute ${plan.name}`}
      data-testid="execute-dialog"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button
              variant="primary"
              disabled={blockedBy !== undefined}
              disabledReason={blockedBy ?? ""}
              loading={starting}
              onClick={() => void start()}
              data-testid="start-execution"
            >
              {type === "DRILL" ? "Start drill" : type === "RECOVERY" ? "Start recovery" : "Start failback"}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="l">
        <FormField label="Execution type">
          <Tiles
            value={type}
            onChange={(e) => setType(e.detail.value as ExecutionType)}
            columns={3}
            ariaLabel="Execution type"
            items={[
              {
                value: "DRILL",
                label: "Drill",
                description:
                  "Launch drill instances to test recovery; production keeps running. Terminate them afterwards.",
              },
              {
                value: "RECOVERY",
                label: "Recovery",
                description: "Fail over for real: launch recovery instances to take over production.",
              },
              {
                value: "FAILBACK",
                label: "Failback",
                description: "Return recovered workloads to their origin after a recovery.",
              },
            ]}
          />
        </FormField>

        <SpaceBetween size="s">
          <Box variant="h3">Pre-flight summary</Box>
          <ErrorAlert error={preflight.error} header="Pre-flight check failed" />
          {p ? (
            <SpaceBetween size="s">
              <ColumnLayout columns={4} variant="text-grid">
                <div>
                  <Box variant="awsui-key-label">Servers</Box>
                  <Box variant="awsui-value-large">{p.servers}</Box>
                </div>
                <div>
                  <Box variant="awsui-key-label">Waves</Box>
                  <Box variant="awsui-value-large">{plan.waves.length}</Box>
                </div>
                <div>
                  <Box variant="awsui-key-label">Accounts / regions</Box>
                  <div>{p.accounts.join(", ") || "—"}</div>
                </div>
                <div>
                  <Box variant="awsui-key-label">RTO target</Box>
                  <div>{formatDuration(plan.rtoSeconds)}</div>
                </div>
              </ColumnLayout>
              {plan.readiness ? (
                <SpaceBetween direction="horizontal" size="xs">
                  <Box variant="awsui-key-label">Plan readiness</Box>
                  <ReadinessStatus status={plan.readiness.status} />
                  <RouterLink href={`/recovery-plans/${plan.planId}`}>Findings</RouterLink>
                </SpaceBetween>
              ) : null}
              {p.readinessProblems.length > 0 ? (
                <Alert
                  type="warning"
                  header={plural(p.readinessProblems.length, "readiness problem")}
                  data-testid="readiness-problems"
                >
                  {p.readinessProblems
                    .map((r) => `${r.hostname} (${r.sourceServerId}): ${r.problem}`)
                    .join("; ")}
                </Alert>
              ) : (
                <StatusIndicator type="success">Every server is ready to launch.</StatusIndicator>
              )}
              {p.hasExistingInstances ? (
                <ExpandableSection
                  headerText={plural(p.existingInstances.length, "existing recovery instance")}
                  defaultExpanded={type !== "DRILL"}
                >
                  <SpaceBetween size="s">
                    {p.note ? <Alert type="info">{p.note}</Alert> : null}
                    <Table
                      variant="embedded"
                      items={p.existingInstances}
                      columnDefinitions={[
                        { id: "host", header: "Hostname", cell: (i) => i.hostname, isRowHeader: true },
                        { id: "id", header: "Source server ID", cell: (i) => i.sourceServerId },
                        { id: "ri", header: "Recovery instance", cell: (i) => i.recoveryInstanceId },
                        {
                          id: "ec2",
                          header: "EC2 instance",
                          cell: (i) => `${i.ec2InstanceId ?? "—"} (${i.ec2State ?? "?"})`,
                        },
                        { id: "drill", header: "Kind", cell: (i) => (i.isDrill ? "Drill" : "Recovery") },
                      ]}
                    />
                  </SpaceBetween>
                </ExpandableSection>
              ) : (
                <Box color="text-body-secondary">No existing recovery instances.</Box>
              )}
            </SpaceBetween>
          ) : preflight.loading ? (
            <StatusIndicator type="loading">Checking servers and existing instances</StatusIndicator>
          ) : null}
        </SpaceBetween>

        {type === "RECOVERY" ? (
          <Alert type="warning" header="This is a real recovery">
            <SpaceBetween size="s">
              <Box>Recovery instances take over production workloads. To confirm, type the plan name.</Box>
              <FormField label={`Type "${plan.name}" to confirm`}>
                <Input
                  value={confirm}
                  onChange={(e) => setConfirm(e.detail.value)}
                  ariaLabel="Plan name confirmation"
                  data-testid="recovery-confirm"
                />
              </FormField>
            </SpaceBetween>
          </Alert>
        ) : null}
        {type !== "FAILBACK" ? (
          <PointInTimePicker planId={plan.planId} choice={pit} onChange={setPit} onBlocked={onPitBlocked} />
        ) : null}
        {type === "FAILBACK" ? (
          <Checkbox checked={reverse} onChange={(e) => setReverse(e.detail.checked)}>
            Run waves in reverse order (the last wave fails back first)
          </Checkbox>
        ) : null}
        <FormField label="Comment" description="Recorded with the execution and in the report (optional).">
          <Input
            value={comment}
            onChange={(e) => setComment(e.detail.value)}
            placeholder="Quarterly DR test"
          />
        </FormField>
        <ErrorAlert error={error} header="Could not start" />
      </SpaceBetween>
    </Modal>
  );
}
