import type { KeyValueStore } from "@drso/core";
import { asyncify, type Db } from "./database.js";

export function createSqliteKeyValueStore(db: Db): KeyValueStore {
  const s = {
    get: db.prepare("SELECT value FROM kv WHERE key = ?").pluck(),
    insert: db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"),
    upsert: db.prepare(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
  };
  const putIfAbsent = db.transaction((key: string, value: string) => {
    s.insert.run(key, value);
    return s.get.get(key) as string;
  });
  return asyncify<KeyValueStore>({
    get(key) {
      return s.get.get(key) as string | undefined;
    },
    putIfAbsent(key, value) {
      return putIfAbsent.immediate(key, value);
    },
    put(key, value) {
      s.upsert.run(key, value);
    },
  });
}
