import { existsSync } from "node:fs";
import { parseCliArgs, USAGE } from "./cli-options.js";
import { credentialsFor } from "./protocol/sigv4-scope.js";
import { startSimulator } from "./simulator.js";
import { SwitchableClock } from "./switchable-clock.js";

/** `drs-sim` / `npm run sim --`: runs the simulator until SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const parsed = parseCliArgs(process.argv.slice(2));
  if (parsed.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`drs-sim: ${parsed.message}\nRun 'drs-sim --help' for usage.\n`);
    process.exitCode = 2;
    return;
  }
  const o = parsed.options;
  const restoring = o.stateFile !== undefined && existsSync(o.stateFile);
  const sim = await startSimulator({
    host: o.host,
    port: o.port,
    fleet: o.fleet,
    seed: o.seed,
    timeScale: o.timeScale,
    accounts: o.accounts,
    defaultAccountId: o.defaultAccountId,
    logRequests: o.logRequests,
    clock: new SwitchableClock({ mode: o.manualClock ? "manual" : "real" }),
    ...(o.stateFile ? { stateFile: o.stateFile } : {}),
    ...(o.config ? { config: o.config } : {}),
  });

  const { regions, seed } = sim.control.state();
  const lines = [
    `DRS simulator listening on ${sim.url}`,
    `  ${restoring ? `state restored from ${o.stateFile}` : `fleet ${o.fleet}`}, seed ${seed}, time scale ${o.timeScale}, clock ${o.manualClock ? "manual" : "real"}${o.stateFile && !restoring ? `, saving to ${o.stateFile}` : ""}`,
  ];
  if (regions.length > 0) {
    lines.push("  accounts and regions:");
    for (const r of regions)
      lines.push(`    ${r.accountId}  ${r.region}  ${r.sourceServers.length} source servers`);
  }
  const account = regions[0]?.accountId ?? o.defaultAccountId;
  const region = regions[0]?.region ?? "us-east-1";
  const creds = credentialsFor(account);
  lines.push(
    "  credentials (any secret works; an access key ending in 12 digits selects that account):",
    `    export AWS_ACCESS_KEY_ID=${creds.accessKeyId} AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey} AWS_REGION=${region} AWS_DEFAULT_REGION=${region}`,
    "  try:",
    `    aws drs describe-source-servers --endpoint-url ${sim.url} --region ${region}`,
    `    curl ${sim.url}/__sim/state`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`drs-sim: ${signal}, shutting down\n`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("drs-sim: error while closing", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`drs-sim: ${(error as Error).message ?? String(error)}\n`);
  process.exitCode = 1;
});
