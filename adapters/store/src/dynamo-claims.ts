import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoContext, TransactItem } from "./dynamo-support.js";
import { num, str } from "./dynamo-support.js";

/**
 * Uniqueness on DynamoDB: a claim item per unique value, written in the same transaction as its owner
 * (`attribute_not_exists(ClaimKey) OR OwnerId = :me`), so two racing writers cannot both win.
 */
export type ClaimKind = "pg-name" | "plan-name" | "user-email";

export function claimKey(kind: ClaimKind, value: string): string {
  return `${kind}#${value.toLowerCase()}`;
}

export async function claimOwner(ctx: DynamoContext, key: string): Promise<string | undefined> {
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tables.claims, Key: { ClaimKey: key }, ConsistentRead: true }),
  );
  return out.Item ? str(out.Item, "OwnerId") : undefined;
}

export function putClaim(ctx: DynamoContext, key: string, ownerId: string): TransactItem {
  return {
    Put: {
      TableName: ctx.tables.claims,
      Item: { ClaimKey: key, OwnerId: ownerId },
      ConditionExpression: "attribute_not_exists(ClaimKey) OR OwnerId = :owner",
      ExpressionAttributeValues: { ":owner": ownerId },
    },
  };
}

export function releaseClaim(ctx: DynamoContext, key: string, ownerId: string): TransactItem {
  return {
    Delete: {
      TableName: ctx.tables.claims,
      Key: { ClaimKey: key },
      ConditionExpression: "attribute_not_exists(ClaimKey) OR OwnerId = :owner",
      ExpressionAttributeValues: { ":owner": ownerId },
    },
  };
}

/** The claim changes for an owner whose unique value goes from `before` to `after` (either may be absent). */
export function moveClaim(
  ctx: DynamoContext,
  kind: ClaimKind,
  ownerId: string,
  before: string | undefined,
  after: string | undefined,
): TransactItem[] {
  const from = before === undefined ? undefined : claimKey(kind, before);
  const to = after === undefined ? undefined : claimKey(kind, after);
  const items: TransactItem[] = [];
  if (from !== undefined && from !== to) items.push(releaseClaim(ctx, from, ownerId));
  if (to !== undefined) items.push(putClaim(ctx, to, ownerId));
  return items;
}

/**
 * Source-server claims of explicit protection groups: one registry item per account/region holding
 * `{groupId: [sourceServerId…]}`, versioned. A group write reads the registry, checks, and rewrites it in
 * its transaction under `Version = :read`; a concurrent group write in the same account/region makes one
 * of them retry. One item (not one per server) keeps any group, however many servers it has, within
 * one transaction: DRS caps source servers per account and region in the low thousands, far below what
 * 400 KB holds (about 60 bytes per server).
 */
export interface ServerRegistry {
  key: string;
  version: number;
  claims: Record<string, string[]>;
}

export function registryKey(accountId: string, region: string): string {
  return `servers#${accountId}#${region}`;
}

export async function readRegistry(
  ctx: DynamoContext,
  accountId: string,
  region: string,
): Promise<ServerRegistry> {
  const key = registryKey(accountId, region);
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tables.claims, Key: { ClaimKey: key }, ConsistentRead: true }),
  );
  if (!out.Item) return { key, version: 0, claims: {} };
  const raw = str(out.Item, "Claims");
  return {
    key,
    version: num(out.Item, "Version") ?? 0,
    claims: raw ? (JSON.parse(raw) as Record<string, string[]>) : {},
  };
}

/** The first of `servers` (in order) that a group other than `groupId` holds. */
export function registryConflict(
  registry: ServerRegistry,
  groupId: string,
  servers: readonly string[],
): { sourceServerId: string; groupId: string } | undefined {
  if (servers.length === 0) return undefined;
  const holders = new Map<string, string>();
  for (const [holder, held] of Object.entries(registry.claims)) {
    if (holder === groupId) continue;
    for (const server of held) holders.set(server, holder);
  }
  for (const server of servers) {
    const holder = holders.get(server);
    if (holder !== undefined) return { sourceServerId: server, groupId: holder };
  }
  return undefined;
}

/** Rewrites the registry with `groupId` holding `servers` (none: released), guarded by the version read. */
export function writeRegistry(
  ctx: DynamoContext,
  registry: ServerRegistry,
  groupId: string,
  servers: readonly string[],
): TransactItem {
  const claims = { ...registry.claims };
  if (servers.length > 0) claims[groupId] = [...servers];
  else delete claims[groupId];
  return {
    Put: {
      TableName: ctx.tables.claims,
      Item: { ClaimKey: registry.key, Version: registry.version + 1, Claims: JSON.stringify(claims) },
      ...(registry.version === 0
        ? { ConditionExpression: "attribute_not_exists(ClaimKey)" }
        : {
            ConditionExpression: "Version = :version",
            ExpressionAttributeValues: { ":version": registry.version },
          }),
    },
  };
}
