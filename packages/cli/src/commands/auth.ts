import { createApiClient, unwrap } from "@drso/client";
import type { Command } from "commander";
import { discover, normalizeUrl, providerFor, Session } from "../auth/session.js";
import {
  configPath,
  loadConfigFile,
  type Profile,
  saveConfigFile,
  withConfigLock,
} from "../config/config-file.js";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { printResult } from "../output.js";
import { examples } from "./shared.js";

export function registerAuthCommands(program: Command, ctx: CommandContext): void {
  examples(
    program
      .command("login")
      .description("Sign in to a deployment and save the session in a profile")
      .option(
        "--url <url>",
        "the deployment's URL (web console address, or the API base URL); default: the profile's",
      )
      .option("--email <email>", "user name (default: DRSCTL_EMAIL, the profile's, or a prompt)")
      .option(
        "--password-stdin",
        "read the password from standard input (default: DRSCTL_PASSWORD or a prompt)",
      )
      .action(async (options: { url?: string; email?: string; passwordStdin?: boolean }) => {
        const io = ctx.io;
        const path = configPath(io.env);
        const config = await loadConfigFile(path);
        const name = ctx.profileName ?? io.env.DRSCTL_PROFILE ?? config.currentProfile ?? "default";
        const existing = config.profiles[name];
        const rawUrl = options.url ?? io.env.DRSCTL_URL ?? existing?.url;
        if (!rawUrl)
          throw new UsageError("give the deployment's URL: drsctl login --url https://dr.example.com");
        const url = normalizeUrl(rawUrl);
        const found = await discover(url, io.fetch);
        const sameServer = existing && normalizeUrl(existing.url) === url;
        const email =
          options.email ??
          io.env.DRSCTL_EMAIL ??
          (sameServer ? existing?.email : undefined) ??
          (io.interactive ? (await io.prompt("Email: ")).trim() : undefined);
        if (!email) throw new UsageError("give --email or set DRSCTL_EMAIL");
        let password: string | undefined;
        if (options.passwordStdin) password = (await io.readStdin()).replace(/\r?\n$/, "");
        else
          password =
            io.env.DRSCTL_PASSWORD ??
            (io.interactive ? await io.prompt("Password: ", { secret: true }) : undefined);
        if (!password) throw new UsageError("give the password with --password-stdin or DRSCTL_PASSWORD");

        const profile: Profile = { url, apiUrl: found.apiUrl, auth: found.auth, email };
        if (found.cognito) profile.cognito = found.cognito;
        const provider = providerFor(profile, found.apiUrl, io);
        const tokens = await provider.login(email, password, {
          mfaCode: async (kind) => {
            if (!io.interactive)
              throw new CliError(`Cognito asks for an ${kind} code; run drsctl login in a terminal`);
            return (await io.prompt(`${kind} code: `)).trim();
          },
        });
        const context = { configPath: path, name, profile: { ...profile, tokens }, persist: true };
        const session = new Session(context, found.apiUrl, provider, io);
        await withConfigLock(path, async () => {
          const latest = await loadConfigFile(path);
          latest.profiles[name] = { ...profile, tokens };
          latest.currentProfile = name;
          await saveConfigFile(path, latest);
        });
        const api = createApiClient({ apiUrl: found.apiUrl, fetch: io.fetch, tokens: session });
        const me = await unwrap(api.GET("/users/profile"));
        printResult(
          io.stdout,
          ctx.output,
          { profile: name, url, apiUrl: found.apiUrl, auth: found.auth, email: me.email, role: me.role },
          () => `Signed in to ${url} as ${me.email} (${me.role}); profile "${name}" is now current.\n`,
        );
      }),
    [
      "drsctl login --url http://127.0.0.1:8080 --email admin@example.com",
      "drsctl login --url https://dr.example.com --profile prod    # Cognito when the deployment says so",
      'echo "$PASSWORD" | drsctl login --url $URL --email ci@example.com --password-stdin',
      "DRSCTL_URL=$URL DRSCTL_EMAIL=ci@example.com DRSCTL_PASSWORD=… drsctl login",
    ],
  );

  examples(
    program
      .command("logout")
      .description("Revoke the profile's refresh token and forget its tokens")
      .action(async () => {
        const path = configPath(ctx.io.env);
        const config = await loadConfigFile(path);
        const name = ctx.profileName ?? ctx.io.env.DRSCTL_PROFILE ?? config.currentProfile ?? "default";
        const profile = config.profiles[name];
        if (!profile?.tokens) {
          ctx.note(`profile "${name}" is not signed in`);
          return;
        }
        const apiUrl = profile.apiUrl ?? (await discover(profile.url, ctx.io.fetch)).apiUrl;
        try {
          await providerFor(profile, apiUrl, ctx.io).logout(profile.tokens);
        } catch (error) {
          ctx.note(`warning: the server did not revoke the refresh token: ${(error as Error).message}`);
        }
        await withConfigLock(path, async () => {
          const latest = await loadConfigFile(path);
          const current = latest.profiles[name];
          if (current) {
            const { tokens: _forgotten, ...rest } = current;
            latest.profiles[name] = rest;
          }
          await saveConfigFile(path, latest);
        });
        ctx.note(`signed out of ${profile.url} (profile "${name}")`);
      }),
    ["drsctl logout", "drsctl logout --profile prod"],
  );

  examples(
    program
      .command("whoami")
      .description("Show the signed-in user, role and permissions")
      .action(async () => {
        const { api, profile } = await ctx.connect();
        const me = await unwrap(api.GET("/users/profile"));
        printResult(
          ctx.io.stdout,
          ctx.output,
          me,
          () =>
            `${me.email} (${me.role}) on ${profile.profile.url} [profile "${profile.name}"]\npermissions: ${me.permissions.join(", ")}\n`,
        );
      }),
    ["drsctl whoami", "drsctl whoami -o json"],
  );

  const profileCommand = examples(
    program.command("profile").description("Manage profiles (one per deployment)"),
    ["drsctl profile list", "drsctl profile use prod", "drsctl --profile staging list executions"],
  );
  examples(
    profileCommand
      .command("list")
      .description("List profiles; * marks the current one")
      .action(async () => {
        const config = await loadConfigFile(configPath(ctx.io.env));
        const rows = Object.entries(config.profiles).map(([name, p]) => ({
          current: name === config.currentProfile,
          name,
          url: p.url,
          auth: p.auth,
          email: p.email,
          signedIn: Boolean(p.tokens),
        }));
        printResult(ctx.io.stdout, ctx.output, rows, {
          rows,
          columns: [
            { header: "", value: (r) => (r.current ? "*" : " ") },
            { header: "name", value: (r) => r.name },
            { header: "url", value: (r) => r.url },
            { header: "auth", value: (r) => r.auth },
            { header: "email", value: (r) => r.email },
            { header: "signed in", value: (r) => (r.signedIn ? "yes" : "no") },
          ],
        });
      }),
    ["drsctl profile list", "drsctl profile list -o json"],
  );
  examples(
    profileCommand
      .command("use")
      .argument("<name>", "profile name")
      .description("Make a profile the current one")
      .action(async (name: string) => {
        const path = configPath(ctx.io.env);
        await withConfigLock(path, async () => {
          const config = await loadConfigFile(path);
          if (!config.profiles[name]) throw new CliError(`no profile "${name}"`);
          config.currentProfile = name;
          await saveConfigFile(path, config);
        });
        ctx.note(`profile "${name}" is now current`);
      }),
    ["drsctl profile use prod"],
  );
  examples(
    profileCommand
      .command("delete")
      .argument("<name>", "profile name")
      .description("Delete a profile and its tokens (does not revoke them: run drsctl logout first)")
      .action(async (name: string) => {
        const path = configPath(ctx.io.env);
        await withConfigLock(path, async () => {
          const config = await loadConfigFile(path);
          if (!config.profiles[name]) throw new CliError(`no profile "${name}"`);
          delete config.profiles[name];
          if (config.currentProfile === name) delete config.currentProfile;
          await saveConfigFile(path, config);
        });
        ctx.note(`profile "${name}" deleted`);
      }),
    ["drsctl logout --profile old && drsctl profile delete old"],
  );
}
