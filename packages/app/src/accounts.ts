import {
  type Account,
  type AccountInput,
  type AccountUpdate,
  type AccountValidation,
  ConflictError,
  DrsError,
  NotFoundError,
  plural,
} from "@drso/core";
import { type AppDeps, iso } from "./deps.js";
import type { Inventory } from "./inventory.js";

export function createAccountService(deps: AppDeps, inventory: Inventory) {
  const { store } = deps;

  async function require(accountId: string): Promise<Account> {
    const account = await store.accounts.get(accountId);
    if (!account) throw new NotFoundError("account", accountId);
    return account;
  }

  return {
    list: () => store.accounts.list(),
    get: require,

    async create(input: AccountInput): Promise<Account> {
      const now = iso(deps.clock.now());
      const account: Account = {
        accountId: input.accountId,
        name: input.name,
        regions: [...input.regions],
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      if (input.roleArn) account.roleArn = input.roleArn;
      if (input.externalId) account.externalId = input.externalId;
      return store.accounts.create(account);
    },

    async update(
      accountId: string,
      input: AccountUpdate,
      expectedVersion: number | undefined,
    ): Promise<Account> {
      const existing = await require(accountId);
      const removed = existing.regions.filter((r) => !input.regions.includes(r));
      if (removed.length > 0) {
        const used = (await store.protectionGroups.listAll()).filter(
          (g) => g.accountId === accountId && removed.includes(g.region),
        );
        if (used.length > 0) {
          throw new ConflictError(
            "RESOURCE_IN_USE",
            `Region(s) ${removed.join(", ")} are used by protection group(s) ${used.map((g) => `'${g.name}'`).join(", ")}.`,
            {
              groups: used.map((g) => ({ groupId: g.groupId, name: g.name })),
            },
          );
        }
      }
      const version = expectedVersion ?? existing.version;
      const next: Account = {
        ...existing,
        name: input.name,
        regions: [...input.regions],
        updatedAt: iso(deps.clock.now()),
        version,
      };
      delete next.roleArn;
      delete next.externalId;
      if (input.roleArn) next.roleArn = input.roleArn;
      if (input.externalId) next.externalId = input.externalId;
      const saved = await store.accounts.update(next, version);
      for (const region of saved.regions) inventory.invalidate({ accountId, region });
      return saved;
    },

    async delete(accountId: string, expectedVersion: number | undefined): Promise<void> {
      const existing = await require(accountId);
      const used = (await store.protectionGroups.listAll()).filter((g) => g.accountId === accountId);
      if (used.length > 0) {
        throw new ConflictError(
          "RESOURCE_IN_USE",
          `Account ${existing.accountId} is used by protection group(s) ${used.map((g) => `'${g.name}'`).join(", ")}.`,
          {
            groups: used.map((g) => ({ groupId: g.groupId, name: g.name })),
          },
        );
      }
      await store.accounts.delete(accountId, expectedVersion);
    },

    /** Really reaches DRS in every configured region (assuming the role in aws mode) and records the outcome. */
    async validate(accountId: string): Promise<Account> {
      const account = await require(accountId);
      const regions: AccountValidation["regions"] = [];
      for (const region of account.regions) {
        const gateway = deps.drs.forTarget({ accountId, region });
        try {
          const initialized = await gateway.checkInitialized();
          const entry: AccountValidation["regions"][number] = { region, ok: initialized, initialized };
          if (initialized) {
            entry.sourceServers = (await inventory.servers({ accountId, region }, { refresh: true })).length;
          } else {
            entry.message = "DRS is not initialized in this region";
          }
          regions.push(entry);
        } catch (error) {
          const message =
            error instanceof DrsError ? `${error.kind}: ${error.message}` : (error as Error).message;
          regions.push({ region, ok: false, message });
        }
      }
      const ok = regions.every((r) => r.ok);
      const lastValidation: AccountValidation = {
        status: ok ? "VALID" : "INVALID",
        checkedAt: iso(deps.clock.now()),
        message: ok
          ? `DRS reachable in ${plural(regions.length, "region")}`
          : regions
              .filter((r) => !r.ok)
              .map((r) => `${r.region}: ${r.message ?? "failed"}`)
              .join("; "),
        regions,
      };
      return store.accounts.update(
        { ...account, lastValidation, updatedAt: iso(deps.clock.now()) },
        account.version,
      );
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
