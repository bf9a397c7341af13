import type { SimulatorControl } from "@drso/app";

/**
 * The app's view of the DRS simulator (DRSO_DRS_MODE=sim): its control plane over HTTP (docs/drs-simulator.md),
 * the same for the embedded simulator and one at DRSO_DRS_ENDPOINT.
 */
export function simulatorControl(simulatorUrl: string): SimulatorControl {
  const base = simulatorUrl.replace(/\/$/, "");
  return {
    async connectFailbackClient(recoveryInstanceId) {
      const response = await fetch(
        `${base}/__sim/recovery-instances/${encodeURIComponent(recoveryInstanceId)}/failback`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ action: "clientConnected" }),
          signal: AbortSignal.timeout(10_000),
        },
      );
      if (!response.ok) {
        const text = await response.text().catch(() => "");
        let message = text;
        try {
          message = (JSON.parse(text) as { error?: string }).error ?? text;
        } catch {}
        throw new Error(`HTTP ${response.status}${message ? `: ${message.slice(0, 300)}` : ""}`);
      }
    },
  };
}
