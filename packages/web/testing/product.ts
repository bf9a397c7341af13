import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../hosts/local/src/config.js";
import { type LocalServer, startLocalServer } from "../../../hosts/local/src/local-server.js";
import { sourceHash, stampFile } from "../scripts/source-hash.mjs";

export const ADMIN = { email: "admin@example.com", password: "Admin123!" };

/** The browser tests drive the built console: refuse to run them against a missing or stale build. */
export function assertConsoleBuilt(): void {
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : "";
  if (stamp !== sourceHash())
    throw new Error("The web console build is missing or stale: run `npm run build -w @drso/web` first.");
}

export interface RunningProduct {
  server: LocalServer;
  url: string;
  close(): Promise<void>;
}

/**
 * The product as `npm start` runs it (API, engine, embedded simulator, built console), in-process on
 * 127.0.0.1 with a temporary data dir and a fast simulator clock.
 */
export async function startProduct(
  options: { timeScale?: number; seed?: number; env?: Record<string, string> } = {},
): Promise<RunningProduct> {
  assertConsoleBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), "drso-web-"));
  const parsed = loadConfig({
    HOST: "127.0.0.1",
    PORT: "8080",
    DRSO_DATA_DIR: dataDir,
    DRSO_ADMIN_EMAIL: ADMIN.email,
    DRSO_ADMIN_PASSWORD: ADMIN.password,
    DRSO_SIM_TIME_SCALE: String(options.timeScale ?? 0.01),
    DRSO_SIM_SEED: String(options.seed ?? 1),
    DRSO_LOG_LEVEL: "warn",
    DRSO_RATE_LIMIT_PER_USER: "1000",
    ...options.env,
  });
  // PORT=0 (an ephemeral port) is not accepted by the env schema, so it is set on the parsed config.
  const config = { ...parsed, port: 0, simPort: 0 };
  const server = await startLocalServer(config, {
    log: (level, message) => level === "error" && console.error(message),
  });
  return {
    server,
    url: server.url.replace(/\/$/, ""),
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the API (for setup steps that are not under test). */
export async function apiToken(url: string, email = ADMIN.email, password = ADMIN.password): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`login ${email}: HTTP ${response.status}`);
  return ((await response.json()) as { idToken: string }).idToken;
}

export async function apiCall<T>(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}
