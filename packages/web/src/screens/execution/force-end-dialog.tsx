import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import FormField from "@cloudscape-design/components/form-field";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { unwrap } from "@drso/client";
import { useState } from "react";
import { errorMessage } from "../../api/error-message.js";
import { useApi } from "../../app-context.js";

/**
 * An administrator ends a stuck execution: the reason is required (it goes into the events and the audit log);
 * the server refuses while DRS still runs a job of the execution, and the dialog shows why.
 */
export function ForceEndDialog({
  executionId,
  visible,
  onClose,
  onEnded,
}: {
  executionId: string;
  visible: boolean;
  onClose: () => void;
  onEnded: (message: string) => void;
}) {
  const api = useApi();
  const [reason, setReason] = useState("");
  const [skipUnreachable, setSkipUnreachable] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const close = () => {
    setError(undefined);
    onClose();
  };
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await unwrap(
        api.POST("/executions/{id}/force-end", {
          params: { path: { id: executionId } },
          body: { reason: reason.trim(), ...(skipUnreachable ? { skipUnreachableTargets: true } : {}) },
        }),
      );
      setReason("");
      onEnded(
        `Execution force-ended (was ${result.previousStatus}).${
          result.instancesKept > 0
            ? ` ${result.instancesKept} recovery instance(s) kept: terminate them when done.`
            : ""
        }`,
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      visible={visible}
      onDismiss={close}
      header="Force end this execution?"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={close}>
              Keep it running
            </Button>
            <Button
              variant="primary"
              loading={busy}
              disabled={reason.trim().length === 0}
              data-testid="confirm-force-end"
              onClick={() => void submit()}
            >
              Force end
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>
          For an execution that no longer moves on. DRS is asked first: while a job of this execution still
          runs there, nothing is changed. Otherwise it ends as CANCELLED; instances DRS launched are kept and
          can be terminated.
        </Box>
        <FormField label="Reason" description="Recorded in the execution's events and in the audit log.">
          <Textarea
            value={reason}
            onChange={(e) => setReason(e.detail.value)}
            placeholder="INC-4711: stuck in CANCELLING after …"
            data-testid="force-end-reason"
          />
        </FormField>
        <Checkbox checked={skipUnreachable} onChange={(e) => setSkipUnreachable(e.detail.checked)}>
          Go on where DRS cannot be asked (an account or region that is gone); recorded
        </Checkbox>
        {error ? (
          <Alert type="error" header="Not force-ended" data-testid="force-end-error">
            {error}
          </Alert>
        ) : null}
      </SpaceBetween>
    </Modal>
  );
}
