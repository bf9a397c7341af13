import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import type { ExecutionDetail } from "../../hooks/use-execution-live.js";

type Server = ExecutionDetail["waves"][number]["servers"][number];

/** The servers of a running FAILBACK that wait for their DRS Failback Client. */
export function serversWaitingForFailbackClient(d: ExecutionDetail): Array<{ wave: string; server: Server }> {
  if (d.executionType !== "FAILBACK") return [];
  if (["COMPLETED", "FAILED", "CANCELLED"].includes(d.status)) return [];
  return d.waves.flatMap((w) =>
    w.servers
      .filter((s) => s.failback?.phase === "waiting-client")
      .map((server) => ({ wave: w.name, server })),
  );
}

/**
 * What the operator must do while a failback waits on a failback client: boot the DRS Failback Client on the
 * original server with the recovery instance it fails back from. Against the simulator a button does it.
 */
export function FailbackWaiting({
  detail,
  simulator,
  canManage,
  busy,
  onSimulate,
}: {
  detail: ExecutionDetail;
  /** DRS is the simulator: offer to simulate the failback client. */
  simulator: boolean;
  canManage: boolean;
  busy: boolean;
  onSimulate: (serverId: string) => void;
}) {
  return (
    <>
      {serversWaitingForFailbackClient(detail).map(({ wave, server: s }) => {
        const instance = s.failback?.recoveryInstanceId ?? s.recoveryInstanceId ?? "(not known yet)";
        return (
          <Alert
            key={`failback-${s.sourceServerId}`}
            type="info"
            header={`Waiting for the failback client: ${s.hostname} (${wave})`}
            data-testid="failback-waiting"
            action={
              simulator && canManage ? (
                <Button
                  onClick={() => onSimulate(s.sourceServerId)}
                  loading={busy}
                  data-testid="simulate-failback-client"
                >
                  Simulate failback client
                </Button>
              ) : undefined
            }
          >
            <Box variant="p">
              {`Boot the DRS Failback Client on the original server ${s.hostname} (source server ${s.sourceServerId}) and pair it with recovery instance ${instance} in account ${s.accountId}, region ${s.region}. Replication back to the server then starts, and the failback goes on by itself once DRS reports it ready.`}
            </Box>
            <Box variant="small" color="text-body-secondary">
              {`DRS failback state: ${s.failback?.drsState ?? "unknown"}.${simulator ? " DRS is simulated here: the button connects the demo's failback client instead." : ""}`}
            </Box>
          </Alert>
        );
      })}
    </>
  );
}
