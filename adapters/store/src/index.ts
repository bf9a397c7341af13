export { createDynamoStore, type DynamoStoreOptions } from "./dynamo-store.js";
export {
  createDynamoTables,
  createTableInput,
  DYNAMO_TABLE_PREFIX,
  DYNAMO_TABLES,
  type DynamoAttributeType,
  type DynamoIndexSpec,
  type DynamoKeySpec,
  type DynamoProjectionSpec,
  type DynamoTableNames,
  type DynamoTableSpec,
  dynamoTableName,
  dynamoTableNames,
} from "./dynamo-tables.js";
export { createMemoryStore } from "./memory-store.js";
export { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
