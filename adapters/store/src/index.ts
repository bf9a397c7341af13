export { createMemoryStore } from "./memory-store.js";
export { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
