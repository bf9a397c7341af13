import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import { join } from "node:path";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { combineActionRunners, createHttpActionRunner, httpActionAllowedHosts } from "@drso/actions";
import { createApi, malformedRequestResponse, unparsableRequestResponse } from "@drso/api";
import {
  createExecutionEventBus,
  createLocalDriver,
  createServices,
  createStepHandler,
  type LocalDriver,
  leaseRenewer,
  type Services,
} from "@drso/app";
import { type Clock, SystemClock } from "@drso/clock";
import type { Account, DrsGatewayFactory, DrsTarget } from "@drso/core";
import { DEFAULT_SETTINGS } from "@drso/core";
import { assumeRoleCredentials, createSdkDrsGatewayFactory, simulatorCredentials } from "@drso/drs";
import { createLocalIdentity, createLocalUserDirectory, createScryptHasher } from "@drso/identity";
import { createWebhookNotifier } from "@drso/notify";
import { createSqliteStore, type SqliteStore } from "@drso/store";
import { getRequestListener } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type RunningSimulator, startSimulator } from "drs-sim";
import type { LocalConfig } from "./config.js";
import { createAwsCredentialsCheck } from "./credentials-check.js";
import { lockDataDir, prepareDataDir, restrictFile } from "./data-dir.js";
import { simulatorControl } from "./simulator-control.js";
import { listenError } from "./startup-errors.js";
import { mountWebUi } from "./web-ui.js";

export const VERSION = "0.1.0";
export const LOCAL_CLIENT_ID = "drs-orchestrator-local";

export interface LocalServer {
  url: string;
  apiUrl: string;
  simulatorUrl?: string;
  simulator?: RunningSimulator;
  store: SqliteStore;
  services: Services;
  driver: LocalDriver;
  /** Printed once on first start when no admin password was configured. */
  generatedAdminPassword?: string;
  /** Things the operator should know at start (printed by `npm start` before "ready"). */
  notices: string[];
  close(): Promise<void>;
}

export interface LocalServerOptions {
  clock?: Clock;
  log?: (level: "info" | "warn" | "error", message: string, detail?: unknown) => void;
}

/** Accounts for the fleet a simulator serves (first start only): DR engineers get a working demo at once. */
async function simulatorTargets(endpoint: string, simulator?: RunningSimulator): Promise<DrsTarget[]> {
  if (simulator)
    return simulator.control.state().regions.map((r) => ({ accountId: r.accountId, region: r.region }));
  const response = await fetch(`${endpoint.replace(/\/$/, "")}/__sim/state`);
  if (!response.ok) throw new Error(`GET ${endpoint}/__sim/state: HTTP ${response.status}`);
  const state = (await response.json()) as { regions: DrsTarget[] };
  return state.regions.map((r) => ({ accountId: r.accountId, region: r.region }));
}

export async function startLocalServer(
  config: LocalConfig,
  options: LocalServerOptions = {},
): Promise<LocalServer> {
  const log =
    options.log ??
    ((level, message, detail) =>
      (level === "error" ? console.error : console.log)(`[${level}] ${message}`, detail ?? ""));
  const clock = options.clock ?? new SystemClock();
  const notices: string[] = [];
  prepareDataDir(config.dataDir, (message) => notices.push(message));
  // Before anything opens a file of the folder: a second server on it stops here, naming the first.
  const lock = lockDataDir(config.dataDir);
  const databasePath = join(config.dataDir, "drs-orchestrator.sqlite");
  let store: SqliteStore;
  try {
    // SQLite gives its -wal and -shm files the mode of the database file: 0600 here makes all three 0600.
    restrictFile(databasePath, true);
    for (const suffix of ["-wal", "-shm"]) restrictFile(`${databasePath}${suffix}`);
    restrictFile(join(config.dataDir, "drs-sim-state.json"));
    store = createSqliteStore({ path: databasePath });
  } catch (error) {
    lock.release();
    throw error;
  }
  const closers: Array<() => Promise<void>> = [];
  const awsCredentials = config.drsMode === "aws" ? createAwsCredentialsCheck() : undefined;

  try {
    // The API port is taken first, so that a second instance on the same port is told about PORT (and not
    // about the simulator port next to it). Until the app is ready it answers 503.
    const starting = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(503, { "content-type": "application/problem+json", "retry-after": "1" });
      res.end(
        JSON.stringify({
          type: "about:blank",
          title: "Starting",
          status: 503,
          code: "STARTING",
          detail: "The server is starting; retry in a moment.",
        }),
      );
    };
    const server = await new Promise<Server>((resolve, reject) => {
      const s = createServer(starting);
      s.once("error", (error) => reject(listenError(error, { what: "api", config })));
      s.listen(config.port, config.host, () => resolve(s));
    });
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    );
    // Requests Node's parser refuses never reach the app: answer them in the API's problem+json too.
    server.on("clientError", (error: NodeJS.ErrnoException, socket: import("node:stream").Duplex) => {
      if (error.code === "ECONNRESET" || !socket.writable) {
        socket.destroy();
        return;
      }
      socket.end(malformedRequestResponse(error.code, crypto.randomUUID()));
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;

    let simulator: RunningSimulator | undefined;
    let drs: DrsGatewayFactory;
    let simulatorUrl: string | undefined;
    if (config.drsMode === "sim") {
      if (config.drsEndpoint) {
        simulatorUrl = config.drsEndpoint;
      } else {
        try {
          simulator = await startSimulator({
            host: config.host,
            port: config.simPort,
            fleet: config.simFleet,
            seed: config.simSeed,
            timeScale: config.simTimeScale,
            stateFile: join(config.dataDir, "drs-sim-state.json"),
            // The demo's failback clients connect by themselves over a 1 Gbps link (a 150 GiB server re-syncs in
            // about 21 DRS minutes, about a minute at the default speed), so a failback works out of the box.
            ...(config.simAutoFailback
              ? { config: { autoFailbackReady: true, failbackBandwidthMbps: 1000 } }
              : {}),
          });
        } catch (error) {
          throw listenError(error, { what: "simulator", config });
        }
        simulatorUrl = simulator.url;
        closers.push(() => simulator!.close());
      }
      drs = createSdkDrsGatewayFactory({
        mode: "sim",
        endpoint: simulatorUrl,
        credentialsFor: (t) => simulatorCredentials(t.accountId),
      });
    } else {
      const roles = new Map<string, ReturnType<typeof assumeRoleCredentials>>();
      // The orchestrator's own account (no role ARN) uses the default AWS credential chain.
      const defaultChain = defaultProvider();
      drs = createSdkDrsGatewayFactory({
        mode: "aws",
        ...(config.drsEndpoint ? { endpoint: config.drsEndpoint } : {}),
        credentialsFor: (target) => async () => {
          const account: Account | undefined = await store.accounts.get(target.accountId);
          if (!account?.roleArn) return defaultChain();
          const key = `${account.roleArn}|${account.externalId ?? ""}|${target.region}`;
          let provider = roles.get(key);
          if (!provider) {
            provider = assumeRoleCredentials({
              roleArn: account.roleArn,
              region: target.region,
              ...(account.externalId ? { externalId: account.externalId } : {}),
            });
            roles.set(key, provider);
          }
          return provider();
        },
      });
    }

    const hasher = createScryptHasher();
    const publicUrl = `http://${config.host}:${config.port}`;
    const identity = createLocalIdentity({
      users: store.users,
      refreshTokens: store.refreshTokens,
      kv: store.kv,
      clock,
      issuer: `${publicUrl}/api/auth`,
      clientId: LOCAL_CLIENT_ID,
      hasher,
    });
    const users = createLocalUserDirectory({
      users: store.users,
      refreshTokens: store.refreshTokens,
      clock,
      hasher,
    });
    const admin = await users.ensureInitialAdmin(config.adminEmail, config.adminPassword);
    if (!admin && config.adminPassword) {
      // Users exist: DRSO_ADMIN_PASSWORD only ever creates the first administrator. Say so when it is not
      // what is stored (silence when it matches: then it is in effect).
      const user = await store.users.findByEmail(config.adminEmail);
      const matches = user ? await hasher.verify(config.adminPassword, user.passwordHash) : false;
      if (!matches)
        notices.push(
          `DRSO_ADMIN_PASSWORD is set but was not applied: the database already has users${
            user ? `, and ${config.adminEmail} has another password` : ` (none is ${config.adminEmail})`
          }. It only creates the first administrator of an empty database. To set a password now: npm run admin -- reset-password ${user ? config.adminEmail : "EMAIL"}${
            user ? "" : " (npm run admin -- list-users shows who exists)"
          }`,
        );
    }

    if (config.drsMode === "sim" && (await store.accounts.list()).length === 0 && simulatorUrl) {
      const targets = await simulatorTargets(simulatorUrl, simulator);
      const byAccount = new Map<string, string[]>();
      for (const t of targets) byAccount.set(t.accountId, [...(byAccount.get(t.accountId) ?? []), t.region]);
      const now = new Date(clock.now()).toISOString();
      let n = 0;
      for (const [accountId, regions] of byAccount) {
        n += 1;
        await store.accounts.create({
          accountId,
          name: `Simulated account ${n}`,
          regions: [...new Set(regions)].sort(),
          createdAt: now,
          updatedAt: now,
          version: 1,
        });
      }
    }

    const bus = createExecutionEventBus();
    const notifier = createWebhookNotifier({
      targets: async () => ((await store.settings.get())?.settings ?? DEFAULT_SETTINGS).webhooks,
      log: (m, d) => log("warn", m, d),
    });
    const actions = combineActionRunners(
      createHttpActionRunner({ allowedHosts: httpActionAllowedHosts(store) }),
    );
    const owner = `${hostname()}:${process.pid}`;
    const stepExecution = createStepHandler({
      store,
      drs,
      actions,
      clock,
      notifier,
      awaitNotifications: false,
      bus,
      beforeRound: leaseRenewer(store, clock, owner),
      log: (m, d) => log("warn", m, d),
    });
    // Events a crash left undelivered for executions that will not be stepped again (they ended).
    void stepExecution.outbox
      ?.sweep()
      .catch((error: unknown) => log("warn", "notification sweep failed", error));
    const driver = createLocalDriver({
      store,
      clock,
      stepExecution,
      owner,
      log: (m, d) => log("error", m, d),
    });
    const services = createServices(
      {
        store,
        drs,
        clock,
        newId: () => crypto.randomUUID(),
        users,
        identity,
        notifier,
        actions,
        ...(simulatorUrl ? { simulator: simulatorControl(simulatorUrl) } : {}),
      },
      driver,
    );

    const { app } = createApi({
      services,
      verifier: identity,
      identity,
      bus,
      version: VERSION,
      mode: {
        drs: config.drsMode === "sim" ? `sim (${simulatorUrl})` : "aws",
        store: "sqlite",
        identity: "local",
      },
      corsOrigins: config.corsOrigins,
      rateLimit: { ratePerSecond: config.rateLimitPerUser, burst: Math.max(20, config.rateLimitPerUser * 2) },
      clientAddress: (c) => {
        try {
          return getConnInfo(c as never).remote.address ?? "unknown";
        } catch {
          return "unknown";
        }
      },
      healthChecks: async () => {
        const s = driver.status();
        const credentials = awsCredentials
          ? [{ name: "aws-credentials", ...(await awsCredentials.status()) }]
          : [];
        return [
          ...credentials,
          {
            name: "engine",
            ok: !config.engine || (s.running && !(s.lastError && s.lastError.at > clock.now() - 60_000)),
            detail: !config.engine
              ? "disabled (DRSO_ENGINE=off)"
              : s.lastError
                ? `last error: ${s.lastError.message}`
                : "running",
          },
        ];
      },
      log: (m, d) => log("error", m, d),
    });
    mountWebUi(app, { apiBase: "/api" });

    // @hono/node-server's listener with an error handler, so that a request it cannot parse gets problem+json.
    const listener = getRequestListener(app.fetch, {
      hostname: config.host,
      errorHandler: () => unparsableRequestResponse(crypto.randomUUID()),
    });
    server.off("request", starting);
    server.on("request", listener);
    if (config.engine) driver.start();
    closers.unshift(() => driver.stop());
    if (config.engine) {
      // Every minute of the host's clock: scheduled drills that came due, then plan readiness when
      // readinessIntervalMinutes has passed (checked each minute, so a changed setting applies soon).
      let stopped = false;
      let cancel: (() => void) | undefined;
      const tick = async () => {
        await services.schedules
          .fireDue()
          .catch((error: unknown) => log("warn", "scheduled drills failed", error));
        await services.readiness
          .sweepIfDue()
          .catch((error: unknown) => log("warn", "readiness sweep failed", error));
        if (!stopped) cancel = clock.schedule(clock.now() + 60_000, () => void tick());
      };
      cancel = clock.schedule(clock.now() + 5_000, () => void tick());
      closers.unshift(async () => {
        stopped = true;
        cancel?.();
        await services.readiness.close();
      });
    }

    const url = `http://${config.host}:${port}`;
    lock.setUrl(url);
    if (awsCredentials) {
      const status = await awsCredentials.status();
      if (!status.ok) notices.push(status.detail);
    }
    const result: LocalServer = {
      url,
      apiUrl: `${url}/api`,
      store,
      services,
      driver,
      notices,
      async close() {
        for (const close of closers)
          await close().catch((error: unknown) => log("warn", "shutdown step failed", error));
        await store.close();
        lock.release();
      },
    };
    if (simulatorUrl) result.simulatorUrl = simulatorUrl;
    if (simulator) result.simulator = simulator;
    if (admin?.generatedPassword) result.generatedAdminPassword = admin.generatedPassword;
    return result;
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    await store.close().catch(() => {});
    lock.release();
    throw error;
  }
}

export function webUiBuilt(distDir: string): boolean {
  return existsSync(join(distDir, "index.html"));
}
