import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Store } from "@drso/core";
import { createDynamoAuditLog } from "./dynamo-audit.js";
import {
  createDynamoAccounts,
  createDynamoKeyValueStore,
  createDynamoRefreshTokens,
  createDynamoSettings,
  createDynamoUsers,
} from "./dynamo-config.js";
import { createDynamoExecutions } from "./dynamo-executions.js";
import { createDynamoProtectionGroups } from "./dynamo-protection-groups.js";
import { createDynamoRecoveryPlans } from "./dynamo-recovery-plans.js";
import { type DynamoContext, documentClient, translateDynamoError } from "./dynamo-support.js";
import type { DynamoTableNames } from "./dynamo-tables.js";

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tables: DynamoTableNames;
  /**
   * An execution document is stored gzipped in chunk items of at most this many bytes. Default 262,144
   * (256 KiB), well below DynamoDB's 400 KB item limit; tests lower it to exercise several chunks.
   */
  documentChunkBytes?: number;
  /** Attempts of an optimistic write that keeps losing races before CONCURRENT_UPDATE. Default 8. */
  maxAttempts?: number;
}

/**
 * The AWS-mode Store (DESIGN §5) on DynamoDB: the seed's three tables plus execution items, claims,
 * config and audit (`DYNAMO_TABLES`). It passes the same contract suite as SQLite.
 *
 * - Optimistic versions: every write is conditional on the version read (`Version = :expected`).
 * - Unique names and e-mails, and the source servers of explicit protection groups, are claim items in the
 *   claims table written in the same TransactWriteItems as their owner.
 * - Listings are keyset-paged along GSI sort keys (name; startTime#executionId; at#eventId), so items
 *   created or deleted between pages never shift the rest. GSIs are eventually consistent on real
 *   DynamoDB: a record written a moment ago may be missing from a listing for a moment (reads by ID,
 *   name and every write are strongly consistent).
 * - An execution's events are appended in the transaction that saves it; its document is gzipped into chunk
 *   items next to them, so the execution item itself stays small (see dynamo-executions.ts).
 */
export function createDynamoStore(options: DynamoStoreOptions): Store {
  const ctx: DynamoContext = {
    doc: documentClient(options.client),
    tables: options.tables,
    documentChunkBytes: Math.max(1024, options.documentChunkBytes ?? 262_144),
    maxAttempts: options.maxAttempts ?? 8,
  };
  return {
    protectionGroups: createDynamoProtectionGroups(ctx),
    recoveryPlans: createDynamoRecoveryPlans(ctx),
    executions: createDynamoExecutions(ctx),
    accounts: createDynamoAccounts(ctx),
    settings: createDynamoSettings(ctx),
    users: createDynamoUsers(ctx),
    refreshTokens: createDynamoRefreshTokens(ctx),
    audit: createDynamoAuditLog(ctx),
    kv: createDynamoKeyValueStore(ctx),
    // A strongly consistent read of a key that never exists: needs only dynamodb:GetItem.
    async ping() {
      try {
        await ctx.doc.send(
          new GetCommand({
            TableName: options.tables.config,
            Key: { Pk: "ping", Sk: "ping" },
            ConsistentRead: true,
          }),
        );
      } catch (error) {
        throw translateDynamoError(error);
      }
    },
    // The SDK client belongs to the caller (a Lambda reuses it across invocations): nothing to release.
    async close() {},
  };
}
