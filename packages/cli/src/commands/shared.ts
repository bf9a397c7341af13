import { type ApiClient, unwrap } from "@drso/client";
import { type Command, Option } from "commander";
import { CliError, UsageError } from "../errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** `--help` text: examples after the options. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
}

export function intOption(flags: string, description: string, min: number, max: number): Option {
  return new Option(flags, description).argParser((value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(
        `${flags.split(",").pop()!.trim().split(" ")[0]} must be an integer ${min}-${max}`,
      );
    }
    return n;
  });
}

/** A protection group's ID from its ID or its name (names are unique, case-insensitively). */
export async function resolveGroupId(api: ApiClient, nameOrId: string): Promise<string> {
  if (isUuid(nameOrId)) return nameOrId;
  const page = await unwrap(
    api.GET("/protection-groups", { params: { query: { name: nameOrId, limit: 100 } } }),
  );
  const match = page.items.find((g) => g.name.toLowerCase() === nameOrId.toLowerCase());
  if (!match) throw new CliError(`no protection group named "${nameOrId}"`);
  return match.groupId;
}

/** A recovery plan's ID and name from its ID or its name. */
export async function resolvePlan(
  api: ApiClient,
  nameOrId: string,
): Promise<{ planId: string; name: string }> {
  if (isUuid(nameOrId)) {
    const plan = await unwrap(api.GET("/recovery-plans/{id}", { params: { path: { id: nameOrId } } }));
    return { planId: plan.planId, name: plan.name };
  }
  const page = await unwrap(
    api.GET("/recovery-plans", { params: { query: { name: nameOrId, limit: 100 } } }),
  );
  const match = page.items.find((p) => p.name.toLowerCase() === nameOrId.toLowerCase());
  if (!match) throw new CliError(`no recovery plan named "${nameOrId}"`);
  return { planId: match.planId, name: match.name };
}

export function requireUuid(value: string, what: string): string {
  if (!isUuid(value)) throw new UsageError(`${what} must be an ID (UUID), got "${value}"`);
  return value;
}
