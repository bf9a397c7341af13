import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { unwrap } from "@drso/client";
import { useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { errorMessage } from "../../api/error-message.js";
import { useApi, useSession } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { useNotify } from "../../components/notifications.js";
import { Loading } from "../../components/shell.js";
import { isTerminal, useExecutionLive } from "../../hooks/use-execution-live.js";
import { useQuery } from "../../hooks/use-query.js";
import { type Command, ExecutionView } from "./execution-view.js";
import { serversWaitingForFailbackClient } from "./failback-waiting.js";
import { ForceEndDialog } from "./force-end-dialog.js";
import { JobLogViewer } from "./job-log-viewer.js";
import { TerminateDialog } from "./terminate-dialog.js";

const WAVE_DONE_WORDS = {
  retry: (wave: string) => `Retry of wave ${wave} requested: its failed servers launch again.`,
  skip: (wave: string) => `Wave ${wave} skipped: the waves after it may start.`,
  abort: (wave: string) => `Abort requested after wave ${wave} failed.`,
} as const;

export default function ExecutionPage() {
  const { id = "" } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const notify = useNotify();
  const { can } = useSession();
  const live = useExecutionLive(id);
  const [busy, setBusy] = useState<Command["type"]>();
  const [confirming, setConfirming] = useState<
    { type: "cancel" } | { type: "abort-wave"; waveId: string; waveName: string }
  >();
  const [terminating, setTerminating] = useState(false);
  const [forceEnding, setForceEnding] = useState(false);
  const [now, setNow] = useState(Date.now());
  const d = live.detail;
  // Whether DRS is the simulator, asked once a failback waits for a failback client.
  const waitsForClient = d ? serversWaitingForFailbackClient(d).length > 0 : false;
  const health = useQuery(() => unwrap(api.GET("/config/health")), [api], { enabled: waitsForClient });
  const simulator = health.data?.mode.drs.startsWith("sim") ?? false;

  useEffect(() => {
    if (d && isTerminal(d.status)) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [d]);

  /** Sends a command; true when the API accepted it. */
  const run = async (command: Command, confirm?: string): Promise<boolean> => {
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
        case "retry-wave":
        case "skip-wave":
        case "abort-wave": {
          const decision = command.type.replace("-wave", "") as "retry" | "skip" | "abort";
          await unwrap(
            api.POST(`/executions/{id}/waves/{waveId}/${decision}`, {
              params: { path: { id, waveId: command.waveId } },
              body: {},
            }),
          );
          notify({ type: "success", content: WAVE_DONE_WORDS[decision](command.waveName) });
          await live.reload();
          return true;
        }
        case "terminate":
          await unwrap(
            api.POST("/executions/{id}/terminate-instances", { ...path, body: confirm ? { confirm } : {} }),
          );
          break;
        case "simulate-failback-client": {
          const r = await unwrap(
            api.POST("/executions/{id}/simulate-failback-client", {
              ...path,
              body: { serverId: command.serverId },
            }),
          );
          notify({
            type: "success",
            content: `Simulated failback client connected: ${r.connected.map((c) => `${c.hostname} (${c.recoveryInstanceId})`).join(", ")}. Replication back starts now.`,
          });
          await live.reload();
          return true;
        }
      }
      notify({
        type: "success",
        content: `${command.type === "terminate" ? "Termination" : command.type[0]!.toUpperCase() + command.type.slice(1)} requested.`,
      });
      await live.reload();
      return true;
    } catch (e) {
      notify({
        type: "error",
        header: `Could not ${command.type === "simulate-failback-client" ? "simulate the failback client" : command.type}`,
        content: errorMessage(e),
      });
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  if (!d)
    return live.error ? <ErrorAlert error={live.error} header="Could not load the execution" /> : <Loading />;
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
            : c.type === "terminate"
              ? setTerminating(true)
              : c.type === "cancel"
                ? setConfirming({ type: "cancel" })
                : c.type === "abort-wave"
                  ? setConfirming({ type: "abort-wave", waveId: c.waveId, waveName: c.waveName })
                  : void run(c)
        }
        onOpenReport={() => navigate(`/executions/${id}/report`)}
        simulator={simulator}
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
      <TerminateDialog
        detail={d}
        visible={terminating}
        onDismiss={() => setTerminating(false)}
        onConfirm={(confirm) => run({ type: "terminate" }, confirm)}
      />
      <Modal
        visible={confirming !== undefined}
        onDismiss={() => setConfirming(undefined)}
        header={confirming?.type === "abort-wave" ? "Abort the execution?" : "Cancel the execution?"}
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setConfirming(undefined)}>
                {confirming?.type === "abort-wave" ? "Back" : "Keep going"}
              </Button>
              <Button
                variant="primary"
                data-testid="confirm-command"
                onClick={() => {
                  const command = confirming;
                  setConfirming(undefined);
                  if (command) void run(command);
                }}
              >
                {confirming?.type === "abort-wave" ? "Abort execution" : "Cancel execution"}
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <Box>
          {confirming?.type === "abort-wave"
            ? `Wave ${confirming.waveName} stays failed, the waves that have not started are skipped and the execution ends FAILED. Recovery instances already launched stay until terminated.`
            : "Nothing new starts; running DRS jobs are followed to their end and the remaining waves are cancelled."}
        </Box>
      </Modal>
    </>
  );
}
