import { resolve } from "node:path";
import { z } from "zod";

// 0 picks a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** Every environment variable the local server reads, validated at start-up. */
export const EnvSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(8080),
  DRSO_DATA_DIR: z.string().min(1).default("./.data"),
  DRSO_ADMIN_EMAIL: optionalString,
  DRSO_ADMIN_PASSWORD: optionalString,
  DRSO_DRS_MODE: z.enum(["sim", "aws"]).default("sim"),
  DRSO_DRS_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  DRSO_SIM_PORT: port.optional(),
  DRSO_SIM_TIME_SCALE: z.coerce.number().positive().max(100).default(0.05),
  DRSO_SIM_SEED: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .default(1),
  DRSO_SIM_FLEET: z.string().min(1).default("demo"),
  DRSO_SIM_AUTO_FAILBACK: z.enum(["on", "off"]).default("on"),
  DRSO_CORS_ORIGINS: optionalString,
  DRSO_RATE_LIMIT_PER_USER: z.coerce.number().positive().default(100),
  DRSO_ENGINE: z.enum(["on", "off"]).default("on"),
  DRSO_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

/** The first administrator when DRSO_ADMIN_EMAIL is not set (DRSO_ADMIN_PASSWORD alone is fine). */
export const DEFAULT_ADMIN_EMAIL = "admin@example.com";

export interface LocalConfig {
  host: string;
  port: number;
  dataDir: string;
  adminEmail: string;
  adminPassword?: string;
  drsMode: "sim" | "aws";
  /** External DRS-compatible endpoint; when absent in sim mode the simulator is embedded. */
  drsEndpoint?: string;
  simPort: number;
  /** True when DRSO_SIM_PORT was set; otherwise the simulator port is PORT+1 (error messages say which). */
  simPortFromEnv?: boolean;
  simTimeScale: number;
  simSeed: number;
  simFleet: string;
  /** Demo failback clients: recovery instances' failback clients connect and replicate back by themselves. */
  simAutoFailback: boolean;
  corsOrigins: string[];
  rateLimitPerUser: number;
  engine: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
}

export class ConfigError extends Error {}

/** Parses the environment; the error message names each bad variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) =>
        `  ${i.path.join(".") || "environment"}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])] ?? null)})`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const config: LocalConfig = {
    host: e.HOST,
    port: e.PORT,
    dataDir: resolve(e.DRSO_DATA_DIR),
    adminEmail: (e.DRSO_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL).toLowerCase(),
    drsMode: e.DRSO_DRS_MODE,
    simPort: e.DRSO_SIM_PORT ?? (e.PORT === 0 ? 0 : e.PORT + 1),
    simPortFromEnv: e.DRSO_SIM_PORT !== undefined,
    simTimeScale: e.DRSO_SIM_TIME_SCALE,
    simSeed: e.DRSO_SIM_SEED,
    simFleet: e.DRSO_SIM_FLEET,
    simAutoFailback: e.DRSO_SIM_AUTO_FAILBACK === "on",
    corsOrigins: e.DRSO_CORS_ORIGINS
      ? e.DRSO_CORS_ORIGINS.split(",")
          .map((o) => o.trim())
          .filter(Boolean)
      : [],
    rateLimitPerUser: e.DRSO_RATE_LIMIT_PER_USER,
    engine: e.DRSO_ENGINE === "on",
    logLevel: e.DRSO_LOG_LEVEL,
  };
  if (e.DRSO_ADMIN_PASSWORD) config.adminPassword = e.DRSO_ADMIN_PASSWORD;
  if (e.DRSO_DRS_ENDPOINT) config.drsEndpoint = e.DRSO_DRS_ENDPOINT;
  return config;
}
