import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import type { ExecutionDetail } from "../../hooks/use-execution-live.js";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The recovery instances an execution launched (what a termination ends). */
export function launchedInstances(d: ExecutionDetail) {
  return d.waves.flatMap((w) =>
    w.servers
      .filter((s) => s.recoveryInstanceId)
      .map((s) => ({
        wave: w.name,
        hostname: s.hostname,
        sourceServerId: s.sourceServerId,
        recoveryInstanceId: s.recoveryInstanceId!,
        ec2InstanceId: s.ec2InstanceId,
        ec2State: s.ec2State,
        target: `${s.accountId} / ${s.region}`,
      })),
  );
}

/**
 * Terminate the instances of an ended execution: lists them, says how many, asks a recovery's plan name, and
 * stays open to show the termination's progress and its completion.
 */
export function TerminateDialog({
  detail: d,
  visible,
  onDismiss,
  onConfirm,
}: {
  detail: ExecutionDetail;
  visible: boolean;
  onDismiss: () => void;
  /** Sends the request; resolves when the API accepted it. */
  onConfirm: (confirm: string | undefined) => Promise<boolean>;
}) {
  const [confirmText, setConfirmText] = useState("");
  const [sending, setSending] = useState(false);
  const [requested, setRequested] = useState(false);
  const instances = launchedInstances(d);
  const needsName = d.executionType === "RECOVERY";
  const kind = d.executionType === "DRILL" ? "drill" : "recovery";
  const t = d.termination && d.termination.status !== "NOT_REQUESTED" ? d.termination : undefined;
  const done = requested && t?.status === "COMPLETED";
  const failed = requested && t?.status === "FAILED";
  const close = () => {
    setConfirmText("");
    setRequested(false);
    onDismiss();
  };
  const n = instances.length;

  return (
    <Modal
      visible={visible}
      onDismiss={close}
      size="large"
      header={
        requested ? `Terminating the ${kind} instances` : `Terminate the ${kind} instances of ${d.planName}?`
      }
      data-testid="terminate-dialog"
      footer={
        <Box float="right">
          {requested ? (
            <Button variant={done ? "primary" : "normal"} onClick={close} data-testid="close-terminate">
              Close
            </Button>
          ) : (
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={close} data-testid="cancel-terminate">
                Cancel
              </Button>
              <Button
                variant="primary"
                loading={sending}
                disabled={n === 0 || (needsName && confirmText !== d.planName)}
                data-testid="confirm-terminate"
                onClick={async () => {
                  setSending(true);
                  try {
                    if (await onConfirm(needsName ? confirmText : undefined)) setRequested(true);
                  } finally {
                    setSending(false);
                  }
                }}
              >
                {`Terminate ${plural(n, "instance")}`}
              </Button>
            </SpaceBetween>
          )}
        </Box>
      }
    >
      <SpaceBetween size="m">
        {requested ? (
          <div data-testid="terminate-progress">
            {done ? (
              <Alert type="success" header="Termination complete" data-testid="termination-done">
                {`${plural(t?.terminated ?? 0, "instance")} of ${t?.total ?? n} terminated.`}
              </Alert>
            ) : failed ? (
              <Alert type="error" header="Termination failed">
                {`${t?.terminated ?? 0} of ${t?.total ?? n} terminated, ${t?.failed ?? 0} failed: see the instances below, then try again.`}
              </Alert>
            ) : (
              <ProgressBar
                label="Terminating recovery instances"
                value={t?.total ? (100 * (t.terminated ?? 0)) / t.total : 0}
                additionalInfo={`${t?.terminated ?? 0} of ${t?.total ?? n} terminated`}
              />
            )}
          </div>
        ) : (
          <Box>
            {`These ${plural(n, `${kind} instance`)} launched by this execution will be terminated in EC2. The source servers and their replication are not touched.`}
          </Box>
        )}
        <Table
          variant="embedded"
          wrapLines
          data-testid="terminate-instances-list"
          items={instances}
          trackBy="recoveryInstanceId"
          empty={<Box textAlign="center">This execution launched no instance.</Box>}
          columnDefinitions={[
            { id: "host", header: "Server", cell: (i) => i.hostname, isRowHeader: true },
            { id: "wave", header: "Wave", cell: (i) => i.wave },
            { id: "ri", header: "Recovery instance", cell: (i) => i.recoveryInstanceId },
            {
              id: "ec2",
              header: "EC2 instance",
              cell: (i) =>
                i.ec2InstanceId ? `${i.ec2InstanceId}${i.ec2State ? ` (${i.ec2State})` : ""}` : "—",
            },
            { id: "target", header: "Account / region", cell: (i) => i.target },
            {
              id: "state",
              header: "Termination",
              cell: (i) => {
                const it = t?.instances.find((x) => x.recoveryInstanceId === i.recoveryInstanceId);
                return it ? `${it.status.toLowerCase()}${it.error ? `: ${it.error}` : ""}` : "—";
              },
            },
          ]}
        />
        {needsName && !requested ? (
          <FormField label={`Type "${d.planName}" to confirm`}>
            <Input
              value={confirmText}
              onChange={(e) => setConfirmText(e.detail.value)}
              data-testid="terminate-confirm-name"
            />
          </FormField>
        ) : null}
      </SpaceBetween>
    </Modal>
  );
}
