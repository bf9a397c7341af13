import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { CliError } from "../errors.js";

const TokenSetSchema = z.object({
  idToken: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Epoch milliseconds at which the ID token expires. */
  expiresAt: z.number(),
});
export type TokenSet = z.infer<typeof TokenSetSchema>;

const CognitoSettingsSchema = z.object({
  userPoolId: z.string(),
  clientId: z.string(),
  region: z.string(),
});
export type CognitoSettings = z.infer<typeof CognitoSettingsSchema>;

const ProfileSchema = z.object({
  /** The deployment's URL (the web console's address; `aws-config.json` there says where the API is). */
  url: z.string(),
  /** The API base URL, discovered at login. */
  apiUrl: z.string().optional(),
  auth: z.enum(["local", "cognito"]).default("local"),
  email: z.string().optional(),
  cognito: CognitoSettingsSchema.optional(),
  tokens: TokenSetSchema.optional(),
});
export type Profile = z.infer<typeof ProfileSchema>;

const ConfigSchema = z.object({
  currentProfile: z.string().optional(),
  profiles: z.record(z.string(), ProfileSchema).default({}),
});
export type ConfigFile = z.infer<typeof ConfigSchema>;

/** `$DRSCTL_CONFIG`, else `$XDG_CONFIG_HOME/drsctl/config.yaml`, else `~/.config/drsctl/config.yaml`. */
export function configPath(env: Record<string, string | undefined>): string {
  if (env.DRSCTL_CONFIG) return env.DRSCTL_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "drsctl", "config.yaml");
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} };
    throw new CliError(`cannot read the configuration ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    throw new CliError(`the configuration ${path} is not valid YAML: ${(error as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`the configuration ${path} is invalid: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Writes the whole file atomically (temporary file + rename) with mode 0600: it holds refresh tokens, and a
 * half-written file would lose the only valid one (refresh tokens rotate).
 */
export async function saveConfigFile(path: string, config: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  const text = `# drsctl configuration: profiles and their tokens. Keep it private (mode 0600).\n${stringify(config)}`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write the configuration ${path}: ${(error as Error).message}`);
  }
}

/**
 * Runs `fn` holding an exclusive lock on the configuration, so that two drsctl processes never use the same
 * refresh token (the server treats a reused refresh token as theft and revokes every session).
 */
export async function withConfigLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const handle = await open(lock, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const info = await stat(lock).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 30_000) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new CliError(`the configuration is locked by another drsctl (${lock}); remove it if stale`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}
