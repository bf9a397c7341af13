import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type {
  Account,
  AccountRepository,
  KeyValueStore,
  RefreshTokenRecord,
  RefreshTokenRepository,
  Settings,
  SettingsRepository,
  UserRecord,
  UserRepository,
} from "@drso/core";
import { claimKey, claimOwner, moveClaim } from "./dynamo-claims.js";
import {
  type DynamoContext,
  guarded,
  type Item,
  isConditionalCheckFailed,
  num,
  optimistic,
  parseDoc,
  putNextVersion,
  queryAll,
  str,
} from "./dynamo-support.js";
import { alreadyExists, notFound, versionMismatch } from "./store-errors.js";

/** Small typed items of the config table: Pk = item type, Sk = ID. */
const ACCOUNT = "account";
const SETTINGS = "settings";
const KV = "kv";
const USER = "user";
const REFRESH_TOKEN = "refresh-token";

async function getItem(ctx: DynamoContext, pk: string, sk: string): Promise<Item | undefined> {
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tables.config, Key: { Pk: pk, Sk: sk }, ConsistentRead: true }),
  );
  return out.Item as Item | undefined;
}

export function createDynamoAccounts(ctx: DynamoContext): AccountRepository {
  const table = ctx.tables.config;
  const get = async (accountId: string) => {
    const item = await getItem(ctx, ACCOUNT, accountId);
    return item ? parseDoc<Account>(item.Doc) : undefined;
  };
  const toItem = (account: Account, version: number): Item => ({
    Pk: ACCOUNT,
    Sk: account.accountId,
    Version: version,
    Doc: JSON.stringify({ ...account, version } satisfies Account),
  });

  return guarded<AccountRepository>({
    get,
    async list() {
      const items = await queryAll(ctx, {
        TableName: table,
        ConsistentRead: true,
        KeyConditionExpression: "Pk = :pk",
        ExpressionAttributeValues: { ":pk": ACCOUNT },
      });
      return items.map((item) => parseDoc<Account>(item.Doc));
    },
    async create(account) {
      const item = toItem(account, 1);
      try {
        await ctx.doc.send(
          new PutCommand({ TableName: table, Item: item, ConditionExpression: "attribute_not_exists(Pk)" }),
        );
      } catch (error) {
        if (isConditionalCheckFailed(error)) throw alreadyExists("account", account.accountId);
        throw error;
      }
      return parseDoc<Account>(item.Doc);
    },
    update(account, expectedVersion) {
      return optimistic(ctx, async () => {
        const current = await get(account.accountId);
        if (!current) throw notFound("account", account.accountId);
        if (current.version !== expectedVersion) {
          throw versionMismatch("account", account.accountId, expectedVersion, current.version);
        }
        const item = toItem(account, expectedVersion + 1);
        return {
          items: [putNextVersion(table, item, expectedVersion)],
          result: () => parseDoc<Account>(item.Doc),
        };
      });
    },
    delete(accountId, expectedVersion) {
      return optimistic(ctx, async () => {
        const current = await get(accountId);
        if (!current) throw notFound("account", accountId);
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw versionMismatch("account", accountId, expectedVersion, current.version);
        }
        return {
          items: [
            {
              Delete: {
                TableName: table,
                Key: { Pk: ACCOUNT, Sk: accountId },
                ConditionExpression: "Version = :current",
                ExpressionAttributeValues: { ":current": current.version },
              },
            },
          ],
          result: () => undefined,
        };
      });
    },
  });
}

export function createDynamoSettings(ctx: DynamoContext): SettingsRepository {
  const table = ctx.tables.config;
  return guarded<SettingsRepository>({
    async get() {
      const item = await getItem(ctx, SETTINGS, SETTINGS);
      return item
        ? { settings: parseDoc<Settings>(item.Doc), version: num(item, "Version") ?? 0 }
        : undefined;
    },
    async put(settings, expectedVersion) {
      const version = expectedVersion + 1;
      const doc = JSON.stringify(settings);
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: table,
            Item: { Pk: SETTINGS, Sk: SETTINGS, Version: version, Doc: doc },
            ...(expectedVersion === 0
              ? { ConditionExpression: "attribute_not_exists(Pk)" }
              : {
                  ConditionExpression: "Version = :expected",
                  ExpressionAttributeValues: { ":expected": expectedVersion },
                }),
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        const current = await getItem(ctx, SETTINGS, SETTINGS);
        throw versionMismatch(
          "settings",
          "settings",
          expectedVersion,
          current ? (num(current, "Version") ?? 0) : 0,
        );
      }
      return { settings: parseDoc<Settings>(doc), version };
    },
  });
}

export function createDynamoKeyValueStore(ctx: DynamoContext): KeyValueStore {
  const table = ctx.tables.config;
  return guarded<KeyValueStore>({
    async get(key) {
      const item = await getItem(ctx, KV, key);
      return item ? str(item, "Value") : undefined;
    },
    async put(key, value) {
      await ctx.doc.send(new PutCommand({ TableName: table, Item: { Pk: KV, Sk: key, Value: value } }));
    },
    async putIfAbsent(key, value) {
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: table,
            Item: { Pk: KV, Sk: key, Value: value },
            ConditionExpression: "attribute_not_exists(Pk)",
          }),
        );
        return value;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        const item = await getItem(ctx, KV, key);
        return (item && str(item, "Value")) ?? value;
      }
    },
  });
}

/** Local-identity users (the AWS deployment keeps users in Cognito); e-mails are unique through claims. */
export function createDynamoUsers(ctx: DynamoContext): UserRepository {
  const table = ctx.tables.config;
  const get = async (userId: string) => {
    const item = await getItem(ctx, USER, userId);
    return item ? parseDoc<UserRecord>(item.Doc) : undefined;
  };
  const toItem = (user: UserRecord, version: number): Item => ({
    Pk: USER,
    Sk: user.userId,
    EmailLower: user.email.toLowerCase(),
    Version: version,
    Doc: JSON.stringify({ ...user, version } satisfies UserRecord),
  });
  const checkEmail = async (user: UserRecord) => {
    const owner = await claimOwner(ctx, claimKey("user-email", user.email));
    if (owner !== undefined && owner !== user.userId) throw alreadyExists("user", user.userId, user.email);
  };
  const all = () =>
    queryAll(ctx, {
      TableName: table,
      ConsistentRead: true,
      KeyConditionExpression: "Pk = :pk",
      ExpressionAttributeValues: { ":pk": USER },
    });

  return guarded<UserRepository>({
    get,
    async findByEmail(email) {
      const owner = await claimOwner(ctx, claimKey("user-email", email));
      if (owner === undefined) return undefined;
      const user = await get(owner);
      return user && user.email.toLowerCase() === email.toLowerCase() ? user : undefined;
    },
    async list() {
      const users = (await all()).map((item) => parseDoc<UserRecord>(item.Doc));
      return users.sort((a, b) => {
        const x = a.email.toLowerCase();
        const y = b.email.toLowerCase();
        return x < y ? -1 : x > y ? 1 : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
      });
    },
    async count() {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await ctx.doc.send(
          new QueryCommand({
            TableName: table,
            ConsistentRead: true,
            KeyConditionExpression: "Pk = :pk",
            ExpressionAttributeValues: { ":pk": USER },
            Select: "COUNT",
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      return count;
    },
    create(user) {
      return optimistic(ctx, async (retry) => {
        if (retry) {
          if (await get(user.userId)) throw alreadyExists("user", user.userId);
          await checkEmail(user);
        }
        const item = toItem(user, 1);
        return {
          items: [
            { Put: { TableName: table, Item: item, ConditionExpression: "attribute_not_exists(Pk)" } },
            ...moveClaim(ctx, "user-email", user.userId, undefined, user.email),
          ],
          result: () => parseDoc<UserRecord>(item.Doc),
        };
      });
    },
    update(user, expectedVersion) {
      return optimistic(ctx, async (retry) => {
        const current = await get(user.userId);
        if (!current) throw notFound("user", user.userId);
        if (current.version !== expectedVersion) {
          throw versionMismatch("user", user.userId, expectedVersion, current.version);
        }
        if (retry) await checkEmail(user);
        const item = toItem(user, expectedVersion + 1);
        return {
          items: [
            putNextVersion(table, item, expectedVersion),
            ...moveClaim(ctx, "user-email", user.userId, current.email, user.email),
          ],
          result: () => parseDoc<UserRecord>(item.Doc),
        };
      });
    },
    delete(userId) {
      return optimistic(ctx, async () => {
        const current = await get(userId);
        if (!current) throw notFound("user", userId);
        return {
          items: [
            {
              Delete: {
                TableName: table,
                Key: { Pk: USER, Sk: userId },
                ConditionExpression: "Version = :current",
                ExpressionAttributeValues: { ":current": current.version },
              },
            },
            ...moveClaim(ctx, "user-email", userId, current.email, undefined),
          ],
          result: () => undefined,
        };
      });
    },
  });
}

/** A revoked token stays revoked: a later put of the same hash keeps `RevokedAt` (if_not_exists). */
export function createDynamoRefreshTokens(ctx: DynamoContext): RefreshTokenRepository {
  const table = ctx.tables.config;
  const key = (tokenHash: string) => ({ Pk: REFRESH_TOKEN, Sk: tokenHash });
  const all = () =>
    queryAll(ctx, {
      TableName: table,
      ConsistentRead: true,
      KeyConditionExpression: "Pk = :pk",
      ExpressionAttributeValues: { ":pk": REFRESH_TOKEN },
    });
  const revoke = async (tokenHash: string, at: string) => {
    try {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key(tokenHash),
          UpdateExpression: "SET RevokedAt = :at",
          ConditionExpression: "attribute_exists(Pk) AND attribute_not_exists(RevokedAt)",
          ExpressionAttributeValues: { ":at": at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  };

  return guarded<RefreshTokenRepository>({
    async put(record) {
      const set = ["UserId = :user", "IssuedAt = :issued", "ExpiresAt = :expires", "ExpiresAtEpoch = :ttl"];
      const remove: string[] = [];
      const values: Record<string, unknown> = {
        ":user": record.userId,
        ":issued": record.issuedAt,
        ":expires": record.expiresAt,
        ":ttl": Math.ceil(Date.parse(record.expiresAt) / 1000) || 0,
      };
      if (record.revokedAt !== undefined) {
        set.push("RevokedAt = if_not_exists(RevokedAt, :revoked)");
        values[":revoked"] = record.revokedAt;
      }
      for (const [attribute, value] of [
        ["FamilyId", record.familyId],
        ["AuthTime", record.authTime],
      ] as const) {
        if (value === undefined) remove.push(attribute);
        else {
          set.push(`${attribute} = :${attribute}`);
          values[`:${attribute}`] = value;
        }
      }
      await ctx.doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key(record.tokenHash),
          UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
          ExpressionAttributeValues: values,
        }),
      );
    },
    async get(tokenHash) {
      const item = await getItem(ctx, REFRESH_TOKEN, tokenHash);
      if (!item) return undefined;
      const record: RefreshTokenRecord = {
        tokenHash,
        userId: str(item, "UserId") ?? "",
        issuedAt: str(item, "IssuedAt") ?? "",
        expiresAt: str(item, "ExpiresAt") ?? "",
      };
      const revokedAt = str(item, "RevokedAt");
      const familyId = str(item, "FamilyId");
      const authTime = str(item, "AuthTime");
      if (revokedAt !== undefined) record.revokedAt = revokedAt;
      if (familyId !== undefined) record.familyId = familyId;
      if (authTime !== undefined) record.authTime = authTime;
      return record;
    },
    revoke,
    async revokeAllForUser(userId, at) {
      let count = 0;
      for (const item of await all()) {
        if (item.UserId !== userId || item.RevokedAt !== undefined) continue;
        if (await revoke(String(item.Sk), at)) count += 1;
      }
      return count;
    },
    async purgeExpired(now) {
      let count = 0;
      for (const item of await all()) {
        const expiresAt = str(item, "ExpiresAt");
        if (expiresAt === undefined || expiresAt >= now) continue;
        try {
          await ctx.doc.send(
            new DeleteCommand({
              TableName: table,
              Key: key(String(item.Sk)),
              ConditionExpression: "ExpiresAt < :now",
              ExpressionAttributeValues: { ":now": now },
            }),
          );
          count += 1;
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
        }
      }
      return count;
    },
  });
}
