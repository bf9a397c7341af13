import type { Account, AccountRepository } from "@drso/core";
import { alreadyExists, notFound, versionMismatch } from "../store-errors.js";
import { asyncify, type Db, parseJson } from "./database.js";

export function createSqliteAccounts(db: Db): AccountRepository {
  const s = {
    get: db.prepare("SELECT data FROM accounts WHERE account_id = ?").pluck(),
    all: db.prepare("SELECT data FROM accounts ORDER BY account_id").pluck(),
    version: db.prepare("SELECT version FROM accounts WHERE account_id = ?").pluck(),
    insert: db.prepare("INSERT INTO accounts (account_id, version, data) VALUES (?, ?, ?)"),
    update: db.prepare("UPDATE accounts SET version = ?, data = ? WHERE account_id = ?"),
    delete: db.prepare("DELETE FROM accounts WHERE account_id = ?"),
  };

  const create = db.transaction((account: Account) => {
    if (s.version.get(account.accountId) !== undefined) throw alreadyExists("account", account.accountId);
    const data = JSON.stringify({ ...account, version: 1 } satisfies Account);
    s.insert.run(account.accountId, 1, data);
    return parseJson<Account>(data);
  });

  const update = db.transaction((account: Account, expectedVersion: number) => {
    const current = s.version.get(account.accountId) as number | undefined;
    if (current === undefined) throw notFound("account", account.accountId);
    if (current !== expectedVersion)
      throw versionMismatch("account", account.accountId, expectedVersion, current);
    const version = expectedVersion + 1;
    const data = JSON.stringify({ ...account, version } satisfies Account);
    s.update.run(version, data, account.accountId);
    return parseJson<Account>(data);
  });

  const remove = db.transaction((accountId: string, expectedVersion: number | undefined) => {
    const current = s.version.get(accountId) as number | undefined;
    if (current === undefined) throw notFound("account", accountId);
    if (expectedVersion !== undefined && current !== expectedVersion) {
      throw versionMismatch("account", accountId, expectedVersion, current);
    }
    s.delete.run(accountId);
  });

  return asyncify<AccountRepository>({
    get(accountId) {
      const data = s.get.get(accountId);
      return data === undefined ? undefined : parseJson<Account>(data);
    },
    list() {
      return (s.all.all() as string[]).map((d) => parseJson<Account>(d));
    },
    create(account) {
      return create.immediate(account);
    },
    update(account, expectedVersion) {
      return update.immediate(account, expectedVersion);
    },
    delete(accountId, expectedVersion) {
      remove.immediate(accountId, expectedVersion);
    },
  });
}
