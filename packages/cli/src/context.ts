import { type ApiClient, createApiClient } from "@drso/client";
import { discover, type ProfileContext, providerFor, resolveProfile, Session } from "./auth/session.js";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./output.js";
import { VERSION } from "./version.js";

export interface GlobalOptions {
  profile?: string;
  output?: string;
}

/** What every command gets: the IO, the output format, and (lazily) the signed-in API client. */
export class CommandContext {
  private connection: Promise<{ api: ApiClient; profile: ProfileContext; apiUrl: string }> | undefined;

  constructor(
    readonly io: CliIo,
    private readonly globals: () => GlobalOptions,
  ) {}

  get output(): OutputFormat {
    const format = this.globals().output ?? "table";
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--output must be one of ${OUTPUT_FORMATS.join(", ")} (got "${format}")`);
    }
    return format as OutputFormat;
  }

  get profileName(): string | undefined {
    return this.globals().profile;
  }

  async connect(): Promise<{ api: ApiClient; profile: ProfileContext; apiUrl: string }> {
    this.connection ??= (async () => {
      const profile = await resolveProfile(this.io, this.profileName);
      let apiUrl = profile.profile.apiUrl;
      if (!apiUrl || !profile.persist) {
        const found = await discover(profile.profile.url, this.io.fetch);
        apiUrl = found.apiUrl;
        profile.profile = { ...profile.profile, auth: found.auth, apiUrl };
        if (found.cognito) profile.profile.cognito = found.cognito;
      }
      const session = new Session(profile, apiUrl, providerFor(profile.profile, apiUrl, this.io), this.io);
      const api = createApiClient({
        apiUrl,
        fetch: this.io.fetch,
        tokens: session,
        sleep: this.io.sleep,
        userAgent: `drsctl/${VERSION}`,
      });
      return { api, profile, apiUrl };
    })();
    return this.connection;
  }

  async api(): Promise<ApiClient> {
    return (await this.connect()).api;
  }

  /** Progress and notices: stderr, so that stdout carries only the result. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}
