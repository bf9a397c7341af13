import { ApiError, type TokenSource } from "@drso/client";
import {
  type CognitoSettings,
  type ConfigFile,
  configPath,
  loadConfigFile,
  type Profile,
  saveConfigFile,
  type TokenSet,
  withConfigLock,
} from "../config/config-file.js";
import { CliError } from "../errors.js";
import type { CliIo } from "../io.js";
import { type AuthProvider, cognitoAuth, localAuth } from "./providers.js";

/** The profile a command runs against, after `--profile`, `DRSCTL_PROFILE` and `DRSCTL_URL` are applied. */
export interface ProfileContext {
  configPath: string;
  name: string;
  profile: Profile;
  /** False when DRSCTL_URL points elsewhere than the stored profile: tokens then live in memory only. */
  persist: boolean;
}

export function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`not a URL: ${url}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new CliError(`not an http(s) URL: ${url}`);
  return parsed.toString().replace(/\/+$/, "");
}

export async function resolveProfile(io: CliIo, requested: string | undefined): Promise<ProfileContext> {
  const path = configPath(io.env);
  const config = await loadConfigFile(path);
  const name = requested ?? io.env.DRSCTL_PROFILE ?? config.currentProfile ?? "default";
  const stored = config.profiles[name];
  const envUrl = io.env.DRSCTL_URL ? normalizeUrl(io.env.DRSCTL_URL) : undefined;
  if (envUrl) {
    if (stored && normalizeUrl(stored.url) === envUrl)
      return { configPath: path, name, profile: stored, persist: true };
    if (!stored) return { configPath: path, name, profile: { url: envUrl, auth: "local" }, persist: true };
    // Never send a profile's tokens to another server.
    return { configPath: path, name, profile: { url: envUrl, auth: "local" }, persist: false };
  }
  if (!stored) {
    const known = Object.keys(config.profiles);
    throw new CliError(
      `no profile "${name}"${known.length ? ` (profiles: ${known.join(", ")})` : ""}: run drsctl login --url URL${
        name !== "default" ? ` --profile ${name}` : ""
      }, or set DRSCTL_URL`,
    );
  }
  return { configPath: path, name, profile: stored, persist: true };
}

export interface Discovery {
  apiUrl: string;
  auth: "local" | "cognito";
  cognito?: CognitoSettings;
}

/**
 * Where the API is and how users sign in, from the deployment's `/aws-config.json` (the file the web console
 * reads). Without one, the URL is taken as the API itself when it ends in /api, else `URL/api`, local sign-in.
 */
export async function discover(url: string, fetchImpl: CliIo["fetch"]): Promise<Discovery> {
  const base = normalizeUrl(url);
  let config: { apiUrl?: unknown; auth?: Record<string, unknown> } | undefined;
  try {
    const response = await fetchImpl(
      new Request(`${base}/aws-config.json`, { headers: { accept: "application/json" } }),
    );
    if (response.ok) config = (await response.json()) as typeof config;
  } catch (error) {
    if (error instanceof SyntaxError) config = undefined;
    else throw new ApiError(0, { detail: (error as Error).message }, "GET", `${base}/aws-config.json`);
  }
  if (!config || typeof config !== "object") {
    return { apiUrl: base.endsWith("/api") ? base : `${base}/api`, auth: "local" };
  }
  const apiUrl =
    typeof config.apiUrl === "string" ? new URL(config.apiUrl, `${base}/`).toString() : `${base}/api`;
  const auth = config.auth ?? {};
  if (auth.mode === "cognito") {
    const { userPoolId, clientId, region } = auth;
    if (typeof userPoolId !== "string" || typeof clientId !== "string") {
      throw new CliError(`${base}/aws-config.json says auth.mode cognito but lacks userPoolId/clientId`);
    }
    const cognitoRegion = typeof region === "string" ? region : userPoolId.split("_")[0]!;
    return {
      apiUrl: apiUrl.replace(/\/+$/, ""),
      auth: "cognito",
      cognito: { userPoolId, clientId, region: cognitoRegion },
    };
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ""), auth: "local" };
}

export function providerFor(profile: Profile, apiUrl: string, io: CliIo): AuthProvider {
  if (profile.auth === "cognito") {
    if (!profile.cognito)
      throw new CliError("the profile uses Cognito but has no user pool settings: run drsctl login");
    return cognitoAuth({ ...profile.cognito, ...(profile.email ? { username: profile.email } : {}) });
  }
  return localAuth({ apiUrl, fetch: io.fetch, now: io.now });
}

const REFRESH_MARGIN_MS = 60_000;

/**
 * Keeps a valid ID token for a profile: refreshes it shortly before it expires or when the API rejects it,
 * saves the rotated refresh token at once (atomically, under a lock shared by concurrent drsctl processes),
 * and signs in with DRSCTL_EMAIL/DRSCTL_PASSWORD when there is no usable session (pipelines).
 */
export class Session implements TokenSource {
  private tokens: TokenSet | undefined;

  constructor(
    private readonly context: ProfileContext,
    private readonly apiUrl: string,
    private readonly provider: AuthProvider,
    private readonly io: CliIo,
  ) {
    this.tokens = context.persist ? context.profile.tokens : undefined;
  }

  async token(): Promise<string> {
    if (this.tokens && this.tokens.expiresAt - this.io.now() > REFRESH_MARGIN_MS) return this.tokens.idToken;
    if (this.tokens) {
      const refreshed = await this.refresh(this.tokens);
      if (refreshed) return refreshed.idToken;
    }
    return (await this.loginFromEnvironment()).idToken;
  }

  async rejected(token: string): Promise<string | undefined> {
    if (this.tokens && this.tokens.idToken !== token) return this.tokens.idToken;
    if (this.tokens) {
      const refreshed = await this.refresh(this.tokens);
      if (refreshed && refreshed.idToken !== token) return refreshed.idToken;
    }
    if (this.io.env.DRSCTL_PASSWORD) return (await this.loginFromEnvironment()).idToken;
    return undefined;
  }

  /** Saves tokens obtained by `drsctl login`. */
  async store(tokens: TokenSet): Promise<void> {
    this.tokens = tokens;
    await this.save((profile) => ({ ...profile, tokens }));
  }

  private async refresh(current: TokenSet): Promise<TokenSet | undefined> {
    const attempt = async (): Promise<TokenSet | undefined> => {
      let latest = current;
      if (this.context.persist) {
        // Another drsctl may have refreshed meanwhile: its refresh token is now the only valid one.
        const stored = (await loadConfigFile(this.context.configPath)).profiles[this.context.name]?.tokens;
        if (stored && stored.refreshToken !== current.refreshToken) {
          if (stored.expiresAt - this.io.now() > REFRESH_MARGIN_MS) return stored;
          latest = stored;
        }
      }
      try {
        const fresh = await this.provider.refresh(latest);
        if (this.context.persist) await this.write((profile) => ({ ...profile, tokens: fresh }));
        return fresh;
      } catch (error) {
        if (error instanceof ApiError && !error.transient) {
          if (this.context.persist) {
            await this.write((profile) => {
              const { tokens: _dropped, ...rest } = profile;
              return rest;
            });
          }
          return undefined;
        }
        if (error instanceof CliError) return undefined;
        throw error;
      }
    };
    const fresh = this.context.persist
      ? await withConfigLock(this.context.configPath, attempt)
      : await attempt();
    this.tokens = fresh;
    return fresh;
  }

  private async loginFromEnvironment(): Promise<TokenSet> {
    const email = this.io.env.DRSCTL_EMAIL ?? this.context.profile.email;
    const password = this.io.env.DRSCTL_PASSWORD;
    if (!email || !password) {
      throw new CliError(
        `not signed in to ${this.context.profile.url} (profile "${this.context.name}"): run drsctl login, or set DRSCTL_EMAIL and DRSCTL_PASSWORD`,
      );
    }
    const tokens = await this.provider.login(email, password);
    this.tokens = tokens;
    await this.save((profile) => ({ ...profile, email, tokens }));
    return tokens;
  }

  private async save(update: (profile: Profile) => Profile): Promise<void> {
    if (!this.context.persist) return;
    await withConfigLock(this.context.configPath, () => this.write(update));
  }

  /** Read-modify-write of this profile only; the caller holds the lock. */
  private async write(update: (profile: Profile) => Profile): Promise<void> {
    const config: ConfigFile = await loadConfigFile(this.context.configPath);
    const existing = config.profiles[this.context.name] ?? { ...this.context.profile, apiUrl: this.apiUrl };
    config.profiles[this.context.name] = update(existing);
    config.currentProfile ??= this.context.name;
    await saveConfigFile(this.context.configPath, config);
  }
}
