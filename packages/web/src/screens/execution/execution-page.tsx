import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { errorMessage, unwrap } from "../../api/client.js";
import { useApi, useSession } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { useNotify } from "../../components/notifications.js";
import { Loading } from "../../components/shell.js";
import { isTerminal, useExecutionLive } from "../../hooks/use-execution-live.js";
import { type Command, ExecutionView } from "./execution-view.js";
import { ForceEndDialog } from "./force-end-dialog.js";
import { JobLogViewer } from "./job-log-viewer.js";

export default function ExecutionPage() {
  const { id = "" } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const notify = useNotify();
  const { can } = useSession();
  const live = useExecutionLive(id);
  const [busy, setBusy] = useState<Command["type"]>();
  const [confirming, setConfirming] = useState<"cancel" | "terminate">();
  const [confirmText, setConfirmText] = useState("");
  const [forceEnding, setForceEnding] = useState(false);
  const [now, setNow] = useState(Date.now());
  const d = live.detail;

  useEffect(() => {
    if (d && isTerminal(d.status)) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [d]);

  const run = async (command: Command, confirm?: string) => {
    setBusy(command.type);
    const path = { params: { path: { id } } };
    try {
      switch (command.type) {
        case "pause":
          await unwrap(api.POST("/executions/{id}/pause", path));
          break;
        case "resume":
          await unwrap(api.POST("/executions/{id}/resume", path));
          break;
        case "cancel":
          await unwrap(api.POST("/executions/{id}/cancel", path));
          break;
        case "approve":
          await unwrap(
            api.POST("/executions/{id}/approve", { ...path, body: { actionId: command.actionId } }),
          );
          break;
        case "reject":
          await unwrap(
            api.POST("/executions/{id}/reject", { ...path, body: { actionId: command.actionId } }),
          );
          break;
        case "terminate":
          await unwrap(
            api.POST("/executions/{id}/terminate-instances", { ...path, body: confirm ? { confirm } : {} }),
          );
          break;
      }
      notify({
        type: "success",
        content: `${command.type === "terminate" ? "Termination" : command.type[0]!.toUpperCase() + command.type.slice(1)} requested.`,
      });
      await live.reload();
    } catch (e) {
      notify({ type: "error", header: `Could not ${command.type}`, content: errorMessage(e) });
    } finally {
      setBusy(undefined);
    }
  };

  if (!d)
    return live.error ? <ErrorAlert error={live.error} header="Could not load the execution" /> : <Loading />;
  const needsName = confirming === "terminate" && d.executionType === "RECOVERY";
  return (
    <>
      <ErrorAlert error={live.error} header="Lost contact with the API (retrying)" />
      <ExecutionView
        detail={d}
        events={live.events}
        transport={live.transport}
        can={can}
        busy={busy}
        now={now}
        onCommand={(c) =>
          c.type === "force-end"
            ? setForceEnding(true)
            : c.type === "cancel" || c.type === "terminate"
              ? setConfirming(c.type)
              : void run(c)
        }
        onOpenReport={() => navigate(`/executions/${id}/report`)}
        jobLogs={<JobLogViewer executionId={id} live={!isTerminal(d.status)} />}
      />
      <ForceEndDialog
        executionId={id}
        visible={forceEnding}
        onClose={() => setForceEnding(false)}
        onEnded={(message) => {
          setForceEnding(false);
          notify({ type: "success", content: message });
          void live.reload();
        }}
      />
      <Modal
        visible={confirming !== undefined}
        onDismiss={() => setConfirming(undefined)}
        header={
          confirming === "cancel"
            ? "Cancel the execution?"
            : `Terminate the ${d.executionType === "DRILL" ? "drill" : "recovery"} instances?`
        }
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setConfirming(undefined)}>
                Keep going
              </Button>
              <Button
                variant="primary"
                disabled={needsName && confirmText !== d.planName}
                data-testid="confirm-command"
                onClick={() => {
                  const c = confirming;
                  setConfirming(undefined);
                  setConfirmText("");
                  if (c) void run({ type: c }, needsName ? confirmText : undefined);
                }}
              >
                {confirming === "cancel" ? "Cancel execution" : "Terminate instances"}
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="m">
          <Box>
            {confirming === "cancel"
              ? "Nothing new starts; running DRS jobs are followed to their end and the remaining waves are cancelled."
              : `${d.counts.launched} recovery instance(s) launched by this execution will be terminated.`}
          </Box>
          {needsName ? (
            <FormField label={`Type "${d.planName}" to confirm`}>
              <Input value={confirmText} onChange={(e) => setConfirmText(e.detail.value)} />
            </FormField>
          ) : null}
        </SpaceBetween>
      </Modal>
    </>
  );
}
