import { createMemoryStore } from "./memory-store.js";
import { describeStoreContract } from "./store.contract.js";

describeStoreContract("memory", async () => {
  const store = createMemoryStore();
  return { store, close: () => store.close() };
});
