import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { ProtectionGroup, ProtectionGroupRepository } from "@drso/core";
import {
  claimKey,
  claimOwner,
  moveClaim,
  readRegistry,
  registryConflict,
  registryKey,
  type ServerRegistry,
  writeRegistry,
} from "./dynamo-claims.js";
import {
  byNameThenId,
  type DynamoContext,
  guarded,
  type Item,
  optimistic,
  parseDoc,
  putNextVersion,
  queryUntil,
  scanDocs,
  str,
  type TransactItem,
} from "./dynamo-support.js";
import { decodeCursor, encodeCursor, pageLimit, queryHash } from "./paging.js";
import {
  alreadyExists,
  claimedServers,
  nameTaken,
  notFound,
  serverAssigned,
  versionMismatch,
} from "./store-errors.js";

const ENTITY = "protection-group";

export function createDynamoProtectionGroups(ctx: DynamoContext): ProtectionGroupRepository {
  const table = ctx.tables.protectionGroups;

  const toItem = (group: ProtectionGroup, version: number): Item => ({
    GroupId: group.groupId,
    Entity: ENTITY,
    NameLower: group.name.toLowerCase(),
    GroupName: group.name,
    AccountId: group.accountId,
    Region: group.region,
    Owner: group.owner,
    SelectionMode: group.selectionMode,
    Version: version,
    Doc: JSON.stringify({ ...group, version } satisfies ProtectionGroup),
  });

  async function get(groupId: string): Promise<ProtectionGroup | undefined> {
    const out = await ctx.doc.send(
      new GetCommand({ TableName: table, Key: { GroupId: groupId }, ConsistentRead: true }),
    );
    return out.Item ? parseDoc<ProtectionGroup>(out.Item.Doc) : undefined;
  }

  async function checkName(group: ProtectionGroup): Promise<void> {
    const owner = await claimOwner(ctx, claimKey("pg-name", group.name));
    if (owner !== undefined && owner !== group.groupId)
      throw nameTaken("protection-group", group.name, owner);
  }

  /** Reads the registries involved and fails with SERVER_ALREADY_ASSIGNED on a conflict. */
  async function registriesFor(
    before: ProtectionGroup | undefined,
    after: ProtectionGroup | undefined,
  ): Promise<TransactItem[]> {
    const oldServers = before ? claimedServers(before) : [];
    const newServers = after ? claimedServers(after) : [];
    const oldKey = before && oldServers.length > 0 ? registryKey(before.accountId, before.region) : undefined;
    const newKey = after && newServers.length > 0 ? registryKey(after.accountId, after.region) : undefined;
    const items: TransactItem[] = [];
    let target: ServerRegistry | undefined;
    const groupId = (after ?? before)?.groupId as string;
    if (after && newKey !== undefined) {
      target = await readRegistry(ctx, after.accountId, after.region);
      const conflict = registryConflict(target, groupId, newServers);
      if (conflict) {
        const holder = await get(conflict.groupId);
        throw serverAssigned(conflict.sourceServerId, conflict.groupId, holder?.name ?? conflict.groupId);
      }
      items.push(writeRegistry(ctx, target, groupId, newServers));
    }
    if (before && oldKey !== undefined && oldKey !== newKey) {
      const old = await readRegistry(ctx, before.accountId, before.region);
      items.push(writeRegistry(ctx, old, groupId, []));
    }
    return items;
  }

  const repository: ProtectionGroupRepository = {
    get,

    async findByName(name) {
      const owner = await claimOwner(ctx, claimKey("pg-name", name));
      if (owner === undefined) return undefined;
      const group = await get(owner);
      return group && group.name.toLowerCase() === name.toLowerCase() ? group : undefined;
    },

    async list(filter, page) {
      const needle = filter.nameContains?.toLowerCase();
      const hash = queryHash("protection-groups", {
        accountId: filter.accountId,
        region: filter.region,
        nameContains: needle,
      });
      const after =
        page.nextToken === undefined ? undefined : decodeCursor(page.nextToken, hash, ["string", "string"]);
      const limit = pageLimit(page);
      const items = await queryUntil(
        ctx,
        {
          TableName: table,
          IndexName: "NameIndex",
          KeyConditionExpression: after ? "Entity = :e AND NameLower > :after" : "Entity = :e",
          ExpressionAttributeValues: { ":e": ENTITY, ...(after ? { ":after": after[0] } : {}) },
        },
        limit + 1,
        (item) =>
          (filter.accountId === undefined || item.AccountId === filter.accountId) &&
          (filter.region === undefined || item.Region === filter.region) &&
          (needle === undefined || (str(item, "NameLower") ?? "").includes(needle)),
      );
      const groups = items.slice(0, limit).map((item) => parseDoc<ProtectionGroup>(item.Doc));
      const result: { items: ProtectionGroup[]; nextToken?: string } = { items: groups };
      const last = groups[groups.length - 1];
      if (items.length > limit && last) {
        result.nextToken = encodeCursor(hash, [last.name.toLowerCase(), last.groupId]);
      }
      return result;
    },

    async listAll() {
      return (await scanDocs<ProtectionGroup>(ctx, table)).sort(byNameThenId((x) => x.groupId));
    },

    create(group) {
      return optimistic(ctx, async (retry) => {
        if (retry) {
          if (await get(group.groupId)) throw alreadyExists("protection-group", group.groupId);
          await checkName(group);
        }
        const registries = await registriesFor(undefined, group);
        const item = toItem(group, 1);
        return {
          items: [
            {
              Put: { TableName: table, Item: item, ConditionExpression: "attribute_not_exists(GroupId)" },
            },
            ...moveClaim(ctx, "pg-name", group.groupId, undefined, group.name),
            ...registries,
          ],
          result: () => parseDoc<ProtectionGroup>(item.Doc),
        };
      });
    },

    update(group, expectedVersion) {
      return optimistic(ctx, async (retry) => {
        const current = await get(group.groupId);
        if (!current) throw notFound("protection-group", group.groupId);
        if (current.version !== expectedVersion) {
          throw versionMismatch("protection-group", group.groupId, expectedVersion, current.version);
        }
        if (retry) await checkName(group);
        const registries = await registriesFor(current, group);
        const item = toItem(group, expectedVersion + 1);
        return {
          items: [
            putNextVersion(table, item, expectedVersion),
            ...moveClaim(ctx, "pg-name", group.groupId, current.name, group.name),
            ...registries,
          ],
          result: () => parseDoc<ProtectionGroup>(item.Doc),
        };
      });
    },

    delete(groupId, expectedVersion) {
      return optimistic(ctx, async () => {
        const current = await get(groupId);
        if (!current) throw notFound("protection-group", groupId);
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw versionMismatch("protection-group", groupId, expectedVersion, current.version);
        }
        const registries = await registriesFor(current, undefined);
        return {
          items: [
            {
              Delete: {
                TableName: table,
                Key: { GroupId: groupId },
                ConditionExpression: "Version = :current",
                ExpressionAttributeValues: { ":current": current.version },
              },
            },
            ...moveClaim(ctx, "pg-name", groupId, current.name, undefined),
            ...registries,
          ],
          result: () => undefined,
        };
      });
    },
  };
  return guarded(repository);
}
