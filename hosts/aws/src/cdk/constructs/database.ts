import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as kms from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";

/** The shape of `DYNAMO_TABLES` from @drso/store (kept structural so the construct holds no app code). */
export interface TableSpec {
  id: string;
  nameSuffix: string;
  description: string;
  partitionKey: { name: string; type: "S" | "N" | "B" };
  sortKey?: { name: string; type: "S" | "N" | "B" };
  globalSecondaryIndexes: ReadonlyArray<{
    indexName: string;
    partitionKey: { name: string; type: "S" | "N" | "B" };
    sortKey?: { name: string; type: "S" | "N" | "B" };
    projection: { type: "ALL" } | { type: "KEYS_ONLY" } | { type: "INCLUDE"; nonKeyAttributes: string[] };
  }>;
  timeToLiveAttribute?: string;
}

export interface DatabaseProps {
  /** Table definitions, normally `DYNAMO_TABLES` from @drso/store: code and infrastructure cannot disagree. */
  tables: readonly TableSpec[];
  /** Physical table name for a spec, normally `dynamoTableName(spec, environment)`. */
  tableName: (spec: TableSpec) => string;
  /** Customer managed key for every table; one is created (with rotation) when absent. */
  encryptionKey?: kms.IKey;
  /** Default RETAIN: executions and the audit trail outlive the stack. */
  removalPolicy?: RemovalPolicy;
  /** Default true. */
  deletionProtection?: boolean;
}

const attributeType = (t: "S" | "N" | "B") =>
  t === "S"
    ? dynamodb.AttributeType.STRING
    : t === "N"
      ? dynamodb.AttributeType.NUMBER
      : dynamodb.AttributeType.BINARY;

/**
 * The DynamoDB tables: on-demand, point-in-time recovery (35 days), deletion protection, encrypted with a
 * customer managed KMS key, retained when the stack is deleted.
 */
export class Database extends Construct {
  readonly tables: Record<string, dynamodb.Table> = {};
  readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, "TableKey", {
        description: "DRS Orchestrator: encrypts the DynamoDB tables",
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    for (const spec of props.tables) {
      const table = new dynamodb.Table(this, `Table-${spec.id}`, {
        tableName: props.tableName(spec),
        partitionKey: { name: spec.partitionKey.name, type: attributeType(spec.partitionKey.type) },
        ...(spec.sortKey
          ? { sortKey: { name: spec.sortKey.name, type: attributeType(spec.sortKey.type) } }
          : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: props.deletionProtection ?? true,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.encryptionKey,
        removalPolicy,
        ...(spec.timeToLiveAttribute ? { timeToLiveAttribute: spec.timeToLiveAttribute } : {}),
      });
      for (const index of spec.globalSecondaryIndexes) {
        const projection = index.projection;
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey.type) },
          ...(index.sortKey
            ? { sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) } }
            : {}),
          projectionType:
            projection.type === "ALL"
              ? dynamodb.ProjectionType.ALL
              : projection.type === "KEYS_ONLY"
                ? dynamodb.ProjectionType.KEYS_ONLY
                : dynamodb.ProjectionType.INCLUDE,
          ...(projection.type === "INCLUDE" ? { nonKeyAttributes: projection.nonKeyAttributes } : {}),
        });
      }
      this.tables[spec.id] = table;
    }
  }

  table(id: string): dynamodb.Table {
    const table = this.tables[id];
    if (!table) throw new Error(`No table '${id}' (known: ${Object.keys(this.tables).join(", ")})`);
    return table;
  }
}
