import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SystemClock } from "@drso/clock";
import { AppError } from "@drso/core";
import { createLocalUserDirectory, createScryptHasher, generatePassword } from "@drso/identity";
import { createSqliteStore } from "@drso/store";
import { ConfigError, loadConfig } from "./config.js";

const USAGE = `Usage: npm run admin -- <command>   (works on DRSO_DATA_DIR, default ./.data; the server may be running)

Commands:
  reset-password EMAIL [--password-stdin]
      Sets a new password for a user of the built-in identity, lifts a lockout and ends the user's sessions.
      Without --password-stdin a strong password is generated and printed once.
  list-users
      Lists the users (e-mail, role, disabled, locked).
`;

class AdminError extends Error {}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `npm run admin -- …`: account recovery for local mode, straight on the database (no sign-in needed). */
export async function runAdmin(
  argv: string[],
  io: { out: (line: string) => void; readStdin: () => Promise<string> },
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  const databasePath = join(config.dataDir, "drs-orchestrator.sqlite");
  if (!existsSync(databasePath))
    throw new AdminError(`no database in ${config.dataDir} (set DRSO_DATA_DIR as the server has it)`);
  const store = createSqliteStore({ path: databasePath });
  const clock = new SystemClock();
  const directory = createLocalUserDirectory({
    users: store.users,
    refreshTokens: store.refreshTokens,
    clock,
    hasher: createScryptHasher(),
  });
  try {
    if (command === "list-users") {
      for (const user of await directory.list())
        io.out(
          `${user.email}  ${user.role}${user.disabled ? "  disabled" : ""}${user.locked ? "  locked" : ""}`,
        );
      return 0;
    }
    if (command === "reset-password") {
      const email = rest.find((a) => !a.startsWith("--"));
      const unknownFlags = rest.filter((a) => a.startsWith("--") && a !== "--password-stdin");
      if (!email || unknownFlags.length > 0) {
        io.out(USAGE);
        return 2;
      }
      const user = await store.users.findByEmail(email.trim());
      if (!user) {
        const known = (await directory.list()).map((u) => `${u.email} (${u.role})`);
        throw new AdminError(`no user ${email}; the users are: ${known.join(", ") || "none"}`);
      }
      const fromStdin = rest.includes("--password-stdin");
      const password = fromStdin ? (await io.readStdin()).replace(/\r?\n$/, "") : generatePassword();
      await directory.update(user.userId, { password });
      io.out(
        `Password of ${user.email} reset; its lockout is lifted and its sessions are ended (sign in again).`,
      );
      if (!fromStdin) io.out(`  new password  ${password}   (shown only once)`);
      if (user.disabled)
        io.out(`  Note: ${user.email} is disabled; an administrator can enable it in Users.`);
      return 0;
    }
    io.out(`unknown command "${command}"\n`);
    io.out(USAGE);
    return 2;
  } finally {
    await store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runAdmin(process.argv.slice(2), { out: (line) => console.log(line), readStdin }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = error instanceof AdminError || error instanceof ConfigError || error instanceof AppError;
      console.error(`admin: ${known ? (error as Error).message : error}`);
      process.exit(1);
    },
  );
}
