import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";

/**
 * The DynamoDB tables of the AWS store, as data: the CDK stack and the test harness both create tables
 * from `DYNAMO_TABLES`, so the code and the infrastructure cannot disagree. The three seed tables keep
 * the seed's names and keys (`GroupId`, `PlanId`, `ExecutionId`, GSI `PlanIdIndex`); the others hold what
 * the seed does not model (see docs in dynamo-store.ts).
 */
export interface DynamoTableNames {
  protectionGroups: string;
  recoveryPlans: string;
  executionHistory: string;
  executionItems: string;
  claims: string;
  config: string;
  audit: string;
}

export type DynamoAttributeType = "S" | "N" | "B";

export interface DynamoKeySpec {
  name: string;
  type: DynamoAttributeType;
}

export type DynamoProjectionSpec =
  | { type: "ALL" }
  | { type: "KEYS_ONLY" }
  | { type: "INCLUDE"; nonKeyAttributes: string[] };

export interface DynamoIndexSpec {
  indexName: string;
  partitionKey: DynamoKeySpec;
  sortKey?: DynamoKeySpec;
  projection: DynamoProjectionSpec;
}

export interface DynamoTableSpec {
  /** Which entry of DynamoTableNames this table is. */
  id: keyof DynamoTableNames;
  /** The table is named `drs-orchestration-{nameSuffix}-{environment}`. */
  nameSuffix: string;
  description: string;
  partitionKey: DynamoKeySpec;
  sortKey?: DynamoKeySpec;
  globalSecondaryIndexes: DynamoIndexSpec[];
  /** Attribute (epoch seconds) that DynamoDB TTL expires items by, if the table uses TTL. */
  timeToLiveAttribute?: string;
}

const EXECUTION_LIST_ATTRIBUTES = [
  "Summary",
  "Status",
  "ExecutionType",
  "InitiatedBy",
  "StartTime",
  "EndTime",
];

export const DYNAMO_TABLES: readonly DynamoTableSpec[] = [
  {
    id: "protectionGroups",
    nameSuffix: "protection-groups",
    description:
      "Protection groups (seed table). Item per group: GroupId, GroupName, AccountId, Region, Owner, Version, Doc (JSON). NameIndex orders groups by lower-case name for keyset paging.",
    partitionKey: { name: "GroupId", type: "S" },
    globalSecondaryIndexes: [
      {
        indexName: "NameIndex",
        partitionKey: { name: "Entity", type: "S" },
        sortKey: { name: "NameLower", type: "S" },
        projection: { type: "ALL" },
      },
    ],
  },
  {
    id: "recoveryPlans",
    nameSuffix: "recovery-plans",
    description:
      "Recovery plans (seed table). Item per plan: PlanId, PlanName, GroupIds (referenced protection groups), Version, Doc (JSON). NameIndex as for protection groups.",
    partitionKey: { name: "PlanId", type: "S" },
    globalSecondaryIndexes: [
      {
        indexName: "NameIndex",
        partitionKey: { name: "Entity", type: "S" },
        sortKey: { name: "NameLower", type: "S" },
        projection: { type: "ALL" },
      },
    ],
  },
  {
    id: "executionHistory",
    nameSuffix: "execution-history",
    description:
      "Executions (seed table). Item per execution (about 1 KB whatever the execution's size): the filter/sort attributes, Summary (JSON), Usage, the scheduling fields, the lease, the command/event counters and the generation/count of its document chunks in execution-items. Listing reads only the indexes' projections, never documents.",
    partitionKey: { name: "ExecutionId", type: "S" },
    globalSecondaryIndexes: [
      {
        indexName: "PlanIdIndex",
        partitionKey: { name: "PlanId", type: "S" },
        sortKey: { name: "StartKey", type: "S" },
        projection: { type: "INCLUDE", nonKeyAttributes: EXECUTION_LIST_ATTRIBUTES },
      },
      {
        indexName: "StartTimeIndex",
        partitionKey: { name: "Entity", type: "S" },
        sortKey: { name: "StartKey", type: "S" },
        projection: { type: "INCLUDE", nonKeyAttributes: EXECUTION_LIST_ATTRIBUTES },
      },
      {
        // Sparse: only executions that are active, have a wakeAt or an unapplied command.
        indexName: "ActiveIndex",
        partitionKey: { name: "ActiveKey", type: "S" },
        sortKey: { name: "StartKey", type: "S" },
        projection: {
          type: "INCLUDE",
          nonKeyAttributes: [
            "Status",
            "Usage",
            "WakeAt",
            "LeaseOwner",
            "LeaseUntil",
            "LastCommandSeq",
            "AppliedCommandSeq",
          ],
        },
      },
    ],
  },
  {
    id: "executionItems",
    nameSuffix: "execution-items",
    description:
      "Per-execution items: the gzipped document in chunks (doc#<generation>#<n>), the gzipped server keys (serverkeys), event batches (event#<last seq>, append-only), commands (command#<seq>) and DRS job-log items (joblog#<jobId>#<index>).",
    partitionKey: { name: "ExecutionId", type: "S" },
    sortKey: { name: "ItemKey", type: "S" },
    globalSecondaryIndexes: [],
  },
  {
    id: "claims",
    nameSuffix: "claims",
    description:
      "Uniqueness claims written in the same transaction as their owner: lower-case names of protection groups and plans, user e-mails, and one server registry per account/region (which explicit group holds which source server).",
    partitionKey: { name: "ClaimKey", type: "S" },
    globalSecondaryIndexes: [],
  },
  {
    id: "config",
    nameSuffix: "config",
    description:
      "Small typed items: target accounts, settings, key-value entries, local users and refresh tokens (Pk = item type, Sk = ID). Refresh tokens expire through TTL as well as purgeExpired.",
    partitionKey: { name: "Pk", type: "S" },
    sortKey: { name: "Sk", type: "S" },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: "ExpiresAtEpoch",
  },
  {
    id: "audit",
    nameSuffix: "audit",
    description:
      "Append-only audit events: EventId key (a duplicate is refused), TimeIndex orders them by time for newest-first paging.",
    partitionKey: { name: "EventId", type: "S" },
    globalSecondaryIndexes: [
      {
        indexName: "TimeIndex",
        partitionKey: { name: "Entity", type: "S" },
        sortKey: { name: "AtKey", type: "S" },
        projection: { type: "ALL" },
      },
    ],
  },
];

export const DYNAMO_TABLE_PREFIX = "drs-orchestration";

export function dynamoTableName(spec: Pick<DynamoTableSpec, "nameSuffix">, environment: string): string {
  return `${DYNAMO_TABLE_PREFIX}-${spec.nameSuffix}-${environment}`;
}

export function dynamoTableNames(environment: string): DynamoTableNames {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(environment)) {
    throw new Error(`Invalid environment name '${environment}' for DynamoDB table names.`);
  }
  const names = {} as DynamoTableNames;
  for (const spec of DYNAMO_TABLES) names[spec.id] = dynamoTableName(spec, environment);
  return names;
}

/** The CreateTable request for one spec (on-demand billing). */
export function createTableInput(spec: DynamoTableSpec, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, DynamoAttributeType>();
  const keys = [
    spec.partitionKey,
    spec.sortKey,
    ...spec.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  for (const key of keys) if (key) attributes.set(key.name, key.type);
  const keySchema = (partition: DynamoKeySpec, sort?: DynamoKeySpec) => [
    { AttributeName: partition.name, KeyType: "HASH" as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: "RANGE" as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    ...(spec.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: spec.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection:
              index.projection.type === "INCLUDE"
                ? { ProjectionType: "INCLUDE", NonKeyAttributes: index.projection.nonKeyAttributes }
                : { ProjectionType: index.projection.type },
          })),
        }
      : {}),
  };
}

/**
 * Creates every missing table (on-demand) and waits until they are ACTIVE. For tests and local
 * experiments against an emulator; production tables come from the CDK stack, built from the same specs.
 */
export async function createDynamoTables(client: DynamoDBClient, names: DynamoTableNames): Promise<void> {
  for (const spec of DYNAMO_TABLES) {
    const tableName = names[spec.id];
    try {
      await client.send(new CreateTableCommand(createTableInput(spec, tableName)));
      if (spec.timeToLiveAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: spec.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let attempt = 0; attempt < 600; attempt++) {
      const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (described.Table?.TableStatus === "ACTIVE") break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
