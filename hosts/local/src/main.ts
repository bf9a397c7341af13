import { ConfigError, loadConfig } from "./config.js";
import { startLocalServer } from "./local-server.js";

async function main() {
  // Everything this process writes lives in the data folder, which holds secrets: files 0600, folders 0700.
  process.umask(0o077);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const server = await startLocalServer(config);
  console.log(
    `DRS Orchestrator ${config.drsMode === "sim" ? "(DRS simulator)" : "(AWS DRS)"} listening on ${server.url}`,
  );
  console.log(`  web console  ${server.url}/`);
  console.log(`  API          ${server.apiUrl}  (OpenAPI: ${server.apiUrl}/openapi.json)`);
  if (server.simulatorUrl)
    console.log(
      `  DRS          ${server.simulatorUrl}  (simulator control plane: ${server.simulatorUrl}/__sim/state)`,
    );
  console.log(`  data         ${config.dataDir}`);
  if (server.generatedAdminPassword) {
    console.log("");
    console.log("  First start: created the administrator account");
    console.log(`    email     ${config.adminEmail}`);
    console.log(`    password  ${server.generatedAdminPassword}`);
    console.log(
      "  This password is shown only once. Set DRSO_ADMIN_EMAIL / DRSO_ADMIN_PASSWORD to choose your own.",
    );
  }
  for (const notice of server.notices) {
    console.log("");
    console.log(`  Note: ${notice}`);
  }
  // From process start (module loading included) to listening: what the person who typed `npm start` waits.
  console.log(`ready in ${Math.round(process.uptime() * 1000)} ms`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down (running executions continue after the next start)`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(
    `DRS Orchestrator failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
